/**
 * Read-only views of the store for status pages, tools and tests: where the commit log stands
 * (`StoreOffsets`, live) and what the store holds in files and memory (`StoreStats`, a snapshot).
 * Neither lets a caller change anything.
 *
 * Offsets are commit-log byte offsets; at every moment
 * `minOffset <= flushedOffset <= writtenOffset <= maxOffset` and `dispatchedOffset <= writtenOffset`
 * (only written records reach the consume queues).
 */
import type { Dispatcher } from "./dispatcher.ts";
import type { SegmentedLog } from "./segmented-log.ts";

export interface StoreOffsets {
  /** Start of the oldest segment still held (the log's end when it holds none). */
  readonly minOffset: number;
  /** End of everything appended (in memory until written). */
  readonly maxOffset: number;
  /** End of what is handed to the OS: survives a crash of this process. */
  readonly writtenOffset: number;
  /** End of what is fsync'd: survives a power loss. */
  readonly flushedOffset: number;
  /** End of what is in the consume queues: what consumers can be served. */
  readonly dispatchedOffset: number;
}

export interface StoreStats {
  /** Start offsets of the commit log's segment files, oldest first. */
  readonly commitLogSegmentStarts: readonly number[];
  /** Commit-log blocks held in memory (the block cache; bounded). */
  readonly cachedBlocks: number;
  /** Consume queues, one per topic and queue id. */
  readonly consumeQueues: number;
  /** Consume-queue files on disk, all queues together. */
  readonly consumeQueueFiles: number;
  /** Consume-queue files open right now (bounded by the handle pool). */
  readonly openConsumeQueueFiles: number;
  /** Message index files (index/). */
  readonly indexFiles: number;
}

/** The live offsets of a commit log and its dispatcher. */
export class LogOffsets implements StoreOffsets {
  protected readonly log: SegmentedLog;
  protected readonly dispatcher: Dispatcher;

  constructor(log: SegmentedLog, dispatcher: Dispatcher) {
    this.log = log;
    this.dispatcher = dispatcher;
  }

  get minOffset(): number {
    return this.log.minOffset;
  }
  get maxOffset(): number {
    return this.log.maxOffset;
  }
  get writtenOffset(): number {
    return this.log.writtenOffset;
  }
  get flushedOffset(): number {
    return this.log.flushedOffset;
  }
  get dispatchedOffset(): number {
    return this.dispatcher.dispatchedOffset;
  }
}
