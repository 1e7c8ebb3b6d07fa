/**
 * Durability of appended records (spec §1.7, RocketMQ's `FlushRealTimeService` and `GroupCommitService`).
 *
 * - ASYNC_FLUSH: an append is acknowledged once its bytes are handed to the OS (they survive a
 *   crash of the process, as RocketMQ's page-cache writes do); fsync runs every `flushIntervalMs`.
 * - SYNC_FLUSH: an append is acknowledged after an fsync covers it. Appends that arrive while an
 *   fsync runs share the next one (group commit). No fsync within `syncFlushTimeoutMs` →
 *   FLUSH_DISK_TIMEOUT (the record stays stored and is flushed later).
 *
 * Consume queues, the message index and the checkpoint are flushed every `flushConsumeQueueIntervalMs`; the checkpoint
 * records the store timestamps that those flushes made durable, which crash recovery relies on.
 *
 * A record that cannot be written (disk full, I/O error) is never acknowledged: under both flush
 * types its wait rejects with the log's STORE_DISK_FULL / STORE_IO_FAILED error (retriable). A record
 * written but not fsync'd in time is FLUSH_DISK_TIMEOUT, as in RocketMQ. Repeated failures of the
 * periodic flushes are logged once each (StoreHealth logs the write failures themselves).
 *
 * Asserted: the flushed offset it sees never moves backwards and never passes the written offset,
 * except across a truncation of the log (a slave's, counted by `log.resetCount`). Waiting SYNC_FLUSH
 * requests are capped (`syncFlushRequestsMax`, SYNC_FLUSH_REQUESTS_MAX by default): beyond it a send
 * is answered FLUSH_DISK_TIMEOUT at once, as if its fsync had not come in time (it is stored anyway).
 */
import { fail } from "../core/errors.ts";
import type { Clock, TimerHandle } from "../core/platform.ts";
import type { CommitLog } from "./commit-log.ts";
import type { ConsumeQueueTable } from "./consume-queue-table.ts";
import type { CheckpointFile } from "./checkpoint-file.ts";
import type { Dispatcher } from "./dispatcher.ts";
import { isStoreIoError } from "./store-health.ts";

export type FlushDiskType = "ASYNC_FLUSH" | "SYNC_FLUSH";
export type FlushStatus = "PUT_OK" | "FLUSH_DISK_TIMEOUT";

/**
 * SYNC_FLUSH requests queued for a group commit at once (each is one in-flight send; a late one
 * stays queued until the fsync returns, so a hung fsync fills the queue; RocketMQ has no cap).
 */
export const SYNC_FLUSH_REQUESTS_MAX = 100_000;

export interface FlushServiceOptions {
  readonly clock: Clock;
  readonly commitLog: CommitLog;
  readonly queues: ConsumeQueueTable;
  readonly dispatcher: Dispatcher;
  readonly checkpoint: CheckpointFile;
  /** The message index: fsync'd with the consume queues; resolves with its end timestamp. */
  readonly index?: { flush(): Promise<number> };
  readonly flushDiskType: FlushDiskType;
  readonly flushIntervalMs: number;
  readonly flushConsumeQueueIntervalMs: number;
  readonly syncFlushTimeoutMs: number;
  /** Default SYNC_FLUSH_REQUESTS_MAX. */
  readonly syncFlushRequestsMax?: number;
  readonly onProblem: (message: string) => void;
  /** Each commit-log flush that moved the flushed offset: how long it took (waiting for writes included) and how many bytes. */
  readonly onCommitLogFlushed?: (elapsedMs: number, bytes: number) => void;
}

interface SyncRequest {
  readonly offset: number;
  readonly resolve: (status: FlushStatus) => void;
  readonly reject: (error: unknown) => void;
}

export class FlushService {
  private readonly options: FlushServiceOptions;
  private timers: TimerHandle[] = [];
  private requests: SyncRequest[] = [];
  private groupCommitRunning = false;
  private physicTimestamp = 0;
  private logicsRunning: Promise<void> | null = null;
  private readonly lastProblem = new Map<string, string>();
  /** The last flushed offset seen, and the log's reset count then. */
  private flushedSeen = { offset: 0, resets: -1 };

  constructor(options: FlushServiceOptions) {
    this.options = options;
  }

  start(): void {
    const { clock, flushDiskType, flushIntervalMs, flushConsumeQueueIntervalMs } = this.options;
    if (flushDiskType === "ASYNC_FLUSH") {
      this.timers.push(clock.setInterval(() => void this.flushCommitLog().then(() => this.solved("commit-log flush"), (e) => this.problem("commit-log flush", e)), flushIntervalMs));
    }
    this.timers.push(clock.setInterval(() => void this.flushLogics().then(() => this.solved("consume-queue flush"), (e) => this.problem("consume-queue flush", e)), flushConsumeQueueIntervalMs));
  }

