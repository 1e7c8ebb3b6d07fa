/**
 * What a server prints at start (`describeConfig`, `describeNamesrvConfig`: role, ports, store, name
 * servers, master, retention) and for `-h`
 * (`brokerUsage`, `namesrvUsage`): a few lines, no I/O.
 */
import type { z } from "zod";
import { brokerShape, type BrokerConfig } from "./broker-config.ts";
import { namesrvShape, type NamesrvConfig } from "./namesrv-config.ts";
import { allowedOf } from "./fields.ts";

function bytes(size: number): string {
  for (const [unit, scale] of [["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]] as const) {
    if (size >= scale && size % scale === 0) return `${size / scale} ${unit}`;
  }
  return `${size} bytes`;
}

function address(ip: string, port: number): string {
  return port === 0 ? `${ip}:<free port>` : `${ip}:${port}`;
}

/** The broker's start-up lines: role and ids, ports, store, name servers, master (slaves). */
export function describeConfig(config: BrokerConfig): string[] {
  const lines = [
    `broker ${config.brokerName} (cluster ${config.brokerClusterName}), ${config.brokerRole}, brokerId ${config.brokerId}`,
    listenLine(config),
    `store ${config.storePathRootDir} (commit log ${config.storePathCommitLog}, ` +
      `segments of ${bytes(config.mappedFileSizeCommitLog)}, ${config.flushDiskType})`,
    `name servers ${config.namesrvAddr === undefined ? "none (not registering)" : config.namesrvProtocol === "http" ? `${config.namesrvAddr} (Skiff HTTP)` : `${config.namesrvAddr} (remoting)`}`,
  ];
  if (config.brokerRole === "SLAVE") {
    lines.push(`master ha ${config.haMasterAddress ?? "learned from the name server"}` +
      (config.masterProtocol === "rocketmq" ? "; metadata synced from an Apache RocketMQ master" : ""));
  }
  lines.push(`retention: segments kept ${config.fileReservedTime} h after their last write, deleted at hour(s) ${config.deleteWhen} ` +
    `(local time) or when the disk is over ${config.diskMaxUsedSpaceRatio}%; sends refused over ${config.diskSpaceWarningLevelRatio}%`);
  return lines;
}

/**
 * Where the broker listens: `remoting 127.0.0.1:10911 (and :10909), HTTP 127.0.0.1:10913, HA
 * 127.0.0.1:10912` (configured ports; printed again with the real ones once bound).
 */
/** `, TLS permissive` when a server's listeners follow tlsMode; `, outgoing TLS` with useTLS. */
function tlsSuffix(config: { readonly tlsMode?: string; readonly useTLS?: boolean }): string {
  const server = config.tlsMode === undefined || config.tlsMode === "disabled" ? "" : `, TLS ${config.tlsMode}`;
  return server + (config.useTLS === true ? ", outgoing TLS" : "");
}

export function listenLine(config: Pick<BrokerConfig, "brokerRole" | "brokerIP1" | "brokerIP2" | "listenPort" | "httpListenPort" | "haListenPort"> & Partial<Pick<BrokerConfig, "tlsMode" | "useTLS">>): string {
  const fast = config.listenPort > 2 ? ` (and :${config.listenPort - 2})` : "";
  // A slave does not listen for HA: it connects to its master's (the `master ha` line).
  const ha = config.brokerRole === "SLAVE" ? "no HA listener (a slave)" : `HA ${address(config.brokerIP2, config.haListenPort)}`;
  return `remoting ${address(config.brokerIP1, config.listenPort)}${fast}, HTTP ${address(config.brokerIP1, config.httpListenPort)}, ${ha}${tlsSuffix(config)}`;
}

/** Where the name server listens: `remoting 127.0.0.1:9876, HTTP 127.0.0.1:9877`. */
export function namesrvListenLine(config: Pick<NamesrvConfig, "host" | "listenPort" | "httpListenPort"> & Partial<Pick<NamesrvConfig, "tlsMode">>): string {
  return `remoting ${address(config.host, config.listenPort)}, HTTP ${address(config.host, config.httpListenPort)}${tlsSuffix(config)}`;
}

export function describeNamesrvConfig(config: NamesrvConfig): string[] {
  return [
    `name server ${namesrvListenLine(config)}`,
    `brokers expire ${config.brokerExpiryMs} ms after their last registration (scan every ${config.scanIntervalMs} ms)`,
  ];
}

const DERIVED_DEFAULTS: Record<string, string> = {
  haListenPort: "listenPort + 1",
  httpListenPort: "listenPort + 2",
  storePathRootDir: "<HOME>/.skiff/store",
  storePathCommitLog: "<storePathRootDir>/commitlog",
  haMasterAddress: "none: learned from the name server",
  namesrvAddr: "none",
};

const HELP_WIDTH = 100;

/** `text` in lines of at most `width` characters, each after `indent`. */
function wrap(text: string, indent: string, width = HELP_WIDTH): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line.length > 0 && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line.length === 0 ? word : `${line} ${word}`;
    }
  }
  if (line.length > 0) lines.push(indent + line);
  return lines;
}

