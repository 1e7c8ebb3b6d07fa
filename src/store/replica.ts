/**
 * What a slave's HA client (and a broker switching roles) may do with its store: the replica (a
 * narrow face of the store, the slave's twin of replication-source.ts), so the HA code never
 * reaches into the commit log, the consume queues or the dispatcher.
 *
 * **The continuity rule** (`checkContinuity`, the one place it is written; the HA client's stream
 * verifier and the store's append both apply it):
 *
 * | the receiving log              | replicated bytes may start at                                   |
 * |--------------------------------|-----------------------------------------------------------------|
 * | holds a segment (`logEnd` set) | exactly its end (`HA_OFFSET_MISMATCH` otherwise)                |
 * | empty (`logEnd` null)          | any segment start (a non-negative multiple of the segment size) whose whole segment is a safe-integer range (`HA_OFFSET_ILLEGAL` otherwise): a master may begin a new slave at its last segment |
 *
 * An empty log that takes a first offset other than its own end is reset to start there (its
 * consume queues are empty too). `restartAt` empties a log (and its queues and index) on purpose:
 * a slave whose master no longer holds what it needs next starts over at the master's first segment. Bytes are copied as they are: the caller verifies them first
 * (ha/replica-stream.ts).
 */
import { SkiffError, assert, fail } from "../core/errors.ts";
import type { CommitLog } from "./commit-log.ts";
import type { ConsumeQueueTable } from "./consume-queue-table.ts";
import type { Dispatcher } from "./dispatcher.ts";
import { LogOffsets, type StoreOffsets } from "./store-offsets.ts";
import type { Logger } from "../core/log.ts";

export interface Replica extends StoreOffsets {
  readonly segmentSizeBytes: number;
  /** The largest message body this store accepts (`maxMessageSize`, the same on master and slave). */
  readonly maxMessageSizeBytes: number;
  /** Where the next replicated bytes must start; null while the log holds no segment (see the rule above). */
  readonly logEnd: number | null;
  /** Bytes `[offset, offset + length)` of the log, within one segment, below `maxOffset`. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Resolves once `writtenOffset >= offset`; rejects with the write failure while writes fail. */
  waitWritten(offset: number): Promise<void>;
  /**
   * Appends a master's bytes at `offset` (which must satisfy the continuity rule; the store is left
   * as it was otherwise). Resolves once they are handed to the OS, or with `waitWritten: false`
   * once they are in the log's memory (then the caller acks from `writtenOffset`), so an ack sent
   * afterwards survives a crash of this process.
   */
  appendReplicated(offset: number, bytes: Uint8Array, options?: { waitWritten?: boolean }): Promise<void>;
  /**
   * A diverged slave's recovery: drops every byte at or beyond `offset` (a record start within the
   * log) from the commit log and the consume queues. Resolves with the number of bytes dropped.
   */
  truncate(offset: number): Promise<number>;
  /**
   * A slave that starts over (its master no longer holds what it needs next): discards the whole
   * commit log, every consume queue and the message index, and leaves an empty log at `offset`,
   * which must be a segment start (the master's first segment). The next replicated bytes start
   * there (the continuity rule for an empty log). Resolves with the range of the log dropped.
   */
  restartAt(offset: number): Promise<{ readonly from: number; readonly to: number }>;
  /**
   * Dispatches every whole record, then drops an unfinished record at the log's end (a slave that
   * stopped following mid-frame, before following again or becoming master: a master must not
   * append after half a record). Resolves with the number of bytes dropped.
   */
  dropUnfinishedTail(): Promise<number>;
}

/**
 * The continuity rule (see the table above): throws unless bytes at `offset` may follow a log (or
 * a stream of replicated bytes) ending at `logEnd`, null when it holds nothing yet.
 */
export function checkContinuity(logEnd: number | null, offset: number, segmentSizeBytes: number): void {
  if (logEnd !== null) {
    if (offset !== logEnd) throw new SkiffError("HA_OFFSET_MISMATCH", `master pushed offset ${offset}, not equal to the slave's max offset ${logEnd}`);
    return;
  }
  if (offset < 0 || offset % segmentSizeBytes !== 0) {
    throw new SkiffError("HA_OFFSET_ILLEGAL", `master pushed first offset ${offset} to an empty slave: not a segment start (a multiple of ${segmentSizeBytes}); refusing it`);
  }
  if (!Number.isSafeInteger(offset + segmentSizeBytes)) {
    throw new SkiffError("HA_OFFSET_ILLEGAL", `master pushed first offset ${offset} to an empty slave: its segment ends beyond 2^53; refusing it`);
  }
}

