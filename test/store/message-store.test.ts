/**
 * The store end to end on the in-memory platform: messages go into RocketMQ-shaped segments and
 * consume queues, segments roll with a blank record, transactions and delays follow RocketMQ's
 * rules, and a crash at any point recovers to a log that holds every acknowledged message.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Decode, viewOf } from "../../src/core/bytes.ts";
import { BLANK_MAGIC_CODE } from "../../src/codec/blank-record.ts";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { decodeProperties } from "../../src/codec/properties.ts";
import { tagsCode } from "../../src/codec/java-hash.ts";
import { TransactionType } from "../../src/codec/sys-flag.ts";
import { message, memoryStoreWorld } from "../support/store.ts";
import { memorySystem } from "../../adapters/memory/system.ts";
import { MessageStore } from "../../src/store/message-store.ts";

const SEGMENT = 64 * 1024;

function bodyOf(bytes: Uint8Array): string {
  const record = decodeMessageRecord(bytes, 0, { readBody: true });
  assert.equal(record.kind, "message");
  return utf8Decode(record.kind === "message" ? record.body! : new Uint8Array());
}

describe("MessageStore", () => {
  it("stores a message and serves it back from its consume queue", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    const put = await store.put([message("TopicTest", "Hello RocketMQ", { tags: "TagA" })]);
    assert.equal(put.status, "PUT_OK");
    assert.deepEqual(put.records.map((r) => [r.physicalOffset, r.queueOffset]), [[0, 0]]);
    await store.waitDispatched(put.endOffset);
    const got = await store.get({ topic: "TopicTest", queueId: 0, offset: 0, maxMsgNums: 32 });
    assert.equal(got.status, "FOUND");
    assert.equal(got.nextBeginOffset, 1);
    assert.equal(got.messages[0].tagsCode, tagsCode("TagA"));
    assert.equal(bodyOf(got.messages[0].bytes), "Hello RocketMQ");
    await store.close();
  });

  it("answers RocketMQ's statuses for offsets around the queue", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    assert.equal((await store.get({ topic: "T", queueId: 0, offset: 0, maxMsgNums: 1 })).status, "NO_MATCHED_LOGIC_QUEUE");
    for (let i = 0; i < 3; i++) await store.put([message("T", `m${i}`)]);
    await store.waitDispatched(store.offsets.maxOffset);
    const one = await store.get({ topic: "T", queueId: 0, offset: 3, maxMsgNums: 1 });
    assert.deepEqual([one.status, one.nextBeginOffset, one.maxOffset], ["OFFSET_OVERFLOW_ONE", 3, 3]);
    const badly = await store.get({ topic: "T", queueId: 0, offset: 9, maxMsgNums: 1 });
    assert.deepEqual([badly.status, badly.nextBeginOffset], ["OFFSET_OVERFLOW_BADLY", 0]);
    const two = await store.get({ topic: "T", queueId: 0, offset: 1, maxMsgNums: 2 });
    assert.deepEqual(two.messages.map((m) => bodyOf(m.bytes)), ["m1", "m2"]);
    await store.close();
  });

  it("closes a full segment with a blank record and starts the record in the next one", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    const body = new Uint8Array(1000).fill(7);
    const results: Awaited<ReturnType<typeof store.put>>[] = [];
    for (let i = 0; i < 70; i++) results.push(await store.put([message("Roll", body)]));
    await store.flushAll();
    const firstInSecond = results.find((r) => r.records[0].physicalOffset >= SEGMENT)!;
    assert.equal(firstInSecond.records[0].physicalOffset, SEGMENT);
    const lastInFirst = results[results.indexOf(firstInSecond) - 1];
    const blankAt = lastInFirst.endOffset;
    const segment = world.fs.bytes("/store/commitlog/00000000000000000000");
    assert.equal(segment.length, SEGMENT);
    assert.equal(viewOf(segment).getInt32(blankAt), SEGMENT - blankAt);
    assert.equal(viewOf(segment).getInt32(blankAt + 4), BLANK_MAGIC_CODE);
    assert.ok(SEGMENT - blankAt < 1000 + 91 + 4 + 8, "the blank is only as large as the record that did not fit");
    assert.deepEqual(results.map((r) => r.records[0].queueOffset), [...Array(70).keys()]);
    await store.close();
  });

  it("gives each queue its own queue offsets and a batch consecutive ones with one store time", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    await store.put([message("T", "a", { queueId: 1 })]);
    const batch = await store.put([message("T", "b", { queueId: 1 }), message("T", "c", { queueId: 1 }), message("T", "d", { queueId: 2 })]);
    assert.deepEqual(batch.records.map((r) => r.queueOffset), [1, 2, 0]);
    assert.equal(batch.records[1].physicalOffset, batch.records[0].physicalOffset + batch.records[0].size);
    await store.close();
  });

  it("does not advance queue offsets for prepared or rollback transaction records, nor index them", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    const prepared = await store.put([message("Tx", "half", { sysFlag: TransactionType.PREPARED })]);
    const normal = await store.put([message("Tx", "normal")]);
    assert.equal(prepared.records[0].queueOffset, 0);
    assert.equal(normal.records[0].queueOffset, 0);
    await store.waitDispatched(store.offsets.maxOffset);
    assert.equal(store.maxOffsetInQueue("Tx", 0), 1);
    await store.close();
  });

  it("rewrites a delayed message to SCHEDULE_TOPIC_XXXX with its real topic and a delivery-time tagsCode", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    const put = await store.put([message("Orders", "later", { queueId: 3, properties: new Map([["DELAY", "3"]]) })]);
    await store.waitDispatched(put.endOffset);
    const got = await store.get({ topic: "SCHEDULE_TOPIC_XXXX", queueId: 2, offset: 0, maxMsgNums: 1 });
    assert.equal(got.status, "FOUND");
    const record = decodeMessageRecord(got.messages[0].bytes, 0);
    assert.equal(record.kind, "message");
    if (record.kind !== "message") return;
    const props = decodeProperties(record.properties);
    assert.deepEqual([props.get("REAL_TOPIC"), props.get("REAL_QID"), props.get("DELAY")], ["Orders", "3", "3"]);
    assert.equal(got.messages[0].tagsCode, record.storeTimestamp + 10_000);
    await store.close();
  });

  it("rejects bad messages with a stable code and writes nothing", async () => {
    const world = memoryStoreWorld({ maxMessageSizeBytes: 1000 });
    const store = await world.open();
    const bad = [
      message("bad topic!", "x"),
      message("T".repeat(128), "x"),
      message("T", new Uint8Array(1001)),
      message("T", "x", { properties: new Map([["k", "v".repeat(33000)]]) }),
    ];
    const codes: string[] = [];
    for (const m of bad) {
      await store.put([m]).then(() => codes.push("stored"), (e) => codes.push(e.code));
    }
    assert.deepEqual(codes, ["TOPIC_ILLEGAL", "TOPIC_TOO_LONG", "BODY_SIZE_EXCEEDED", "PROPERTIES_SIZE_EXCEEDED"]);
    assert.equal(store.offsets.maxOffset, 0);
    await store.close();
  });

  it("recovers after a clean stop: same log end, same queues, queue offsets continue", async () => {
    const world = memoryStoreWorld();
    let store = await world.open();
    for (let i = 0; i < 100; i++) await store.put([message("T", `m${i}`.padEnd(900, "."), { queueId: i % 2 })]);
    const end = store.offsets.maxOffset;
    await store.close();
    assert.equal(await world.fs.stat("/store/abort"), null, "a clean stop removes abort");
    store = await world.open();
    assert.equal(store.offsets.maxOffset, end);
    assert.equal(store.maxOffsetInQueue("T", 0), 50);
    const next = await store.put([message("T", "after", { queueId: 1 })]);
    assert.equal(next.records[0].queueOffset, 50);
    await store.close();
  });

  it("after a crash, truncates a torn record and rebuilds consume-queue entries that never reached the disk", async () => {
    const world = memoryStoreWorld({ flushDiskType: "SYNC_FLUSH" });
    const store = await world.open();
    const acked: Awaited<ReturnType<typeof store.put>>[] = [];
    for (let i = 0; i < 150; i++) acked.push(await store.put([message("T", `m${i}`.padEnd(500, "."))]));
    const end = store.offsets.maxOffset;
    // A torn half-record after the last acknowledged one, as a crash mid-write leaves it.
    const segmentStart = end - (end % SEGMENT);
    const path = `/store/commitlog/${String(segmentStart).padStart(20, "0")}`;
    const torn = acked[0].records[0];
    const tornBytes = world.fs.bytes("/store/commitlog/00000000000000000000").slice(0, Math.floor(torn.size / 2));
    world.fs.bytes(path).set(tornBytes, end - segmentStart);
    world.fs.crashProcess(); // no close(): abort stays, consume queues were never flushed
    const reopened = await world.open();
    assert.equal(reopened.offsets.maxOffset, end);
    assert.ok(world.logs.some((l) => l.includes("truncated")), world.logs.join("\n"));
    assert.equal(reopened.maxOffsetInQueue("T", 0), 150);
    const got = await reopened.get({ topic: "T", queueId: 0, offset: 149, maxMsgNums: 1 });
    assert.equal(bodyOf(got.messages[0].bytes), "m149".padEnd(500, "."));
    await reopened.close();
  });

  it("SYNC_FLUSH acknowledges only after fsync, and concurrent appends share fsyncs", async () => {
    const world = memoryStoreWorld({ flushDiskType: "SYNC_FLUSH" });
    const store = await world.open();
    const before = world.fs.syncCount;
    const puts = await Promise.all(Array.from({ length: 50 }, (_, i) => store.put([message("T", `m${i}`)])));
    assert.ok(puts.every((p) => p.status === "PUT_OK"));
    assert.ok(store.offsets.flushedOffset >= Math.max(...puts.map((p) => p.endOffset)));
    assert.ok(world.fs.syncCount - before < 50, `${world.fs.syncCount - before} fsyncs for 50 appends`);
    world.fs.crashPower();
    const reopened = await world.open();
    assert.equal(reopened.offsets.maxOffset, Math.max(...puts.map((p) => p.endOffset)));
    await reopened.close();
  });

  it("SYNC_FLUSH answers FLUSH_DISK_TIMEOUT when fsync fails, and keeps the message", async () => {
    const world = memoryStoreWorld({ flushDiskType: "SYNC_FLUSH" });
    const store = await world.open();
    await store.put([message("T", "first")]);
    world.fs.failSync("/store/commitlog/00000000000000000000");
    const put = await store.put([message("T", "second")]);
    assert.equal(put.status, "FLUSH_DISK_TIMEOUT");
    await store.waitDispatched(put.endOffset);
    assert.equal(store.maxOffsetInQueue("T", 0), 2);
    await store.close();
  });

  it("keeps memory bounded while the log grows past many segments", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    const body = new Uint8Array(1024);
    let peak = 0;
    for (let i = 0; i < 2000; i++) {
      await store.put([message("Big", body)]);
      peak = Math.max(peak, store.stats().cachedBlocks);
    }
    assert.ok(store.stats().commitLogSegmentStarts.length > 20);
    assert.ok(peak <= 18, `peak ${peak} cached blocks`);
    await store.close();
  });

  it("drops an unfinished replicated record before a slave becomes master", async () => {
    const master = memoryStoreWorld();
    const source = await master.open();
    await source.put([message("T", "whole")]);
    await source.put([message("T", "cut in half")]);
    const bytes = await source.readCommitLog(0, source.offsets.maxOffset);
    const firstEnd = (await source.get({ topic: "T", queueId: 0, offset: 0, maxMsgNums: 1 })).messages[0].size;
    const slaveWorld = memoryStoreWorld();
    const slave = await slaveWorld.open();
    await slave.replica.appendReplicated(0, bytes.subarray(0, bytes.byteLength - 10));
    assert.equal(await slave.replica.dropUnfinishedTail(), bytes.byteLength - 10 - firstEnd);
    assert.equal(slave.offsets.maxOffset, firstEnd);
    slave.rebuildQueueOffsets();
    const next = await slave.put([message("T", "new master")]);
    assert.deepEqual([next.records[0].physicalOffset, next.records[0].queueOffset], [firstEnd, 1]);
    await slave.close();
    await source.close();
  });

  it("on start-up truncates at a record whose CRC is wrong, logs it, and serves nothing after it", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    const puts: Awaited<ReturnType<typeof store.put>>[] = [];
    for (let i = 0; i < 60; i++) puts.push(await store.put([message("T", `m${i}`.padEnd(900, "."))]));
    await store.close();
    const bad = puts[40].records[0];
    const segmentStart = bad.physicalOffset - (bad.physicalOffset % SEGMENT);
    const file = world.fs.bytes(`/store/commitlog/${String(segmentStart).padStart(20, "0")}`);
    file[bad.physicalOffset - segmentStart + bad.size - 50] ^= 0xff; // flip one body byte of record 40
    const reopened = await world.open();
    assert.equal(reopened.offsets.maxOffset, bad.physicalOffset);
    assert.ok(world.logs.some((l) => l.includes("BODY_CRC_MISMATCH")), world.logs.join("\n"));
    assert.equal(reopened.maxOffsetInQueue("T", 0), 40);
    const last = await reopened.get({ topic: "T", queueId: 0, offset: 39, maxMsgNums: 5 });
    assert.deepEqual(last.messages.map((m) => bodyOf(m.bytes).slice(0, 3)), ["m39"]);
    const next = await reopened.put([message("T", "fresh")]);
    assert.deepEqual([next.records[0].physicalOffset, next.records[0].queueOffset], [bad.physicalOffset, 40]);
    await reopened.close();
  });

  it("keeps open consume-queue files bounded with thousands of queues", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    for (let t = 0; t < 300; t++) {
      for (let q = 0; q < 4; q++) await store.put([message(`Topic${t}`, `t${t}q${q}`, { queueId: q })]);
    }
    await store.flushAll();
    assert.equal(store.stats().consumeQueues, 1200);
    assert.ok(store.stats().openConsumeQueueFiles <= 256, `${store.stats().openConsumeQueueFiles} consume-queue files open`);
    for (const t of [0, 150, 299]) {
      const got = await store.get({ topic: `Topic${t}`, queueId: 3, offset: 0, maxMsgNums: 1 });
      assert.equal(bodyOf(got.messages[0].bytes), `t${t}q3`);
    }
    await store.close();
  });

  it("refuses a store that another live process holds, and takes over the lock of a dead one", async () => {
    const world = memoryStoreWorld();
    const alive = new Set<number>();
    const first = await MessageStore.open({ ...world.platform, system: memorySystem(undefined, { pid: 100, alive }) }, world.options);
    const second = { ...world.platform, system: memorySystem(undefined, { pid: 200, alive }) };
    await assert.rejects(MessageStore.open(second, world.options), (e: Error & { code?: string }) => e.code === "STORE_LOCKED" && /process 100/.test(e.message));
    alive.delete(100); // the first broker was killed
    const taken = await MessageStore.open(second, world.options);
    assert.match(new TextDecoder().decode(world.fs.bytes("/store/lock")), /^skiff 200/);
    await taken.close();
    void first;
  });
});
