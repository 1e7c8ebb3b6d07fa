/**
 * How retention takes segments off a segmented log: never the last one, never one whose bytes are
 * not all fsync'd or reach beyond what the caller keeps, one at a time; from then on reads below
 * the new min are refused (`readHeld` answers null), while a read already running keeps its file
 * until it is done, even when the file is deleted under it (as on POSIX); a truncation or reset
 * removes a retired segment's file before anything is written again at its start.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { SegmentedLog } from "../../src/store/segmented-log.ts";
import { spin } from "../support/memory-platform.ts";

const SEGMENT = 4096;
const fill = (seed: number) => new Uint8Array(SEGMENT).fill(seed);

async function logWithSegments(fs: MemoryFileSystem, count: number): Promise<SegmentedLog> {
  const log = await SegmentedLog.open({ fs, dir: "/log", segmentSizeBytes: SEGMENT, blockSizeBytes: SEGMENT, keepWrittenBlocks: 1 });
  for (let i = 0; i < count; i++) log.append(fill(i + 1));
  await log.flush();
  return log;
}

describe("SegmentedLog retirement", () => {
  it("takes the oldest segment out, never the last, and only once its bytes are fsync'd and below keepFrom", async () => {
    const fs = new MemoryFileSystem();
    const log = await logWithSegments(fs, 3);
    assert.equal(log.retireFirstSegment(SEGMENT - 1), null, "beyond keepFrom (e.g. not dispatched)");
    const first = log.retireFirstSegment(Number.POSITIVE_INFINITY);
    assert.ok(first);
    assert.deepEqual([first.start, first.path, first.sizeBytes, log.minOffset], [0, "/log/00000000000000000000", SEGMENT, SEGMENT]);
    assert.equal(log.retireFirstSegment(Number.POSITIVE_INFINITY), null, "one at a time: the first is not removed yet");
    assert.ok((await fs.stat(first.path)) !== null, "the file stays until removed");
    await first.remove();
    assert.equal(await fs.stat(first.path), null);
    const second = log.retireFirstSegment(Number.POSITIVE_INFINITY);
    assert.equal(second?.start, SEGMENT);
    await second!.remove();
    assert.equal(log.retireFirstSegment(Number.POSITIVE_INFINITY), null, "the last segment is never retired");
    assert.deepEqual(log.segmentStarts, [2 * SEGMENT]);

    log.append(fill(9)); // two new segments, not fsync'd
    log.append(fill(10));
    await log.retireFirstSegment(Number.POSITIVE_INFINITY)!.remove();
    assert.equal(log.retireFirstSegment(Number.POSITIVE_INFINITY), null, "not fsync'd yet");
    await log.flush();
    assert.equal(log.retireFirstSegment(Number.POSITIVE_INFINITY)?.start, 3 * SEGMENT);
    await log.close();
  });

  it("refuses reads below the new min (readHeld: null), while a running read finishes on the deleted file", async () => {
    const fs = new MemoryFileSystem();
    const log = await logWithSegments(fs, 3);
    const hold = fs.hold("read", "/log/00000000000000000000");
    const running = log.read(100, 10);
    await spin(100);
    assert.equal(hold.waiting, 1, "the read is parked in the file");
    const retired = log.retireFirstSegment(Number.POSITIVE_INFINITY)!;
    assert.equal(retired.readers, 1);
    assert.equal(await log.readHeld(200, 10), null, "below the min: refused");
    let unread = false;
    void retired.whenUnread().then(() => (unread = true));
    await retired.remove(); // deleted while the read still holds it (destroyMapedFileIntervalForcibly passed)
    assert.equal(await fs.stat(retired.path), null);
    await spin(100);
    assert.equal(unread, false);
    hold.release();
    assert.deepEqual(await running, fill(1).subarray(0, 10), "the read finishes on its open handle");
    await spin(100);
    assert.equal(unread, true);
    assert.equal(retired.readers, 0);
    assert.deepEqual(await log.readHeld(SEGMENT, 4), fill(2).subarray(0, 4));
    await log.close();
    assert.equal(fs.openHandles, 0, "the deleted file's handle is closed once its read is done");
  });

  it("removes a retired segment's file before a reset writes at its start again", async () => {
    const fs = new MemoryFileSystem();
    const log = await logWithSegments(fs, 2);
    const retired = log.retireFirstSegment(Number.POSITIVE_INFINITY)!;
    await log.resetTo(0); // a slave starting over at offset 0
    assert.equal(await fs.stat(retired.path), null, "removed by the reset");
    log.append(fill(7));
    await log.flush();
    await retired.remove(); // retention's late removal must not delete the new segment 0
    assert.deepEqual(fs.bytes("/log/00000000000000000000"), fill(7));
    await log.close();
  });
});
