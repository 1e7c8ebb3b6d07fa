/**
 * The dispatcher writes consume-queue entries in bulk: every queue's entries of one dispatched
 * chunk reach the OS in one write, not one 20-byte write per record (a slave catching up wrote
 * 231,624 of them for 256 MiB: `strace -c` counted one pwrite64 per message). Entries stay
 * readable from memory at once, and a flush or close writes whatever is still pending.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { FileHandle, FileSystem } from "../../src/core/platform.ts";
import { CQ_STORE_UNIT_SIZE, decodeConsumeQueueEntry } from "../../src/codec/consume-queue-entry.ts";
import { MessageStore } from "../../src/store/message-store.ts";
import { SegmentedLog } from "../../src/store/segmented-log.ts";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { spin } from "../support/memory-platform.ts";
import { message, memoryStoreWorld } from "../support/store.ts";

/** `fs` with a count of the writes to each file whose path holds `part`. */
function countingWrites(fs: FileSystem, part: string): { fs: FileSystem; writes: Map<string, number> } {
  const writes = new Map<string, number>();
  const count = (path: string) => writes.set(path, (writes.get(path) ?? 0) + 1);
  const counting: FileSystem = Object.create(fs);
  counting.open = async (path, options) => {
    const handle = await fs.open(path, options);
    if (!path.includes(part)) return handle;
    const wrapped: FileHandle = Object.create(handle);
    wrapped.write = (source, position) => (count(path), handle.write(source, position));
    wrapped.writeNow = (source, position) => (count(path), handle.writeNow(source, position));
    return wrapped;
  };
  return { fs: counting, writes };
}

describe("consume-queue writes", () => {
  it("a chunk of 50 records for one queue is one write of 50 entries, and the file holds each entry", async () => {
    const world = memoryStoreWorld({ segmentSizeConsumeQueueBytes: 1000 * CQ_STORE_UNIT_SIZE });
    const { fs, writes } = countingWrites(world.fs, "/consumequeue/");
    const store = await MessageStore.open({ ...world.platform, fs }, world.options);
    const first = await store.put(Array.from({ length: 50 }, (_, i) => message("Bulk", `m${i}`, { queueId: 0 })));
    await store.waitDispatched(first.endOffset);
    await spin(200);
    const file = "/store/consumequeue/Bulk/0/00000000000000000000";
    assert.deepEqual([...writes], [[file, 1]], "one write for the chunk's 50 entries");
    const second = await store.put(Array.from({ length: 50 }, (_, i) => message("Bulk", `n${i}`, { queueId: 0 })));
    await store.waitDispatched(second.endOffset);
    await spin(200);
    assert.equal(writes.get(file), 2, "and one for the next chunk");
    const bytes = await world.fs.readFile(file);
    const entries = Array.from({ length: 100 }, (_, i) => decodeConsumeQueueEntry(bytes, i * CQ_STORE_UNIT_SIZE));
    assert.deepEqual(entries.map((e) => e.physicalOffset), [...first.records, ...second.records].map((r) => r.physicalOffset));
    assert.ok(entries.every((e) => e.size > 0));
    await store.close();
  });

  it("entries are served at once, and close writes any still pending", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    const put = await store.put([message("Pending", "one", { queueId: 0 }), message("Pending", "two", { queueId: 0 })]);
    await store.waitDispatched(put.endOffset);
    const got = await store.get({ topic: "Pending", queueId: 0, offset: 0, maxMsgNums: 32 });
    assert.deepEqual([got.status, got.messages.length], ["FOUND", 2]);
    await store.close();
    const bytes = await world.fs.readFile("/store/consumequeue/Pending/0/00000000000000000000");
    assert.deepEqual([0, 1].map((i) => decodeConsumeQueueEntry(bytes, i * CQ_STORE_UNIT_SIZE).physicalOffset), put.records.map((r) => r.physicalOffset));
  });
});

describe("SegmentedLog with deferWrites", () => {
  it("writes appends when asked, when a block's worth waits, or when anything waits for them; reads see them at once", async () => {
    const { fs, writes } = countingWrites(new MemoryFileSystem(), "/q/");
    const log = await SegmentedLog.open({ fs, dir: "/q", segmentSizeBytes: 1 << 16, blockSizeBytes: 100, deferWrites: true });
    for (let i = 0; i < 4; i++) log.append(new Uint8Array(20).fill(i + 1));
    await spin(200);
    assert.deepEqual([log.writtenOffset, writes.size], [0, 0], "nothing written yet");
    assert.deepEqual([...(await log.read(20, 20))], new Array(20).fill(2), "but readable");
    log.writePending();
    await spin(200);
    assert.deepEqual([log.writtenOffset, [...writes.values()]], [80, [1]], "one write for four appends");
    for (let i = 0; i < 5; i++) log.append(new Uint8Array(20).fill(9)); // 100 unwritten: a block
    await spin(200);
    assert.equal(log.writtenOffset, 180, "a block's worth is written without being asked");
    log.append(new Uint8Array(20).fill(7));
    await log.waitWritten(200);
    assert.equal(log.writtenOffset, 200, "a waiter gets it written");
    log.append(new Uint8Array(20).fill(8));
    await log.truncateTo(210);
    assert.deepEqual([log.maxOffset, [...(await log.read(200, 10))]], [210, new Array(10).fill(8)], "truncation keeps (writes) the deferred bytes below its offset");
    log.append(new Uint8Array(20).fill(6));
    await log.close();
    const file = await fs.readFile("/q/00000000000000000000");
    assert.deepEqual([...file.subarray(200, 230)], [...new Array(10).fill(8), ...new Array(20).fill(6)], "close writes the rest");
  });
});

describe("SegmentedLog with scheduleWriter", () => {
  it("appends made before the scheduled start (other requests of the event loop's turn) share one write", async () => {
    const { fs, writes } = countingWrites(new MemoryFileSystem(), "/log/");
    const starts: Array<() => void> = [];
    const log = await SegmentedLog.open({ fs, dir: "/log", segmentSizeBytes: 1 << 16, scheduleWriter: (start) => starts.push(start) });
    log.append(new Uint8Array(100).fill(1));
    await spin(200); // the microtasks of the first request run: no write yet
    log.append(new Uint8Array(100).fill(2)); // a second request, later in the same turn
    const written = log.waitWritten(200);
    await spin(200);
    assert.deepEqual([log.writtenOffset, writes.size, starts.length], [0, 0, 1], "one start scheduled, nothing written before it runs");
    starts[0]();
    await written;
    assert.deepEqual([log.writtenOffset, [...writes.values()]], [200, [1]], "both appends in one write");
    const next = log.waitWritten(300);
    log.append(new Uint8Array(100).fill(3));
    await spin(50);
    assert.equal(starts.length, 2, "an append after the writer went idle schedules the next start");
    starts[1]();
    await next;
    assert.deepEqual([...(await fs.readFile("/log/00000000000000000000")).subarray(0, 300)], [...new Array(100).fill(1), ...new Array(100).fill(2), ...new Array(100).fill(3)]);
    await log.close();
  });
});
