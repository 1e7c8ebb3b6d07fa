/**
 * The end-of-segment blank record is `[i32 remaining][i32 0xCBD43194]`, byte-identical to the one a
 * real 4.9.7 broker wrote at the end of its first 1 MiB segment, and the decoder sees it as blank.
 * `recordFits` follows the spec rule L + 8 <= segmentSize - position.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BLANK_MAGIC_CODE, END_FILE_MIN_BLANK_LENGTH, encodeBlankRecord, recordFits, writeBlankRecord } from "../../src/codec/blank-record.ts";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { fixtureBytes } from "../support/fixtures.ts";

describe("blank record", () => {
  // Provenance: last 624 bytes of commitlog/00000000000000000000 of a real 4.9.7 master (file pos 1047952).
  it("decodes the real segment tail and re-encodes its header", () => {
    const tail = fixtureBytes("v4.9.7-seg0-tail-blank.bin");
    assert.equal(tail.length, 624);
    assert.deepEqual(decodeMessageRecord(tail), { kind: "blank", totalSize: 624 });
    assert.equal(1047952 + 624, 1048576);
    assert.deepEqual(encodeBlankRecord(624), tail.subarray(0, 8));
    assert.ok(tail.subarray(8).every((b) => b === 0), "padding is zeros in a fresh file");
    const rebuilt = new Uint8Array(624);
    writeBlankRecord(rebuilt, 0, 624);
    assert.deepEqual(rebuilt, tail);
  });

  it("has RocketMQ's constants", () => {
    assert.equal(BLANK_MAGIC_CODE, -875286124);
    assert.equal(END_FILE_MIN_BLANK_LENGTH, 8);
  });

  it("recordFits: L + 8 <= segmentSize - position", () => {
    assert.equal(recordFits(616, 1047952, 1048576), true);
    assert.equal(recordFits(617, 1047952, 1048576), false);
    assert.equal(recordFits(1048568, 0, 1048576), true);
    assert.equal(recordFits(1048569, 0, 1048576), false);
    assert.equal(recordFits(0, 1048568, 1048576), true);
    assert.equal(recordFits(1, 1048568, 1048576), false);
  });

  it("asserts on a blank shorter than 8 or outside the target", () => {
    assert.throws(() => encodeBlankRecord(7), /assertion failed/);
    assert.throws(() => writeBlankRecord(new Uint8Array(10), 3, 8), /assertion failed/);
  });
});
