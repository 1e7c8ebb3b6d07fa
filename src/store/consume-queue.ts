/**
 * One consume queue: `consumequeue/<topic>/<queueId>/<20-digit byte offset>` files of 20-byte
 * entries `[i64 physicalOffset][i32 size][i64 tagsCode]` (spec §2). Entry `n` — the message with
 * queue offset `n` — sits at byte `n * 20` of the logical queue.
 *
 * Entries are appended only by the dispatcher, at the queue offset written inside the commit-log
 * record (so master and slave build identical queues from identical bytes). A queue whose first
 * entry is not at offset 0 (a slave that joined late) starts with placeholder entries
 * `(0, 0x7FFFFFFF, 0)` in its first file, as RocketMQ's `fillPreBlank` does.
 *
 * Retention (retention.ts, after the commit log lost its oldest segments): `correctMinOffset`
 * moves the min offset to the first entry whose message is still held — or, when none is, to the
 * max offset (RocketMQ 5's rule: the queue is empty, and its next message keeps its offset) — and
 * `retireExpiredFile` then takes out the first file whose last entry points below the commit log's
 * min, never the last file. The min offset moves before any file goes, so no read meets a missing
 * file; physical offsets grow with queue offsets, so the search is a binary search.
 */
import { assert } from "../core/errors.ts";
import type { FileSystem } from "../core/platform.ts";
import {
  CQ_STORE_UNIT_SIZE,
  decodeConsumeQueueEntry,
  encodeConsumeQueueEntry,
  isPlaceholderEntry,
  PLACEHOLDER_ENTRY,
  writeConsumeQueueEntry,
  type ConsumeQueueEntry,
} from "../codec/consume-queue-entry.ts";
import { viewOf } from "../core/bytes.ts";
import type { FileHandlePool } from "./file-handle-pool.ts";
import { SegmentedLog, type RetiredSegment } from "./segmented-log.ts";
import type { StoreHealth } from "./store-health.ts";

export type { ConsumeQueueEntry };

const ENTRY = CQ_STORE_UNIT_SIZE;
/** Where `put` encodes an entry before the log copies it (append copies at once): no allocation per entry. */
const SCRATCH = new Uint8Array(ENTRY);
const SCRATCH_VIEW = viewOf(SCRATCH);

export interface ConsumeQueueOptions {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly topic: string;
  readonly queueId: number;
  readonly segmentSizeBytes: number;
  readonly handlePool?: FileHandlePool;
  readonly health?: StoreHealth;
}

export class ConsumeQueue {
  readonly topic: string;
  readonly queueId: number;
  private readonly log: SegmentedLog;
  /** Queue offset of the first real (non-placeholder) entry. */
  private minOffsetValue = 0;
  /** End (offset + size) in the commit log of the last entry: dispatch skips anything before it. */
  private maxPhysicalEndValue = 0;

  private constructor(options: ConsumeQueueOptions, log: SegmentedLog) {
    this.topic = options.topic;
    this.queueId = options.queueId;
    this.log = log;
  }

  static async open(options: ConsumeQueueOptions): Promise<ConsumeQueue> {
    assert(options.segmentSizeBytes % ENTRY === 0, "consume-queue segment size must be a multiple of 20");
    const log = await SegmentedLog.open({
      fs: options.fs,
      dir: options.dir,
      segmentSizeBytes: options.segmentSizeBytes,
      blockSizeBytes: 8 * 1024 - ((8 * 1024) % ENTRY),
      keepWrittenBlocks: 1,
      maxOpenFiles: 2,
      handlePool: options.handlePool,
      health: options.health,
      holdWhileFailing: true, // entries are rebuilt from the commit log: keep serving them from memory
      deferWrites: true, // the dispatcher asks once per chunk (writePending), not once per entry
    });
    const queue = new ConsumeQueue(options, log);
    await queue.recover();
    return queue;
  }

