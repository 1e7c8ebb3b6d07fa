/**
 * Slave -> master offset report (classic HA, spec §4.2): the slave's commit-log max offset as one
 * big-endian i64, repeated, with no header and no length.
 *
 * | offset | field             | type |
 * |--------|-------------------|------|
 * | 0      | slaveMaxPhyOffset | i64  |
 *
 * Reads may split or coalesce reports. `OffsetReportDecoder.push(chunk)` returns every report the
 * chunk completed (only whole 8-byte values; a partial one waits for the next chunk). Java's master
 * acts only on the last complete value of each read: `lastOf(decoder.push(chunk))` (or
 * `decoder.pushLast(chunk)`). A negative or unsafe value throws `SkiffError("HA_REPORT_ILLEGAL")`;
 * the connection should then be closed, and the decoder keeps failing.
 */
import { SkiffError, assertSafeOffset } from "../../core/errors.ts";
import { tryReadI64, viewOf, writeI64 } from "../../core/bytes.ts";

export const OFFSET_REPORT_SIZE = 8;

export function writeOffsetReport(target: Uint8Array, at: number, offset: number, view: DataView = viewOf(target)): void {
  assertSafeOffset(offset, "reported offset");
  writeI64(view, at, offset);
}

export function encodeOffsetReport(offset: number): Uint8Array {
  const out = new Uint8Array(OFFSET_REPORT_SIZE);
  writeOffsetReport(out, 0, offset);
  return out;
}

/** The value Java's master keeps from one read: the last complete report, if any. */
export function lastOf(offsets: readonly number[]): number | undefined {
  return offsets.length > 0 ? offsets[offsets.length - 1] : undefined;
}

export class OffsetReportDecoder {
  private readonly partial = new Uint8Array(OFFSET_REPORT_SIZE);
  private readonly partialView = viewOf(this.partial);
  private filled = 0;
  private failure: SkiffError | null = null;

  /** Bytes of an incomplete report held from earlier chunks (0..7). */
  get pendingBytes(): number {
    return this.filled;
  }

  /** Bytes still needed to complete the report in progress (8 when none is). */
  get bytesNeeded(): number {
    return OFFSET_REPORT_SIZE - this.filled;
  }

  push(chunk: Uint8Array): number[] {
    if (this.failure !== null) throw this.failure;
    const offsets: number[] = [];
    let i = 0;
    if (this.filled > 0) {
      const take = Math.min(OFFSET_REPORT_SIZE - this.filled, chunk.length);
      this.partial.set(chunk.subarray(0, take), this.filled);
      this.filled += take;
      i = take;
      if (this.filled < OFFSET_REPORT_SIZE) return offsets;
      offsets.push(this.read(this.partialView, 0));
      this.filled = 0;
    }
    if (chunk.length - i >= OFFSET_REPORT_SIZE) {
      const view = viewOf(chunk);
      for (; i + OFFSET_REPORT_SIZE <= chunk.length; i += OFFSET_REPORT_SIZE) offsets.push(this.read(view, i));
    }
    if (i < chunk.length) {
      this.partial.set(chunk.subarray(i), 0);
      this.filled = chunk.length - i;
    }
    return offsets;
  }

  /** `lastOf(push(chunk))`. */
  pushLast(chunk: Uint8Array): number | undefined {
    return lastOf(this.push(chunk));
  }

  private read(view: DataView, at: number): number {
    const offset = tryReadI64(view, at);
    if (Number.isNaN(offset) || offset < 0) {
      this.failure = new SkiffError("HA_REPORT_ILLEGAL", `slave reported offset is negative or not a safe integer (bytes at ${at})`);
      throw this.failure;
    }
    return offset;
  }
}
