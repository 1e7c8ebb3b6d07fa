/**
 * Retention's rules (spec rocketmq-remoting §11.2) on the memory platform, its clock simulated:
 * deletion only at a deleteWhen hour (or on a manual request, for 20 passes), of segments whose
 * last write is older than fileReservedTime, oldest first, stopping at the first that is not
 * expired, never the newest, at most deleteFileBatchMax per pass with deleteCommitLogFilesInterval
 * between two; consume queues and their min offsets follow, a queue whose messages are all gone
 * gets min = max, and a restart keeps every min offset.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ALL_HOURS, HOUR_MS, retentionWorld, SEGMENT_BYTES } from "../support/retention.ts";
import { message } from "../support/store.ts";
import { MessageStore } from "../../src/store/message-store.ts";
import { spin } from "../support/memory-platform.ts";

describe("retention by the clock", () => {
  it("deletes at a deleteWhen hour the segments older than fileReservedTime, oldest first, stopping at the first that is not", async () => {
    const w = await retentionWorld({ fileReservedTimeHours: 1, deleteWhen: "99" });
    await w.fillSegments(3); // A and B full, C started
    await w.clock.advance(2 * HOUR_MS);
    await w.fillSegments(1); // C full at t0 + 2 h, D started
    await w.clock.advance(HOUR_MS / 2);
    const [a, b, c, d] = w.segments();
    assert.deepEqual([a, b, c, d], [0, SEGMENT_BYTES, 2 * SEGMENT_BYTES, 3 * SEGMENT_BYTES]);

    assert.deepEqual((await w.pass()).commitLogSegments, 0, "deleteWhen=99 matches no hour");
    const touch = await w.fs.open(w.store.options.rootDir + "/commitlog/00000000000000000000"); // A written again now: not expired
    await touch.write(w.fs.bytes(w.store.options.rootDir + "/commitlog/00000000000000000000").slice(0, 1), 0);
    await touch.close();
    w.settings = { ...w.settings, deleteWhen: `${w.thisHour()};99` };
    const stopped = await w.pass();
    assert.equal(stopped.reasons[0], `deleteWhen ${w.thisHour()};99 includes hour ${w.thisHour()}`);
    assert.deepEqual([stopped.commitLogSegments, w.segments()[0]], [0, a], "A is not expired: B, though expired, waits behind it");

    await w.clock.advance(HOUR_MS);
    w.settings = { ...w.settings, deleteWhen: w.thisHour() };
    const deleted = await w.pass();
    assert.deepEqual([deleted.commitLogSegments, deleted.bytesFreed >= 3 * SEGMENT_BYTES], [3, true], "A (1 h), B (3.5 h), C (1.5 h)");
    assert.deepEqual(w.segments(), [d], "never the newest segment");
    assert.equal(w.store.offsets.minOffset, d);
    w.settings = { ...w.settings, fileReservedTimeHours: 0 };
    assert.equal((await w.pass()).commitLogSegments, 0, "fileReservedTime=0 still keeps the one being written");
    assert.ok(w.logs.some((line) => line.includes(`deleted commit-log segment /store/commitlog/00000000000000008192 (4096 bytes freed`)));
    await w.store.close();
  });

  it("deletes at most deleteFileBatchMax segments per pass, deleteCommitLogFilesInterval apart", async () => {
    const w = await retentionWorld({ fileReservedTimeHours: 0, deleteWhen: ALL_HOURS, deleteCommitLogFilesIntervalMs: 100 });
    await w.fillSegments(16); // 15 full, the 16th started
    const startedMs = w.clock.monotonicMs();
    const first = await w.pass();
    const tookMs = w.clock.monotonicMs() - startedMs;
    assert.equal(first.commitLogSegments, 10);
    assert.ok(tookMs >= 900 && tookMs < 1500, `9 pauses of 100 ms between 10 deletions, took ${tookMs} ms`);
    assert.equal(w.segments().length, 6);
    assert.equal((await w.pass()).commitLogSegments, 5);
    assert.equal(w.segments().length, 1);
    w.settings = { ...w.settings, deleteFileBatchMax: 2 };
    await w.fillSegments(5);
    assert.equal((await w.pass()).commitLogSegments, 2, "deleteFileBatchMax is read at every pass");
    await w.store.close();
  });

  it("DELETE_EXPIRED_COMMITLOG arms 20 passes that delete whatever the hour, still only expired segments", async () => {
    const w = await retentionWorld({ fileReservedTimeHours: 1, deleteWhen: "99" });
    await w.fillSegments(4);
    await w.clock.advance(2 * HOUR_MS);
    assert.equal(w.store.deleteExpiredFilesManually(), 20);
    const first = await w.pass();
    assert.deepEqual([first.reasons, first.commitLogSegments], [["manual request (19 passes left)"], 3]);
    await w.fillSegments(2); // not expired: manual passes keep fileReservedTime
    assert.equal((await w.pass()).commitLogSegments, 0);
    for (let pass = 3; pass < 20; pass++) await w.pass();
    await w.clock.advance(2 * HOUR_MS);
    const last = await w.pass();
    assert.deepEqual([last.reasons, last.commitLogSegments], [["manual request (0 passes left)"], 2]);
    await w.fillSegments(2);
    await w.clock.advance(2 * HOUR_MS);
    const after = await w.pass();
    assert.deepEqual([after.reasons, after.commitLogSegments], [[], 0], "the 21st pass does not delete");
    await w.store.close();
  });
});

describe("retention's schedule", () => {
  it("runs its first pass cleanResourceInitialDelay after start, then one every cleanResourceInterval, until the store closes", async () => {
    const w = await retentionWorld({ fileReservedTimeHours: 0, deleteWhen: ALL_HOURS });
    await w.fillSegments(3);
    await w.store.flushAll();
    w.store.startRetention(() => w.settings, { intervalMs: 10_000, initialDelayMs: 60_000 });
    await w.clock.advance(59_000);
    await spin(5000);
    assert.equal(w.segments().length, 3, "nothing before the first pass");
    await w.clock.advance(1_000);
    await spin(5000);
    assert.equal(w.segments().length, 1, "the first pass, 60 s after start");
    await w.fillSegments(2);
    await w.store.flushAll();
    await w.clock.advance(9_000);
    await spin(5000);
    assert.equal(w.segments().length, 3);
    await w.clock.advance(1_000);
    await spin(5000);
    assert.equal(w.segments().length, 1, "the next pass, 10 s later");
    await w.store.close();
    assert.equal(w.clock.pendingTimers, 0, "closing the store stops retention's timer");
  });
});

describe("retention of consume queues", () => {
  it("moves each queue's min offset to its first message still held, deletes its files below, and answers OFFSET_TOO_SMALL", async () => {
    const w = await retentionWorld({ fileReservedTimeHours: 0, deleteWhen: ALL_HOURS, deleteFileBatchMax: 20 });
    for (let i = 0; i < 3; i++) await w.store.put([message("Quiet", `quiet-${i}`)]);
    const busy = await w.fillSegments(12, "Busy"); // 20-entry queue files: Busy's spread over several
    const pass = await w.pass();
    assert.equal(pass.commitLogSegments, 12);
    const min = w.store.offsets.minOffset;
    assert.equal(min, w.segments()[0]);
    const firstHeld = (await w.store.get({ topic: "Busy", queueId: 0, offset: w.store.minOffsetInQueue("Busy", 0), maxMsgNums: 1 })).messages[0];
    assert.ok(firstHeld.physicalOffset >= min, "the min offset's message is held");
    const before = await w.store.get({ topic: "Busy", queueId: 0, offset: w.store.minOffsetInQueue("Busy", 0) - 1, maxMsgNums: 1 });
    assert.deepEqual([before.status, before.nextBeginOffset], ["OFFSET_TOO_SMALL", w.store.minOffsetInQueue("Busy", 0)]);
    assert.ok(pass.consumeQueueFiles >= 2, `${pass.consumeQueueFiles} consume-queue files deleted`);
    assert.equal(w.store.maxOffsetInQueue("Busy", 0), busy.length);
    const busyFiles = (await w.fs.readdir("/store/consumequeue/Busy/0")).map(Number);
    assert.ok(busyFiles[0] / 20 <= w.store.minOffsetInQueue("Busy", 0) && w.store.minOffsetInQueue("Busy", 0) < busyFiles[0] / 20 + 20, "the first file left holds the min");

    // Every Quiet message was in a deleted segment: min = max = 3, and the next message keeps offset 3.
    assert.deepEqual([w.store.minOffsetInQueue("Quiet", 0), w.store.maxOffsetInQueue("Quiet", 0)], [3, 3]);
    assert.deepEqual(await w.fs.readdir("/store/consumequeue/Quiet/0"), ["00000000000000000000"], "a queue's last file is never deleted");
    const tooSmall = await w.store.get({ topic: "Quiet", queueId: 0, offset: 0, maxMsgNums: 32 });
    assert.deepEqual([tooSmall.status, tooSmall.nextBeginOffset, tooSmall.minOffset, tooSmall.maxOffset], ["OFFSET_TOO_SMALL", 3, 3, 3]);
    assert.equal((await w.store.get({ topic: "Quiet", queueId: 0, offset: 3, maxMsgNums: 32 })).status, "OFFSET_OVERFLOW_ONE");
    const next = await w.store.put([message("Quiet", "quiet-3")]);
    assert.equal(next.records[0].queueOffset, 3);
    await w.store.waitDispatched(w.store.offsets.maxOffset);
    assert.equal((await w.store.get({ topic: "Quiet", queueId: 0, offset: 3, maxMsgNums: 32 })).messages.length, 1);

    // After a restart the min offsets are the same (RocketMQ corrects them at start-up).
    const mins = { busy: w.store.minOffsetInQueue("Busy", 0), log: w.store.offsets.minOffset };
    await w.store.close();
    const reopened = await MessageStore.open(w.platform, w.options);
    assert.deepEqual([reopened.offsets.minOffset, reopened.minOffsetInQueue("Busy", 0), reopened.minOffsetInQueue("Quiet", 0), reopened.maxOffsetInQueue("Quiet", 0)],
      [mins.log, mins.busy, 3, 4]);
    await reopened.close();
  });
});
