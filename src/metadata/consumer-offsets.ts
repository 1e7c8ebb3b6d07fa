/**
 * Consumer offsets (RocketMQ's `ConsumerOffsetManager`): `"<topic>@<group>"` → queueId → offset.
 *
 * File `config/consumerOffset.json` (pretty) and the body of `GET /sync/consumer-offsets` (compact):
 *   {"dataVersion":{"counter":9,"timestamp":1700000000000},
 *    "offsetTable":{"TopicTest@g1":{0:12,1:7}},
 *    "skiffResetVersions":{"TopicTest@g1":3}}
 * Queue ids are written unquoted, as fastjson does. `dataVersion` is written as 5.3.x does (bumped
 * on every change); `groupTopicMap` and `lmqOffsetTable` (5.x) are accepted and ignored on read.
 * `skiffResetVersions` is Skiff's own field, present when not empty; fastjson ignores unknown
 * fields, so Java brokers still read the file.
 *
 * Commits are cheap: they mark the file dirty, and a periodic or explicit `flush()` writes it
 * (RocketMQ persists offsets every 5 s), so hot paths never write a file per commit.
 *
 * Slave sync never moves an offset backwards, except an explicit reset on the master:
 * - On the master, a commit that moves a queue's offset backwards is a reset: it bumps the key's
 *   reset version (key = topic@group). Deleting a group, or a topic (every group's offsets of it),
 *   bumps the version of each removed key too: a slave then drops those keys as well.
 * - `mergeFromMaster` on the slave, per key of the master's table (and per key with a reset
 *   version): if the master's reset version is greater than the one the slave last applied, the
 *   slave takes the master's queue offsets for that key verbatim, even backwards, or drops the key
 *   when the master has none, and records that version; otherwise, per queue, max(slave, master).
 *   Keys absent on the master are kept (RocketMQ's putAll). The master's dataVersion is assigned.
 * On a slave `resetVersions` holds the versions last applied; a promoted slave counts on from
 * there, so the other slaves see its resets. Commits are the master's path: a backwards commit on
 * a slave would bump the version it uses to track the master.
 */
import { assertSafeOffset, fail } from "../core/errors.ts";
import { joinPath } from "../core/path.ts";
import type { Clock, FileSystem } from "../core/platform.ts";
import { ConfigFile } from "./config-file.ts";
import { DataVersion } from "./data-version.ts";
import { NumericKeyMap, stringifyFastjson, type FastjsonValue } from "../codec/fastjson.ts";
import * as f from "./json-fields.ts";

export interface OffsetMergeResult {
  /** Keys whose offsets were raised to the master's (or newly added). */
  readonly advanced: readonly string[];
  /** Keys taken verbatim because the master reset them (or dropped, when the master has none). */
  readonly reset: readonly string[];
}

type QueueOffsets = Map<number, number>;

interface OffsetWrapper {
  readonly dataVersion: DataVersion | undefined;
  readonly offsets: Map<string, QueueOffsets>;
  readonly resetVersions: Map<string, number>;
}

export function offsetKey(topic: string, group: string): string {
  return `${topic}@${group}`;
}

/** `topic@group` back into its parts (neither may contain '@': both match ^[%|a-zA-Z0-9_-]+$). */
function splitKey(key: string): { topic: string; group: string } {
  const at = key.lastIndexOf("@");
  return { topic: key.slice(0, at), group: key.slice(at + 1) };
}

export class ConsumerOffsetManager {
  readonly dataVersion: DataVersion;
  loadWarnings: readonly string[] = [];
  private offsets = new Map<string, QueueOffsets>();
  private readonly resetVersions = new Map<string, number>();
  private readonly file: ConfigFile;
  private readonly clock: Clock;

  private constructor(fs: FileSystem, clock: Clock, storeRootDir: string) {
    this.clock = clock;
    this.dataVersion = DataVersion.fresh(clock);
    this.file = new ConfigFile(fs, joinPath(storeRootDir, "config", "consumerOffset.json"), () => stringifyFastjson(this.snapshot(), { pretty: true }));
  }