export interface CommitLogReplicaParts {
  readonly commitLog: CommitLog;
  readonly queues: ConsumeQueueTable;
  readonly dispatcher: Dispatcher;
  /** The message index, when there is one (`restartAt` empties it). */
  readonly index?: { clear(): Promise<void> };
  readonly maxMessageSizeBytes: number;
  readonly log: Logger;
  /** Throws STORE_CLOSED once the store is shut down. */
  readonly assertOpen: () => void;
}

/** The replica of a `MessageStore` (`store.replica`). */
export class CommitLogReplica extends LogOffsets implements Replica {
  readonly maxMessageSizeBytes: number;
  private readonly parts: CommitLogReplicaParts;

  constructor(parts: CommitLogReplicaParts) {
    super(parts.commitLog.log, parts.dispatcher);
    this.parts = parts;
    this.maxMessageSizeBytes = parts.maxMessageSizeBytes;
  }

  get segmentSizeBytes(): number {
    return this.log.segmentSizeBytes;
  }
  get logEnd(): number | null {
    return this.log.segmentStarts.length === 0 ? null : this.log.maxOffset;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return this.log.read(offset, length);
  }

  waitWritten(offset: number): Promise<void> {
    return this.log.waitWritten(offset);
  }

  async appendReplicated(offset: number, bytes: Uint8Array, options: { waitWritten?: boolean } = {}): Promise<void> {
    this.parts.assertOpen();
    const logEnd = this.logEnd;
    checkContinuity(logEnd, offset, this.segmentSizeBytes);
    if (logEnd === null && offset !== this.log.maxOffset) {
      await this.log.resetTo(offset);
      this.dispatcher.startAt(offset);
      assert(this.log.maxOffset === offset && this.log.writtenOffset === offset, "a reset log starts empty at the master's offset");
    }
    await this.parts.commitLog.appendReplicated(offset, bytes);
    void this.dispatcher.wake();
    if (options.waitWritten !== false) await this.log.waitWritten(offset + bytes.byteLength);
  }

  async truncate(offset: number): Promise<number> {
    this.parts.assertOpen();
    await this.dispatcher.wake();
    const end = this.log.maxOffset;
    if (!(offset >= this.log.minOffset && offset <= end)) fail(`truncate offset ${offset} outside the log`);
    await this.log.truncateTo(offset);
    await this.parts.queues.truncateFrom(offset);
    this.dispatcher.startAt(Math.min(this.dispatcher.dispatchedOffset, offset));
    this.parts.log.warn(`truncated the commit log to ${offset} to follow the master again: dropped [${offset}, ${end}), ${end - offset} bytes`);
    return end - offset;
  }

  async restartAt(offset: number): Promise<{ readonly from: number; readonly to: number }> {
    this.parts.assertOpen();
    checkContinuity(null, offset, this.segmentSizeBytes);
    await this.log.waitWritten(this.log.maxOffset).catch(() => undefined); // what cannot be written is dropped anyway
    await this.dispatcher.wake();
    const dropped = { from: this.log.minOffset, to: this.log.maxOffset };
    await this.log.resetTo(offset);
    this.dispatcher.startAt(offset);
    this.parts.commitLog.clearQueueOffsets();
    await this.parts.queues.deleteAll();
    await this.parts.index?.clear();
    assert(this.log.segmentStarts.length === 0 && this.log.maxOffset === offset, "a restarted log is empty at the offset given");
    this.parts.log.warn(`discarded the commit log [${dropped.from}, ${dropped.to}), the consume queues and the message index: the log starts again, empty, at ${offset}`);
    return dropped;
  }

  async dropUnfinishedTail(): Promise<number> {
    await this.log.waitWritten(this.log.maxOffset); // only written bytes are dispatched
    await this.dispatcher.wake();
    const stall = this.dispatcher.stalledBecause;
    if (stall !== null) throw new SkiffError("STORE_IO_FAILED", `the consume queues cannot be written (${stall}); try again once writes succeed`, { retriable: true });
    const end = this.log.maxOffset;
    const whole = this.dispatcher.dispatchedOffset;
    if (whole >= end) return 0;
    if (!(whole >= this.log.minOffset)) fail(`the dispatched offset ${whole} lies within the log`);
    await this.log.truncateTo(whole);
    await this.parts.queues.truncateFrom(whole);
    this.parts.log.warn(`dropped an unfinished record at the end of the commit log: [${whole}, ${end})`);
    return end - whole;
  }
}
