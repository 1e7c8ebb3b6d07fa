/**
 * The message index (RocketMQ's `IndexService`): `<root>/index/<yyyyMMddHHmmssSSS>` files, the
 * newest one written, older ones full. Fed by the dispatcher with every written record that is not
 * a transaction half or rollback (`add`), under the keys `topic#UNIQ_KEY` and `topic#<KEYS word>`;
 * a full file is followed by a new one named after its creation time (local time, ms), whose
 * header starts at the full file's end, as Java does.
 *
 * Memory: the files' 40-byte headers only (the OS caches their pages, as it does Java's mapped
 * files); older files are opened only while a query reads them. Writes are serialised here: the dispatcher
 * queues a batch's records (`add`) and indexes them after the batch (`afterBatch`), each key
 * handed to the OS as it is put; they reach the disk at the store's flush.
 *
 * Recovery: `resumeOffset` is the commit-log offset from which records must be dispatched again
 * for the index to be whole (the last indexed message: re-dispatched records at or below it are
 * skipped, as Java's `endPhyOffset` check does). After a crash, slots the header does not cover
 * yet are repaired first (index-file.ts `repairSlots`).
 *
 * Retention (retention.ts): once the commit log's min offset passed an older file's
 * `endPhyOffset`, `retireExpiredFile` takes that file out of the list (the oldest first, never the
 * newest file, as Java's `deleteExpiredFile`); its file is then deleted. A query that opened it
 * already reads on (an open file outlives its name); one that opens it afterwards skips it.
 */
import { SkiffError } from "../core/errors.ts";
import { joinPath } from "../core/path.ts";
import type { FileSystem } from "../core/platform.ts";
import { indexTimeMatches, messageIndexKeys, type IndexHeader } from "../codec/index-file.ts";
import { IndexFile, type IndexLimits } from "./index-file.ts";
import type { Logger } from "../core/log.ts";

/** Records queued for the index at most (a few dispatched chunks). */
const MAX_PENDING = 100_000;

export interface IndexServiceOptions {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly limits: IndexLimits;
  /** Wall-clock ms, for new files' names. */
  readonly now: () => number;
  readonly log: Logger;
}

export interface IndexedRecord {
  readonly topic: string;
  readonly physicalOffset: number;
  readonly storeTimestamp: number;
  readonly uniqKey: string | undefined;
  readonly keys: string | undefined;
}

export interface IndexQueryResult {
  /** Physical offsets of hash hits, newest file first, each file's chain newest first. */
  readonly phyOffsets: number[];
  /** End timestamp / end physical offset of the newest index file (0 when there is none). */
  readonly lastUpdateTimestamp: number;
  readonly lastUpdatePhyOffset: number;
}

interface OlderFile {
  readonly path: string;
  readonly header: IndexHeader;
}

export class IndexService {
  private readonly options: IndexServiceOptions;
  private readonly older: OlderFile[];
  private current: IndexFile | null;
  private queue: Promise<unknown> = Promise.resolve();
  private pending: IndexedRecord[] = [];

  private constructor(options: IndexServiceOptions, older: OlderFile[], current: IndexFile | null) {
    this.options = options;
    this.older = older;
    this.current = current;
  }

