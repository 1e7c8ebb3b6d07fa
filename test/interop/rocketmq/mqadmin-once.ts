/**
 * Apache RocketMQ's own admin tool as a test peer, one JVM per command (mqadmin.ts keeps one JVM for a whole session): `mqadmin <command> …` is
 * `org.apache.rocketmq.tools.command.MQAdminStartup` from the cached tools jar of a version, run as
 * a JVM with its own user.home. The tool exits 0 even when a command fails (it prints the
 * exception), so callers read its output; `brokerStatus`'s `key : value` lines are parsed here.
 */
import { mkdir } from "node:fs/promises";
import { ensureRocketMQ, jvmFlags } from "./java-peers.ts";
import type { RocketMQVersion } from "./env.ts";
import { runToEnd, type ProcessResult } from "./processes.ts";

export async function mqadmin(version: RocketMQVersion, runDir: string, args: readonly string[], timeoutMs = 90_000): Promise<ProcessResult> {
  const paths = await ensureRocketMQ(version);
  await mkdir(runDir, { recursive: true });
  return runToEnd(`mqadmin ${args[0]} (RocketMQ ${version})`, "java", [
    ...jvmFlags(version, runDir, "client"), "-cp", `${paths.lib}/*`, "org.apache.rocketmq.tools.command.MQAdminStartup", ...args,
  ], timeoutMs, { ROCKETMQ_HOME: paths.home });
}

/** `brokerStatus`'s table: one `key<padding>: value` line per key. */
export function parseBrokerStatus(stdout: string): Map<string, string> {
  const table = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const match = /^([A-Za-z][\w/.-]*)\s*: (.*)$/.exec(line);
    if (match) table.set(match[1], match[2]);
  }
  return table;
}

/** `getBrokerConfig`'s `key<padding>=  value` lines. */
export function parseBrokerConfig(stdout: string): Map<string, string> {
  const table = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const match = /^([A-Za-z]\w*)\s+=  (.*)$/.exec(line);
    if (match) table.set(match[1], match[2]);
  }
  return table;
}