/**
 * One key's help: `  key (default …)`, then what it means (with its unit: its description says
 * milliseconds, bytes, percent…) and what it accepts, indented.
 */
export function keyHelp(key: string, schema: z.ZodType, derived: Readonly<Record<string, string>> = {}): string[] {
  const parsed = schema.safeParse(undefined);
  const fallback = parsed.success && parsed.data !== undefined ? String(parsed.data) : derived[key];
  const allowed = allowedOf(schema);
  return [
    `  ${key}${fallback === undefined ? "" : ` (default ${fallback})`}`,
    ...wrap(`${schema.description ?? ""}${allowed === undefined ? "" : ` Allowed: ${allowed}.`}`, "      "),
  ];
}

function keyLines(shape: Record<string, z.ZodType>, derived: Record<string, string>): string[] {
  return Object.entries(shape).flatMap(([key, schema]) => keyHelp(key, schema, derived));
}

function usage(command: string, options: string[], envNote: string, shape: Record<string, z.ZodType>, derived: Record<string, string>): string[] {
  return [
    `Usage: ${command} [-c FILE] [--key=value | --key value]...`,
    "  -c FILE      properties file (key=value lines, as Apache RocketMQ's .conf files)",
    ...options,
    "  -h, --help   this text; --help <word>: only the keys whose name holds it (e.g. --help flush)",
    `Sources, later wins: defaults < -c FILE < environment (${envNote}) < command line.`,
    "Keys:",
    ...keyLines(shape, derived),
  ];
}

/** `--help <word>`: the help of every key whose name holds `word` (any case), or a line saying none does. */
function matchingKeyHelp(shape: Record<string, z.ZodType>, derived: Record<string, string>, word: string, what: string): string[] {
  const keys = Object.keys(shape).filter((key) => key.toLowerCase().includes(word.toLowerCase()));
  if (keys.length === 0) return [`no ${what} key has "${word}" in its name; --help lists them all`];
  return keys.flatMap((key) => keyHelp(key, shape[key], derived));
}

export function brokerKeyHelp(word: string): string[] {
  return matchingKeyHelp(brokerShape, DERIVED_DEFAULTS, word, "broker");
}

export function namesrvKeyHelp(word: string): string[] {
  return matchingKeyHelp(namesrvShape, { httpListenPort: "listenPort + 1" }, word, "name server");
}

export function brokerUsage(command = "skiff broker"): string[] {
  return usage(command, ["  -n ADDR      namesrvAddr, host:port;host:port"], "NAMESRV_ADDR, SKIFF_<key>", brokerShape, DERIVED_DEFAULTS);
}

export function namesrvUsage(command = "skiff namesrv"): string[] {
  return usage(command, [], "SKIFF_NAMESRV_<key>", namesrvShape, { httpListenPort: "listenPort + 1" });
}