  /** Resolves when the record ending at `endOffset` is as durable as the flush type promises. */
  async awaitDurable(endOffset: number): Promise<FlushStatus> {
    if (this.options.flushDiskType === "ASYNC_FLUSH") {
      await this.options.commitLog.log.waitWritten(endOffset);
      return "PUT_OK";
    }
    const log = this.options.commitLog.log;
    if (log.flushedOffset >= endOffset) return "PUT_OK";
    // Not fsync'd in time: FLUSH_DISK_TIMEOUT if it is at least written, else the write failure.
    const late = (): FlushStatus => {
      if (log.writtenOffset < endOffset && log.writeFailure) throw log.writeFailure;
      return "FLUSH_DISK_TIMEOUT";
    };
    if (this.requests.length >= (this.options.syncFlushRequestsMax ?? SYNC_FLUSH_REQUESTS_MAX)) return late();
    return new Promise<FlushStatus>((resolve, reject) => {
      const timer = this.options.clock.setTimeout(() => {
        try {
          settle(late());
        } catch (error) {
          fail(error);
        }
      }, this.options.syncFlushTimeoutMs);
      let done = false;
      const settle = (status: FlushStatus) => {
        if (done) return;
        done = true;
        timer.cancel();
        resolve(status);
      };
      const fail = (error: unknown) => {
        if (done) return;
        done = true;
        timer.cancel();
        reject(error);
      };
      this.requests.push({ offset: endOffset, resolve: settle, reject: fail });
      void this.groupCommit();
    });
  }

  /** Everything appended so far: written, fsync'd, consume queues too, checkpoint updated. */
  async flushAll(): Promise<void> {
    await this.flushCommitLog();
    // Dispatch what is whole, not up to maxOffset: a slave's log may end inside a record (HA frames
    // are not record-aligned), and waiting for that record would hang flushAll and close.
    await this.options.dispatcher.wake();
    await this.flushLogics();
  }

  stop(): void {
    for (const timer of this.timers) timer.cancel();
    this.timers = [];
  }

  /** SYNC_FLUSH requests queued for the next group commit (late ones included). */
  get syncRequests(): number {
    return this.requests.length;
  }

  private async flushCommitLog(): Promise<number> {
    const timestamp = this.options.commitLog.lastStoreTimestamp;
    const log = this.options.commitLog.log;
    const resets = log.resetCount;
    const before = log.flushedOffset;
    const startMs = this.options.clock.monotonicMs();
    const flushed = await log.flush();
    if (flushed > before && log.resetCount === resets) this.options.onCommitLogFlushed?.(this.options.clock.monotonicMs() - startMs, flushed - before);
    if (log.resetCount === resets && !(flushed <= log.writtenOffset)) fail(`flushed ${flushed} never passes written ${log.writtenOffset}`);
    if (log.resetCount === this.flushedSeen.resets) {
      if (!(flushed >= this.flushedSeen.offset)) fail(`the flushed offset never moves backwards (${this.flushedSeen.offset} → ${flushed})`);
    }
    this.flushedSeen = { offset: flushed, resets: log.resetCount };
    this.physicTimestamp = Math.max(this.physicTimestamp, timestamp);
    return flushed;
  }

  private async groupCommit(): Promise<void> {
    if (this.groupCommitRunning) return;
    this.groupCommitRunning = true;
    try {
      while (this.requests.length > 0) {
        let flushed: number;
        try {
          flushed = await this.flushCommitLog();
        } catch (error) {
          this.problem("group commit", error);
          // Written but the fsync failed: FLUSH_DISK_TIMEOUT (stored, as RocketMQ says); not even
          // written: the write failure (not stored, 503).
          const written = this.options.commitLog.log.writtenOffset;
          for (const request of this.requests.splice(0)) {
            if (request.offset <= written || !isStoreIoError(error)) request.resolve("FLUSH_DISK_TIMEOUT");
            else request.reject(error);
          }
          return;
        }
        const still: SyncRequest[] = [];
        for (const request of this.requests) {
          if (request.offset <= flushed) request.resolve("PUT_OK");
          else still.push(request);
        }
        this.requests = still;
      }
    } finally {
      this.groupCommitRunning = false;
    }
  }

  /** Consume queues, then the checkpoint with the timestamps now durable. Serialised. */
  private flushLogics(): Promise<void> {
    const run = (this.logicsRunning ?? Promise.resolve()).then(async () => {
      const logicsTimestamp = this.options.dispatcher.lastStoreTimestamp;
      await this.options.queues.flush();
      const indexTimestamp = await this.options.index?.flush();
      await this.options.checkpoint.update({
        ...(indexTimestamp === undefined ? {} : { indexMsgTimestamp: indexTimestamp }),
        physicMsgTimestamp: this.physicTimestamp,
        logicsMsgTimestamp: logicsTimestamp,
        confirmPhyOffset: this.options.commitLog.log.flushedOffset,
      });
    });
    this.logicsRunning = run.catch(() => undefined);
    return run;
  }

  /** Logs a failure once until it changes or `what` succeeds again (StoreHealth logs write failures). */
  private problem(what: string, error: unknown): void {
    const line = `${what} failed: ${error instanceof Error ? error.message : String(error)}`;
    if (this.lastProblem.get(what) === line) return;
    this.lastProblem.set(what, line);
    if (!isStoreIoError(error)) this.options.onProblem(line);
  }

  private solved(what: string): void {
    this.lastProblem.delete(what);
  }
}
