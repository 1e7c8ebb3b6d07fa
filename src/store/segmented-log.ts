/**
 * A byte log stored in fixed-size segment files, RocketMQ's `MappedFileQueue` without mmap.
 *
 * Offsets are logical: the log is one stream, and segment `S` (file name = S as 20 digits) holds
 * bytes `[S, S + segmentSize)`. Every segment file is exactly `segmentSize` bytes long (created
 * sparse by truncate), as Java requires. Three positions move forward (only `truncateTo` and
 * `resetTo` set them back; `resetCount` counts those, and a flush that one overlapped does not
 * count as covering the bytes it dropped):
 *
 *   flushedOffset  <=  writtenOffset  <=  maxOffset
 *   (fsync'd)          (given to the OS)   (appended, in memory)
 *
 * `append` is synchronous and never touches the disk: bytes go into the block cache and a single
 * writer task hands them to the OS in large writes, so many small appends share one syscall.
 * `flush` fsyncs what was written. Memory is bounded: unwritten bytes are capped
 * (`maxUnwrittenBytes`; `waitForCapacity` is the back-pressure) and only a few written blocks are kept.
 *
 * Every byte is readable from the moment it is appended: from the cache until it is written (the
 * cache never drops an unwritten byte), from the file once written. A read copies the unwritten
 * part of its range before it awaits the file, since the writer may finish and evict it meanwhile.
 *
 * A failed write (disk full, I/O error) loses nothing: the bytes stay in memory and the write is
 * retried with backoff (`health.retryLater`, and at once by `flush`); until one succeeds, `append`,
 * `waitForCapacity` and waits for unwritten bytes throw the StoreHealth error (STORE_DISK_FULL or
 * STORE_IO_FAILED, retriable), and `health` reports the problem. Success clears it by itself.
 *
 * Retention (retention.ts) takes segments off the front, one at a time: `retireFirstSegment`
 * removes the oldest at once (never the last, never one not yet fsync'd), so `minOffset` moves past
 * it (`readHeld` answers null below it); segment-retirement.ts keeps its file until running reads
 * are done, and `truncateTo` / `resetTo` remove it first.
 */
import { assert, assertSafeOffset, SkiffError, fail } from "../core/errors.ts";
import { OffsetWaiters } from "../core/offset-waiters.ts";
import type { FileStat } from "../core/platform.ts";
import { BlockCache } from "./block-cache.ts";
import { FileHandlePool } from "./file-handle-pool.ts";
import { SegmentFiles } from "./segment-files.ts";
import { SegmentRetirement, type RetiredSegment } from "./segment-retirement.ts";
import { segmentStartOf } from "./segment-name.ts";
import { StoreHealth } from "./store-health.ts";
import { WriteFailure } from "./write-failure.ts";
import type { SegmentedLogOptions } from "./segmented-log-options.ts";

export type { RetiredSegment, SegmentedLogOptions };

export class SegmentedLog {
  readonly segmentSizeBytes: number;
  /** Segment start offsets, ascending. */
  private segments: number[] = [];
  private readonly cache: BlockCache;
  private readonly files: SegmentFiles;
  private maxOffsetValue = 0;
  private writtenOffsetValue = 0;
  private flushedOffsetValue = 0;
  private writing: Promise<void> | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly writeWaiters = new OffsetWaiters();
  private readonly progressListeners = new Set<() => void>();
  /** Set while writes fail; cleared by the first write that succeeds. */
  private readonly failure: WriteFailure;
  private closed = false;
  /** Bumped where `truncateTo` / `resetTo` set the positions (the only moves that may go back). */
  private resets = 0;
  private readonly health: StoreHealth;
  private readonly maxUnwrittenBytes: number;
  private readonly blockSizeBytes: number;
  /** Reads pinning segment files, and the segment retired whose file is not removed yet. */
  private readonly retirement: SegmentRetirement;

  private readonly options: SegmentedLogOptions;

  private constructor(options: SegmentedLogOptions) {
    this.options = options;
    this.segmentSizeBytes = options.segmentSizeBytes;
    const blockSize = Math.min(options.blockSizeBytes ?? 1 << 20, options.segmentSizeBytes);
    this.blockSizeBytes = blockSize;
    this.cache = new BlockCache(options.segmentSizeBytes, blockSize, options.keepWrittenBlocks ?? 16);
    this.maxUnwrittenBytes = Math.max(options.maxUnwrittenBytes ?? 64 << 20, blockSize);
    const pool = options.handlePool ?? new FileHandlePool(Math.max(2, options.maxOpenFiles ?? 8));
    this.files = new SegmentFiles(options.fs, options.dir, options.segmentSizeBytes, pool);
    this.retirement = new SegmentRetirement(this.files);
    this.health = options.health ?? new StoreHealth();
    this.failure = new WriteFailure(this.health, options.dir);
  }

