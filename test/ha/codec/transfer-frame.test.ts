/**
 * Master-to-slave frames `[i64 offset][i32 size][body]` from real captures decode to the listed frames
 * (heartbeat first, then data; later heartbeats and live 205/255-byte records whose bodies decode as
 * CRC-correct records), identically when fed whole, one byte at a time, at random splits, or as the
 * relay's real reads — and a header is visible before its body arrives. Oversized, negative or
 * unsafe headers fail with HA_FRAME_TOO_LARGE / HA_FRAME_ILLEGAL and the decoder stays failed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SkiffError } from "../../../src/core/errors.ts";
import { viewOf, writeI64 } from "../../../src/core/bytes.ts";
import {
  DEFAULT_MAX_TRANSFER_BODY_BYTES, TRANSFER_HEADER_SIZE, TransferFrameDecoder, type TransferFrame, encodeTransferHeader,
} from "../../../src/ha/codec/transfer-frame.ts";
import { decodeMessageRecord } from "../../../src/codec/message-record-decode.ts";
import { fixtureBytes, listedHaConversation, listedReads } from "../../support/fixtures.ts";

// Provenance: master->slave bytes of real 4.9.7 (and 5.3.3-master/4.9.7-slave) HA sessions taken off
// a TCP relay; the *-frames.txt listings and *-events.txt relay logs come from the same captures.
const CAPTURES = [
  { prefix: "v4.9.7-ha", start: 1048576, firstRecord: 0x4ca },
  { prefix: "x-5.3.3master-4.9.7slave-ha", start: 2097152, firstRecord: 0x4fc },
];

function decodeAll(chunks: Iterable<Uint8Array>, decoder = new TransferFrameDecoder()): TransferFrame[] {
  const frames: TransferFrame[] = [];
  for (const chunk of chunks) frames.push(...decoder.push(chunk));
  return frames;
}

function bytewise(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
}

function randomSplits(bytes: Uint8Array, seed: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const size = seed % 300;
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

const comparable = (frames: TransferFrame[]) => frames.map((f) => ({ offset: f.offset, body: Array.from(f.body) }));

describe("transfer frames from real captures", () => {
  for (const { prefix, start, firstRecord } of CAPTURES) {
    it(`${prefix}-m2s-first4096: a heartbeat at ${start}, then the header [${start}][32768] waiting for its body`, () => {
      const bytes = fixtureBytes(`${prefix}-m2s-first4096.bin`);
      const decoder = new TransferFrameDecoder();
      const frames = decoder.push(bytes);
      assert.equal(frames.length, 1);
      assert.equal(frames[0].offset, start);
      assert.equal(frames[0].body.length, 0);
      assert.deepEqual(decoder.pendingHeader, { offset: start, bodySize: 32768 });
      assert.equal(decoder.bytesNeeded, 32768 - (4096 - 24));
      assert.deepEqual(encodeTransferHeader(start, 0), bytes.subarray(0, 12));
      assert.deepEqual(encodeTransferHeader(start, 32768), bytes.subarray(12, 24));
      const record = decodeMessageRecord(bytes, 24, { checkCrc: true });
      assert.ok(record.kind === "message" && record.physicalOffset === start && record.totalSize === firstRecord);
      for (const chunks of [bytewise(bytes), randomSplits(bytes, 3)]) {
        const again = new TransferFrameDecoder();
        assert.deepEqual(comparable(decodeAll(chunks, again)), comparable(frames));
        assert.deepEqual(again.pendingHeader, decoder.pendingHeader);
      }
    });

    it(`${prefix}-m2s-after-catchup: heartbeats and live frames as listed; bodies are whole records`, () => {
      const bytes = fixtureBytes(`${prefix}-m2s-after-catchup.bin`);
      const listing = listedHaConversation(`${prefix}-frames.txt`);
      const from = listing.m2sBytes - bytes.length;
      const expected = listing.frames.filter((f) => f.at >= from);
      const frames = decodeAll([bytes]);
      assert.deepEqual(frames.map((f) => ({ offset: f.offset, size: f.body.length })), expected.map(({ offset, size }) => ({ offset, size })));
      assert.ok(frames.some((f) => f.body.length === 0) && frames.filter((f) => f.body.length > 0).length === 2);
      for (const frame of frames.filter((f) => f.body.length > 0)) {
        const record = decodeMessageRecord(frame.body, 0, { checkCrc: true });
        assert.ok(record.kind === "message" && record.physicalOffset === frame.offset && record.totalSize === frame.body.length);
      }
      const whole = comparable(frames);
      assert.deepEqual(comparable(decodeAll(bytewise(bytes))), whole);
      for (let seed = 1; seed <= 30; seed++) assert.deepEqual(comparable(decodeAll(randomSplits(bytes, seed))), whole);
    });

    it(`${prefix}: replaying the relay's reads, each header is checked before its body`, () => {
      const bytes = fixtureBytes(`${prefix}-m2s-after-catchup.bin`);
      const listing = listedHaConversation(`${prefix}-frames.txt`);
      let cumulative = 0;
      const reads: number[] = [];
      for (const size of listedReads(`${prefix}-events.txt`, "m2s")) {
        if (cumulative >= listing.m2sBytes - bytes.length) reads.push(size);
        cumulative += size;
      }
      assert.equal(reads.reduce((a, b) => a + b, 0), bytes.length);
      const decoder = new TransferFrameDecoder();
      const frames: TransferFrame[] = [];
      let at = 0;
      let headersAhead = 0;
      for (const size of reads) {
        frames.push(...decoder.push(bytes.subarray(at, at + size)));
        at += size;
        if (decoder.pendingHeader !== null) headersAhead++;
      }
      assert.deepEqual(comparable(frames), comparable(decodeAll([bytes])));
      assert.equal(decoder.pendingHeader, null);
      assert.equal(headersAhead, 1, "one live frame header came in a read of its own, before its body");
    });
  }
});

describe("transfer frame decoder details", () => {
  it("reports a header as soon as its 12th byte arrives", () => {
    const body = Uint8Array.from({ length: 205 }, (_, i) => i);
    const bytes = new Uint8Array(12 + 205);
    bytes.set(encodeTransferHeader(1351603, 205));
    bytes.set(body, 12);
    const decoder = new TransferFrameDecoder();
    for (let i = 0; i < 11; i++) assert.deepEqual(decoder.push(bytes.subarray(i, i + 1)), []);
    assert.equal(decoder.pendingHeader, null);
    assert.equal(decoder.bytesNeeded, 1);
    assert.deepEqual(decoder.push(bytes.subarray(11, 12)), []);
    assert.deepEqual(decoder.pendingHeader, { offset: 1351603, bodySize: 205 });
    assert.deepEqual(decoder.push(bytes.subarray(12, 100)), []);
    assert.equal(decoder.bytesNeeded, 205 - 88);
    const [frame] = decoder.push(bytes.subarray(100));
    assert.equal(frame.offset, 1351603);
    assert.deepEqual(frame.body, body);
    assert.equal(decoder.pendingHeader, null);
  });

  it("bodies are views into one chunk by default and copies with copyBodies", () => {
    const bytes = new Uint8Array(12 + 4);
    bytes.set(encodeTransferHeader(8, 4));
    assert.equal(new TransferFrameDecoder().push(bytes)[0].body.buffer, bytes.buffer);
    const copied = new TransferFrameDecoder({ copyBodies: true }).push(bytes)[0].body;
    assert.notEqual(copied.buffer, bytes.buffer);
    assert.equal(copied.length, 4);
  });

  it("rejects oversized, negative and unsafe headers, then keeps failing", () => {
    const header = (offset: bigint, size: number) => {
      const bytes = new Uint8Array(TRANSFER_HEADER_SIZE);
      viewOf(bytes).setBigInt64(0, offset);
      viewOf(bytes).setInt32(8, size);
      return bytes;
    };
    const code = (c: string) => (e: unknown) => e instanceof SkiffError && e.code === c;
    const accepted = new TransferFrameDecoder();
    accepted.push(header(0n, DEFAULT_MAX_TRANSFER_BODY_BYTES));
    assert.deepEqual(accepted.pendingHeader, { offset: 0, bodySize: 4 * 1024 * 1024 - 12 });
    const cases: Array<[Uint8Array, string, number?]> = [
      [header(0n, DEFAULT_MAX_TRANSFER_BODY_BYTES + 1), "HA_FRAME_TOO_LARGE"],
      [header(0n, 0x7fffffff), "HA_FRAME_TOO_LARGE"],
      [header(0n, 205), "HA_FRAME_TOO_LARGE", 100],
      [header(0n, -1), "HA_FRAME_ILLEGAL"],
      [header(-12n, 0), "HA_FRAME_ILLEGAL"],
      [header(2n ** 60n, 0), "HA_FRAME_ILLEGAL"],
    ];
    for (const [bytes, c, maxBodyBytes] of cases) {
      const decoder = new TransferFrameDecoder({ maxBodyBytes });
      assert.throws(() => decoder.push(bytes), code(c));
      assert.throws(() => decoder.push(encodeTransferHeader(0, 0)), code(c));
    }
    const bytewiseDecoder = new TransferFrameDecoder();
    const bad = header(0n, -5);
    for (let i = 0; i < 11; i++) bytewiseDecoder.push(bad.subarray(i, i + 1));
    assert.throws(() => bytewiseDecoder.push(bad.subarray(11)), code("HA_FRAME_ILLEGAL"));
  });

  it("the header encoder writes into a target and asserts on bad values", () => {
    const bytes = new Uint8Array(12);
    writeI64(viewOf(bytes), 0, 1351808);
    assert.deepEqual(encodeTransferHeader(1351808, 0), bytes);
    assert.throws(() => encodeTransferHeader(-1, 0), /assertion failed/);
    assert.throws(() => encodeTransferHeader(0, -1), /assertion failed/);
  });
});
