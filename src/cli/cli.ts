/**
 * The `skiff` command, shared by every runtime: `skiff broker [flags]`, `skiff namesrv [flags]`,
 * `skiff role …`, `skiff admin <command> [flags]` (admin/admin.ts, with its own exit codes).
 * A runtime's `adapters/<rt>/main.ts` hands it the platform and a few process facts (argv, env,
 * output, signals, exit); everything else happens here, once.
 *
 * Exit codes: 0 after a clean stop on SIGINT/SIGTERM; 1 for bad configuration (the message names
 * each bad key, its value and what is allowed); 2 for an unknown command; 3 when start-up fails
 * (one line naming the cause: a port in use, a store another process holds, …; `--debug` anywhere
 * on the command line adds the stack); 130 / 143 when a second SIGINT / SIGTERM forces the exit of
 * a stop that hangs.
 *
 * A running server's output is its log (core/log.ts): one record per line on stdout, JSON unless
 * stdout is a terminal (`logFormat`, `logLevel`). What a command answers (help, version, a config
 * error, a start-up failure) is plain text, the failures on stderr.
 */
import { SkiffError } from "../core/errors.ts";
import type { Platform } from "../core/platform.ts";
import { utf8Decode } from "../core/bytes.ts";
import { brokerKeyHelp, brokerUsage, describeConfig, describeNamesrvConfig, namesrvKeyHelp, namesrvUsage } from "../config/describe.ts";
import { resolveNamesrvConfig } from "../config/namesrv-config.ts";
import { parseCommandLine, resolveBrokerConfig } from "../config/sources.ts";
import { startBroker } from "../app/start-broker.ts";
import { startNamesrv } from "../app/start-namesrv.ts";
import { runAdmin } from "./admin/admin.ts";
import { SKIFF_REMOTING_VERSION_DESC } from "../remoting/remoting-command.ts";
import { SKIFF_VERSION } from "./version.ts";
import { createLogger, type Logger, type LogLevel } from "../core/log.ts";
import { lineFormatter, resolveLogFormat, type LogFormat } from "../core/log-format.ts";

export interface ProcessIo {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  out(line: string): void;
  err(line: string): void;
  /** Whether stdout is a terminal (`logFormat=auto` then writes lines for people). */
  readonly outputIsTerminal?: boolean;
  /** Calls `handler` on every SIGINT and SIGTERM. */
  onShutdownSignal(handler: (signal: string) => void): void;
  exit(code: number): void;
}

const USAGE = [
  "usage: skiff <command> [flags]   (skiff --version; --debug adds stacks to start-up errors)",
  "  broker    start a broker (master or slave); skiff broker --help for its flags",
  "  namesrv   start a name server; skiff namesrv --help for its flags",
  "  role      switch a running broker's role: skiff role <host:port> <ASYNC_MASTER|SYNC_MASTER|SLAVE> [brokerId]",
  "  admin     operate brokers and name servers (topics, groups, messages, HA): skiff admin for its commands",
];

export async function runCli(platform: Platform, io: ProcessIo): Promise<void> {
  const debug = io.argv.includes("--debug");
  const [command, ...rest] = io.argv.filter((arg) => arg !== "--debug");
  try {
    if (command === "--version" || command === "-v" || command === "version") io.out(`skiff ${SKIFF_VERSION} (${platform.system.runtime}; RocketMQ remoting ${SKIFF_REMOTING_VERSION_DESC}, store and HA as RocketMQ 4.9.7 / 5.3.3)`);
    else if (command === "broker") await runBroker(platform, io, rest);
    else if (command === "namesrv") await runNamesrv(platform, io, rest);
    else if (command === "role") await runRole(io, rest);
    else if (command === "admin") await runAdmin(io, rest, { env: io.env });
    else if (command === undefined || command === "help" || command === "--help" || command === "-h") USAGE.forEach((l) => io.out(l));
    else {
      io.err(`unknown command "${command}"`);
      USAGE.forEach((l) => io.err(l));
      io.exit(2);
    }
  } catch (error) {
    if (error instanceof SkiffError && error.code === "CONFIG_INVALID") {
      io.err(error.message);
      io.exit(1);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    // A SkiffError names its cause and fix; anything else is unexpected, and its stack helps.
    io.err(`start-up failed: ${message}${debug || error instanceof SkiffError ? "" : " (--debug shows where)"}`);
    if (debug && error instanceof Error && error.stack) io.err(error.stack);
    io.exit(3);
  }
}

async function readConfigFile(platform: Platform, path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return utf8Decode(await platform.fs.readFile(path));
  } catch (error) {
    throw new SkiffError("CONFIG_INVALID", `-c ${path}: cannot read the configuration file (${(error as Error).message})`);
  }
}

/** The word after `-h` / `--help`, when one follows (`skiff broker --help flush`). */
function helpWord(args: readonly string[]): string | undefined {
  const at = args.findIndex((arg) => arg === "-h" || arg === "--help");
  const word = at < 0 ? undefined : args[at + 1];
  return word !== undefined && !word.startsWith("-") ? word : undefined;
}