  /**
   * Opens the segments found in `dir`. Until the caller recovers (`truncateTo`), the whole of every
   * segment counts as written, so recovery can read it. A zero-length last file is deleted (as
   * RocketMQ 5 does); any other file of the wrong length is refused.
   */
  static async open(options: SegmentedLogOptions): Promise<SegmentedLog> {
    assert(Number.isSafeInteger(options.segmentSizeBytes) && options.segmentSizeBytes > 0, "segment size");
    const log = new SegmentedLog(options);
    log.segments = await log.files.list();
    const end = log.segments.length === 0 ? 0 : log.segments[log.segments.length - 1] + options.segmentSizeBytes;
    log.maxOffsetValue = log.writtenOffsetValue = log.flushedOffsetValue = end;
    return log;
  }

  get minOffset(): number {
    return this.segments.length === 0 ? this.maxOffsetValue : this.segments[0];
  }
  get maxOffset(): number {
    return this.maxOffsetValue;
  }
  get writtenOffset(): number {
    return this.writtenOffsetValue;
  }
  get flushedOffset(): number {
    return this.flushedOffsetValue;
  }
  get segmentStarts(): readonly number[] {
    return this.segments;
  }
  get cachedBlocks(): number {
    return this.cache.size;
  }
  /** Between two equal readings, `flushedOffset`, `writtenOffset` and `maxOffset` only grew. */
  get resetCount(): number {
    return this.resets;
  }
  /** Whether `close` was called. */
  get isClosed(): boolean {
    return this.closed;
  }
  /** The error writes fail with right now (STORE_DISK_FULL / STORE_IO_FAILED), or null. */
  get writeFailure(): SkiffError | null {
    return this.failure.current;
  }

  /** Bytes left in the segment that the next append lands in. */
  spaceLeftInSegment(): number {
    return this.segmentSizeBytes - (this.maxOffsetValue % this.segmentSizeBytes);
  }

  /** Resolves when appending would not exceed the unwritten-bytes limit. */
  async waitForCapacity(): Promise<void> {
    this.assertWritable();
    while (this.maxOffsetValue - this.writtenOffsetValue >= this.maxUnwrittenBytes) {
      if (this.failure.current) await this.failure.recovered(); // holdWhileFailing
      else await this.waitWritten(this.maxOffsetValue - this.maxUnwrittenBytes + 1).catch(() => this.assertWritable());
    }
  }

  /** Throws the write failure (STORE_DISK_FULL / STORE_IO_FAILED) while writes fail (unless holdWhileFailing). */
  assertWritable(): void {
    const failure = this.failure.current;
    if (failure && !this.options.holdWhileFailing) throw failure;
  }

  /** Appends bytes at `maxOffset`; they must fit in the current segment. Returns the start offset. */
  append(bytes: Uint8Array): number {
    return this.appendAt(bytes.byteLength, (at) => this.cache.write(at, bytes));
  }

  /**
   * Appends `length` bytes that `fill` writes into `target[at, at + length)`, as `append` does:
   * straight into the block cache when one block holds them (`BlockCache.fill`: a master encodes
   * its records there). `fill` must not append itself; if it throws, nothing was appended.
   */
  appendWith(length: number, fill: (target: Uint8Array, at: number) => void): number {
    return this.appendAt(length, (at) => this.cache.fill(at, length, fill));
  }

  /** `put` places `length` bytes at `maxOffset` in the cache; then they are appended. */
  private appendAt(length: number, put: (at: number) => void): number {
    this.assertWritable();
    assert(length <= this.spaceLeftInSegment(), "append must not cross a segment end");
    const at = this.maxOffsetValue;
    if (length === 0) return at;
    put(at);
    assert(this.maxOffsetValue === at, "nothing appends while bytes are put");
    const segmentStart = segmentStartOf(at, this.segmentSizeBytes);
    if (this.segments[this.segments.length - 1] !== segmentStart) this.segments.push(segmentStart);
    this.maxOffsetValue = at + length;
    if (!this.options.deferWrites || this.maxOffsetValue - this.writtenOffsetValue >= this.blockSizeBytes) this.kickWriter();
    return at;
  }

  /** Hands every appended byte to the writer now (with `deferWrites`; otherwise it already has them). */
  writePending(): void {
    if (this.writtenOffsetValue < this.maxOffsetValue && !this.failure.current) this.kickWriter();
  }

