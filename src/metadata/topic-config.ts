/**
 * Topic configs and their manager (RocketMQ's `TopicConfig` and `TopicConfigManager`).
 *
 * File `config/topics.json` (pretty) and the body of `GET /sync/topic-config` (compact):
 *   {"dataVersion":{"counter":3,"timestamp":1700000000000},
 *    "topicConfigTable":{"TopicTest":{"order":false,"perm":6,"readQueueNums":4,
 *      "topicFilterType":"SINGLE_TAG","topicName":"TopicTest","topicSysFlag":0,"writeQueueNums":4}}}
 * 5.x adds `"attributes":{}` per topic (kept when present) and other fields; fields we do not know,
 * per topic and at the top level, are kept and written back.
 *
 * System topics are put in the table at start, before the file is loaded and without a version
 * bump, as `TopicConfigManager.init()` does in 4.9.8 and 5.3.3. We create a small subset:
 * SELF_TEST_TOPIC (1 queue), TBW102 (defaultTopicQueueNums, perm 7, only with
 * autoCreateTopicEnable), the cluster-name topic (16 queues, perm 7), the broker-name topic
 * (1 queue, perm 7), OFFSET_MOVED_EVENT (1 queue) and SCHEDULE_TOPIC_XXXX (18 queues). Left out:
 * BenchmarkTest (1024 queues), the trace, reply, revive, transaction and sync-member topics.
 *
 * Every change bumps the DataVersion and persists at once (topic changes are rare). A slave calls
 * `replaceFromMaster`: when the master's version is not equal to ours, the whole table is
 * replaced (deletions included) and the master's version taken; otherwise nothing happens.
 */
import { joinPath } from "../core/path.ts";
import type { Clock, FileSystem } from "../core/platform.ts";
import { ConfigFile } from "./config-file.ts";
import { DataVersion, type DataVersionJson } from "./data-version.ts";
import { stringifyFastjson, type FastjsonValue } from "../codec/fastjson.ts";
import * as f from "./json-fields.ts";

export const Perm = { PRIORITY: 8, READ: 4, WRITE: 2, INHERIT: 1 } as const;

export const SystemTopic = {
  SELF_TEST: "SELF_TEST_TOPIC",
  AUTO_CREATE: "TBW102",
  OFFSET_MOVED_EVENT: "OFFSET_MOVED_EVENT",
  SCHEDULE: "SCHEDULE_TOPIC_XXXX",
} as const;

/**
 * The names no admin may create, change or delete (RocketMQ 4.9's `TopicValidator.isSystemTopic`
 * plus the names its TopicConfigManager adds: the cluster and broker names and their reply topic).
 */
const SYSTEM_TOPIC_NAMES: ReadonlySet<string> = new Set([
  SystemTopic.AUTO_CREATE, SystemTopic.SCHEDULE, "BenchmarkTest", "RMQ_SYS_TRANS_HALF_TOPIC", "RMQ_SYS_TRACE_TOPIC",
  "RMQ_SYS_TRANS_OP_HALF_TOPIC", "TRANS_CHECK_MAX_TIME_TOPIC", SystemTopic.SELF_TEST, SystemTopic.OFFSET_MOVED_EVENT,
]);

export function isSystemTopic(topic: string, broker: { readonly brokerClusterName: string; readonly brokerName: string }): boolean {
  return SYSTEM_TOPIC_NAMES.has(topic) || topic.startsWith("rmq_sys_") ||
    topic === broker.brokerClusterName || topic === broker.brokerName || topic === `${broker.brokerClusterName}_REPLY_TOPIC`;
}

