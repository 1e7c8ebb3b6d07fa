/**
 * The slave's verifier of replicated bytes: turns the bodies of a master's transfer frames into
 * whole, verified commit-log records, so a slave stores and acks nothing else (spec §1.2, §1.6,
 * §1.10, §4.3, §4.5).
 *
 * Frames are not record-aligned (a 32 KiB frame ends mid-record), so the record a frame leaves
 * unfinished is carried in memory until the next frames complete it. The carry holds one record at
 * most, and a record is at most `maxRecordBytes` (`maxMessageSize` + 64 KiB, Java's whole-record cap;
 * a blank at most that + 8): the 8-byte head of a record is checked as soon as it is in, so garbage
 * is refused before anything is buffered for it.
 *
 * A record is accepted only when, at the offset `at` where it would land (`pos` = `at` % segment):
 *
 * | kind    | rule                                                                                  |
 * |---------|---------------------------------------------------------------------------------------|
 * | message | MAGIC V1/V2; 91+ <= TOTALSIZE <= maxRecordBytes; TOTALSIZE + 8 <= segment - pos (it   |
 * |         | leaves room for the blank, as every RocketMQ writer does); field lengths add up; BODYCRC |
 * |         | matches; PHYSICALOFFSET = `at`; QUEUEOFFSET a non-negative safe integer; topic and     |
 * |         | queue id pass the API's rules (`queuePathProblem`: they name directories)              |
 * | blank   | MAGIC 0xCBD43194 and TOTALSIZE = segment - pos exactly (it closes the segment)          |
 *
 * The first offset follows the continuity rule of store/replica.ts: a slave with a log expects
 * exactly its end; an empty slave (`logEnd: null`) takes the master's first offset only at a
 * segment start (whose whole segment is a safe-integer range), and only once a verified record
 * starts there (its PHYSICALOFFSET must say so). A heartbeat on an empty slave pins that offset
 * for the data that follows.
 *
 * Any violation throws `SkiffError` (`HA_OFFSET_MISMATCH`, `HA_OFFSET_ILLEGAL`, `HA_RECORD_INVALID`);
 * the caller closes the connection, and a new connection starts a new stream at the log's end (the
 * carry is dropped: the master sends those bytes again from the re-reported offset).
 */
import { SkiffError, assert } from "../core/errors.ts";
import { viewOf } from "../core/bytes.ts";
import { BLANK_MAGIC_CODE, END_FILE_MIN_BLANK_LENGTH, recordFits } from "../codec/blank-record.ts";
import { RECORD_OVERHEAD_MAX_BYTES, queuePathProblem } from "../codec/message-limits.ts";
import { decodeRecordMeta } from "../codec/message-record-decode.ts";
import { MESSAGE_MAGIC_V1, MESSAGE_MAGIC_V2, messageRecordLength } from "../codec/message-record.ts";
import { checkContinuity } from "../store/replica.ts";

export { RECORD_OVERHEAD_MAX_BYTES };
const HEAD_BYTES = 8;
const MIN_MESSAGE_BYTES = messageRecordLength(0, 0, 0, 0, MESSAGE_MAGIC_V1);

export interface ReplicaStreamOptions {
  readonly segmentSizeBytes: number;
  /** The largest message record accepted (and carried): `maxMessageSize` + 64 KiB. */
  readonly maxRecordBytes: number;
  /** Where the slave's log ends, or null when it has no segment yet. */
  readonly logEnd: number | null;
}

/** Verified whole records, to be appended at `offset`. */
export interface VerifiedRecords {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

export class ReplicaStream {
  private readonly segmentSizeBytes: number;
  private readonly maxRecordBytes: number;
  /** Offset of the next byte the master must send; null until an empty slave's first frame. */
  private expected: number | null;
  /** The unfinished record: its bytes so far, starting at `expected - carryFilled`. */
  private carry: Uint8Array | null = null;
  private carryFilled = 0;
  private readonly head = new Uint8Array(HEAD_BYTES);

  constructor(options: ReplicaStreamOptions) {
    this.segmentSizeBytes = options.segmentSizeBytes;
    this.maxRecordBytes = options.maxRecordBytes;
    this.expected = options.logEnd;
    assert(Number.isSafeInteger(this.segmentSizeBytes) && this.segmentSizeBytes > HEAD_BYTES, "segment size must be a safe integer > 8");
    assert(Number.isSafeInteger(this.maxRecordBytes) && this.maxRecordBytes >= MIN_MESSAGE_BYTES, "maxRecordBytes is below the smallest record");
  }

  /** The offset the next frame must start at (log end + carried bytes), null for an empty slave. */
  get expectedOffset(): number | null {
    return this.expected;
  }

  /** Bytes of an unfinished record held in memory. */
  get carriedBytes(): number {
    return this.carryFilled;
  }

  /**
   * Checks a frame's offset (also for a header whose body is still on its way) against the
   * continuity rule (store/replica.ts), the carried bytes included; throws if wrong.
   */
  checkOffset(offset: number): void {
    checkContinuity(this.expected, offset, this.segmentSizeBytes);
  }