  /** Reads `[offset, offset+length)`, which must lie within one segment and below `maxOffset`. */
  async read(offset: number, length: number): Promise<Uint8Array> {
    assertSafeOffset(offset, "read offset");
    if (!(offset >= this.minOffset && offset + length <= this.maxOffsetValue)) fail(`read [${offset}, +${length}) out of range`);
    assert(segmentStartOf(offset, this.segmentSizeBytes) === segmentStartOf(offset + length - 1, this.segmentSizeBytes) || length === 0, "read must not cross a segment end");
    const view = this.cache.view(offset, length);
    if (view) return view;
    const out = new Uint8Array(length);
    if (this.cache.readInto(offset, out)) return out;
    // Unwritten bytes are in the cache only until the writer has written them, and it may do so
    // (and evict them) during the file read below: copy them first. What was written at this
    // moment is in the file.
    const fileEnd = Math.min(offset + length, this.writtenOffsetValue);
    if (fileEnd < offset + length) {
      assert(this.cache.readInto(fileEnd, out.subarray(fileEnd - offset)), "unwritten bytes must be cached");
    }
    if (fileEnd > offset) {
      await this.retirement.whilePinned(segmentStartOf(offset, this.segmentSizeBytes), () => this.files.read(offset, out.subarray(0, fileEnd - offset)));
    }
    return out;
  }

  /**
   * `read`, or null when `offset` lies below `minOffset` (retention removed it): for callers that
   * checked the range and awaited something since.
   */
  readHeld(offset: number, length: number): Promise<Uint8Array | null> {
    if (offset < this.minOffset) return Promise.resolve(null);
    return this.read(offset, length);
  }

  /** Size and modification time of a segment's file (retention's age); null when it does not exist. */
  segmentStat(segmentStart: number): Promise<FileStat | null> {
    return this.files.stat(segmentStart);
  }

  /**
   * Retention: takes the oldest segment out of the log (see the header) and returns it, or null
   * when it may not go: it is the last one, the previously retired one is not removed yet, the log
   * is closed, or its end lies beyond the fsync'd bytes or beyond `keepFrom` (e.g. not dispatched yet).
   */
  retireFirstSegment(keepFrom: number): RetiredSegment | null {
    if (this.closed || this.retirement.pending || this.segments.length < 2) return null;
    const start = this.segments[0];
    const end = start + this.segmentSizeBytes;
    if (end > this.flushedOffsetValue || end > keepFrom) return null;
    assert(end <= this.writtenOffsetValue, "a retired segment is written");
    // A new array: a flush iterating the old one (across awaits) is not disturbed.
    this.segments = this.segments.slice(1);
    this.cache.dropBelow(end);
    return this.retirement.retire(start);
  }