  static async load(fs: FileSystem, clock: Clock, storeRootDir: string): Promise<ConsumerOffsetManager> {
    const manager = new ConsumerOffsetManager(fs, clock, storeRootDir);
    const loaded = await manager.file.load((parsed) => decodeWrapper(parsed, "consumerOffset.json"));
    manager.loadWarnings = loaded.warnings;
    if (loaded.value) {
      manager.offsets = loaded.value.offsets;
      for (const [key, version] of loaded.value.resetVersions) manager.resetVersions.set(key, version);
      if (loaded.value.dataVersion) manager.dataVersion.assign(loaded.value.dataVersion);
    }
    return manager;
  }

  commit(group: string, topic: string, queueId: number, offset: number): void {
    if (!(Number.isSafeInteger(queueId) && queueId >= 0)) fail(`queueId must be a non-negative integer, got ${queueId}`);
    assertSafeOffset(offset, "consumer offset");
    const key = offsetKey(topic, group);
    let queues = this.offsets.get(key);
    if (!queues) this.offsets.set(key, (queues = new Map()));
    const previous = queues.get(queueId);
    if (previous === offset) return;
    if (previous !== undefined && offset < previous) this.bumpResetVersion(key);
    queues.set(queueId, offset);
    this.changed();
  }

  /** The committed offset, or -1 when unknown. */
  query(group: string, topic: string, queueId: number): number {
    return this.offsets.get(offsetKey(topic, group))?.get(queueId) ?? -1;
  }

  queryAll(group: string, topic: string): ReadonlyMap<number, number> {
    return new Map(this.offsets.get(offsetKey(topic, group)) ?? []);
  }

  /** The topics `group` has offsets for (Java's `whichTopicByConsumer`), in table order. */
  topicsOf(group: string): string[] {
    return [...this.offsets.keys()].map(splitKey).filter((k) => k.group === group).map((k) => k.topic);
  }

  /** Every (group, topic) with offsets, in table order. */
  pairs(): Array<{ readonly group: string; readonly topic: string }> {
    return [...this.offsets.keys()].map(splitKey);
  }

  /** The groups with offsets for `topic` (Java's `whichGroupByTopic`), in table order. */
  groupsOf(topic: string): string[] {
    return [...this.offsets.keys()].map(splitKey).filter((k) => k.topic === topic).map((k) => k.group);
  }

  resetVersion(group: string, topic: string): number {
    return this.resetVersions.get(offsetKey(topic, group)) ?? 0;
  }

  /** Removes every topic of the group; returns the removed keys. */
  deleteGroup(group: string): string[] {
    const removed = [...this.offsets.keys()].filter((key) => key.split("@")[1] === group);
    for (const key of removed) {
      this.offsets.delete(key);
      this.bumpResetVersion(key);
    }
    if (removed.length > 0) this.changed();
    return removed;
  }

  /**
   * Removes every group's offsets of `topic` (a deleted topic, as 5.x's `cleanOffsetByTopic`),
   * bumping each removed key's reset version so that slaves drop them too; returns the groups.
   */
  deleteTopic(topic: string): string[] {
    const removed = [...this.offsets.keys()].filter((key) => splitKey(key).topic === topic);
    for (const key of removed) {
      this.offsets.delete(key);
      this.bumpResetVersion(key);
    }
    if (removed.length > 0) this.changed();
    return removed.map((key) => splitKey(key).group);
  }

  /**
   * A slave whose synced topic config lost `topic`: drops its offsets here only (no reset version:
   * on a slave those track the master's). A Skiff master's own reset versions say the same at the
   * next offset sync; an Apache RocketMQ master's table (5.x cleans a deleted topic's offsets) says
   * nothing, so this keeps the slave from holding them forever.
   */
  dropTopicOnSlave(topic: string): number {
    const removed = [...this.offsets.keys()].filter((key) => splitKey(key).topic === topic);
    for (const key of removed) this.offsets.delete(key);
    if (removed.length > 0) this.file.markDirty();
    return removed.length;
  }

