/**
 * A read of the segmented log must see every byte appended, whether the writer has handed it to
 * the OS yet or not, however far the writer lags and whatever the cache evicts meanwhile. These
 * tests slow the file system down on the in-memory platform so that the writer finishes blocks
 * while a read waits for the file: the exact interleaving that crashed slaves during catch-up.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { SegmentedLog } from "../../src/store/segmented-log.ts";
import { until } from "../support/memory-platform.ts";

const BLOCK = 4096;

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed + i * 31 + (i >> 8)) & 0xff;
  return out;
}

function openLog(fs: MemoryFileSystem): Promise<SegmentedLog> {
  return SegmentedLog.open({ fs, dir: "/store/commitlog", segmentSizeBytes: 1 << 20, blockSizeBytes: BLOCK, keepWrittenBlocks: 1 });
}

describe("SegmentedLog reads racing the writer", () => {
  it("reads a range straddling writtenOffset even when the writer finishes (and evicts) the rest during the file read", async () => {
    const fs = new MemoryFileSystem();
    const log = await openLog(fs);
    const writes = fs.hold("write", "/store/commitlog");
    const appended = pattern(3 * BLOCK, 7);
    log.append(appended); // three blocks; the writer parks on the first
    await until(() => writes.waiting === 1, "the writer is writing block 0");
    writes.step();
    await until(() => log.writtenOffset === BLOCK && writes.waiting === 1, "block 0 written, block 1 parked");
    assert.ok(log.cachedBlocks <= 2, "block 0 was evicted as soon as it was written (the writer lags)");

    const reads = fs.hold("read", "/store/commitlog");
    const read = log.read(BLOCK / 2, BLOCK); // half of block 0 (file), half of block 1 (memory only)
    await until(() => reads.waiting === 1, "the read waits for the file");
    writes.step(); // block 1 is written and evicted while the read waits
    await until(() => log.writtenOffset === 2 * BLOCK, "block 1 written");
    reads.release();
    writes.release();
    assert.deepEqual(await read, appended.subarray(BLOCK / 2, BLOCK / 2 + BLOCK));
  });

  it("serves every byte exactly as appended while readers chase a lagging writer at random speeds", async () => {
    const fs = new MemoryFileSystem();
    const log = await openLog(fs);
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const expected = pattern(2 << 20, 3);
    const writes = fs.hold("write", "/store/commitlog");
    const reads = fs.hold("read", "/store/commitlog");
    let appendedTo = 0;
    let checked = 0;
    while (appendedTo < expected.byteLength) {
      const n = Math.min(1 + random(3 * BLOCK), expected.byteLength - appendedTo);
      if (log.spaceLeftInSegment() < n) {
        const rest = log.spaceLeftInSegment();
        log.append(expected.subarray(appendedTo, appendedTo + rest));
        appendedTo += rest;
        continue;
      }
      log.append(expected.subarray(appendedTo, appendedTo + n));
      appendedTo += n;
      // A few readers around the written offset (a dispatcher, an HA transfer, a pull), within one segment.
      const pending = Array.from({ length: 3 }, () => {
        const from = Math.max(log.minOffset, log.writtenOffset - BLOCK + random(3 * BLOCK));
        const segmentEnd = from - (from % log.segmentSizeBytes) + log.segmentSizeBytes;
        const at = Math.min(from, appendedTo - 1);
        const length = Math.max(1, Math.min(1 + random(2 * BLOCK), appendedTo - at, segmentEnd - at));
        return { at, length, read: log.read(at, length) };
      });
      // The disk moves at random: writes and reads complete in random order while the reads wait.
      let settled = 0;
      for (const p of pending) void p.read.then(() => settled++, () => settled++);
      while (settled < pending.length) {
        if (random(2) === 0) writes.step();
        else reads.step();
        await Promise.resolve();
        await Promise.resolve();
      }
      for (const p of pending) {
        assert.deepEqual(await p.read, expected.subarray(p.at, p.at + p.length), `bytes [${p.at}, +${p.length})`);
        checked++;
      }
    }
    writes.release();
    reads.release();
    await log.flush();
    assert.ok(checked > 1000, `${checked} reads checked`);
    const onDisk = new Uint8Array([...fs.bytes("/store/commitlog/00000000000000000000"), ...fs.bytes("/store/commitlog/00000000000001048576")]);
    assert.deepEqual(onDisk, expected);
  });
});
