/**
 * The checkpoint codec reads the first 40 bytes of a real 4.9.7 checkpoint (two equal store
 * timestamps, zero index timestamp) and writes a 4096-byte file that starts with those same bytes
 * and is zero after them. Short input fails with CHECKPOINT_ILLEGAL.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SkiffError } from "../../src/core/errors.ts";
import { CHECKPOINT_FILE_SIZE, decodeCheckpoint, encodeCheckpoint } from "../../src/codec/checkpoint.ts";
import { fixtureBytes } from "../support/fixtures.ts";

describe("checkpoint", () => {
  // Provenance: first 40 bytes of the `checkpoint` file of the 4.9.7 master that wrote the record fixtures.
  it("decodes the real 4.9.7 checkpoint and re-encodes it", () => {
    const first40 = fixtureBytes("v4.9.7-checkpoint-first40.bin");
    const checkpoint = decodeCheckpoint(first40);
    assert.deepEqual(checkpoint, {
      physicMsgTimestamp: 0x1a1fe82128b,
      logicsMsgTimestamp: 0x1a1fe82128b,
      indexMsgTimestamp: 0,
      masterFlushedOffset: 0,
      confirmPhyOffset: 0,
    });
    const file = encodeCheckpoint(checkpoint);
    assert.equal(file.length, CHECKPOINT_FILE_SIZE);
    assert.deepEqual(file.subarray(0, 40), first40);
    assert.ok(file.subarray(40).every((b) => b === 0));
  });

  it("round-trips the 5.x fields at 24 and 32", () => {
    const checkpoint = { physicMsgTimestamp: 1, logicsMsgTimestamp: 2, indexMsgTimestamp: 3, masterFlushedOffset: 2553960, confirmPhyOffset: 2 ** 40 };
    const file = encodeCheckpoint(checkpoint);
    assert.equal(file[31], 2553960 & 0xff);
    assert.deepEqual(decodeCheckpoint(file), checkpoint);
  });

  it("rejects short or unsafe files with CHECKPOINT_ILLEGAL", () => {
    const isCode = (e: unknown) => e instanceof SkiffError && e.code === "CHECKPOINT_ILLEGAL";
    assert.throws(() => decodeCheckpoint(new Uint8Array(39)), isCode);
    assert.throws(() => decodeCheckpoint(new Uint8Array(40).fill(0x7f)), isCode);
  });
});
