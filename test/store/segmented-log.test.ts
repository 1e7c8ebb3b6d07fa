/**
 * The segmented log is the byte layer under the commit log: fixed-size segment files named by
 * their start offset, appends buffered in a bounded block cache, positional reads, fsync and
 * truncation. These tests pin each of those on the in-memory file system.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { SegmentedLog } from "../../src/store/segmented-log.ts";

const SEGMENT = 64 * 1024;

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed + i * 31) & 0xff;
  return out;
}

async function openLog(fs: MemoryFileSystem, extra: Partial<Parameters<typeof SegmentedLog.open>[0]> = {}) {
  return SegmentedLog.open({ fs, dir: "/store/commitlog", segmentSizeBytes: SEGMENT, blockSizeBytes: 4096, keepWrittenBlocks: 2, ...extra });
}

describe("SegmentedLog", () => {
  it("names segments by their 20-digit start offset and makes each exactly segment-size long", async () => {
    const fs = new MemoryFileSystem();
    const log = await openLog(fs);
    for (let i = 0; i < 3; i++) {
      log.append(pattern(log.spaceLeftInSegment(), i));
    }
    await log.flush();
    assert.deepEqual(await fs.readdir("/store/commitlog"), [
      "00000000000000000000",
      "00000000000000065536",
      "00000000000000131072",
    ]);
    for (const name of await fs.readdir("/store/commitlog")) {
      assert.equal((await fs.stat(`/store/commitlog/${name}`))?.size, SEGMENT);
    }
    assert.deepEqual(fs.bytes("/store/commitlog/00000000000000065536"), pattern(SEGMENT, 1));
  });

  it("reads back what it appended, from the cache and, after eviction, from the file", async () => {
    const fs = new MemoryFileSystem();
    const log = await openLog(fs);
    const chunks: Uint8Array[] = [];
    let offset = 0;
    while (log.spaceLeftInSegment() >= 100) {
      const chunk = pattern(100, chunks.length);
      assert.equal(log.append(chunk), offset);
      chunks.push(chunk);
      offset += 100;
    }
    await log.flush();
    assert.ok(log.cachedBlocks <= 2, `cache holds ${log.cachedBlocks} blocks`);
    for (const [i, chunk] of chunks.entries()) {
      assert.deepEqual(await log.read(i * 100, 100), chunk);
    }
  });

  it("appendWith fills bytes in place within a block and through a buffer across blocks; a fill that throws appends nothing", async () => {
    const fs = new MemoryFileSystem();
    const log = await openLog(fs);
    const sizes = [1000, 3000, 1500, 4000, 700]; // the 1500 and the 4000 cross 4 KiB block ends
    const expected: Uint8Array[] = [];
    const targets = new Set<number>();
    for (const [i, size] of sizes.entries()) {
      const bytes = pattern(size, i + 7);
      const start = log.appendWith(size, (target, at) => {
        targets.add(target.byteLength);
        target.set(bytes, at);
      });
      assert.equal(start, expected.reduce((n, b) => n + b.byteLength, 0));
      expected.push(bytes);
    }
    // Within one block: the block's own 4 KiB; across two: a buffer of the range's length.
    assert.deepEqual([...targets].sort((a, b) => a - b), [1500, 4000, 4096]);
    const before = log.maxOffset;
    assert.throws(() => log.appendWith(100, (target, at) => {
      target.fill(0xee, at, at + 100);
      throw new Error("encoding failed");
    }), /encoding failed/);
    assert.equal(log.maxOffset, before, "nothing appended");
    const last = pattern(50, 99);
    assert.equal(log.append(last), before, "the next append lands where the failed one would have");
    expected.push(last);
    const all = new Uint8Array(before + 50);
    let at = 0;
    for (const b of expected) {
      all.set(b, at);
      at += b.byteLength;
    }
    assert.deepEqual(await log.read(0, all.byteLength), all, "from the cache");
    await log.flush();
    assert.deepEqual(fs.bytes("/store/commitlog/00000000000000000000").subarray(0, all.byteLength), all, "and in the file");
    assert.equal(fs.bytes("/store/commitlog/00000000000000000000")[all.byteLength], 0, "the failed fill's bytes never reached the file");
  });

  it("keeps memory bounded: unwritten bytes are capped and written blocks are evicted", async () => {
    const fs = new MemoryFileSystem();
    const log = await openLog(fs, { segmentSizeBytes: 1 << 20, maxUnwrittenBytes: 16 * 1024 });
    let maxBlocks = 0;
    for (let i = 0; i < 1000; i++) {
      await log.waitForCapacity();
      if (log.spaceLeftInSegment() < 1000) log.append(new Uint8Array(log.spaceLeftInSegment()));
      log.append(pattern(1000, i));
      assert.ok(log.maxOffset - log.writtenOffset <= 16 * 1024 + 1000);
      maxBlocks = Math.max(maxBlocks, log.cachedBlocks);
    }
    await log.flush();
    assert.ok(maxBlocks <= 2 + 16 * 1024 / 4096 + 2, `peak ${maxBlocks} blocks`);
  });

  it("flush fsyncs and advances flushedOffset to what was appended", async () => {
    const fs = new MemoryFileSystem();
    const log = await openLog(fs);
    log.append(pattern(500, 1));
    assert.equal(log.flushedOffset, 0);
    const before = fs.syncCount;
    assert.equal(await log.flush(), 500);
    assert.ok(fs.syncCount > before);
    fs.crashPower();
    assert.deepEqual(fs.bytes("/store/commitlog/00000000000000000000").subarray(0, 500), pattern(500, 1));
  });

  it("reopens the segments it finds and refuses a segment of the wrong length", async () => {
    const fs = new MemoryFileSystem();
    const log = await openLog(fs);
    log.append(pattern(SEGMENT, 1));
    log.append(pattern(10, 2));
    await log.close();
    const again = await openLog(fs);
    assert.deepEqual(again.segmentStarts, [0, SEGMENT]);
    assert.equal(again.maxOffset, 2 * SEGMENT, "before recovery the whole of every segment is readable");
    assert.deepEqual(await again.read(SEGMENT, 10), pattern(10, 2));

    await fs.writeFile("/store/commitlog/00000000000000131072", new Uint8Array(100));
    await assert.rejects(openLog(fs), (e: Error & { code?: string }) => e.code === "STORE_SEGMENT_INVALID");
  });

  it("deletes a zero-length last segment on open, as RocketMQ 5 does", async () => {
    const fs = new MemoryFileSystem();
    await fs.mkdir("/store/commitlog");
    await fs.writeFile("/store/commitlog/00000000000000000000", new Uint8Array(0));
    const log = await openLog(fs);
    assert.deepEqual(log.segmentStarts, []);
    assert.deepEqual(await fs.readdir("/store/commitlog"), []);
  });

  it("truncates a torn tail: later segments go, the rest of the segment reads as zeros", async () => {
    const fs = new MemoryFileSystem();
    const log = await openLog(fs);
    log.append(pattern(SEGMENT, 1));
    log.append(pattern(300, 2));
    await log.flush();
    await log.truncateTo(1000);
    assert.equal(log.maxOffset, 1000);
    assert.deepEqual(await fs.readdir("/store/commitlog"), ["00000000000000000000"]);
    const bytes = fs.bytes("/store/commitlog/00000000000000000000");
    assert.equal(bytes.length, SEGMENT);
    assert.deepEqual(bytes.subarray(0, 1000), pattern(1000, 1));
    assert.ok(bytes.subarray(1000).every((b) => b === 0));
    assert.equal(log.append(pattern(5, 3)), 1000);
    assert.deepEqual(await log.read(998, 7), new Uint8Array([...pattern(1000, 1).subarray(998), ...pattern(5, 3)]));
  });

  it("a failed write fails later appends and flushes instead of losing data silently", async () => {
    const fs = new MemoryFileSystem();
    const log = await openLog(fs);
    log.append(pattern(10, 1));
    await log.flush();
    fs.failSync("/store/commitlog/00000000000000000000");
    log.append(pattern(10, 2));
    await assert.rejects(log.flush(), /EIO/);
    assert.equal(log.flushedOffset, 10);
  });
});