  /** Number of entries (the next queue offset). */
  get maxOffset(): number {
    return this.log.maxOffset / ENTRY;
  }
  get minOffset(): number {
    return this.minOffsetValue;
  }
  get maxPhysicalEnd(): number {
    return this.maxPhysicalEndValue;
  }

  /**
   * Adds the entry for the message with queue offset `queueOffset`. Entries already present are
   * skipped (re-dispatch after a crash); a queue that is empty starts at `queueOffset`.
   * Returns false when the entry was skipped.
   */
  async put(queueOffset: number, entry: ConsumeQueueEntry): Promise<boolean> {
    if (entry.physicalOffset + entry.size <= this.maxPhysicalEndValue) return false;
    if (this.log.maxOffset === 0 && this.log.segmentStarts.length === 0 && queueOffset > 0) {
      await this.startAt(queueOffset);
    }
    const expected = this.maxOffset;
    if (queueOffset < expected) return false;
    // A gap means lost entries: RocketMQ logs "[BUG]logic queue order maybe wrong" and appends anyway.
    await this.log.waitForCapacity();
    writeConsumeQueueEntry(SCRATCH, 0, entry, SCRATCH_VIEW);
    this.log.append(SCRATCH);
    this.maxPhysicalEndValue = entry.physicalOffset + entry.size;
    return true;
  }

  /** Up to `max` entries from `queueOffset` on (fewer at a file end or the queue end). */
  async read(queueOffset: number, max: number): Promise<ConsumeQueueEntry[]> {
    if (queueOffset < this.minOffsetValue || queueOffset >= this.maxOffset || max <= 0) return [];
    const from = queueOffset * ENTRY;
    const fileEnd = from - (from % this.log.segmentSizeBytes) + this.log.segmentSizeBytes;
    const to = Math.min(from + max * ENTRY, this.log.maxOffset, fileEnd);
    const bytes = await this.log.read(from, to - from);
    const entries: ConsumeQueueEntry[] = [];
    for (let at = 0; at < bytes.byteLength; at += ENTRY) entries.push(decodeConsumeQueueEntry(bytes, at));
    return entries;
  }

  /** Drops entries whose message lies at or beyond `commitLogEnd` (recovery, slave truncation). */
  async truncateFrom(commitLogEnd: number): Promise<void> {
    let count = this.maxOffset;
    while (count > this.minOffsetValue) {
      const [last] = await this.read(count - 1, 1);
      if (last.physicalOffset + last.size <= commitLogEnd) break;
      count--;
    }
    if (count < this.maxOffset) {
      await this.log.truncateTo(count * ENTRY);
      await this.refreshMaxPhysicalEnd();
    }
  }

  /** Hands the entries put so far to the OS (the dispatcher, after each chunk); `flush` and reads need no call. */
  writePending(): void {
    this.log.writePending();
  }

  flush(): Promise<number> {
    return this.log.flush();
  }

  /** Whether the queue was closed (its topic deleted, or the store closing). */
  get closed(): boolean {
    return this.log.isClosed;
  }

  /** Consume-queue files on disk (tools, tests). */
  get fileCount(): number {
    return this.log.segmentStarts.length;
  }