export interface TopicConfig {
  readonly topicName: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  readonly perm: number;
  readonly topicFilterType: string;
  readonly topicSysFlag: number;
  readonly order: boolean;
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface TopicConfigManagerOptions {
  readonly brokerClusterName: string;
  readonly brokerName: string;
  readonly autoCreateTopicEnable: boolean;
  readonly defaultTopicQueueNums: number;
}

interface Entry {
  readonly config: TopicConfig;
  readonly extras?: f.ExtraFields;
}

const KNOWN = ["topicName", "readQueueNums", "writeQueueNums", "perm", "topicFilterType", "topicSysFlag", "order", "attributes"];

/** Java's `new TopicConfig(name)` defaults (16/16 queues, perm 6), overridden by `fields`. */
export function topicConfig(topicName: string, fields: Partial<Omit<TopicConfig, "topicName">> = {}): TopicConfig {
  return { readQueueNums: 16, writeQueueNums: 16, perm: Perm.READ | Perm.WRITE, topicFilterType: "SINGLE_TAG", topicSysFlag: 0, order: false, ...fields, topicName };
}

export function systemTopics(options: TopicConfigManagerOptions): TopicConfig[] {
  const rwi = Perm.READ | Perm.WRITE | Perm.INHERIT;
  const n = options.defaultTopicQueueNums;
  return [
    topicConfig(SystemTopic.SELF_TEST, { readQueueNums: 1, writeQueueNums: 1 }),
    ...(options.autoCreateTopicEnable ? [topicConfig(SystemTopic.AUTO_CREATE, { readQueueNums: n, writeQueueNums: n, perm: rwi })] : []),
    topicConfig(options.brokerClusterName, { perm: rwi }),
    topicConfig(options.brokerName, { readQueueNums: 1, writeQueueNums: 1, perm: rwi }),
    topicConfig(SystemTopic.OFFSET_MOVED_EVENT, { readQueueNums: 1, writeQueueNums: 1 }),
    topicConfig(SystemTopic.SCHEDULE, { readQueueNums: 18, writeQueueNums: 18 }),
  ];
}

export class TopicConfigManager {
  readonly dataVersion: DataVersion;
  loadWarnings: readonly string[] = [];
  private table = new Map<string, Entry>();
  private extras: f.ExtraFields | undefined;
  private readonly file: ConfigFile;
  private readonly clock: Clock;
  private readonly options: TopicConfigManagerOptions;
  private readonly listeners = new Set<() => void | Promise<void>>();

  private constructor(fs: FileSystem, clock: Clock, storeRootDir: string, options: TopicConfigManagerOptions) {
    this.clock = clock;
    this.options = options;
    this.dataVersion = DataVersion.fresh(clock);
    this.file = new ConfigFile(fs, joinPath(storeRootDir, "config", "topics.json"), () => stringifyFastjson(this.snapshot(), { pretty: true }));
    for (const config of systemTopics(options)) this.table.set(config.topicName, { config });
  }

  static async load(fs: FileSystem, clock: Clock, storeRootDir: string, options: TopicConfigManagerOptions): Promise<TopicConfigManager> {
    const manager = new TopicConfigManager(fs, clock, storeRootDir, options);
    const loaded = await manager.file.load((parsed) => decodeWrapper(parsed, "topics.json", false));
    manager.loadWarnings = loaded.warnings;
    if (loaded.value) {
      for (const [name, entry] of loaded.value.table) manager.table.set(name, entry);
      manager.extras = loaded.value.extras;
      if (loaded.value.dataVersion) manager.dataVersion.assign(loaded.value.dataVersion);
    }
    return manager;
  }

  get(topic: string): TopicConfig | undefined {
    return this.table.get(topic)?.config;
  }

  all(): TopicConfig[] {
    return [...this.table.values()].map((e) => e.config).sort((a, b) => (a.topicName < b.topicName ? -1 : 1));
  }

  /** Creates or replaces a topic; fields unknown to Skiff that the old entry had are kept. */
  async put(config: TopicConfig): Promise<void> {
    checkTopicConfig(config, `topic ${config.topicName}`);
    this.table.set(config.topicName, { config, extras: this.table.get(config.topicName)?.extras });
    this.dataVersion.nextVersion(this.clock);
    const announced = this.changed();
    await this.file.persist();
    await announced;
  }

  async delete(topic: string): Promise<boolean> {
    if (!this.table.delete(topic)) return false;
    this.dataVersion.nextVersion(this.clock);
    const announced = this.changed();
    await this.file.persist();
    await announced;
    return true;
  }

  /**
   * Called after every change to the table; a change (put, delete, a created topic) resolves only
   * once the promises its listeners return have: the broker re-registers with its name servers
   * before a topic change is answered, as RocketMQ does (`registerIncrementBrokerData`), so the
   * next route lookup of a client finds the new topic.
   */
  onChange(listener: () => void | Promise<void>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): Promise<void> {
    return Promise.all([...this.listeners].map((listener) => listener())).then(() => undefined);
  }

