/**
 * The broker's configuration: the schema (`broker-schema.ts`) plus the rules between keys that
 * RocketMQ's `BrokerStartup` and `MessageStoreConfig` apply at start:
 *
 * - a SLAVE needs `brokerId > 0` ("Slave's brokerId must be > 0") and a way to find its master
 *   (`haMasterAddress` or `namesrvAddr`); a master's brokerId is forced
 *   to 0, with a notice the caller can log;
 * - `haListenPort` defaults to `listenPort + 1` and `httpListenPort` (Skiff's HTTP API) to
 *   `listenPort + 2` (0 when listenPort is 0: each picks a free port); ports that collide
 *   (listenPort, its fast channel listenPort - 2, haListenPort, httpListenPort) are refused;
 * - `registerNameServerPeriod` is clamped to 10000…60000 ms, `mappedFileSizeConsumeQueue` rounded
 *   up to a multiple of 20 bytes (one consume-queue entry), each with a notice when it changes;
 * - `storePathRootDir` defaults to `<HOME>/.skiff/store`, HOME taken from the environment the
 *   caller passes (`USERPROFILE` on Windows), or `./skiff-store` when neither is set; Apache
 *   RocketMQ's default is `<HOME>/store`, which Skiff avoids so it never opens a RocketMQ store by
 *   accident. `storePathCommitLog` defaults to `<storePathRootDir>/commitlog`.
 */
import { tlsProblems } from "./tls-keys.ts";
import { joinPath } from "../core/path.ts";
import { show } from "./fields.ts";
import { brokerShape, type BrokerConfig } from "./broker-schema.ts";
import { ROCKETMQ_BROKER_KEYS } from "./rocketmq-keys.ts";
import { checkFields, configInvalid, problemText, type MergedValues, type ResolvedConfig } from "./validate.ts";

export * from "./broker-schema.ts";

export type Env = Readonly<Record<string, string | undefined>>;

/** Consume-queue entry size (`ConsumeQueue.CQ_STORE_UNIT_SIZE`). */
const CQ_ENTRY_BYTES = 20;
/** The end-of-segment blank record: `[i32 remaining][i32 BLANK_MAGIC]`. */
const BLANK_RECORD_BYTES = 8;

type PortKey = "haListenPort" | "httpListenPort";
const PORT_OFFSETS: Record<PortKey, number> = { haListenPort: 1, httpListenPort: 2 };

/** A port given, or its default `listenPort + offset` (0 when listenPort is 0: any free port). */
function derivedPort(
  merged: MergedValues,
  v: { listenPort?: number } & Partial<Record<PortKey, number>>,
  key: PortKey,
  fail: (key: string, problem: string) => void,
): number | undefined {
  if (v[key] !== undefined || v.listenPort === undefined || Object.hasOwn(merged.origins, key)) return v[key];
  const offset = PORT_OFFSETS[key];
  const port = v.listenPort === 0 ? 0 : v.listenPort + offset;
  if (port > 65535) fail(key, `not set, and its default listenPort + ${offset} = ${port} is out of range; set ${key}`);
  return port;
}

/**
 * One line per port that another key already uses (0 picks a free port and never collides):
 * listenPort and its fast channel listenPort - 2 (RocketMQ remoting), haListenPort, httpListenPort.
 */
function portCollisions(merged: MergedValues, listenPort: number, haListenPort: number, httpListenPort: number): string[] {
  const taken: Array<[string, number]> = [["listenPort", listenPort]];
  if (listenPort > 2) taken.push(["listenPort - 2 (the fast remoting channel)", listenPort - 2]);
  const problems: string[] = [];
  for (const [key, port] of [["haListenPort", haListenPort], ["httpListenPort", httpListenPort]] as Array<[PortKey, number]>) {
    const clash = port === 0 ? undefined : taken.find(([, used]) => used === port);
    if (clash) {
      const given = Object.hasOwn(merged.values, key) ? show(merged.values[key]) : `${port} (its default listenPort + ${PORT_OFFSETS[key]})`;
      problems.push(problemText(merged, key, `${given} is already used by ${clash[0]}; set ${key} to a port of its own`));
    }
    taken.push([key, port]);
  }
  return problems;
}

/** The default store root for an environment (see the file comment). */
export function defaultStoreRoot(env: Env): string {
  const home = env.HOME || env.USERPROFILE;
  return home ? joinPath(home, ".skiff", "store") : "./skiff-store";
}

/**
 * Validates merged raw values (see `sources.ts` for where they come from) into a broker config.
 * Throws SkiffError CONFIG_INVALID listing every problem.
 */
