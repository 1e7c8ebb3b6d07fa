/**
 * The timer checkpoint codec writes the 56 bytes of RocketMQ 5.3.3's `TimerCheckpoint.encode` (seven
 * big-endian i64 fields, hand-built here from Java's layout), reads them, a real 5.3.3 master's answer
 * and the 32-byte body without a data version back, and refuses a length Java's decode cannot read or
 * a field beyond 2^53.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fromHex } from "../../src/core/bytes.ts";
import { SkiffError } from "../../src/core/errors.ts";
import { TIMER_CHECKPOINT_BYTES, decodeTimerCheckpoint, encodeTimerCheckpoint } from "../../src/codec/timer-checkpoint.ts";

const CHECKPOINT = {
  lastReadTimeMs: 1_717_000_000_000,
  lastTimerLogFlushPos: 0x0102030405,
  lastTimerQueueOffset: 7,
  masterTimerQueueOffset: 9,
  dataVersion: { stateVersion: 2, timestamp: 1_717_000_000_123, counter: 300 },
};
// Java: putLong(lastReadTimeMs) putLong(lastTimerLogFlushPos) putLong(lastTimerQueueOffset) putLong(masterTimerQueueOffset)
//       putLong(stateVersion) putLong(timestamp) putLong(counter); 1_717_000_000_000 = 0x18fc52cd200.
const BYTES = fromHex([
  "0000018fc52cd200", "0000000102030405", "0000000000000007", "0000000000000009",
  "0000000000000002", "0000018fc52cd27b", "000000000000012c",
].join(""));

// Provenance: the body a fresh Apache RocketMQ 5.3.3 master (ASYNC_MASTER, no timer messages, started by the interop
// harness) answered to GET_TIMER_CHECK_POINT on its fast channel 7.5 s after boot, at 1796205397497 ms (its clock).
const REAL_5_3_3 = fromHex("000001a2362f40200000000000000000000000000000000000000000000000000000000000000000000001a2362f43f90000000000000004");

describe("timer checkpoint", () => {
  it("reads a real 5.3.3 master's answer: its empty wheel read up to the slot before, its version bumped on each flush, and re-encodes it", () => {
    const real = decodeTimerCheckpoint(REAL_5_3_3);
    assert.deepEqual(real, {
      lastReadTimeMs: 1_796_205_396_000, lastTimerLogFlushPos: 0, lastTimerQueueOffset: 0, masterTimerQueueOffset: 0,
      dataVersion: { stateVersion: 0, timestamp: 1_796_205_396_985, counter: 4 },
    });
    assert.deepEqual(encodeTimerCheckpoint(real), REAL_5_3_3);
  });

  it("encodes Java's 56 bytes, field by field, and decodes them back", () => {
    const bytes = encodeTimerCheckpoint(CHECKPOINT);
    assert.equal(bytes.length, TIMER_CHECKPOINT_BYTES);
    assert.deepEqual(bytes, BYTES);
    assert.deepEqual(decodeTimerCheckpoint(BYTES), CHECKPOINT);
  });

  it("reads a 32-byte body as one without a data version, and only the first 56 bytes of a longer one (a timercheck page)", () => {
    const old = decodeTimerCheckpoint(BYTES.subarray(0, 32));
    assert.deepEqual(old, { ...CHECKPOINT, dataVersion: null });
    assert.deepEqual(encodeTimerCheckpoint(old), BYTES.subarray(0, 32));
    const page = new Uint8Array(4096);
    page.set(BYTES);
    page.fill(0xff, 56);
    assert.deepEqual(decodeTimerCheckpoint(page), CHECKPOINT);
  });

  it("refuses lengths Java's decode cannot read and fields beyond the safe-integer range with REMOTING_BODY_INVALID", () => {
    const invalid = (e: unknown) => e instanceof SkiffError && e.code === "REMOTING_BODY_INVALID";
    for (const length of [0, 31, 33, 40, 55]) assert.throws(() => decodeTimerCheckpoint(new Uint8Array(length)), invalid, `${length} bytes`);
    const unsafe = BYTES.slice();
    unsafe.fill(0x7f, 40, 48);
    assert.throws(() => decodeTimerCheckpoint(unsafe), /field at byte 40 is outside the safe-integer range/);
  });
});
