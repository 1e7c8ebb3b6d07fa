/**
 * Where configuration comes from, as pure functions: the caller reads the file and hands over its
 * text, the environment and the arguments. Sources merge later-wins:
 *
 *   defaults < properties file (`-c FILE`) < environment < command line
 *
 * Environment, broker: `NAMESRV_ADDR` (RocketMQ's own variable) → `namesrvAddr`, and
 * `SKIFF_<key>` with the key spelt exactly as in the config (`SKIFF_listenPort=11911`,
 * `SKIFF_brokerRole=SLAVE`); `SKIFF_<key>` wins over `NAMESRV_ADDR`. Name server:
 * `SKIFF_NAMESRV_<key>` (`SKIFF_NAMESRV_listenPort=9877`), which the broker skips, so one shell can
 * configure both. A variable set to the empty string counts as not set.
 *
 * Command line: `--key=value`, `--key value`, `-n ADDR` (namesrvAddr), `-c FILE` (also `-n=ADDR`,
 * `-c=FILE`), `-h`/`--help`. A value that starts with `-` needs the `=` form (negative numbers
 * excepted).
 */
import { configInvalid, mergeLayers, type ConfigLayer, type ResolvedConfig } from "./validate.ts";
import { setOwn } from "../core/own-property.ts";
import { validateBrokerConfig, type BrokerConfig, type Env } from "./broker-config.ts";
import { parseProperties } from "./properties.ts";

export { parseProperties } from "./properties.ts";
export type { BrokerConfig, Env } from "./broker-config.ts";
export type { ResolvedConfig } from "./validate.ts";

export interface CommandLine {
  /** `-c FILE`: the properties file to read. */
  readonly configFile?: string;
  /** `--key=value`, `--key value` and `-n` (as namesrvAddr); a later repeat wins. */
  readonly values: Record<string, string>;
  /** `-h` or `--help` was given. */
  readonly help: boolean;
}

const SHORT_OPTIONS: Record<string, string> = { "-n": "namesrvAddr", "-c": "configFile" };

function isOptionLike(arg: string): boolean {
  return arg.startsWith("-") && !/^-\d/.test(arg);
}

/** Parses arguments (without the program and sub-command names). Throws CONFIG_INVALID. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  let configFile: string | undefined;
  let help = false;
  let i = 0;
  const take = (option: string): string | undefined => {
    const next = argv[i + 1];
    if (next !== undefined && !isOptionLike(next)) {
      i++;
      return next;
    }
    problems.push(`${option} needs a value (${option} VALUE or ${option}=VALUE)`);
    return undefined;
  };
  for (; i < argv.length; i++) {
    const arg = argv[i];
    let key: string | undefined;
    let value: string | undefined;
    if (arg === "-h" || arg === "--help") {
      help = true;
      continue;
    } else if (arg.startsWith("--") && arg.length > 2) {
      const eq = arg.indexOf("=");
      key = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      value = eq < 0 ? take(arg) : arg.slice(eq + 1);
      if (key.length === 0) problems.push(`"${arg}" has no key; expected --key=value`);
    } else if (Object.hasOwn(SHORT_OPTIONS, arg.slice(0, 2)) && (arg.length === 2 || arg[2] === "=")) {
      key = SHORT_OPTIONS[arg.slice(0, 2)];
      value = arg.length === 2 ? take(arg) : arg.slice(3);
    } else if (arg.startsWith("-")) {
      problems.push(`unknown option "${arg}"; expected -c FILE, -n ADDR, -h or --key=value`);
    } else {
      problems.push(`unexpected argument "${arg}"; options look like --key=value`);
    }
    if (key === undefined || key.length === 0 || value === undefined) continue;
    if (key === "configFile") configFile = value;
    else setOwn(values, key, value);
  }
  if (problems.length > 0) throw configInvalid("command line", problems);
  return configFile === undefined ? { values, help } : { configFile, values, help };
}

function envLayer(entries: Array<[string, string, string]>): ConfigLayer {
  const values: Record<string, string> = {};
  const names: Record<string, string> = {};
  for (const [key, name, value] of entries) {
    setOwn(values, key, value);
    setOwn(names, key, name);
  }
  return { values, origin: (key) => `env ${names[key]}` };
}

function prefixed(env: Env, prefix: string, skip?: string): Array<[string, string, string]> {
  const entries: Array<[string, string, string]> = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(prefix) || name.length === prefix.length || !value) continue;
    if (skip !== undefined && name.startsWith(skip)) continue;
    entries.push([name.slice(prefix.length), name, value]);
  }
  return entries;
}

/** The broker's values from the environment: `NAMESRV_ADDR`, then `SKIFF_<key>`. */
export function brokerEnvLayer(env: Env): ConfigLayer {
  const rocketmq: Array<[string, string, string]> = env.NAMESRV_ADDR ? [["namesrvAddr", "NAMESRV_ADDR", env.NAMESRV_ADDR]] : [];
  return envLayer([...rocketmq, ...prefixed(env, "SKIFF_", "SKIFF_NAMESRV_")]);
}

/** The name server's values from the environment: `SKIFF_NAMESRV_<key>`. */
export function namesrvEnvLayer(env: Env): ConfigLayer {
  return envLayer(prefixed(env, "SKIFF_NAMESRV_"));
}

export interface ConfigSources {
  /** Text of the properties file (`-c FILE`), if any. */
  readonly fileText?: string;
  /** The file's name, used in messages ("from broker.conf"). */
  readonly fileName?: string;
  /** The environment (also the source of HOME for the default store directory). */
  readonly env?: Env;
  /** Command-line values (`parseCommandLine(argv).values`), or typed values from code. */
  readonly cliValues?: Readonly<Record<string, unknown>>;
}

/** The layers of `sources` in merge order (file, environment, command line). */
export function sourceLayers(sources: ConfigSources, envLayerOf: (env: Env) => ConfigLayer): ConfigLayer[] {
  const layers: ConfigLayer[] = [];
  if (sources.fileText !== undefined) {
    const fileName = sources.fileName ?? "the config file";
    layers.push({ values: parseProperties(sources.fileText, fileName), origin: () => fileName });
  }
  layers.push(envLayerOf(sources.env ?? {}));
  layers.push({ values: sources.cliValues ?? {}, origin: () => "the command line" });
  return layers;
}

/**
 * Merges the sources (defaults < file < env < command line) and validates the broker's config.
 * Throws SkiffError CONFIG_INVALID listing every problem.
 */
export function resolveBrokerConfig(sources: ConfigSources): ResolvedConfig<BrokerConfig> {
  const merged = mergeLayers(sourceLayers(sources, brokerEnvLayer));
  return validateBrokerConfig(merged, sources.env ?? {});
}
