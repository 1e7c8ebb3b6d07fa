/**
 * Property-based bad input for both directions of the classic HA protocol: the slave's 8-byte
 * offset reports and the master's `[i64 offset][i32 size][body]` transfer frames, as push decoders.
 * Any stream (random, mutated, or the real 4.9.7/5.3.3 captures) gives the same frames or the same
 * stable error in every chunking as whole, an error is sticky, and garbage never makes a decoder
 * hold more than one header plus one body of at most its limit (an oversized length is refused at once).
 */
import { concatBytes } from "../../../src/core/bytes.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SkiffError } from "../../../src/core/errors.ts";
import { encodeOffsetReport, OFFSET_REPORT_SIZE, OffsetReportDecoder } from "../../../src/ha/codec/offset-report.ts";
import { encodeTransferHeader, TRANSFER_HEADER_SIZE, TransferFrameDecoder, type TransferFrame } from "../../../src/ha/codec/transfer-frame.ts";
import { fixtureBytes } from "../../support/fixtures.ts";
import { assertRefusal, chunking, mutate, mutations, RUNS, split } from "../../support/property.ts";

const REPORT_STREAMS = ["v4.9.7-ha-s2m.bin", "x-5.3.3master-4.9.7slave-ha-s2m.bin"].map(fixtureBytes);
const FRAME_STREAMS = ["v4.9.7-ha-m2s-first4096.bin", "v4.9.7-ha-m2s-after-catchup.bin", "x-5.3.3master-4.9.7slave-ha-m2s-first4096.bin", "x-5.3.3master-4.9.7slave-ha-m2s-after-catchup.bin"].map(fixtureBytes);

interface Outcome<T> {
  readonly items: T[];
  readonly error: string | null;
}

/** Feeds `chunks` in order, collecting items until the first error; checks the error is stable, one line and sticky. */
function feed<T>(push: (chunk: Uint8Array) => T[], chunks: readonly Uint8Array[], codes: readonly string[], afterEach: () => void): Outcome<T> {
  const items: T[] = [];
  for (const chunk of chunks) {
    try {
      items.push(...push(chunk));
    } catch (error) {
      assertRefusal(error, codes);
      assert.throws(() => push(new Uint8Array(1)), (again: unknown) => again instanceof SkiffError && again.code === error.code, "a failed decoder keeps failing");
      return { items, error: error.code };
    }
    afterEach();
  }
  return { items, error: null };
}

function frameCopy(frames: TransferFrame[]): Array<[number, number[]]> {
  return frames.map((f) => [f.offset, [...f.body]]);
}

const validReports = fc.array(fc.maxSafeNat(), { maxLength: 20 }).map((offsets) => ({ offsets, bytes: concatBytes(offsets.map(encodeOffsetReport)) }));

describe("offset report decoder (slave -> master), property-based", () => {
  const decodeAll = (chunks: Uint8Array[]) => {
    const decoder = new OffsetReportDecoder();
    return feed((c) => decoder.push(c), chunks, ["HA_REPORT_ILLEGAL"], () => assert.ok(decoder.pendingBytes < OFFSET_REPORT_SIZE));
  };

  it("decodes valid reports identically in any chunking", () => {
    fc.assert(fc.property(validReports, chunking, ({ offsets, bytes }, cuts) => {
      assert.deepEqual(decodeAll(split(bytes, cuts)), { items: offsets, error: null });
    }), { numRuns: RUNS });
  });

  it("gives any stream (random, mutated, the real captures) the same reports and error in any chunking, holding under 8 bytes", () => {
    const stream = fc.oneof(
      fc.uint8Array({ maxLength: 120 }),
      fc.tuple(fc.constantFrom(...REPORT_STREAMS), mutations).map(([s, m]) => mutate(s, m)),
      fc.tuple(validReports, mutations).map(([r, m]) => mutate(r.bytes, m)),
    );
    fc.assert(fc.property(stream, chunking, (bytes, cuts) => {
      const whole = decodeAll([bytes]);
      const chunked = decodeAll(split(bytes, cuts));
      assert.equal(chunked.error, whole.error);
      if (whole.error === null) assert.deepEqual(chunked.items, whole.items);
      // The whole-stream push returns nothing when it fails; the chunked one returns what came before.
      for (const offset of chunked.items) assert.ok(Number.isSafeInteger(offset) && offset >= 0);
      const reference = referenceReports(bytes);
      assert.deepEqual(chunked.items, reference.offsets.slice(0, chunked.items.length));
      assert.equal(chunked.error !== null, reference.bad);
    }), { numRuns: RUNS });
  });
});

/** What the reports in `bytes` are, read the obvious way: every whole 8-byte value, up to the first bad one. */
function referenceReports(bytes: Uint8Array): { offsets: number[]; bad: boolean } {
  const offsets: number[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 8 <= bytes.length; at += 8) {
    const value = Number(view.getBigInt64(at));
    if (!Number.isSafeInteger(value) || value < 0 || BigInt(value) !== view.getBigInt64(at)) return { offsets, bad: true };
    offsets.push(value);
  }
  return { offsets, bad: false };
}