  /**
   * Auto-create on send (RocketMQ's createTopicInSendMessageMethod from TBW102, perm READ|WRITE
   * unless `fields` say otherwise); an existing topic is returned as it is.
   */
  async createTopicIfAbsent(
    topic: string,
    queueNums = this.options.defaultTopicQueueNums,
    fields: Partial<Omit<TopicConfig, "topicName" | "readQueueNums" | "writeQueueNums">> = {},
  ): Promise<TopicConfig> {
    const existing = this.table.get(topic);
    if (existing) return existing.config;
    const config = topicConfig(topic, { ...fields, readQueueNums: queueNums, writeQueueNums: queueNums });
    await this.put(config);
    return config;
  }

  /** The wrapper, as in the file; `stringifyFastjson(snapshot())` is the sync body. */
  snapshot(): FastjsonValue {
    return { ...this.extras, dataVersion: { ...this.dataVersion.toJson() }, topicConfigTable: f.tableJson(this.table) };
  }

  /** Slave sync. `wrapper`: the master's body, as text or parsed. Returns whether anything changed. */
  async replaceFromMaster(wrapper: unknown): Promise<boolean> {
    const master = decodeWrapper(f.parsedInput(wrapper), "master topic config", true);
    if (this.dataVersion.equals(master.dataVersion)) return false;
    this.table = master.table;
    this.dataVersion.assign(master.dataVersion as DataVersionJson);
    const announced = this.changed();
    await this.file.persist();
    await announced;
    return true;
  }

  flush(): Promise<void> {
    return this.file.flush();
  }
}

interface Wrapper {
  readonly dataVersion: DataVersion | undefined;
  readonly table: Map<string, Entry>;
  readonly extras: f.ExtraFields | undefined;
}

function decodeWrapper(parsed: unknown, what: string, requireVersion: boolean): Wrapper {
  const obj = f.expectObject(parsed, what);
  const hasVersion = obj.dataVersion !== undefined && obj.dataVersion !== null;
  if (requireVersion && !hasVersion) throw f.metadataError(`${what}: dataVersion is missing`);
  const table = new Map<string, Entry>();
  for (const [name, value] of Object.entries(f.objectField(obj, "topicConfigTable", what))) {
    table.set(name, decodeEntry(name, value, `${what}.topicConfigTable[${JSON.stringify(name)}]`));
  }
  const dataVersion = hasVersion ? DataVersion.fromJson(obj.dataVersion, `${what}.dataVersion`) : undefined;
  return { dataVersion, table, extras: f.extraFields(obj, ["dataVersion", "topicConfigTable"]) };
}

function decodeEntry(name: string, value: unknown, what: string): Entry {
  const obj = f.expectObject(value, what);
  const attributes = obj.attributes === undefined || obj.attributes === null ? undefined : f.objectField(obj, "attributes", what);
  for (const [key, v] of Object.entries(attributes ?? {})) {
    if (typeof v !== "string") throw f.metadataError(`${what}.attributes.${key} must be a string`);
  }
  const config: TopicConfig = {
    topicName: f.stringField(obj, "topicName", name, what),
    readQueueNums: f.intField(obj, "readQueueNums", 16, what),
    writeQueueNums: f.intField(obj, "writeQueueNums", 16, what),
    perm: f.intField(obj, "perm", Perm.READ | Perm.WRITE, what),
    topicFilterType: f.stringField(obj, "topicFilterType", "SINGLE_TAG", what),
    topicSysFlag: f.intField(obj, "topicSysFlag", 0, what),
    order: f.boolField(obj, "order", false, what),
    ...(attributes ? { attributes: attributes as Record<string, string> } : {}),
  };
  checkTopicConfig(config, what);
  return { config, extras: f.extraFields(obj, KNOWN) };
}

function checkTopicConfig(config: TopicConfig, what: string): void {
  if (config.topicName.length === 0) throw f.metadataError(`${what}: topicName is empty`);
  for (const key of ["readQueueNums", "writeQueueNums"] as const) {
    const n = config[key];
    if (!Number.isSafeInteger(n) || n < 0 || n > 65535) throw f.metadataError(`${what}: ${key} must be 0…65535, got ${n}`);
  }
  if (!Number.isInteger(config.perm) || config.perm < 0 || config.perm > 15) throw f.metadataError(`${what}: perm must be 0…15, got ${config.perm}`);
}
