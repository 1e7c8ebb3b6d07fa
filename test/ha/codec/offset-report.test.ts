/**
 * Slave reports are 8-byte big-endian offsets: the real 4.9.7 slave's reports (and the cross-version
 * capture's) decode to the listed offsets whether pushed whole, one byte at a time, at random splits,
 * or exactly as the relay's recv() calls delivered them, where the master keeps the last of each read.
 * Negative or unsafe offsets fail with HA_REPORT_ILLEGAL, and the decoder stays failed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SkiffError } from "../../../src/core/errors.ts";
import { OffsetReportDecoder, encodeOffsetReport, lastOf } from "../../../src/ha/codec/offset-report.ts";
import { fixtureBytes, listedHaConversation, listedReads } from "../../support/fixtures.ts";

// Provenance: bytes a real 4.9.7 slave sent its master through a TCP relay (fixtures README, "Classic HA").
const CAPTURES = [
  { s2m: "v4.9.7-ha-s2m.bin", frames: "v4.9.7-ha-frames.txt", events: "v4.9.7-ha-events.txt", count: 20 },
  { s2m: "x-5.3.3master-4.9.7slave-ha-s2m.bin", frames: "x-5.3.3master-4.9.7slave-ha-frames.txt", events: "x-5.3.3master-4.9.7slave-ha-events.txt", count: 24 },
];

function pushAll(chunks: Iterable<Uint8Array>): number[] {
  const decoder = new OffsetReportDecoder();
  const out: number[] = [];
  for (const chunk of chunks) out.push(...decoder.push(chunk));
  assert.equal(decoder.pendingBytes, 0);
  return out;
}

function* randomSplits(bytes: Uint8Array, seed: number): Generator<Uint8Array> {
  let at = 0;
  while (at < bytes.length) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const size = seed % 20;
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

describe("offset reports", () => {
  for (const capture of CAPTURES) {
    it(`${capture.s2m}: ${capture.count} reports, first 0, as listed`, () => {
      const bytes = fixtureBytes(capture.s2m);
      const { reports } = listedHaConversation(capture.frames);
      const offsets = pushAll([bytes]);
      assert.equal(offsets.length, capture.count);
      assert.equal(offsets[0], 0);
      assert.deepEqual(offsets, reports);
      const reencoded = new Uint8Array(bytes.length);
      offsets.forEach((o, i) => reencoded.set(encodeOffsetReport(o), i * 8));
      assert.deepEqual(reencoded, bytes);
    });

    it(`${capture.s2m}: one byte at a time and random splits give the same reports`, () => {
      const bytes = fixtureBytes(capture.s2m);
      const whole = pushAll([bytes]);
      assert.deepEqual(pushAll(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))), whole);
      for (let seed = 1; seed <= 50; seed++) assert.deepEqual(pushAll(randomSplits(bytes, seed)), whole);
    });

    it(`${capture.s2m}: the master's "last of each read" over the relay's real reads`, () => {
      const bytes = fixtureBytes(capture.s2m);
      const reads = listedReads(capture.events, "s2m");
      assert.equal(reads.reduce((a, b) => a + b, 0), bytes.length);
      const decoder = new OffsetReportDecoder();
      const all = pushAll([bytes]);
      let at = 0;
      let seen = 0;
      for (const size of reads) {
        const last = decoder.pushLast(bytes.subarray(at, at + size));
        seen += size / 8;
        assert.equal(last, all[seen - 1]);
        at += size;
      }
      assert.ok(reads.some((size) => size > 8), "the capture has coalesced reports");
    });
  }

  it("keeps a partial value until its last byte arrives", () => {
    const decoder = new OffsetReportDecoder();
    const bytes = encodeOffsetReport(1351808);
    assert.deepEqual(decoder.push(bytes.subarray(0, 3)), []);
    assert.equal(decoder.pendingBytes, 3);
    assert.equal(decoder.bytesNeeded, 5);
    assert.deepEqual(decoder.push(bytes.subarray(3, 7)), []);
    assert.equal(lastOf(decoder.push(bytes.subarray(7))), 1351808);
    assert.equal(decoder.bytesNeeded, 8);
    assert.equal(lastOf([]), undefined);
    assert.equal(decoder.pushLast(new Uint8Array(0)), undefined);
  });

  it("rejects negative or unsafe offsets with HA_REPORT_ILLEGAL, then keeps failing", () => {
    const isCode = (e: unknown) => e instanceof SkiffError && e.code === "HA_REPORT_ILLEGAL";
    for (const fill of [0xff, 0x7f]) {
      const decoder = new OffsetReportDecoder();
      assert.throws(() => decoder.push(new Uint8Array(8).fill(fill)), isCode);
      assert.throws(() => decoder.push(encodeOffsetReport(0)), isCode);
    }
    assert.throws(() => encodeOffsetReport(-1), /assertion failed/);
  });
});