  /** Called (synchronously) after `writtenOffset` or `flushedOffset` moved forward. */
  onProgress(listener: () => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  private progressed(): void {
    for (const listener of this.progressListeners) listener();
  }

  /**
   * Resolves once `writtenOffset >= offset` (the writer is running whenever it is behind); rejects
   * with the write failure while writes fail.
   */
  waitWritten(offset: number): Promise<void> {
    if (this.writtenOffsetValue >= offset) return Promise.resolve();
    if (this.failure.current) return Promise.reject(this.failure.current);
    this.writePending();
    return this.writeWaiters.wait(offset);
  }

  /** Writes and fsyncs everything appended so far; resolves with the flushed offset. Serialised. */
  flush(): Promise<number> {
    const run = this.flushing.then(() => this.flushOnce());
    this.flushing = run.then(() => undefined, () => undefined);
    return run;
  }

  /**
   * Drops every byte at or beyond `offset` (recovery of a torn tail, a slave re-synchronising):
   * later segments are deleted and the rest of the segment holding `offset` reads as zeros again.
   */
  async truncateTo(offset: number): Promise<void> {
    this.writePending(); // deferred bytes below `offset` stay: they are written first
    await this.idle();
    await this.retirement.removePending(); // the retired segment's file goes before segments are dropped or made again
    // Bytes below `offset` that are not written yet cannot be declared written.
    if (this.writtenOffsetValue < Math.min(offset, this.maxOffsetValue)) this.assertWritable();
    const segmentStart = segmentStartOf(offset, this.segmentSizeBytes);
    for (const start of this.segments.filter((s) => s > segmentStart)) {
      await this.files.remove(start);
    }
    this.segments = this.segments.filter((s) => s <= segmentStart);
    if (this.segments.includes(segmentStart)) {
      await this.files.zeroFrom(segmentStart, offset);
    }
    await this.files.syncDirectory();
    this.cache.truncate(offset);
    this.maxOffsetValue = this.writtenOffsetValue = offset;
    this.flushedOffsetValue = Math.min(this.flushedOffsetValue, offset);
    this.resets++;
    this.failure.succeeded(); // nothing is left unwritten
  }

  /** Deletes every segment and starts an empty log at `offset` (a slave's first frame). */
  async resetTo(offset: number): Promise<void> {
    await this.idle();
    await this.retirement.removePending(); // the retired segment's file goes before segments are dropped or made again
    for (const start of this.segments) {
      await this.files.remove(start);
    }
    this.segments = [];
    this.cache.truncate(0);
    this.maxOffsetValue = this.writtenOffsetValue = this.flushedOffsetValue = offset;
    this.resets++;
    this.failure.succeeded();
  }

  /**
   * Writes and fsyncs what it can, then closes the files, also when writes fail: then it rejects
   * with the failure (the unwritten bytes are lost; nothing read them from the file yet).
   */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.closed = true;
      await this.files.closeAll();
    }
  }

  pathOf(segmentStart: number): string {
    return this.files.pathOf(segmentStart);
  }

  private async idle(): Promise<void> {
    while (this.writing) await this.writing;
    await this.flushing;
    while (this.retirement.running) await this.retirement.running.catch(() => undefined);
  }

  private async flushOnce(): Promise<number> {
    const target = this.maxOffsetValue;
    const resets = this.resets;
    if (this.failure.current) await this.retryWrite(); // one immediate try (shutdown, a periodic flush)
    await this.waitWritten(target);
    const from = this.flushedOffsetValue;
    if (target > from) {
      for (const start of this.segments) {
        if (start + this.segmentSizeBytes > from && start < target) await this.files.sync(start);
      }
      // A truncation that ran meanwhile (it waits only for a flush already running) dropped bytes
      // this fsync was for: `target` no longer names bytes of the log.
      if (this.resets === resets) {
        this.flushedOffsetValue = Math.max(this.flushedOffsetValue, target);
        if (!(this.flushedOffsetValue <= this.writtenOffsetValue)) fail(`flushed ${this.flushedOffsetValue} <= written ${this.writtenOffsetValue}`);
        this.progressed();
      }
    }
    return this.flushedOffsetValue;
  }

  /**
   * Starts the writer unless it runs. It starts later, not at once (`scheduleWriter`: one event-loop
   * turn, or one microtask): the appends made meanwhile by the other requests (a socket chunk
   * holds many; a turn serves many sockets) join its first write, so one write (a syscall, or a
   * thread-pool round trip) carries many records — and so does one HA frame and one dispatch step.
   */
  private kickWriter(): void {
    if (this.writing) return;
    const schedule = this.options.scheduleWriter;
    const start = schedule === undefined ? Promise.resolve() : new Promise<void>((resolve) => schedule(resolve));
    this.writing = start.then(() => this.writeLoop()).finally(() => {
      this.writing = null;
      if (this.writtenOffsetValue < this.maxOffsetValue && !this.failure.current) this.kickWriter();
    });
  }

  /** Tries the failed write again now (and resolves when that try is over). */
  private async retryWrite(): Promise<void> {
    this.kickWriter();
    while (this.writing) await this.writing;
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.writtenOffsetValue < this.maxOffsetValue) {
        const from = this.writtenOffsetValue;
        const to = Math.min(this.maxOffsetValue, this.cache.blockEndOf(from));
        if (!(to > from && to <= this.maxOffsetValue)) fail(`write range [${from}, ${to}) must be non-empty and appended`);
        const bytes = this.cache.view(from, to - from);
        assert(bytes !== null, "unwritten bytes must be cached");
        await this.files.write(from, bytes);
        if (this.options.verifyWrites) await this.files.verifyWritten(from, bytes);
        if (this.writtenOffsetValue !== from) fail(`writtenOffset moved during a write (${from} → ${this.writtenOffsetValue})`);
        this.writtenOffsetValue = to;
        assert(this.flushedOffsetValue <= this.writtenOffsetValue && this.writtenOffsetValue <= this.maxOffsetValue, "flushed <= written <= max");
        this.cache.evict(to);
        this.failure.succeeded();
        this.writeWaiters.release(to);
        this.progressed();
      }
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("assertion failed")) throw error;
      this.writeFailed(error);
    }
  }

  private writeFailed(error: unknown): void {
    this.writeWaiters.rejectAll(this.failure.failed(error));
    if (!this.closed) this.health.retryLater(this.options.dir, this.failure.failedAttempts, () => void (this.closed || this.retryWrite()));
  }
}