  snapshot(): FastjsonValue {
    const offsetTable: Record<string, FastjsonValue> = {};
    for (const [key, queues] of this.offsets) f.setOwnField(offsetTable, key, new NumericKeyMap(queues));
    const wrapper: Record<string, FastjsonValue> = { dataVersion: { ...this.dataVersion.toJson() }, offsetTable };
    if (this.resetVersions.size > 0) wrapper.skiffResetVersions = Object.fromEntries(this.resetVersions);
    return wrapper;
  }

  /** Slave sync (see the header). `wrapper`: the master's body, as text or parsed. */
  async mergeFromMaster(wrapper: unknown): Promise<OffsetMergeResult> {
    const master = decodeWrapper(f.parsedInput(wrapper), "master consumer offsets");
    const advanced: string[] = [];
    const reset: string[] = [];
    for (const key of new Set([...master.offsets.keys(), ...master.resetVersions.keys()])) {
      const masterVersion = master.resetVersions.get(key) ?? 0;
      const masterQueues = master.offsets.get(key);
      if (masterVersion > (this.resetVersions.get(key) ?? 0)) {
        this.resetVersions.set(key, masterVersion);
        if (masterQueues) this.offsets.set(key, new Map(masterQueues));
        else this.offsets.delete(key);
        reset.push(key);
      } else if (masterQueues && this.raise(key, masterQueues)) {
        advanced.push(key);
      }
    }
    const versionChanged = master.dataVersion !== undefined && !this.dataVersion.equals(master.dataVersion);
    if (master.dataVersion) this.dataVersion.assign(master.dataVersion);
    if (advanced.length > 0 || reset.length > 0 || versionChanged) await this.file.persist();
    return { advanced, reset };
  }

  flush(): Promise<void> {
    return this.file.flush();
  }

  private raise(key: string, masterQueues: QueueOffsets): boolean {
    let queues = this.offsets.get(key);
    if (!queues) this.offsets.set(key, (queues = new Map()));
    let raised = false;
    for (const [queueId, offset] of masterQueues) {
      const mine = queues.get(queueId);
      if (mine === undefined || offset > mine) {
        queues.set(queueId, offset);
        raised = true;
      }
    }
    return raised;
  }

  private bumpResetVersion(key: string): void {
    this.resetVersions.set(key, (this.resetVersions.get(key) ?? 0) + 1);
  }

  private changed(): void {
    this.dataVersion.nextVersion(this.clock);
    this.file.markDirty();
  }
}

function decodeWrapper(parsed: unknown, what: string): OffsetWrapper {
  const obj = f.expectObject(parsed, what);
  const offsets = new Map<string, QueueOffsets>();
  for (const [key, value] of Object.entries(f.objectField(obj, "offsetTable", what))) {
    const where = `${what}.offsetTable[${JSON.stringify(key)}]`;
    const queuesObj = f.expectObject(value, where);
    const queues: QueueOffsets = new Map();
    for (const queueKey of Object.keys(queuesObj)) queues.set(f.integerKey(queueKey, where), f.intField(queuesObj, queueKey, undefined, where));
    offsets.set(key, queues);
  }
  const resetVersions = new Map<string, number>();
  const resetObj = f.objectField(obj, "skiffResetVersions", what);
  for (const key of Object.keys(resetObj)) resetVersions.set(key, f.intField(resetObj, key, undefined, `${what}.skiffResetVersions`));
  const hasVersion = obj.dataVersion !== undefined && obj.dataVersion !== null;
  return { dataVersion: hasVersion ? DataVersion.fromJson(obj.dataVersion, `${what}.dataVersion`) : undefined, offsets, resetVersions };
}
