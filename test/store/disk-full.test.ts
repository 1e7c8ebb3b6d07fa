/**
 * A full disk (or failing writes) must cost the store nothing it acknowledged and show consumers
 * nothing it did not write: sends are refused with one retriable code, reads go on, the problem is
 * reported, and everything resumes by itself once writes succeed. These tests fill the in-memory
 * file system (`limitSpace`) or make its writes fail, and check each of those promises.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { utf8Decode } from "../../src/core/bytes.ts";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { FileHandlePool } from "../../src/store/file-handle-pool.ts";
import type { MessageStore } from "../../src/store/message-store.ts";
import { SegmentedLog } from "../../src/store/segmented-log.ts";
import { memoryStoreWorld, message } from "../support/store.ts";

const body = (i: number) => `message-${i}-${"x".repeat(200)}`;
const ioCode = (error: unknown) => (error as { code?: string }).code;

async function bodiesIn(store: MessageStore, topic: string): Promise<string[]> {
  const bodies: string[] = [];
  for (let offset = 0; ; ) {
    const got = await store.get({ topic, queueId: 0, offset, maxMsgNums: 32 });
    if (got.messages.length === 0) return bodies;
    for (const m of got.messages) {
      const record = decodeMessageRecord(m.bytes, 0, { readBody: true });
      assert.equal(record.kind, "message");
      bodies.push(utf8Decode(record.kind === "message" ? record.body! : new Uint8Array()).split("-x")[0]);
    }
    offset = got.nextBeginOffset;
  }
}

/** Puts messages until one is refused; returns the acknowledged bodies and the error. */
async function fillUp(store: MessageStore, topic: string): Promise<{ acked: string[]; error: unknown }> {
  const acked: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    try {
      await store.put([message(topic, body(i))]);
      acked.push(`message-${i}`);
    } catch (error) {
      return { acked, error };
    }
  }
  throw new Error("the disk never filled up");
}