  /** Loads the files in `dir` (oldest first by name); `abnormal`: the last run crashed. */
  static async open(options: IndexServiceOptions, abnormal: boolean): Promise<IndexService> {
    const { fs, dir, limits, log } = options;
    await fs.mkdir(dir);
    const names = (await fs.readdir(dir)).filter((name) => /^\d{17}$/.test(name)).sort();
    const older: OlderFile[] = [];
    let current: IndexFile | null = null;
    for (const [i, name] of names.entries()) {
      const path = joinPath(dir, name);
      const last = i === names.length - 1;
      let file: IndexFile;
      try {
        file = await IndexFile.open(fs, path, limits, { readOnly: !last });
      } catch (error) {
        log.warn(`index file ${path} is not used: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      if (!last) {
        older.push({ path, header: file.header });
        await file.close();
        continue;
      }
      if (abnormal) {
        const repaired = await file.repairSlots();
        if (repaired > 0) log.warn(`index file ${path}: ${repaired} slots written after its header pointed at entries it did not count yet; repaired`);
      }
      current = file;
    }
    return new IndexService(options, older, current);
  }

  /**
   * Where dispatch must resume for the index to be complete: the last indexed message, or the log's
   * start (0) when no index file is left (lost in a crash, or never written).
   */
  resumeOffset(): number {
    const header = this.current?.header ?? this.older[this.older.length - 1]?.header;
    return header ? header.endPhyOffset : 0;
  }

  /** Index files, oldest first (tools, tests). */
  get files(): string[] {
    return [...this.older.map((file) => file.path), ...(this.current ? [this.current.path] : [])];
  }

  /**
   * Retention: the oldest file when it is not the newest and every message it indexes lies below
   * `commitLogMin` (`endPhyOffset < commitLogMin`), taken out of the list; null otherwise.
   */
  async retireExpiredFile(commitLogMin: number): Promise<{ path: string; sizeBytes: number; endPhyOffset: number; remove(): Promise<void> } | null> {
    return this.exclusive(async () => {
      const oldest = this.older[0];
      if (!oldest || !(this.current !== null || this.older.length > 1) || oldest.header.endPhyOffset >= commitLogMin) return null;
      this.older.shift();
      const { fs, dir } = this.options;
      const sizeBytes = (await fs.stat(oldest.path))?.size ?? 0;
      return {
        path: oldest.path,
        sizeBytes,
        endPhyOffset: oldest.header.endPhyOffset,
        remove: async () => {
          await fs.remove(oldest.path);
          await fs.syncDirectory(dir);
        },
      };
    });
  }

  /**
   * Queues one record for the index (none of its keys: nothing happens); `afterBatch` indexes what
   * is queued, so consume-queue entries never wait for the index. When index writes keep failing,
   * at most MAX_PENDING records wait; then `add` throws and the dispatch stalls until they succeed.
   */
  add(record: IndexedRecord): void {
    if (this.pending.length >= MAX_PENDING) {
      throw new SkiffError("STORE_IO_FAILED", `the message index cannot write (${this.pending.length} records wait): dispatch resumes when it can`, { retriable: true });
    }
    if (record.uniqKey === undefined && !record.keys) return;
    const queued = this.pending[this.pending.length - 1];
    if (queued && record.physicalOffset <= queued.physicalOffset) return; // dispatched again after a failure: queued already
    this.pending.push(record);
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Indexes the queued records (each key reaches the OS as it is put), then the newest file's header. */
  afterBatch(): Promise<void> {
    return this.exclusive(async () => {
      while (this.pending.length > 0) {
        await this.index(this.pending[0]);
        this.pending.shift(); // only once indexed: a failed write is tried again at the next batch
      }
      await this.current?.writeDirty();
    });
  }

  private async index(record: IndexedRecord): Promise<void> {
    const last = this.current?.header;
    // Already indexed (a re-dispatch after a restart, or a retry after a failed write): Java's
    // `commitLogOffset < endPhyOffset`, and the last indexed message itself.
    if (last && (record.physicalOffset < last.endPhyOffset || (record.physicalOffset === last.endPhyOffset && last.indexCount > 1))) return;
    for (const key of messageIndexKeys(record.topic, record.uniqKey, record.keys)) {
      while (!(await this.writable()).putKey(key, record.physicalOffset, record.storeTimestamp)) await this.roll();
    }
  }

  /** fsyncs the newest file; resolves with its end timestamp (the checkpoint's indexMsgTimestamp). */
  flush(): Promise<number> {
    return this.exclusive(async () => {
      await this.current?.sync();
      return this.current?.header.endTimestamp ?? 0;
    });
  }

  /** Hash hits for `topic#key` (RocketMQ's `queryOffset`), at most `maxNum`. */
  async query(topic: string, key: string, maxNum: number, beginMs: number, endMs: number): Promise<IndexQueryResult> {
    const indexKey = `${topic}#${key}`;
    const phyOffsets: number[] = [];
    const current = this.current;
    const newest = current?.header ?? this.older[this.older.length - 1]?.header;
    const candidates: Array<{ header: IndexHeader; path: string }> = [
      ...(current ? [{ header: current.header, path: current.path }] : []),
      ...[...this.older].reverse(),
    ];
    for (const { header, path } of candidates) {
      if (header.indexCount > 1 && indexTimeMatches(header, beginMs, endMs)) {
        if (current && path === current.path) await current.select(indexKey, maxNum, beginMs, endMs, phyOffsets);
        else await this.selectInOlder(path, indexKey, maxNum, beginMs, endMs, phyOffsets);
      }
      if (header.beginTimestamp < beginMs || phyOffsets.length >= maxNum) break;
    }
    return { phyOffsets, lastUpdateTimestamp: newest?.endTimestamp ?? 0, lastUpdatePhyOffset: newest?.endPhyOffset ?? 0 };
  }

  /**
   * Deletes every index file and what is queued, all at once: a slave that starts over (its log is
   * gone, replica.ts `restartAt`). Not retention, which deletes old files only.
   */
  clear(): Promise<void> {
    return this.exclusive(async () => {
      await this.current?.close();
      const paths = this.files;
      this.current = null;
      this.older.splice(0);
      this.pending = [];
      for (const path of paths) await this.options.fs.remove(path);
      await this.options.fs.syncDirectory(this.options.dir);
    });
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      await this.current?.close();
      this.current = null;
    });
  }

  private async selectInOlder(path: string, key: string, maxNum: number, beginMs: number, endMs: number, into: number[]): Promise<void> {
    let file: IndexFile;
    try {
      file = await IndexFile.open(this.options.fs, path, this.options.limits, { readOnly: true });
    } catch {
      return; // removed meanwhile (retention)
    }
    try {
      await file.select(key, maxNum, beginMs, endMs, into);
    } finally {
      await file.close();
    }
  }

  private async writable(): Promise<IndexFile> {
    if (!this.current) this.current = await this.createFile(this.older[this.older.length - 1]?.header);
    return this.current;
  }

  /** The newest file is full: it is synced and kept as an older file; a new one follows it. */
  private async roll(): Promise<void> {
    const full = this.current!;
    await full.sync();
    await full.close();
    this.older.push({ path: full.path, header: full.header });
    this.current = null;
    this.current = await this.createFile(full.header);
    this.options.log.info(`index file ${full.path} is full (${full.entries} entries); new index file ${this.current.path}`);
  }

  private async createFile(previous: IndexHeader | undefined): Promise<IndexFile> {
    const { fs, dir, limits } = this.options;
    const taken = new Set(this.files);
    let ms = this.options.now();
    while (taken.has(joinPath(dir, indexFileName(ms))) || (await fs.stat(joinPath(dir, indexFileName(ms)))) !== null) ms++;
    const file = await IndexFile.create(fs, joinPath(dir, indexFileName(ms)), limits, previous);
    await fs.syncDirectory(dir);
    return file;
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** `yyyyMMddHHmmssSSS` in local time (Java's `UtilAll.timeMillisToHumanString`). */
export function indexFileName(ms: number): string {
  const d = new Date(ms);
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");
  return `${pad(d.getFullYear(), 4)}${pad(d.getMonth() + 1)}${pad(d.getDate())}${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}${pad(d.getMilliseconds(), 3)}`;
}
