/**
 * How a SegmentedLog (segmented-log.ts) is laid out, bounded, shared and scheduled: the commit
 * log and every consume queue are one each, with different settings (store-open.ts).
 */
import type { FileSystem } from "../core/platform.ts";
import type { FileHandlePool } from "./file-handle-pool.ts";
import type { StoreHealth } from "./store-health.ts";

export interface SegmentedLogOptions {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly segmentSizeBytes: number;
  readonly blockSizeBytes?: number;
  readonly keepWrittenBlocks?: number;
  readonly maxUnwrittenBytes?: number;
  readonly maxOpenFiles?: number;
  /** Share open files with other logs (all consume queues of a store share one pool). */
  readonly handlePool?: FileHandlePool;
  /** Where write failures are reported and retries scheduled (without one: retried by `flush`). */
  readonly health?: StoreHealth;
  /**
   * While writes fail, keep accepting appends in memory (up to `maxUnwrittenBytes`; then
   * `waitForCapacity` waits for the writes to succeed) instead of refusing them: for logs that
   * recovery rebuilds from the commit log (consume queues), so readers keep seeing new entries.
   */
  readonly holdWhileFailing?: boolean;
  /** Reads every block back after writing it and asserts it matches (stress tests). */
  readonly verifyWrites?: boolean;
  /**
   * Appends are written when the owner asks (`writePending`), when a block's worth is unwritten, or
   * when anything waits for them (`waitWritten`, `flush`, `close`, `truncateTo`), not one microtask
   * after each append: for logs of many tiny appends made in bursts (the consume queues' 20-byte
   * entries, one per dispatched record), so a burst costs one write instead of one per entry.
   */
  readonly deferWrites?: boolean;
  /**
   * When the writer starts after an append finds it idle (`Clock.nextTurn`: once the event loop's
   * turn has run its I/O callbacks, so the appends of every request handled in the turn share one
   * write); by default one microtask later (the appends of one callback share it).
   */
  readonly scheduleWriter?: (start: () => void) => void;
}