describe("the store on a full disk", () => {
  it("refuses sends with STORE_DISK_FULL, keeps serving reads, shows nothing unwritten, and recovers by itself", async () => {
    const world = memoryStoreWorld({ segmentSizeCommitLogBytes: 1 << 20, flushDiskType: "ASYNC_FLUSH" });
    const store = await world.open();
    world.fs.limitSpace(world.fs.usedBytes + 64 * 1024);
    const { acked, error } = await fillUp(store, "Full");
    assert.equal(ioCode(error), "STORE_DISK_FULL");
    assert.equal((error as { retriable?: boolean }).retriable, true);
    assert.match((error as Error).message, /disk holding \/store\/commitlog is full.*freed/);
    assert.ok(acked.length > 50, `${acked.length} acknowledged before the disk filled`);
    assert.ok(store.ioProblems().some((p) => p.code === "STORE_DISK_FULL" && p.where === "/store/commitlog"), JSON.stringify(store.ioProblems()));

    await assert.rejects(store.put([message("Full", body(99_999))]), (e) => ioCode(e) === "STORE_DISK_FULL", "refused at once, nothing appended");
    const maxBefore = store.offsets.maxOffset;
    assert.equal(store.offsets.maxOffset, maxBefore);
    assert.deepEqual(await bodiesIn(store, "Full"), acked, "reads are served; the refused message is not visible");

    world.fs.limitSpace(null);
    await world.clock.advance(10_000); // backoff retries
    assert.deepEqual(store.ioProblems(), [], "recovered by itself");
    assert.ok(world.logs.some((l) => /STORE_DISK_FULL/.test(l)) && world.logs.some((l) => /succeed again/.test(l)), world.logs.join("\n"));
    await store.put([message("Full", body(100_000))]);
    await store.waitDispatched(store.offsets.maxOffset);
    const visible = await bodiesIn(store, "Full");
    // The refused send's bytes were kept in memory and written once space returned: it is there now.
    assert.deepEqual(visible, [...acked, `message-${acked.length}`, "message-100000"]);
    await store.close();

    const again = await world.open();
    assert.deepEqual(await bodiesIn(again, "Full"), visible, "everything seen before the restart is still there");
    await again.close();
    assert.equal(world.fs.openHandles, 0);
  });

  it("answers a SYNC_FLUSH send that cannot be written with STORE_DISK_FULL, not FLUSH_DISK_TIMEOUT", async () => {
    const world = memoryStoreWorld({ flushDiskType: "SYNC_FLUSH" });
    const store = await world.open();
    world.fs.limitSpace(world.fs.usedBytes + 16 * 1024);
    const { error } = await fillUp(store, "Sync");
    assert.equal(ioCode(error), "STORE_DISK_FULL");
    world.fs.limitSpace(null);
    await world.clock.advance(10_000);
    const put = await store.put([message("Sync", "after")]);
    assert.equal(put.status, "PUT_OK");
    await store.close();
  });

  it("closes every file when it shuts down on a full disk, keeps abort, and restarts with every acknowledged message", async () => {
    const world = memoryStoreWorld({ segmentSizeCommitLogBytes: 1 << 20 });
    const store = await world.open();
    world.fs.limitSpace(world.fs.usedBytes + 32 * 1024);
    const { acked } = await fillUp(store, "Stop");
    await assert.rejects(store.close(), (e: Error) => ioCode(e) === "STORE_SHUTDOWN_INCOMPLETE" && /never written.*abort is kept/.test(e.message));
    assert.equal(world.fs.openHandles, 0, "no file handle left open");
    assert.notEqual(await world.fs.stat("/store/abort"), null, "abort kept: the next start recovers");

    world.fs.limitSpace(null);
    const again = await world.open();
    assert.deepEqual(await bodiesIn(again, "Stop"), acked, "exactly what was acknowledged");
    await again.close();
  });

  it("reports STORE_IO_FAILED for other write errors and resumes when writes work again", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    await store.put([message("Eio", "before")]);
    world.fs.failWrites("/store/commitlog");
    await assert.rejects(store.put([message("Eio", "during")]), (e) => ioCode(e) === "STORE_IO_FAILED");
    assert.deepEqual(store.ioProblems().map((p) => [p.code, p.where]), [["STORE_IO_FAILED", "/store/commitlog"]]);
    world.fs.stopFailingWrites();
    await world.clock.advance(10_000);
    await store.put([message("Eio", "after")]);
    await store.waitDispatched(store.offsets.maxOffset);
    assert.deepEqual((await bodiesIn(store, "Eio")).map((b) => b.split("-")[0]), ["before", "during", "after"]);
    await store.close();
  });

  it("keeps serving new consume-queue entries from memory while the consume queues cannot be written", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    await store.put([message("Cq", "first")]);
    await store.waitDispatched(store.offsets.maxOffset);
    await store.flushAll();
    world.fs.failWrites("/store/consumequeue");
    for (let i = 0; i < 600; i++) await store.put([message("Cq", `m${i}`)]); // > one 8 KiB consume-queue block
    await store.waitDispatched(store.offsets.maxOffset);
    await world.clock.advance(2_000);
    assert.ok(store.ioProblems().some((p) => p.code === "STORE_IO_FAILED" && p.where === "/store/consumequeue/Cq/0"), JSON.stringify(store.ioProblems()));
    assert.equal((await bodiesIn(store, "Cq")).length, 601, "sends go on and every message is served");
    world.fs.stopFailingWrites();
    await world.clock.advance(10_000);
    assert.deepEqual(store.ioProblems(), []);
    await store.close();
    assert.equal(world.fs.bytes("/store/consumequeue/Cq/0/00000000000000012000").subarray(0, 20).some((b) => b !== 0), true, "entry 600 written");
  });
});

describe("file handles on error paths", () => {
  it("closes a pooled handle whose write failed instead of dropping it open", async () => {
    const fs = new MemoryFileSystem();
    const pool = new FileHandlePool(4);
    const log = await SegmentedLog.open({ fs, dir: "/q", segmentSizeBytes: 4096, handlePool: pool });
    log.append(new Uint8Array(100));
    await log.flush();
    assert.equal(fs.openHandles, 1);
    fs.limitSpace(fs.usedBytes);
    log.append(new Uint8Array(100).fill(7));
    await assert.rejects(log.flush(), (e) => ioCode(e) === "STORE_DISK_FULL");
    assert.equal(pool.openCount, 0, "the failed handle left the pool");
    assert.equal(fs.openHandles, 0, "and was closed");
    fs.limitSpace(null);
    assert.equal(await log.flush(), 200, "a flush retries the write");
    await log.close();
    assert.equal(fs.openHandles, 0);
  });
});
