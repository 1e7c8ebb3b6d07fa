/**
 * Delay offsets of the schedule service (RocketMQ's `ScheduleMessageService` offset table): per
 * delay level (1…18 by default) the next offset to deliver in queue `level - 1` of
 * SCHEDULE_TOPIC_XXXX.
 *
 * File `config/delayOffset.json` (pretty) and the body of `GET /sync/delay-offset` (compact):
 *   {"dataVersion":{"counter":5,"timestamp":1700000000000},"offsetTable":{1:0,2:15}}
 * Levels are written unquoted, as fastjson does; 4.9 has no `dataVersion` (accepted without).
 *
 * `set` marks the file dirty (the schedule service moves offsets often; RocketMQ persists them
 * every 10 s), `flush` writes. A slave calls `replaceFromMaster` with the master's body: 4.9 writes
 * that text verbatim to the file, 5.x also reloads it; we validate it, replace the table, take the
 * master's dataVersion, persist (in our own formatting) and return the table, so that the caller
 * can reload its schedule service.
 */
import { assertSafeOffset, fail } from "../core/errors.ts";
import { joinPath } from "../core/path.ts";
import type { Clock, FileSystem } from "../core/platform.ts";
import { ConfigFile } from "./config-file.ts";
import { DataVersion } from "./data-version.ts";
import { NumericKeyMap, stringifyFastjson, type FastjsonValue } from "../codec/fastjson.ts";
import * as f from "./json-fields.ts";

export class DelayOffsetManager {
  readonly dataVersion: DataVersion;
  loadWarnings: readonly string[] = [];
  private table = new Map<number, number>();
  private readonly file: ConfigFile;
  private readonly clock: Clock;

  private constructor(fs: FileSystem, clock: Clock, storeRootDir: string) {
    this.clock = clock;
    this.dataVersion = DataVersion.fresh(clock);
    this.file = new ConfigFile(fs, joinPath(storeRootDir, "config", "delayOffset.json"), () => stringifyFastjson(this.snapshot(), { pretty: true }));
  }

  static async load(fs: FileSystem, clock: Clock, storeRootDir: string): Promise<DelayOffsetManager> {
    const manager = new DelayOffsetManager(fs, clock, storeRootDir);
    const loaded = await manager.file.load((parsed) => decodeWrapper(parsed, "delayOffset.json"));
    manager.loadWarnings = loaded.warnings;
    if (loaded.value) {
      manager.table = loaded.value.table;
      if (loaded.value.dataVersion) manager.dataVersion.assign(loaded.value.dataVersion);
    }
    return manager;
  }

  /** The level's offset, or undefined when the level has none yet (the schedule service starts at 0). */
  get(level: number): number | undefined {
    return this.table.get(level);
  }

  set(level: number, offset: number): void {
    if (!(Number.isSafeInteger(level) && level >= 1)) fail(`delay level must be an integer ≥ 1, got ${level}`);
    assertSafeOffset(offset, "delay offset");
    if (this.table.get(level) === offset) return;
    this.table.set(level, offset);
    this.dataVersion.nextVersion(this.clock);
    this.file.markDirty();
  }

  all(): ReadonlyMap<number, number> {
    return new Map(this.table);
  }

  snapshot(): FastjsonValue {
    return { dataVersion: { ...this.dataVersion.toJson() }, offsetTable: new NumericKeyMap(this.table) };
  }

  /** Slave sync: `wrapper` is the master's body, as text or parsed. Returns the new table. */
  async replaceFromMaster(wrapper: unknown): Promise<ReadonlyMap<number, number>> {
    const master = decodeWrapper(f.parsedInput(wrapper), "master delay offsets");
    this.table = master.table;
    if (master.dataVersion) this.dataVersion.assign(master.dataVersion);
    await this.file.persist();
    return this.all();
  }

  flush(): Promise<void> {
    return this.file.flush();
  }
}

function decodeWrapper(parsed: unknown, what: string): { table: Map<number, number>; dataVersion: DataVersion | undefined } {
  const obj = f.expectObject(parsed, what);
  const table = new Map<number, number>();
  const offsetTable = f.objectField(obj, "offsetTable", what);
  for (const key of Object.keys(offsetTable)) {
    const level = f.integerKey(key, `${what}.offsetTable`);
    const offset = f.intField(offsetTable, key, undefined, `${what}.offsetTable`);
    if (level < 1 || offset < 0) throw f.metadataError(`${what}.offsetTable: level ${level} → offset ${offset} is out of range`);
    table.set(level, offset);
  }
  const hasVersion = obj.dataVersion !== undefined && obj.dataVersion !== null;
  return { table, dataVersion: hasVersion ? DataVersion.fromJson(obj.dataVersion, `${what}.dataVersion`) : undefined };
}
