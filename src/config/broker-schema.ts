/**
 * The broker's configuration keys: Apache RocketMQ's names (`BrokerConfig`, `MessageStoreConfig`,
 * `NettyServerConfig`) and defaults, so a RocketMQ `broker.conf` means the same here, plus a few
 * Skiff keys (marked). Sizes are bytes, intervals and timeouts milliseconds, as in RocketMQ.
 *
 * Keys whose default depends on other values (`haListenPort`, `httpListenPort`, `storePathRootDir`,
 * `storePathCommitLog`) are optional here and filled in by `broker-config.ts`, which also applies
 * the rules between keys (slave ids, forced master id, clamping, rounding).
 */
import { z } from "zod";
import { DEFAULT_DELAY_LEVELS as DEFAULT_MESSAGE_DELAY_LEVEL, parseDelayLevels as parseMessageDelayLevel } from "../codec/delay-levels.ts";
import { parseDeleteWhen } from "../codec/delete-when.ts";
import { logShape } from "./log-keys.ts";
import { tlsClientShape, tlsServerShape } from "./tls-keys.ts";
import { boolean, decimal, field, host, hostPort, integer, isHostPort, oneOf, port, Problem, secret, text } from "./fields.ts";

export const BROKER_ROLES = ["ASYNC_MASTER", "SYNC_MASTER", "SLAVE"] as const;
export const FLUSH_DISK_TYPES = ["ASYNC_FLUSH", "SYNC_FLUSH"] as const;
/** How Skiff talks to a peer: Skiff's HTTP API, or Apache RocketMQ's remoting protocol. */
export const PEER_PROTOCOLS = ["http", "rocketmq"] as const;
export type BrokerRole = (typeof BROKER_ROLES)[number];
export type FlushDiskType = (typeof FLUSH_DISK_TYPES)[number];

/** RocketMQ's 18 delay levels, and their parser (src/store/delay-levels.ts: one definition). */
export { DEFAULT_DELAY_LEVELS as DEFAULT_MESSAGE_DELAY_LEVEL, parseDelayLevels as parseMessageDelayLevel } from "../codec/delay-levels.ts";

/** Java's `int` limit: RocketMQ keeps segment sizes in an `int`. */
const JAVA_INT_MAX = 2_147_483_647;
const POSITIVE_INT = { min: 1, max: JAVA_INT_MAX };

/**
 * `host:port;host:port`, checked as RocketMQ's `BrokerStartup` does (split on `;`, each part read
 * as a socket address; Java's `split` drops trailing empty parts, so `a:1;` passes), with its
 * message. An empty value counts as not set.
 */
