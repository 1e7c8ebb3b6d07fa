/**
 * Subscription groups (RocketMQ's `SubscriptionGroupConfig` and `SubscriptionGroupManager`).
 *
 * File `config/subscriptionGroup.json` (pretty) and the body of `GET /sync/subscription-groups`:
 *   {"dataVersion":{"counter":2,"timestamp":1700000000000},
 *    "subscriptionGroupTable":{"g1":{"brokerId":0,"consumeBroadcastEnable":true,"consumeEnable":true,
 *      "consumeFromMinEnable":true,"groupName":"g1","notifyConsumerIdsChangedEnable":true,
 *      "retryMaxTimes":16,"retryQueueNums":1,"whichBrokerWhenConsumeSlowly":1}}}
 * The 4.9 fields with their Java defaults. 5.x adds per-group fields (consumeMessageOrderly,
 * consumeTimeoutMinute, groupRetryPolicy, groupSysFlag, subscriptionDataSet, attributes) and a
 * top-level `forbiddenTable`: kept verbatim from a loaded file and written back, not interpreted.
 *
 * Every change bumps the DataVersion and persists. `findOrCreate` auto-creates a group with the
 * defaults, as RocketMQ does with autoCreateSubscriptionGroup=true. RocketMQ's built-in groups
 * (TOOLS_CONSUMER, SELF_TEST_C_GROUP, …) are not created. A slave calls `replaceFromMaster`: same
 * rule as topics (a version not equal to ours → replace the table, deletions included).
 */
import { joinPath } from "../core/path.ts";
import type { Clock, FileSystem } from "../core/platform.ts";
import { ConfigFile } from "./config-file.ts";
import { DataVersion, type DataVersionJson } from "./data-version.ts";
import { stringifyFastjson, type FastjsonValue } from "../codec/fastjson.ts";
import * as f from "./json-fields.ts";

export interface SubscriptionGroupConfig {
  readonly groupName: string;
  readonly consumeEnable: boolean;
  readonly consumeFromMinEnable: boolean;
  readonly consumeBroadcastEnable: boolean;
  readonly retryQueueNums: number;
  readonly retryMaxTimes: number;
  readonly brokerId: number;
  readonly whichBrokerWhenConsumeSlowly: number;
  readonly notifyConsumerIdsChangedEnable: boolean;
}

interface Entry {
  readonly config: SubscriptionGroupConfig;
  readonly extras?: f.ExtraFields;
}

export interface SubscriptionGroupManagerOptions {
  /** RocketMQ's autoCreateSubscriptionGroup; default true. */
  readonly autoCreateSubscriptionGroup?: boolean;
}

/** Java's `new SubscriptionGroupConfig()` defaults, overridden by `fields`. */
export function subscriptionGroupConfig(groupName: string, fields: Partial<Omit<SubscriptionGroupConfig, "groupName">> = {}): SubscriptionGroupConfig {
  return {
    consumeEnable: true,
    consumeFromMinEnable: true,
    consumeBroadcastEnable: true,
    retryQueueNums: 1,
    retryMaxTimes: 16,
    brokerId: 0,
    whichBrokerWhenConsumeSlowly: 1,
    notifyConsumerIdsChangedEnable: true,
    ...fields,
    groupName,
  };
}

const DEFAULTS = subscriptionGroupConfig("");
const BOOLEANS = ["consumeEnable", "consumeFromMinEnable", "consumeBroadcastEnable", "notifyConsumerIdsChangedEnable"] as const;
const INTEGERS = ["retryQueueNums", "retryMaxTimes", "brokerId", "whichBrokerWhenConsumeSlowly"] as const;

export class SubscriptionGroupManager {
  readonly dataVersion: DataVersion;
  loadWarnings: readonly string[] = [];
  private table = new Map<string, Entry>();
  private extras: f.ExtraFields | undefined;
  private readonly file: ConfigFile;
  private readonly clock: Clock;
  private readonly options: SubscriptionGroupManagerOptions;

  private constructor(fs: FileSystem, clock: Clock, storeRootDir: string, options: SubscriptionGroupManagerOptions) {
    this.clock = clock;
    this.options = options;
    this.dataVersion = DataVersion.fresh(clock);
    const path = joinPath(storeRootDir, "config", "subscriptionGroup.json");
    this.file = new ConfigFile(fs, path, () => stringifyFastjson(this.snapshot(), { pretty: true }));
  }