async function runBroker(platform: Platform, io: ProcessIo, args: readonly string[]): Promise<void> {
  const word = helpWord(args);
  if (word !== undefined) return brokerKeyHelp(word).forEach((l) => io.out(l));
  const line = parseCommandLine(args);
  if (line.help) return brokerUsage("skiff broker").forEach((l) => io.out(l));
  const fileText = await readConfigFile(platform, line.configFile);
  const resolved = resolveBrokerConfig({ fileText, fileName: line.configFile, env: io.env, cliValues: line.values });
  const log = processLogger(io, platform, resolved.config, "broker");
  announce(log, resolved, describeConfig(resolved.config));
  const stopping = stopOnSignal(io, log);
  const broker = await startBroker(resolved.config, platform, { log });
  stopping.started(() => broker.stop());
}

/**
 * Signal handlers go in before start-up, so a SIGTERM that arrives while the broker is starting
 * (e.g. right after its boot line) still stops it cleanly once it is up.
 */
export function stopOnSignal(io: Pick<ProcessIo, "exit" | "onShutdownSignal">, log: Logger): { started(stop: () => Promise<void>): void } {
  let stop: (() => Promise<void>) | null = null;
  let requested = false;
  const run = () => {
    stop!().then(
      () => io.exit(0),
      (error) => {
        log.error(`shutdown failed: ${(error as Error).message}`);
        io.exit(3);
      },
    );
  };
  io.onShutdownSignal((signal) => {
    if (requested) {
      log.warn(`${signal} received again: exiting now, without waiting for the clean stop (the next start recovers the store)`, { signal });
      io.exit(signal === "SIGINT" ? 130 : 143);
      return;
    }
    log.info(`${signal} received: stopping (send it again to exit at once)`, { signal });
    requested = true;
    if (stop) run();
  });
  return {
    started(stopper) {
      stop = stopper;
      if (requested) run();
    },
  };
}

async function runNamesrv(platform: Platform, io: ProcessIo, args: readonly string[]): Promise<void> {
  const word = helpWord(args);
  if (word !== undefined) return namesrvKeyHelp(word).forEach((l) => io.out(l));
  const line = parseCommandLine(args);
  if (line.help) return namesrvUsage("skiff namesrv").forEach((l) => io.out(l));
  const fileText = await readConfigFile(platform, line.configFile);
  const resolved = resolveNamesrvConfig({ fileText, fileName: line.configFile, env: io.env, cliValues: line.values });
  const log = processLogger(io, platform, resolved.config, "namesrv");
  announce(log, resolved, describeNamesrvConfig(resolved.config));
  const stopping = stopOnSignal(io, log);
  const namesrv = await startNamesrv(resolved.config, platform, { log });
  log.info(`The Name Server boot success. serializeType=JSON, address ${namesrv.remotingAddress}, http ${namesrv.httpAddress}`, { remoting: namesrv.remotingAddress, http: namesrv.httpAddress });
  stopping.started(() => namesrv.stop().then(() => log.info(`The Name Server at ${namesrv.remotingAddress} shut down cleanly`)));
}

/** The server's log: records of `logLevel` and above, one line each on stdout, in `logFormat`. */
function processLogger(io: ProcessIo, platform: Platform, config: { logLevel: LogLevel; logFormat: LogFormat }, component: string): Logger {
  const format = lineFormatter(resolveLogFormat(config.logFormat, io.outputIsTerminal === true));
  return createLogger({ sink: (record) => io.out(format(record)), level: config.logLevel, now: () => platform.clock.now(), component });
}

/** The configuration's warnings and notices, then what the server is about to be (its start-up lines). */
function announce(log: Logger, resolved: { warnings: readonly string[]; notices: readonly string[] }, lines: readonly string[]): void {
  const config = log.child("config");
  resolved.warnings.forEach((w) => config.warn(`warning: ${w}`));
  resolved.notices.forEach((n) => config.info(`notice: ${n}`));
  lines.forEach((l) => config.info(l));
}

/** `skiff role <host:port> <ROLE> [brokerId]`: POST /admin/role on a running broker, print its answer. */
async function runRole(io: ProcessIo, args: readonly string[]): Promise<void> {
  const [address, role, brokerId] = args;
  if (!address || !role || !["ASYNC_MASTER", "SYNC_MASTER", "SLAVE"].includes(role) || (brokerId !== undefined && !/^\d+$/.test(brokerId))) {
    io.err("usage: skiff role <host:port> <ASYNC_MASTER|SYNC_MASTER|SLAVE> [brokerId]");
    io.exit(2);
    return;
  }
  const body = JSON.stringify({ brokerRole: role, ...(brokerId !== undefined ? { brokerId: Number(brokerId) } : {}) });
  let response: Response;
  try {
    response = await fetch(`http://${address}/admin/role`, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    io.err(`cannot reach the broker at ${address}: ${(error as Error).message}`);
    io.exit(3);
    return;
  }
  const text = await response.text();
  if (response.ok) io.out(text);
  else io.err(text);
  io.exit(response.ok ? 0 : 1);
}