const LIMIT = 512;
const frame = fc.record({ offset: fc.maxSafeNat(), body: fc.uint8Array({ maxLength: 200 }) });
const validFrames = fc.array(frame, { maxLength: 8 }).map((frames) => ({
  frames: frames.map((f) => [f.offset, [...f.body]] as [number, number[]]),
  bytes: concatBytes(frames.flatMap((f) => [encodeTransferHeader(f.offset, f.body.length), f.body])),
}));

describe("transfer frame decoder (master -> slave), property-based", () => {
  const decodeAll = (chunks: Uint8Array[], maxBodyBytes = LIMIT) => {
    const decoder = new TransferFrameDecoder({ maxBodyBytes });
    const outcome = feed((c) => decoder.push(c), chunks, ["HA_FRAME_ILLEGAL", "HA_FRAME_TOO_LARGE"], () => {
      const header = decoder.pendingHeader;
      const buffered = header === null ? TRANSFER_HEADER_SIZE - decoder.bytesNeeded : header.bodySize - decoder.bytesNeeded;
      assert.ok(buffered >= 0 && buffered <= maxBodyBytes, `decoder holds ${buffered} bytes, more than its ${maxBodyBytes}-byte limit`);
      if (header !== null) assert.ok(header.bodySize <= maxBodyBytes && header.offset >= 0, "no header beyond the limit is ever accepted");
    });
    return { items: frameCopy(outcome.items), error: outcome.error };
  };

  it("decodes valid frames identically in any chunking (bodies are views or copies, the bytes are the same)", () => {
    fc.assert(fc.property(validFrames, chunking, ({ frames, bytes }, cuts) => {
      assert.deepEqual(decodeAll(split(bytes, cuts)), { items: frames, error: null });
    }), { numRuns: RUNS });
  });

  it("gives any stream (random, mutated, the real captures) the same frames and error in any chunking, within the limit", () => {
    const stream = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(fc.constantFrom(...FRAME_STREAMS), mutations).map(([s, m]) => mutate(s, m)),
      fc.tuple(validFrames, mutations).map(([f, m]) => mutate(f.bytes, m)),
    );
    fc.assert(fc.property(stream, chunking, (bytes, cuts) => {
      const limit = 40 * 1024; // the captures carry 32 KiB bodies
      const whole = decodeAll([bytes], limit);
      const chunked = decodeAll(split(bytes, cuts), limit);
      assert.equal(chunked.error, whole.error);
      if (whole.error === null) assert.deepEqual(chunked.items, whole.items);
      else assert.deepEqual(chunked.items, referenceFrames(bytes, limit).slice(0, chunked.items.length));
    }), { numRuns: RUNS });
  });

  it("refuses a header whose size is beyond the limit, or negative, as soon as its 12th byte arrives", () => {
    const badSize = fc.oneof(fc.integer({ min: LIMIT + 1, max: 0x7fffffff }), fc.integer({ min: -0x80000000, max: -1 }));
    fc.assert(fc.property(fc.maxSafeNat(), badSize, fc.uint8Array({ maxLength: 64 }), (offset, size, tail) => {
      const header = encodeTransferHeader(offset, 0);
      new DataView(header.buffer).setInt32(8, size);
      const decoder = new TransferFrameDecoder({ maxBodyBytes: LIMIT });
      assert.deepEqual(decoder.push(header.subarray(0, 11)), []);
      assert.throws(() => decoder.push(new Uint8Array([header[11], ...tail])), (e: unknown) => e instanceof SkiffError && e.code === (size < 0 ? "HA_FRAME_ILLEGAL" : "HA_FRAME_TOO_LARGE"));
      assert.equal(decoder.pendingHeader, null, "nothing of the refused frame is held");
    }), { numRuns: RUNS });
  });

  it("decodes the real captures the same in any chunking as whole", () => {
    fc.assert(fc.property(fc.constantFrom(...FRAME_STREAMS), chunking, (bytes, cuts) => {
      const whole = decodeAll([bytes], 40 * 1024);
      assert.equal(whole.error, null);
      assert.deepEqual(decodeAll(split(bytes, cuts), 40 * 1024), whole);
    }), { numRuns: 50 });
  });
});

/** The frames in `bytes`, read the obvious way, up to the first bad header. */
function referenceFrames(bytes: Uint8Array, limit: number): Array<[number, number[]]> {
  const frames: Array<[number, number[]]> = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 12 <= bytes.length; ) {
    const offset = Number(view.getBigInt64(at));
    const size = view.getInt32(at + 8);
    if (!Number.isSafeInteger(offset) || offset < 0 || size < 0 || size > limit || at + 12 + size > bytes.length) break;
    frames.push([offset, [...bytes.subarray(at + 12, at + 12 + size)]]);
    at += 12 + size;
  }
  return frames;
}
