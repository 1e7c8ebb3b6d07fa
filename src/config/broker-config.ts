/**
 * The broker's configuration: the schema (`broker-schema.ts`) plus the rules between keys that
 * RocketMQ's `BrokerStartup` and `MessageStoreConfig` apply at start:
 *
 * - a SLAVE needs `brokerId > 0` ("Slave's brokerId must be > 0"); a master's brokerId is forced
 *   to 0, with a notice the caller can log;
 * - `haListenPort` defaults to `listenPort + 1` (0 when listenPort is 0: both pick a free port);
 * - `registerNameServerPeriod` is clamped to 10000…60000 ms, `mappedFileSizeConsumeQueue` rounded
 *   up to a multiple of 20 bytes (one consume-queue entry), each with a notice when it changes;
 * - `storePathRootDir` defaults to `<HOME>/.skiff/store`, HOME taken from the environment the
 *   caller passes (`USERPROFILE` on Windows), or `./skiff-store` when neither is set; Apache
 *   RocketMQ's default is `<HOME>/store`, which Skiff avoids so it never opens a RocketMQ store by
 *   accident. `storePathCommitLog` defaults to `<storePathRootDir>/commitlog`.
 */
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

  let haListenPort = v.haListenPort;
  if (haListenPort === undefined && v.listenPort !== undefined && !Object.hasOwn(merged.origins, "haListenPort")) {
    haListenPort = v.listenPort === 0 ? 0 : v.listenPort + 1;
    if (haListenPort > 65535) {
      fail("haListenPort", `not set, and its default listenPort + 1 = ${haListenPort} is out of range; set haListenPort`);
    }
  } else if (haListenPort !== undefined && haListenPort !== 0 && haListenPort === v.listenPort) {
    fail("haListenPort", `${show(merged.values.haListenPort)} is the same as listenPort; expected another port`);
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
    registerNameServerPeriod: registerPeriodMs,
    mappedFileSizeConsumeQueue: cqSegmentBytes,
    storePathRootDir,
    storePathCommitLog: v.storePathCommitLog ?? joinPath(storePathRootDir, "commitlog"),
  } as BrokerConfig;
  return { config, warnings, notices };
}
