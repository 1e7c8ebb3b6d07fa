/**
 * The commit log: every message of every topic, as RocketMQ message records, in segment files
 * (spec §1). This file is the writer's algorithm (§1.7):
 *
 * - a record (or a whole batch) goes to the current segment only if `length + 8 <= spaceLeft`;
 *   otherwise the segment is closed with a blank record `[i32 spaceLeft][i32 0xCBD43194]` + zeros,
 *   and the record starts the next segment;
 * - QUEUEOFFSET comes from a per `(topic, queueId)` counter, which is not advanced (and 0 is
 *   written) for PREPARED and ROLLBACK transaction records;
 * - PHYSICALOFFSET is where the record starts; STORETIMESTAMP is taken at append, the same for
 *   every record of a batch;
 * - a topic deletion record (topic-deletion.ts) is appended with `forgetQueueOffsetsOf`: the
 *   topic's counters are dropped in the same step, so its next record has queue offset 0.
 *
 * Appending is synchronous once the unwritten-bytes limit allows it, so offsets are assigned in
 * one uninterrupted step (JavaScript's single thread is RocketMQ's put-message lock).
 * Replicated bytes from a master (`appendReplicated`) bypass all of this: they are copied verbatim.
 *
 * Asserted (programmer errors): every append starts where the log ended and ends `total` bytes
 * later; a batch's records add up to the bytes written. With `verifyRecords` (stress tests), every
 * appended record is read back from the log and must decode to the offsets it was given.
 */
import { SkiffError, assert, fail } from "../core/errors.ts";
import { viewOf } from "../core/bytes.ts";
import type { Clock } from "../core/platform.ts";
import { recordFits, writeBlankRecord } from "../codec/blank-record.ts";
import { encodeOffsetMsgId } from "../codec/message-id.ts";
import { decodeMessageRecord } from "../codec/message-record-decode.ts";
import { MessageLimitCode, RECORD_OVERHEAD_MAX_BYTES } from "../codec/message-limits.ts";
import { patchMessageRecord, prepareMessageRecord, writeMessageRecord, type MessageRecordFields, type PreparedRecord } from "../codec/message-record.ts";
import { TransactionType, transactionTypeOf } from "../codec/sys-flag.ts";
import type { SegmentedLog } from "./segmented-log.ts";

/** A message as the store receives it: everything but the offsets and the store timestamp. */
export type RecordInput = Omit<MessageRecordFields, "queueOffset" | "physicalOffset" | "storeTimestamp">;

export interface AppendedRecord {
  readonly physicalOffset: number;
  readonly size: number;
  readonly queueOffset: number;
  readonly msgId: string;
}

export interface AppendResult {
  readonly records: readonly AppendedRecord[];
  /** Offset just past the last record: what a flush or a slave ack must reach. */
  readonly endOffset: number;
  readonly storeTimestamp: number;
}

export interface CommitLogOptions {
  readonly log: SegmentedLog;
  readonly clock: Clock;
  readonly maxMessageSizeBytes: number;
  /** Reads every appended record back and asserts it decodes to what was written (stress tests). */
  readonly verifyRecords?: boolean;
}

export class CommitLog {
  readonly log: SegmentedLog;
  private readonly clock: Clock;
  private readonly maxMessageSizeBytes: number;
  private readonly verifyRecords: boolean;
  /** Next queue offset per `topic-queueId` (RocketMQ 4.9's topicQueueTable). */
  private readonly queueOffsets = new Map<string, number>();
  private lastStoreTimestampValue = 0;
  private readonly appendListeners = new Set<(endOffset: number) => void>();

  constructor(options: CommitLogOptions) {
    this.log = options.log;
    this.clock = options.clock;
    this.maxMessageSizeBytes = options.maxMessageSizeBytes;
    this.verifyRecords = options.verifyRecords ?? false;
  }

  get maxOffset(): number {
    return this.log.maxOffset;
  }
  get minOffset(): number {
    return this.log.minOffset;
  }
  get lastStoreTimestamp(): number {
    return this.lastStoreTimestampValue;
  }