export function validateBrokerConfig(merged: MergedValues, env: Env = {}): ResolvedConfig<BrokerConfig> {
  const check = checkFields(brokerShape, merged, ROCKETMQ_BROKER_KEYS, "broker");
  const v = check.values;
  const problems = [...check.problems];
  const warnings = [...check.warnings];
  const notices: string[] = [];
  const fail = (key: string, problem: string) => problems.push(problemText(merged, key, problem));

  let brokerId = v.brokerId;
  if (v.brokerRole === "SLAVE" && brokerId !== undefined && brokerId <= 0) {
    const given = Object.hasOwn(merged.values, "brokerId") ? show(merged.values.brokerId) : "0 (the default)";
    fail("brokerId", `${given} is not allowed with brokerRole SLAVE: Slave's brokerId must be > 0`);
  } else if (v.brokerRole !== undefined && v.brokerRole !== "SLAVE" && brokerId !== undefined && brokerId !== 0) {
    notices.push(`brokerId ${brokerId} changed to 0: a master's brokerId is always 0 (brokerRole ${v.brokerRole})`);
    brokerId = 0;
  }

  if (v.brokerRole === "SLAVE" && v.haMasterAddress === undefined && v.namesrvAddr === undefined) {
    fail("brokerRole", "SLAVE has no way to find its master: set haMasterAddress (the master's host:haListenPort) or namesrvAddr (name servers the master registers with)");
  }

  let plainAclFile = v.plainAclFile;
  if (v.aclEnable && plainAclFile === undefined) {
    if (env.ROCKETMQ_HOME) plainAclFile = joinPath(env.ROCKETMQ_HOME, "conf/plain_acl.yml");
    else fail("aclEnable", "true needs the ACL file: set plainAclFile=<path of a plain_acl.yml>, or ROCKETMQ_HOME (then $ROCKETMQ_HOME/conf/plain_acl.yml is read, as by RocketMQ)");
  }

  for (const [key, problem] of tlsProblems(v)) fail(key, problem);

  const haListenPort = derivedPort(merged, v, "haListenPort", fail);
  const httpListenPort = derivedPort(merged, v, "httpListenPort", fail);
  if (v.listenPort !== undefined && haListenPort !== undefined && httpListenPort !== undefined) {
    for (const problem of portCollisions(merged, v.listenPort, haListenPort, httpListenPort)) problems.push(problem);
  }

  let registerPeriodMs = v.registerNameServerPeriod;
  if (registerPeriodMs !== undefined) {
    const clamped = Math.max(10_000, Math.min(registerPeriodMs, 60_000));
    if (clamped !== registerPeriodMs) {
      notices.push(`registerNameServerPeriod ${registerPeriodMs} changed to ${clamped}: RocketMQ keeps it within 10000…60000 ms`);
      registerPeriodMs = clamped;
    }
  }

  let cqSegmentBytes = v.mappedFileSizeConsumeQueue;
  if (cqSegmentBytes !== undefined && cqSegmentBytes % CQ_ENTRY_BYTES !== 0) {
    const rounded = Math.ceil(cqSegmentBytes / CQ_ENTRY_BYTES) * CQ_ENTRY_BYTES;
    notices.push(`mappedFileSizeConsumeQueue ${cqSegmentBytes} rounded up to ${rounded}, a multiple of the ${CQ_ENTRY_BYTES}-byte consume-queue entry`);
    cqSegmentBytes = rounded;
  }

  const segmentBytes = v.mappedFileSizeCommitLog;
  if (segmentBytes !== undefined && v.maxMessageSize !== undefined && v.maxMessageSize > segmentBytes - BLANK_RECORD_BYTES) {
    warnings.push(`maxMessageSize ${v.maxMessageSize} is larger than a commit-log segment (mappedFileSizeCommitLog ` +
      `${segmentBytes}): a message whose record does not fit in one segment cannot be stored`);
  }

  if (problems.length > 0) throw configInvalid("broker configuration", problems);
  const storePathRootDir = v.storePathRootDir ?? defaultStoreRoot(env);
  const config = {
    ...v,
    brokerId,
    haListenPort,
    httpListenPort,
    plainAclFile,
    registerNameServerPeriod: registerPeriodMs,
    mappedFileSizeConsumeQueue: cqSegmentBytes,
    storePathRootDir,
    storePathCommitLog: v.storePathCommitLog ?? joinPath(storePathRootDir, "commitlog"),
  } as BrokerConfig;
  return { config, warnings, notices };
}