  /**
   * Takes one frame: the whole records it completed (none for a heartbeat), in log order, and the
   * reason it was refused, if it was. Records before the first bad one are still returned (they
   * are whole and valid); nothing after it is, and the stream must not be used again.
   */
  push(offset: number, body: Uint8Array): { records: VerifiedRecords[]; refused: SkiffError | null } {
    const records: VerifiedRecords[] = [];
    try {
      this.checkOffset(offset);
      this.expected = offset;
      this.walk(offset, body, records);
      this.expected = offset + body.length;
      return { records, refused: null };
    } catch (error) {
      if (!(error instanceof SkiffError)) throw error;
      this.expected = Number.NaN; // unusable from here on
      return { records, refused: error };
    }
  }

  private walk(offset: number, body: Uint8Array, out: VerifiedRecords[]): void {
    let i = this.carryFilled > 0 ? this.fillCarry(body, 0, out) : 0;
    const view = viewOf(body);
    const runStart = i;
    try {
      while (body.length - i >= HEAD_BYTES) {
        const size = this.checkHead(view, i, offset + i);
        if (body.length - i < size) break;
        this.checkWhole(body, view, i, size, offset + i);
        i += size;
      }
    } finally {
      // Whole records in a row form one run (one append), also when a later one was refused.
      if (i > runStart) out.push({ offset: offset + runStart, bytes: body.subarray(runStart, i) });
    }
    if (i < body.length) this.fillCarry(body, i, out);
  }

  /** Copies bytes of the unfinished record from `body[i]`; emits it once whole. Returns the new index. */
  private fillCarry(body: Uint8Array, i: number, out: VerifiedRecords[]): number {
    const start = this.expected! + i - this.carryFilled;
    if (this.carry === null) {
      const take = Math.min(HEAD_BYTES - this.carryFilled, body.length - i);
      this.head.set(body.subarray(i, i + take), this.carryFilled);
      this.carryFilled += take;
      i += take;
      if (this.carryFilled < HEAD_BYTES) return i;
      const size = this.checkHead(viewOf(this.head), 0, start);
      this.carry = new Uint8Array(size);
      this.carry.set(this.head);
    }
    const carry = this.carry;
    const take = Math.min(carry.length - this.carryFilled, body.length - i);
    carry.set(body.subarray(i, i + take), this.carryFilled);
    this.carryFilled += take;
    i += take;
    if (this.carryFilled < carry.length) return i;
    this.checkWhole(carry, viewOf(carry), 0, carry.length, start);
    out.push({ offset: start, bytes: carry });
    this.carry = null;
    this.carryFilled = 0;
    return i;
  }

  /** Checks TOTALSIZE and MAGIC of the record at `bytes[i]` (landing at `at`); returns TOTALSIZE. */
  private checkHead(view: DataView, i: number, at: number): number {
    const size = view.getInt32(i);
    const magic = view.getInt32(i + 4);
    const position = at % this.segmentSizeBytes;
    const left = this.segmentSizeBytes - position;
    if (magic === BLANK_MAGIC_CODE) {
      if (size !== left) throw invalid(at, `blank record of ${size} bytes does not end its segment (${left} bytes left)`);
      if (size > this.maxRecordBytes + END_FILE_MIN_BLANK_LENGTH) {
        throw invalid(at, `blank record of ${size} bytes is longer than any record this slave accepts leaves (maxMessageSize must be the same on master and slave)`);
      }
      return size;
    }
    if (magic !== MESSAGE_MAGIC_V1 && magic !== MESSAGE_MAGIC_V2) throw invalid(at, `MAGICCODE 0x${(magic >>> 0).toString(16)} is not a record's`);
    if (size < MIN_MESSAGE_BYTES || size > this.maxRecordBytes) {
      throw invalid(at, `TOTALSIZE ${size} is outside ${MIN_MESSAGE_BYTES}..${this.maxRecordBytes} (maxMessageSize must be the same on master and slave)`);
    }
    if (!recordFits(size, position, this.segmentSizeBytes)) throw invalid(at, `a ${size}-byte record does not fit in the ${left} bytes left in its segment`);
    return size;
  }

  /** Checks the whole record `bytes[i, i + size)` that lands at `at` (its head already checked). */
  private checkWhole(bytes: Uint8Array, view: DataView, i: number, size: number, at: number): void {
    const record = decodeRecordMeta(bytes, i, { checkCrc: true, view, readProperties: false }); // its properties are not checked
    if (record.kind === "blank") return;
    if (record.kind !== "message") {
      throw invalid(at, record.kind === "invalid" ? `${record.reason}: ${record.detail}` : "record cut short");
    }
    if (record.physicalOffset !== at) throw invalid(at, `PHYSICALOFFSET says ${record.physicalOffset}`);
    if (record.queueOffset < 0) throw invalid(at, `QUEUEOFFSET ${record.queueOffset} is negative`);
    const path = queuePathProblem(record.topic, record.queueId);
    if (path !== null) throw invalid(at, path);
  }
}

function invalid(at: number, why: string): SkiffError {
  return new SkiffError("HA_RECORD_INVALID", `replicated record at offset ${at} refused: ${why}`);
}
