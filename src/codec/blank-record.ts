/**
 * The end-of-file BLANK record of a commit-log segment (`CommitLog.BLANK_MAGIC_CODE`):
 *
 * | offset | field     | type | value                                          |
 * |--------|-----------|------|------------------------------------------------|
 * | 0      | TOTALSIZE | i32  | maxBlank = segmentSize - position (>= 8)       |
 * | 4      | MAGICCODE | i32  | 0xCBD43194 (= -875286124)                      |
 * | 8      | padding   | -    | up to the segment end; zeros in a fresh file   |
 *
 * A record of length L at segment position pos fits only if L + 8 <= segmentSize - pos, so a
 * segment never ends exactly on a record boundary: there is always a blank of >= 8 bytes.
 */
import { assert } from "../core/errors.ts";
import { viewOf } from "../core/bytes.ts";

export const BLANK_MAGIC_CODE = 0xcbd43194 | 0;
export const END_FILE_MIN_BLANK_LENGTH = 8;

/** True when a record (or whole batch) of `recordLength` bytes fits at `position` of its segment. */
export function recordFits(recordLength: number, position: number, segmentSizeBytes: number): boolean {
  return recordLength + END_FILE_MIN_BLANK_LENGTH <= segmentSizeBytes - position;
}

/** Writes the 8-byte blank header at `target[at]`; `remainingBytes` = segment size - position. */
export function writeBlankRecord(target: Uint8Array, at: number, remainingBytes: number): void {
  assert(Number.isInteger(remainingBytes) && remainingBytes >= END_FILE_MIN_BLANK_LENGTH && remainingBytes <= 0x7fffffff,
    `blank record length must be an i32 >= 8, got ${remainingBytes}`);
  assert(at >= 0 && at + END_FILE_MIN_BLANK_LENGTH <= target.length, "blank record does not fit in the target");
  const view = viewOf(target);
  view.setInt32(at, remainingBytes);
  view.setInt32(at + 4, BLANK_MAGIC_CODE);
}

/** The 8-byte blank header alone (the padding is whatever the segment already holds). */
export function encodeBlankRecord(remainingBytes: number): Uint8Array {
  const out = new Uint8Array(END_FILE_MIN_BLANK_LENGTH);
  writeBlankRecord(out, 0, remainingBytes);
  return out;
}