  static async load(fs: FileSystem, clock: Clock, storeRootDir: string, options: SubscriptionGroupManagerOptions = {}): Promise<SubscriptionGroupManager> {
    const manager = new SubscriptionGroupManager(fs, clock, storeRootDir, options);
    const loaded = await manager.file.load((parsed) => decodeWrapper(parsed, "subscriptionGroup.json", false));
    manager.loadWarnings = loaded.warnings;
    if (loaded.value) {
      manager.table = loaded.value.table;
      manager.extras = loaded.value.extras;
      if (loaded.value.dataVersion) manager.dataVersion.assign(loaded.value.dataVersion);
    }
    return manager;
  }

  get(group: string): SubscriptionGroupConfig | undefined {
    return this.table.get(group)?.config;
  }

  all(): SubscriptionGroupConfig[] {
    return [...this.table.values()].map((e) => e.config).sort((a, b) => (a.groupName < b.groupName ? -1 : 1));
  }

  async put(config: SubscriptionGroupConfig): Promise<void> {
    if (config.groupName.length === 0) throw f.metadataError("groupName is empty");
    this.table.set(config.groupName, { config, extras: this.table.get(config.groupName)?.extras });
    this.dataVersion.nextVersion(this.clock);
    await this.file.persist();
  }

  async delete(group: string): Promise<boolean> {
    if (!this.table.delete(group)) return false;
    this.dataVersion.nextVersion(this.clock);
    await this.file.persist();
    return true;
  }

  /** The group's config, created with the defaults when absent and auto-create is on. */
  async findOrCreate(group: string): Promise<SubscriptionGroupConfig | undefined> {
    const existing = this.table.get(group);
    if (existing) return existing.config;
    if (this.options.autoCreateSubscriptionGroup === false) return undefined;
    const config = subscriptionGroupConfig(group);
    await this.put(config);
    return config;
  }

  snapshot(): FastjsonValue {
    return { ...this.extras, dataVersion: { ...this.dataVersion.toJson() }, subscriptionGroupTable: f.tableJson(this.table) };
  }

  /** Slave sync. `wrapper`: the master's body, as text or parsed. Returns whether anything changed. */
  async replaceFromMaster(wrapper: unknown): Promise<boolean> {
    const master = decodeWrapper(f.parsedInput(wrapper), "master subscription groups", true);
    if (this.dataVersion.equals(master.dataVersion)) return false;
    this.table = master.table;
    this.dataVersion.assign(master.dataVersion as DataVersionJson);
    await this.file.persist();
    return true;
  }

  flush(): Promise<void> {
    return this.file.flush();
  }
}

function decodeWrapper(parsed: unknown, what: string, requireVersion: boolean) {
  const obj = f.expectObject(parsed, what);
  const hasVersion = obj.dataVersion !== undefined && obj.dataVersion !== null;
  if (requireVersion && !hasVersion) throw f.metadataError(`${what}: dataVersion is missing`);
  const table = new Map<string, Entry>();
  for (const [name, value] of Object.entries(f.objectField(obj, "subscriptionGroupTable", what))) {
    table.set(name, decodeEntry(name, value, `${what}.subscriptionGroupTable[${JSON.stringify(name)}]`));
  }
  const dataVersion = hasVersion ? DataVersion.fromJson(obj.dataVersion, `${what}.dataVersion`) : undefined;
  return { dataVersion, table, extras: f.extraFields(obj, ["dataVersion", "subscriptionGroupTable"]) };
}

function decodeEntry(name: string, value: unknown, what: string): Entry {
  const obj = f.expectObject(value, what);
  const fields: Record<string, unknown> = {};
  for (const key of BOOLEANS) fields[key] = f.boolField(obj, key, DEFAULTS[key], what);
  for (const key of INTEGERS) fields[key] = f.intField(obj, key, DEFAULTS[key], what);
  const config = { ...fields, groupName: f.stringField(obj, "groupName", name, what) } as unknown as SubscriptionGroupConfig;
  return { config, extras: f.extraFields(obj, ["groupName", ...BOOLEANS, ...INTEGERS]) };
}