  /** Sets the next queue offset of a queue (after recovery, or when a slave becomes master). */
  setNextQueueOffset(topic: string, queueId: number, next: number): void {
    this.queueOffsets.set(`${topic}-${queueId}`, next);
  }

  nextQueueOffset(topic: string, queueId: number): number {
    return this.queueOffsets.get(`${topic}-${queueId}`) ?? 0;
  }

  clearQueueOffsets(): void {
    this.queueOffsets.clear();
  }

  /** Drops the counters of every queue of `topic` (keys are `<topic>-<queueId>`). */
  private forgetQueueOffsetsOf(topic: string): void {
    const prefix = `${topic}-`;
    for (const key of [...this.queueOffsets.keys()]) {
      if (key.startsWith(prefix) && /^\d+$/.test(key.slice(prefix.length))) this.queueOffsets.delete(key);
    }
  }

  /** Called synchronously after every append (own or replicated) with the new end offset. */
  onAppend(listener: (endOffset: number) => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  private appended(): void {
    const end = this.log.maxOffset;
    for (const listener of this.appendListeners) listener(end);
  }

  /**
   * Appends one message or one batch (all records land in the same segment, consecutively).
   * Validation errors (`SkiffError`, MESSAGE_ILLEGAL codes) are thrown before anything is written.
   * `forgetQueueOffsetsOf`: a topic whose queue counters are dropped right after these records
   * are placed, in the same synchronous step (a topic deletion record: topic-deletion.ts).
   */
  async append(inputs: readonly RecordInput[], options: { forgetQueueOffsetsOf?: string } = {}): Promise<AppendResult> {
    const prepared = inputs.map((input) =>
      prepareMessageRecord({ ...input, queueOffset: 0, physicalOffset: 0, storeTimestamp: 0 }, { maxBodySizeBytes: this.maxMessageSizeBytes }),
    );
    const total = prepared.reduce((sum, p) => sum + p.totalSize, 0);
    if (total > this.maxMessageSizeBytes + RECORD_OVERHEAD_MAX_BYTES) {
      throw new SkiffError(MessageLimitCode.MESSAGE_SIZE_EXCEEDED, `the batch stores as ${total} bytes, more than maxMessageSize ${this.maxMessageSizeBytes} + ${RECORD_OVERHEAD_MAX_BYTES}: send it in smaller batches`);
    }
    if (!recordFits(total, 0, this.log.segmentSizeBytes)) {
      throw new SkiffError(MessageLimitCode.MESSAGE_SIZE_EXCEEDED, `${total} bytes do not fit in a ${this.log.segmentSizeBytes}-byte commit-log segment`);
    }
    await this.log.waitForCapacity();
    const result = this.appendPrepared(prepared, total);
    if (options.forgetQueueOffsetsOf !== undefined) this.forgetQueueOffsetsOf(options.forgetQueueOffsetsOf);
    if (this.verifyRecords) await this.verifyAppended(result);
    return result;
  }

  /** The synchronous part of `append`: no await between choosing offsets and copying bytes. */
  private appendPrepared(prepared: readonly PreparedRecord[], total: number): AppendResult {
    const segmentSize = this.log.segmentSizeBytes;
    if (!recordFits(total, this.log.maxOffset % segmentSize, segmentSize)) {
      const blank = new Uint8Array(this.log.spaceLeftInSegment());
      writeBlankRecord(blank, 0, blank.byteLength);
      this.log.append(blank);
    }
    const storeTimestamp = Math.max(this.clock.now(), 0);
    const base = this.log.maxOffset;
    if (!recordFits(total, base % segmentSize, segmentSize)) fail(`a ${total}-byte append fits the segment at ${base}`);
    const records: AppendedRecord[] = [];
    const advanced = new Map<string, number>();
    // The records are encoded straight into the log's tail (its block cache), then given their offsets.
    const start = this.log.appendWith(total, (target, from) => {
      const view = viewOf(target);
      let at = 0;
      for (const p of prepared) {
        const key = `${p.fields.topic}-${p.fields.queueId}`;
        const countsInQueue = isQueued(p.sysFlag);
        const queueOffset = countsInQueue ? (advanced.get(key) ?? this.queueOffsets.get(key) ?? 0) : 0;
        if (countsInQueue) advanced.set(key, queueOffset + 1);
        const physicalOffset = base + at;
        writeMessageRecord(target, from + at, p, view);
        patchMessageRecord(target, from + at, { queueOffset, physicalOffset, storeTimestamp }, view);
        records.push({ physicalOffset, size: p.totalSize, queueOffset, msgId: encodeOffsetMsgId(p.fields.storeHost, physicalOffset) });
        at += p.totalSize;
      }
      if (at !== total) fail(`the batch's records add up to ${at} bytes, not the ${total} measured`);
    });
    if (!(start === base && this.log.maxOffset === base + total)) fail(`an append at ${base} continues the log and ends ${total} bytes later`);
    for (const [key, next] of advanced) this.queueOffsets.set(key, next);
    this.lastStoreTimestampValue = storeTimestamp;
    this.appended();
    return { records, endOffset: base + total, storeTimestamp };
  }

  /**
   * A slave's append: `bytes` are a master's commit-log bytes for `[offset, offset + length)`,
   * copied verbatim. They continue this log exactly (the replica checks that first: replica.ts);
   * segments are split where they end.
   */
  async appendReplicated(offset: number, bytes: Uint8Array): Promise<void> {
    if (offset !== this.log.maxOffset) fail(`replicated bytes start at ${offset}, but this log ends at ${this.log.maxOffset}`);
    let done = 0;
    while (done < bytes.byteLength) {
      await this.log.waitForCapacity();
      const n = Math.min(bytes.byteLength - done, this.log.spaceLeftInSegment());
      this.log.append(bytes.subarray(done, done + n));
      done += n;
    }
    assert(this.log.maxOffset === offset + bytes.byteLength, "replicated bytes end the log");
    this.appended();
  }

  /** Record written = record read back: each record decodes to the offsets it was given. */
  private async verifyAppended(result: AppendResult): Promise<void> {
    for (const written of result.records) {
      const back = decodeMessageRecord(await this.log.read(written.physicalOffset, written.size), 0, { readBody: true, checkCrc: true });
      if (back.kind !== "message") fail(`the record appended at ${written.physicalOffset} reads back as ${back.kind}`);
      assert(
        back.totalSize === written.size && back.physicalOffset === written.physicalOffset && back.queueOffset === written.queueOffset && back.storeTimestamp === result.storeTimestamp,
        `the record appended at ${written.physicalOffset} reads back with other offsets`,
      );
    }
  }

  /**
   * Raw bytes from `offset` up to `maxBytes`, below `limit` (what may leave this node: see
   * replication-source.ts), never across a segment end: what an HA frame carries. Empty when
   * `offset` is at (or beyond) the limit or before the first segment.
   */
  async readForTransfer(offset: number, maxBytes: number, limit: number): Promise<Uint8Array> {
    assert(limit <= this.log.maxOffset, "a transfer never reads beyond the appended log");
    const max = limit;
    if (offset >= max || offset < this.log.minOffset) return new Uint8Array(0);
    const segmentEnd = offset - (offset % this.log.segmentSizeBytes) + this.log.segmentSizeBytes;
    const length = Math.min(maxBytes, max - offset, segmentEnd - offset);
    return this.log.read(offset, length);
  }

  /** One stored record's bytes (`size` from its consume-queue entry). */
  readRecord(physicalOffset: number, size: number): Promise<Uint8Array> {
    return this.log.read(physicalOffset, size);
  }
}

/** PREPARED and ROLLBACK records never enter a consume queue (spec §1.7 step 4). */
export function isQueued(sysFlag: number): boolean {
  const type = transactionTypeOf(sysFlag);
  return type === TransactionType.NOT_TYPE || type === TransactionType.COMMIT;
}