function nameServerAddress() {
  return field((raw): string | undefined | Problem => {
    const value = typeof raw === "string" ? raw.trim() : raw;
    if (value === "" || value === undefined) return undefined;
    const parts = typeof value === "string" ? value.split(";") : [];
    while (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
    if (parts.length > 0 && parts.every((part) => isHostPort(part.trim()))) return value as string;
    return new Problem(`The Name Server Address[${String(raw)}] illegal, please set it as follows, ` +
      `"127.0.0.1:9876;192.168.0.1:9876"`);
  }, "host:port;host:port, for example 127.0.0.1:9876");
}

export const brokerShape = {
  brokerClusterName: text().default("DefaultCluster").describe("Cluster this broker registers under at the name server."),
  brokerName: text().default("broker-a").describe("Name of the broker group: a master and its slaves share it."),
  brokerId: integer({ min: Number.MIN_SAFE_INTEGER }).default(0).describe("0 for a master (forced to 0 for ASYNC_MASTER/SYNC_MASTER); a SLAVE must be > 0."),
  brokerRole: oneOf(BROKER_ROLES).default("ASYNC_MASTER").describe("ASYNC_MASTER, SYNC_MASTER (a send waits for a slave's ack) or SLAVE."),
  listenPort: port({ zeroPicksFreePort: true }).default(10911).describe("RocketMQ's remoting port (clients, mqadmin, Java brokers); also `listenPort - 2`. 0 picks a free port."),
  httpListenPort: port({ zeroPicksFreePort: true }).optional().describe("Skiff: port of the HTTP API. Default listenPort + 2 (0 if listenPort is 0)."),
  haListenPort: port({ zeroPicksFreePort: true }).optional().describe("Raw TCP port where a master accepts slaves. Default listenPort + 1 (0 if listenPort is 0)."),
  haMasterAddress: hostPort("127.0.0.1:10912").optional().describe("Slave: `host:port` of the master's HA port; if absent, learned from the name server."),
  namesrvAddr: nameServerAddress().optional().describe("Name servers, `host:port;host:port`. Absent or empty: the broker registers nowhere."),
  namesrvProtocol: oneOf(PEER_PROTOCOLS).default("rocketmq").describe("Skiff: the protocol of the name servers in `namesrvAddr`: `rocketmq` (the default, as in a RocketMQ broker.conf: REGISTER_BROKER over remoting to a name server's listenPort, Skiff's or Apache RocketMQ's) or `http` (a Skiff name server's HTTP API, on its httpListenPort)."),
  masterProtocol: oneOf(PEER_PROTOCOLS).default("http").describe("Skiff, slaves: how the master is asked for metadata: `http` (a Skiff master's HTTP API, on its httpListenPort) or `rocketmq` (an Apache RocketMQ master's listenPort, asked with GET_ALL_TOPIC_CONFIG …)."),
  brokerIP1: host().default("127.0.0.1").describe("Address advertised for clients: remoting `brokerIP1:listenPort`, HTTP `brokerIP1:httpListenPort`."),
  brokerIP2: host().default("127.0.0.1").describe("Address advertised for HA (`brokerIP2:haListenPort`)."),
  storePathRootDir: text().optional().describe("Store root. Default `<HOME>/.skiff/store` (HOME from the environment), else `./skiff-store`."),
  storePathCommitLog: text().optional().describe("Commit-log directory. Default `<storePathRootDir>/commitlog`."),
  mappedFileSizeCommitLog: integer({ min: 4096, max: JAVA_INT_MAX }).default(1_073_741_824).describe("Commit-log segment size; master and slaves must agree. At least 4096: a segment must hold a whole record plus the 8-byte end-of-segment blank, and smaller segments only multiply files."),
  mappedFileSizeConsumeQueue: integer({ min: 1, max: JAVA_INT_MAX - 20 }).default(6_000_000).describe("Consume-queue segment size, rounded up to a multiple of 20 (the entry size) like RocketMQ."),
  flushDiskType: oneOf(FLUSH_DISK_TYPES).default("ASYNC_FLUSH").describe("ASYNC_FLUSH (periodic fsync) or SYNC_FLUSH (fsync before the answer, group commit)."),
  flushIntervalCommitLog: integer(POSITIVE_INT).default(500).describe("Milliseconds between async flushes of the commit log."),
  flushIntervalConsumeQueue: integer(POSITIVE_INT).default(1000).describe("Milliseconds between flushes of the consume queues."),
  syncFlushTimeout: integer(POSITIVE_INT).default(5000).describe("Milliseconds a SYNC_FLUSH send waits for fsync before answering FLUSH_DISK_TIMEOUT."),
  slaveTimeout: integer(POSITIVE_INT).default(3000).describe("Milliseconds a SYNC_MASTER send waits for a slave's ack before answering FLUSH_SLAVE_TIMEOUT."),
  haSlaveFallbehindMax: integer({ min: 0 }).default(268_435_456).describe("Bytes a slave may lag and still count as available (else SLAVE_NOT_AVAILABLE)."),
  haTransferBatchSize: integer(POSITIVE_INT).default(32768).describe("Maximum body bytes per HA transfer frame."),
  haSendHeartbeatInterval: integer(POSITIVE_INT).default(5000).describe("Milliseconds between master heartbeats and slave offset reports."),
  haHousekeepingInterval: integer(POSITIVE_INT).default(20000).describe("Milliseconds of silence after which an HA connection is closed."),
  haAsyncGatherMs: integer({ min: 0, max: 1000 }).default(10).describe("Skiff: milliseconds a master with no send waiting for its slave (ASYNC_MASTER) gathers new bytes before it ships them in one frame (RocketMQ waits up to 100); 0 ships them at once."),
  slaveSynchronizePeriod: integer(POSITIVE_INT).default(10000).describe("Skiff: milliseconds between a slave's metadata pulls from its master."),
  registerNameServerPeriod: integer({ min: 0, max: JAVA_INT_MAX }).default(30000).describe("Milliseconds between registrations at the name servers; clamped to 10000…60000 like RocketMQ."),
  accessMessageInMemoryMaxRatio: decimal({ min: 0, max: 100 }).default(40).describe("Percent of physical memory (decimals allowed); a pull lagging further is sent to a slave."),
  slaveReadEnable: boolean().default(false).describe("Whether a slave serves ordinary pulls."),
  maxMessageSize: integer({ min: 1, max: JAVA_INT_MAX }).default(4_194_304).describe("Largest message accepted, in bytes."),
  defaultTopicQueueNums: integer({ min: 1, max: 65535 }).default(8).describe("Queues of an auto-created topic."),
  autoCreateTopicEnable: boolean().default(true).describe("Whether sending to an unknown topic creates it."),
  notifyConsumerIdsChangedEnable: boolean().default(true).describe("Whether the broker tells a group's consumers (NOTIFY_CONSUMER_IDS_CHANGED) to rebalance at once when a consumer joins or leaves; without it they rebalance on their 20 s timer."),
  channelExpiredTimeout: integer(POSITIVE_INT).default(120000).describe("Milliseconds without a heartbeat after which a client's connection is dropped (RocketMQ 5.x key)."),
  serverChannelMaxIdleTimeSeconds: integer({ min: 1, max: 2_147_483 }).default(120).describe("Seconds a remoting connection (listenPort and its fast channel) may stay silent before the broker closes it (RocketMQ's `NettyServerConfig` key; clients heartbeat every 30 s)."),
  messageDelayLevel: text((value) => (parseMessageDelayLevel(value) === undefined
    ? "is not a list of delays like \"1s 5s 10s 1m 2h\"" : undefined), "space-separated delays <n>s|m|h|d").default(DEFAULT_MESSAGE_DELAY_LEVEL).describe("Delay levels for delayed messages: space-separated `<n>s|m|h|d`, level 1 first."),
  messageIndexEnable: boolean().default(true).describe("Whether the message index (`index/`: lookups by KEYS and UNIQ_KEY) is written."),
  maxHashSlotNum: integer({ min: 1, max: 250_000_000 }).default(5_000_000).describe("Hash slots per index file. A file is 40 + maxHashSlotNum·4 + maxIndexNum·20 bytes (420 MB at the defaults; the limits keep it below 2 GiB, a Java int), created sparse: only the pages written take disk space."),
  maxIndexNum: integer({ min: 2, max: 50_000_000 }).default(20_000_000).describe("Entries per index file (it holds maxIndexNum − 1 keys, then a new file starts)."),
  checkCRCOnRecover: boolean().default(true).describe("Whether recovery checks each record's body CRC."),

  // Retention (src/store/retention.ts). Keys marked live change at the next pass (updateBrokerConfig).
  deleteWhen: text((value) => (parseDeleteWhen(value) === undefined
    ? "is not a list of hours like \"04\" or \"03;04\"" : undefined), "hours 0–23, ;-separated").default("04").describe("Live. Local hours, `;`-separated (`04`, `03;04`), during which expired commit-log segments are deleted; an hour outside 0–23 never matches (`99`)."),
  fileReservedTime: integer({ min: 0, max: JAVA_INT_MAX }).default(72).describe("Live. Hours a commit-log segment is kept after its last write; 0: every segment but the newest goes at the next deleteWhen hour."),
  cleanResourceInterval: integer(POSITIVE_INT).default(10000).describe("Milliseconds between two retention passes (RocketMQ's clean task)."),
  cleanResourceInitialDelay: integer({ min: 0, max: JAVA_INT_MAX }).default(60000).describe("Skiff: milliseconds from start to the first retention pass (RocketMQ: always 60000)."),
  deleteCommitLogFilesInterval: integer({ min: 0, max: JAVA_INT_MAX }).default(100).describe("Live. Milliseconds between two commit-log segment deletions of one pass."),
  deleteConsumeQueueFilesInterval: integer({ min: 0, max: JAVA_INT_MAX }).default(100).describe("Live. Milliseconds after each consume queue that lost files."),
  destroyMapedFileIntervalForcibly: integer({ min: 0, max: JAVA_INT_MAX }).default(120000).describe("Live. Milliseconds a deletion waits for reads of a segment before it deletes the file anyway."),
  redeleteHangedFileInterval: integer({ min: 0, max: JAVA_INT_MAX }).default(120000).describe("Live. Milliseconds between two tries of a file whose deletion failed."),
  deleteFileBatchMax: integer(POSITIVE_INT).default(10).describe("Live. Most commit-log segments one pass deletes (RocketMQ 5 key; 4.9's constant)."),
  diskMaxUsedSpaceRatio: integer({ min: 0, max: 100 }).default(75).describe("Live. Disk usage (%) above which deletion runs whatever the hour; used clamped to 10–95."),
  diskSpaceWarningLevelRatio: integer({ min: 0, max: 100 }).default(90).describe("Live. Disk usage (%) above which sends are refused (STORE_DISK_FULL) until it is back at or below diskSpaceCleanForciblyRatio; used clamped to 35–90 (RocketMQ 5 key; 4.9's JVM property)."),
  diskSpaceCleanForciblyRatio: integer({ min: 0, max: 100 }).default(85).describe("Live. Disk usage (%) above which deletion ignores fileReservedTime; used clamped to 30–85."),
  cleanFileForciblyEnable: boolean().default(true).describe("Live. Whether a disk above diskSpaceCleanForciblyRatio deletes segments whatever their age."),

  haSendFromFirstSegment: boolean().default(true).describe("Skiff: a slave that asks for offset 0 gets the master's whole history (true), or starts at the master's last segment as Apache RocketMQ does (false)."),
  haMaxConnections: integer({ min: 1, max: 65535 }).default(64).describe("Skiff, masters: most HA (slave) connections at once; one more is accepted and closed at once, with a logged reason. Each costs up to about 1 MiB of read-ahead while its slave lags."),
  haAuthSecret: secret(16).optional().describe("Skiff: a shared secret (16+ characters) that turns on the authenticated HA link: master and slave prove they know it (HMAC challenge, the secret never sent) before any log byte flows; an Apache RocketMQ peer cannot connect then. Set it on both, from a file or SKIFF_haAuthSecret rather than the command line."),
  aclEnable: boolean().default(false).describe("RocketMQ's ACL: every remoting request must be signed by an account of plainAclFile (AclClientRPCHook) and have its permission, and every HTTP request must carry an account's credentials. Reloaded when the file changes."),
  plainAclFile: text(undefined, "a file path").optional().describe("Skiff: the ACL file in RocketMQ's plain_acl.yml format, read when aclEnable=true. Default `$ROCKETMQ_HOME/conf/plain_acl.yml`, as RocketMQ reads it."),
  innerClientAuthenticationCredentials: field((raw): { accessKey: string; secretKey: string } | Problem => {
    let value: unknown;
    try {
      value = JSON.parse(String(raw));
    } catch {
      return new Problem("is not JSON (the value is not shown); expected {\"accessKey\":\"…\",\"secretKey\":\"…\"}");
    }
    const { accessKey, secretKey } = (value ?? {}) as Record<string, unknown>;
    if (typeof accessKey !== "string" || typeof secretKey !== "string" || accessKey.length < 7 || secretKey.length < 7) {
      return new Problem("must be {\"accessKey\":\"…\",\"secretKey\":\"…\"}, each longer than 6 characters (the value is not shown)");
    }
    return { accessKey, secretKey };
  }, '{"accessKey":"…","secretKey":"…"}').optional().describe("RocketMQ 5's key: the ACL account this broker uses for its own calls to other brokers (a slave's metadata pulls over HTTP from a Skiff master with aclEnable=true). Keep it out of the command line (a file or SKIFF_innerClientAuthenticationCredentials)."),
  ...tlsServerShape,
  ...tlsClientShape,
  haMaxConnectionsPerAddress: integer({ min: 1, max: 65535 }).default(16).describe("Skiff, masters: most HA connections at once from one remote IP address."),
  ...logShape,
  metricsOtelCardinalityLimit: integer({ min: 1, max: 10_000_000 }).default(50_000).describe("Most label sets one metric of `GET /metrics` keeps (RocketMQ 5.x's key): beyond it, counters count new topics under `topic=\"_other\"` and scrape-time gauges (consumer lag) keep the largest."),
};

export const brokerConfigSchema = z.object(brokerShape);

type Parsed = z.output<typeof brokerConfigSchema>;

/** The broker's configuration after defaults and the rules between keys. */
export type BrokerConfig = Omit<Parsed, "haListenPort" | "httpListenPort" | "storePathRootDir" | "storePathCommitLog"> & {
  /** Raw TCP port where a master accepts slaves (default listenPort + 1). */
  haListenPort: number;
  /** Port of Skiff's HTTP API (default listenPort + 2). */
  httpListenPort: number;
  /** Store root (default `<HOME>/.skiff/store`). */
  storePathRootDir: string;
  /** Commit-log directory (default `<storePathRootDir>/commitlog`). */
  storePathCommitLog: string;
};
