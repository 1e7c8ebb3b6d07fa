/**
 * What a master's HA service may read of its store: the replication source (a narrow face of the
 * store, so the HA code never reaches into the commit log's internals).
 *
 * **Replication never runs ahead of what the master keeps.** Only bytes below `shippableOffset`
 * leave this node:
 *
 * | flushDiskType | shippableOffset          | why                                                      |
 * |---------------|--------------------------|----------------------------------------------------------|
 * | ASYNC_FLUSH   | written (handed to the OS) | a crash of the master *process* keeps every written byte, so a slave is never ahead of a restarted master; an ack costs one `write`, not an fsync. A power loss of the master can still lose written bytes: the reconnect checks below catch a slave left ahead. |
 * | SYNC_FLUSH    | flushed (fsync'd)        | the operator asked for power-loss durability; shipping only fsync'd bytes means a slave is never ahead of the master even after a power loss (SYNC_MASTER then waits for fsync + slave ack in sequence rather than side by side). |
 *
 * `recordBoundary(offset)` tells whether a slave's reported offset can be where this log's records
 * meet: a segment start, the log's end, or an offset holding a record header whose own
 * PHYSICALOFFSET field is that offset (or a blank record that ends exactly at the segment end).
 * A slave whose offset is no boundary, or lies beyond `shippableOffset`, did not get its bytes from
 * this log (a master that lost a tail in a power loss, a slave of another master) and is refused.
 *
 * Retention (retention.ts) moves `minOffset` up as it deletes the oldest segments, without waiting
 * for slaves (RocketMQ's choice): a transfer read below it is empty, and one that runs pins its
 * segment's file until it is done, so a frame never carries bytes of a half-deleted segment.
 */
import { assert, assertSafeOffset, fail } from "../core/errors.ts";
import { tryReadI64, viewOf } from "../core/bytes.ts";
import { BLANK_MAGIC_CODE, END_FILE_MIN_BLANK_LENGTH } from "../codec/blank-record.ts";
import { MESSAGE_MAGIC_V1, MESSAGE_MAGIC_V2, RecordOffset } from "../codec/message-record.ts";
import type { CommitLog } from "./commit-log.ts";
import type { FlushDiskType } from "./flush-service.ts";
import { segmentStartOf } from "./segment-name.ts";

export interface ReplicationSource {
  readonly minOffset: number;
  /** Appended (in memory); what a slave's lag is measured against. */
  readonly maxOffset: number;
  /** Bytes below this may be sent to a slave (see the table above). */
  readonly shippableOffset: number;
  readonly segmentSizeBytes: number;
  /** Raw bytes from `offset`, at most `maxBytes`, below `shippableOffset`, never across a segment end. */
  readForTransfer(offset: number, maxBytes: number): Promise<Uint8Array>;
  /** Bytes `[offset, offset + length)`, which must lie below `shippableOffset` in one segment. */
  read(offset: number, length: number): Promise<Uint8Array>;
  recordBoundary(offset: number): Promise<boolean>;
  /** Called (synchronously) whenever `shippableOffset` may have grown. */
  onShippable(listener: () => void): () => void;
}

/** The smallest record header that names its own start: TOTALSIZE..PHYSICALOFFSET. */
const BOUNDARY_PROBE_BYTES = RecordOffset.PHYSICAL_OFFSET + 8;

export class CommitLogReplicationSource implements ReplicationSource {
  private readonly commitLog: CommitLog;
  private readonly flushDiskType: FlushDiskType;

  constructor(commitLog: CommitLog, flushDiskType: FlushDiskType) {
    this.commitLog = commitLog;
    this.flushDiskType = flushDiskType;
  }

  get minOffset(): number {
    return this.commitLog.minOffset;
  }
  get maxOffset(): number {
    return this.commitLog.maxOffset;
  }
  get shippableOffset(): number {
    const log = this.commitLog.log;
    const shippable = this.flushDiskType === "SYNC_FLUSH" ? log.flushedOffset : log.writtenOffset;
    assert(shippable <= log.maxOffset, "shippable bytes are appended bytes");
    return shippable;
  }
  get segmentSizeBytes(): number {
    return this.commitLog.log.segmentSizeBytes;
  }

  readForTransfer(offset: number, maxBytes: number): Promise<Uint8Array> {
    return this.commitLog.readForTransfer(offset, maxBytes, this.shippableOffset);
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    if (!(offset >= this.minOffset && offset + length <= this.shippableOffset)) fail(`replication read [${offset}, +${length}) beyond the shippable log`);
    return this.commitLog.log.read(offset, length);
  }

  async recordBoundary(offset: number): Promise<boolean> {
    assertSafeOffset(offset, "boundary offset");
    const segmentSize = this.segmentSizeBytes;
    if (offset === this.maxOffset) return true;
    if (offset < this.minOffset || offset > this.shippableOffset) return false;
    if (offset % segmentSize === 0) return true;
    const segmentEnd = segmentStartOf(offset, segmentSize) + segmentSize;
    const length = Math.min(BOUNDARY_PROBE_BYTES, segmentEnd - offset, this.shippableOffset - offset);
    if (length < END_FILE_MIN_BLANK_LENGTH) return false;
    const header = await this.read(offset, length);
    const view = viewOf(header);
    const totalSize = view.getInt32(RecordOffset.TOTAL_SIZE);
    const magic = view.getInt32(RecordOffset.MAGIC);
    if (magic === BLANK_MAGIC_CODE) return offset + totalSize === segmentEnd;
    if (magic !== MESSAGE_MAGIC_V1 && magic !== MESSAGE_MAGIC_V2) return false;
    if (length < BOUNDARY_PROBE_BYTES || totalSize < BOUNDARY_PROBE_BYTES || offset + totalSize > segmentEnd) return false;
    return tryReadI64(view, RecordOffset.PHYSICAL_OFFSET) === offset;
  }

  onShippable(listener: () => void): () => void {
    return this.commitLog.log.onProgress(listener);
  }
}
