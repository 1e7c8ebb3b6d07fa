/**
 * What retention does with a segment it must not simply unlink: one a consumer is reading (the
 * deletion waits for the read, at most destroyMapedFileIntervalForcibly, and the read still returns
 * the right bytes), one whose bytes are not yet on disk (kept until they are), and one whose
 * deletion fails (kept out of the log and tried again every redeleteHangedFileInterval, no later
 * segment going first). A master's HA read below the new min ships nothing.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Decode } from "../../src/core/bytes.ts";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import type { FileSystem } from "../../src/core/platform.ts";
import { MessageStore } from "../../src/store/message-store.ts";
import { DEFAULT_RETENTION_SETTINGS } from "../../src/store/retention-settings.ts";
import { spin } from "../support/memory-platform.ts";
import { ALL_HOURS, HOUR_MS, retentionWorld, SEGMENT_BYTES } from "../support/retention.ts";
import { memoryStoreWorld, message } from "../support/store.ts";

const FIRST = "/store/commitlog/00000000000000000000";

function bodyOf(bytes: Uint8Array): string {
  const record = decodeMessageRecord(bytes, 0, { readBody: true });
  assert.equal(record.kind, "message");
  return record.kind === "message" ? utf8Decode(record.body!).split("-x")[0] : "";
}

describe("retention and readers", () => {
  it("waits for a read of the segment it deletes, serves later reads nothing from it, and the read returns its message", async () => {
    const w = await retentionWorld({ fileReservedTimeHours: 0, deleteWhen: ALL_HOURS, deleteFileBatchMax: 1 });
    await w.fillSegments(20); // the oldest segments are no longer in the block cache: reads go to the file
    await w.store.flushAll();
    const hold = w.fs.hold("read", FIRST);
    const reading = w.store.get({ topic: "T", queueId: 0, offset: 0, maxMsgNums: 1 });
    await spin(2000);
    assert.equal(hold.waiting, 1, "the consumer's read is in the segment's file");

    let passed = false;
    const passing = w.store.runRetentionPass().then((pass) => ((passed = true), pass));
    await spin(2000);
    assert.equal(w.store.offsets.minOffset, SEGMENT_BYTES, "taken out of the log at once");
    const late = await w.store.get({ topic: "T", queueId: 0, offset: 0, maxMsgNums: 1 });
    assert.equal(late.status, "MESSAGE_WAS_REMOVING", "a read that comes later is not served from it (the queue's min follows after the segment is gone)");
    assert.equal(passed, false, "the deletion waits for the read");
    assert.ok((await w.fs.stat(FIRST)) !== null);

    hold.release();
    const got = await reading;
    assert.deepEqual([got.status, bodyOf(got.messages[0].bytes)], ["FOUND", "T-0"]);
    assert.equal((await passing).commitLogSegments, 1);
    assert.equal(await w.fs.stat(FIRST), null);
    const after = await w.store.get({ topic: "T", queueId: 0, offset: 0, maxMsgNums: 1 });
    assert.deepEqual([after.status, after.nextBeginOffset], ["OFFSET_TOO_SMALL", w.store.minOffsetInQueue("T", 0)]);
    await w.store.close();
  });

  it("deletes the file anyway after destroyMapedFileIntervalForcibly; the stuck read then finishes on its open file", async () => {
    const w = await retentionWorld({ fileReservedTimeHours: 0, deleteWhen: ALL_HOURS, deleteFileBatchMax: 1, destroyMapedFileIntervalForciblyMs: 5000 });
    await w.fillSegments(20);
    await w.store.flushAll();
    const hold = w.fs.hold("read", FIRST);
    const reading = w.store.get({ topic: "T", queueId: 0, offset: 1, maxMsgNums: 1 });
    await spin(2000);
    const startedMs = w.clock.monotonicMs();
    const pass = await w.whileRunning(w.store.runRetentionPass(), 100);
    assert.equal(pass.commitLogSegments, 1);
    assert.ok(w.clock.monotonicMs() - startedMs >= 5000, "it waited destroyMapedFileIntervalForcibly");
    assert.equal(await w.fs.stat(FIRST), null);
    assert.ok(w.logs.some((line) => line.includes(`1 reads of commit-log segment ${FIRST} still run after 5000 ms (destroyMapedFileIntervalForcibly); deleting it anyway`)));
    hold.release();
    const got = await reading;
    assert.deepEqual([got.status, bodyOf(got.messages[0].bytes)], ["FOUND", "T-1"]);
    await w.store.close();
    assert.equal(w.fs.openHandles, 0);
  });
});

describe("retention and unfinished or failing files", () => {
  it("keeps a segment whose bytes are not on disk yet, and deletes it once they are", async () => {
    const w = await retentionWorld({ fileReservedTimeHours: 0, deleteWhen: ALL_HOURS });
    const hold = w.fs.hold("write", "/store/commitlog");
    for (let i = 0; i < 12; i++) await w.store.append([message("T", `T-${i}-`.padEnd(900, "x"))]);
    assert.ok(w.segments().length >= 3);
    const pass = await w.store.runRetentionPass();
    assert.equal(pass.commitLogSegments, 0);
    assert.ok(w.logs.some((line) => line.includes(`commit-log segment ${FIRST} is due but not yet fsync'd and dispatched`)));
    hold.release();
    await w.store.flushAll();
    await w.store.waitDispatched(w.store.offsets.maxOffset);
    const allButNewest = w.segments().length - 1;
    assert.equal((await w.store.runRetentionPass()).commitLogSegments, allButNewest);
    await w.store.close();
  });

  it("keeps a segment whose deletion failed out of the log, tries again every redeleteHangedFileInterval, and deletes nothing after it first", async () => {
    const base = memoryStoreWorld({ segmentSizeCommitLogBytes: SEGMENT_BYTES });
    const failing = new Set<string>([FIRST]);
    const fs: FileSystem = new Proxy(base.fs, {
      get(target, key) {
        if (key === "remove") return async (path: string) => {
          if (failing.has(path)) throw Object.assign(new Error(`EIO: cannot unlink ${path}`), { code: "EIO" });
          return target.remove(path);
        };
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const store = await MessageStore.open({ ...base.platform, fs }, base.options);
    const settings = { ...DEFAULT_RETENTION_SETTINGS, fileReservedTimeHours: 0, deleteWhen: ALL_HOURS, deleteCommitLogFilesIntervalMs: 0, redeleteHangedFileIntervalMs: HOUR_MS };
    store.startRetention(() => settings, null);
    for (let i = 0; store.stats().commitLogSegmentStarts.length < 4; i++) await store.put([message("T", `T-${i}-`.padEnd(900, "x"))]);
    await store.waitDispatched(store.offsets.maxOffset);
    await store.flushAll();

    const first = await store.runRetentionPass();
    assert.equal(first.commitLogSegments, 0);
    assert.equal(store.offsets.minOffset, SEGMENT_BYTES, "out of the log: no read reaches it");
    assert.ok(base.logs.some((line) => line.includes(`could not delete commit-log segment ${FIRST} (EIO: cannot unlink ${FIRST}); tried again every redeleteHangedFileInterval`)));
    assert.equal((await store.runRetentionPass()).commitLogSegments, 0, "no later segment goes before it");
    assert.deepEqual(store.stats().commitLogSegmentStarts, [SEGMENT_BYTES, 2 * SEGMENT_BYTES, 3 * SEGMENT_BYTES]);

    failing.clear();
    await base.clock.advance(HOUR_MS / 2);
    assert.equal((await store.runRetentionPass()).commitLogSegments, 0, "not before redeleteHangedFileInterval");
    assert.ok((await base.fs.stat(FIRST)) !== null);
    await base.clock.advance(HOUR_MS);
    const later = await base.whileRunning(store.runRetentionPass());
    assert.equal(await base.fs.stat(FIRST), null);
    assert.ok(base.logs.some((line) => line.includes(`deleted commit-log segment ${FIRST} at last`)));
    assert.equal(later.commitLogSegments, 2, "then the others");
    await store.close();
  });
});

describe("retention and replication", () => {
  it("ships nothing below the master's new min: an HA read there is empty", async () => {
    const w = await retentionWorld({ fileReservedTimeHours: 0, deleteWhen: ALL_HOURS });
    await w.fillSegments(4);
    await w.pass();
    const source = w.store.replicationSource;
    assert.equal(source.minOffset, 3 * SEGMENT_BYTES);
    assert.equal((await source.readForTransfer(0, 1024)).byteLength, 0);
    assert.equal((await source.readForTransfer(source.minOffset, 16)).byteLength, 16);
    await w.store.close();
  });
});