  /**
   * Retention: the min offset becomes the first entry whose message lies at or beyond
   * `commitLogMin` (the max offset when every entry lies below it); it never moves back.
   */
  async correctMinOffset(commitLogMin: number): Promise<void> {
    const max = this.maxOffset;
    if (this.minOffsetValue >= max) return;
    const last = await this.entryAt(max - 1);
    if (!last) return; // truncated meanwhile: the next pass corrects it
    if (last.physicalOffset < commitLogMin) {
      this.minOffsetValue = Math.max(this.minOffsetValue, max);
      return;
    }
    let low = Math.max(this.minOffsetValue, this.log.minOffset / ENTRY);
    let high = max - 1; // its entry is held
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const entry = await this.entryAt(middle);
      if (!entry) return;
      if (entry.physicalOffset < commitLogMin) low = middle + 1;
      else high = middle;
    }
    this.minOffsetValue = Math.max(this.minOffsetValue, low);
  }

  /**
   * Retention: takes the first file out when it is not the last one and its last entry points
   * below `commitLogMin`; null when it must stay, "later" when it may go but its bytes are not all
   * fsync'd yet (the flush service gets there; retention tries again). Call `correctMinOffset` first.
   */
  async retireExpiredFile(commitLogMin: number): Promise<{ file: RetiredSegment; lastPhysicalOffset: number } | "later" | null> {
    const starts = this.log.segmentStarts;
    if (starts.length < 2) return null;
    const first = starts[0];
    const end = first + this.log.segmentSizeBytes;
    const last = await this.entryAt(end / ENTRY - 1);
    if (!last || last.physicalOffset >= commitLogMin || end / ENTRY > this.minOffsetValue || this.log.segmentStarts[0] !== first) return null;
    const file = this.log.retireFirstSegment(Number.POSITIVE_INFINITY);
    return file ? { file, lastPhysicalOffset: last.physicalOffset } : "later";
  }

  close(): Promise<void> {
    return this.log.close();
  }

  /** First file at `queueOffset` rounded down to a file start, placeholders up to `queueOffset`. */
  private async startAt(queueOffset: number): Promise<void> {
    const byteOffset = queueOffset * ENTRY;
    const fileStart = byteOffset - (byteOffset % this.log.segmentSizeBytes);
    await this.log.resetTo(fileStart);
    const placeholder = encodeConsumeQueueEntry(PLACEHOLDER_ENTRY);
    for (let at = fileStart; at < byteOffset; at += ENTRY) {
      await this.log.waitForCapacity();
      this.log.append(placeholder);
    }
    this.minOffsetValue = queueOffset;
  }

  /** Finds the end of the written entries: the first entry that is not (offset >= 0, size > 0). */
  private async recover(): Promise<void> {
    const starts = this.log.segmentStarts;
    if (starts.length === 0) return;
    let end = starts[0];
    scan: for (const start of starts.slice(Math.max(0, starts.length - 3))) {
      const bytes = await this.log.read(start, this.log.segmentSizeBytes);
      for (let at = 0; at < bytes.byteLength; at += ENTRY) {
        const entry = decodeConsumeQueueEntry(bytes, at);
        if (entry.physicalOffset < 0 || entry.size <= 0) break scan;
        end = start + at + ENTRY;
      }
    }
    await this.log.truncateTo(end);
    await this.recoverMinOffset();
    await this.refreshMaxPhysicalEnd();
  }

  private async recoverMinOffset(): Promise<void> {
    let offset = this.log.minOffset / ENTRY;
    const limit = this.maxOffset;
    while (offset < limit) {
      const batch = await this.readRaw(offset, 1024);
      const firstReal = batch.findIndex((e) => !isPlaceholderEntry(e));
      if (firstReal >= 0) {
        offset += firstReal;
        break;
      }
      offset += batch.length;
    }
    this.minOffsetValue = offset;
  }

  private async refreshMaxPhysicalEnd(): Promise<void> {
    if (this.maxOffset <= this.minOffsetValue) {
      this.maxPhysicalEndValue = 0;
      return;
    }
    const [last] = await this.readRaw(this.maxOffset - 1, 1);
    this.maxPhysicalEndValue = last.physicalOffset + last.size;
  }

  /** The entry at `queueOffset` if this queue's files hold it (placeholders included), without touching the min offset. */
  private async entryAt(queueOffset: number): Promise<ConsumeQueueEntry | null> {
    if (queueOffset < this.log.minOffset / ENTRY || queueOffset >= this.maxOffset) return null;
    return decodeConsumeQueueEntry(await this.log.read(queueOffset * ENTRY, ENTRY), 0);
  }

  private async readRaw(queueOffset: number, max: number): Promise<ConsumeQueueEntry[]> {
    const saved = this.minOffsetValue;
    this.minOffsetValue = this.log.minOffset / ENTRY;
    try {
      return await this.read(queueOffset, max);
    } finally {
      this.minOffsetValue = saved;
    }
  }
}
