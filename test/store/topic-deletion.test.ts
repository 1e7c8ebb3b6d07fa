/**
 * A deleted topic's consume queues and queue counters are gone, and a topic of that name created
 * later starts at queue offset 0 with every queue empty — also after a clean restart whose dispatch
 * resumes below the deletion, after a crash that re-dispatches across it, and for sends racing it.
 * The deletion is a record of the commit log (a rollback a RocketMQ reader skips), and a message
 * carrying its reserved property is refused.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Decode } from "../../src/core/bytes.ts";
import { parseHostAddress } from "../../src/codec/host-address.ts";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { decodeProperties } from "../../src/codec/properties.ts";
import { TransactionType, transactionTypeOf } from "../../src/codec/sys-flag.ts";
import { MessageStore } from "../../src/store/message-store.ts";
import { defaultStoreOptions } from "../../src/store/store-options.ts";
import { TOPIC_DELETION_PROPERTY } from "../../src/store/topic-deletion.ts";
import { platform, removeDir, tempDir } from "../support/platform.ts";
import { memoryStoreWorld, message } from "../support/store.ts";

const HOST = parseHostAddress("127.0.0.1:10911");

/** Bodies of queue `queueId` of `topic` from queue offset 0 on (at most 64). */
async function bodies(store: MessageStore, topic: string, queueId = 0): Promise<{ status: string; minOffset: number; bodies: string[] }> {
  await store.waitDispatched(store.offsets.maxOffset);
  const got = await store.get({ topic, queueId, offset: 0, maxMsgNums: 64 });
  return {
    status: got.status,
    minOffset: got.minOffset,
    bodies: got.messages.map((m) => {
      const record = decodeMessageRecord(m.bytes, 0, { readBody: true });
      return record.kind === "message" ? utf8Decode(record.body!) : record.kind;
    }),
  };
}

async function putAll(store: MessageStore, topic: string, names: string[], queueId = 0): Promise<number[]> {
  const offsets: number[] = [];
  for (const name of names) offsets.push((await store.put([message(topic, name, { queueId })])).records[0].queueOffset);
  return offsets;
}

describe("topic deletion in the store", () => {
  it("drops the queues and counters: the re-created topic starts at 0 and serves only its new messages", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    await putAll(store, "Gone", ["old-0", "old-1", "old-2"]);
    await putAll(store, "Gone", ["old-q2"], 2);
    await putAll(store, "Gone-1", ["lookalike"]);
    await putAll(store, "Kept", ["kept-0"]);
    const at = await store.deleteTopic("Gone", HOST);
    assert.deepEqual(store.queueIdsOf("Gone"), []);
    assert.equal(await world.fs.stat("/store/consumequeue/Gone"), null, "its files are gone");
    assert.equal(store.maxOffsetInQueue("Gone", 0), 0);

    assert.deepEqual(await putAll(store, "Gone", ["new-0", "new-1"]), [0, 1], "counters start again at 0");
    assert.deepEqual(await bodies(store, "Gone"), { status: "FOUND", minOffset: 0, bodies: ["new-0", "new-1"] });
    assert.equal((await bodies(store, "Gone", 2)).status, "NO_MATCHED_LOGIC_QUEUE", "queue 2 stays empty");
    assert.deepEqual((await bodies(store, "Gone-1")).bodies, ["lookalike"], "a topic whose name starts the same is untouched");
    assert.deepEqual(await putAll(store, "Gone-1", ["lookalike-1"]), [1]);
    assert.deepEqual((await bodies(store, "Kept")).bodies, ["kept-0"]);

    // The record: a rollback of the topic that names it, which RocketMQ's dispatchers skip.
    const marker = decodeMessageRecord(await store.readMessageAt(at) ?? new Uint8Array(), 0, { readBody: true });
    assert.equal(marker.kind, "message");
    if (marker.kind === "message") {
      assert.equal(marker.topic, "Gone");
      assert.equal(transactionTypeOf(marker.sysFlag), TransactionType.ROLLBACK);
      assert.equal(marker.queueOffset, 0);
      assert.equal(decodeProperties(marker.properties).get(TOPIC_DELETION_PROPERTY), "Gone");
      assert.equal(utf8Decode(marker.body!), "topic Gone deleted");
    }
    await store.close();
  });

  it("stays deleted after a clean restart whose dispatch resumes below the deletion", async () => {
    const world = memoryStoreWorld();
    let store = await world.open();
    await putAll(store, "Only", Array.from({ length: 5 }, (_, i) => `old-${i}`));
    await store.deleteTopic("Only", HOST);
    await store.close();
    // No queue is left: dispatch resumes at the log's start and passes the old records again.
    store = await world.open();
    assert.deepEqual(store.queueIdsOf("Only"), []);
    assert.deepEqual(await putAll(store, "Only", ["new-0"]), [0]);
    await store.close();
    store = await world.open();
    assert.deepEqual(await bodies(store, "Only"), { status: "FOUND", minOffset: 0, bodies: ["new-0"] });
    assert.deepEqual(await putAll(store, "Only", ["new-1"]), [1], "counters follow the new queue");
    await store.close();
  });

  it("rebuilds the new queues across the deletion after a crash that re-dispatches from before it", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    await putAll(store, "Crash", Array.from({ length: 4 }, (_, i) => `old-${i}`));
    await store.deleteTopic("Crash", HOST);
    await putAll(store, "Crash", ["new-0", "new-1", "new-2"]);
    await store.flushAll();
    world.fs.crashProcess(); // abort stays: recovery re-dispatches from the start of the log
    const reopened = await world.open();
    assert.deepEqual(await bodies(reopened, "Crash"), { status: "FOUND", minOffset: 0, bodies: ["new-0", "new-1", "new-2"] });
    assert.deepEqual(await putAll(reopened, "Crash", ["new-3"]), [3]);
    await reopened.close();
  });

  it("keeps sends that race the deletion: before the record with the old queues, after it in the new ones", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    await putAll(store, "Race", ["old-0"]);
    const early = store.append([message("Race", "in-flight-old")]);
    const deletion = store.deleteTopic("Race", HOST);
    const late = store.append([message("Race", "in-flight-new")]);
    const [earlyPut, at, latePut] = await Promise.all([early, deletion, late]);
    assert.ok(earlyPut.records[0].physicalOffset < at && at < latePut.records[0].physicalOffset, "log order is append order");
    assert.equal(earlyPut.records[0].queueOffset, 1, "appended before the record: an old queue offset");
    assert.equal(latePut.records[0].queueOffset, 0, "appended after it: the new queue's first");
    assert.deepEqual((await bodies(store, "Race")).bodies, ["in-flight-new"]);
    await store.close();
  });

  it("refuses a message that carries the deletion record's property", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    await putAll(store, "Victim", ["m0"]);
    const forged = message("Victim", "forged", { sysFlag: TransactionType.ROLLBACK, properties: new Map([[TOPIC_DELETION_PROPERTY, "Victim"]]) });
    await assert.rejects(store.put([forged]), (error: Error & { code?: string }) => error.code === "MESSAGE_ILLEGAL" && /reserved/.test(error.message));
    assert.deepEqual((await bodies(store, "Victim")).bodies, ["m0"]);
    await store.close();
  });

  it("on the runtime's own file system: deleted, re-created, reopened", async () => {
    const dir = await tempDir("topic-deletion");
    try {
      const options = defaultStoreOptions(dir, { segmentSizeCommitLogBytes: 64 * 1024, segmentSizeConsumeQueueBytes: 100 * 20, maxHashSlotNum: 1024, maxIndexNum: 4096 });
      let store = await MessageStore.open(platform, options);
      await putAll(store, "Disk", ["old-0", "old-1"]);
      await putAll(store, "Other", ["other-0"]);
      await store.deleteTopic("Disk", HOST);
      assert.equal(await platform.fs.stat(`${dir}/consumequeue/Disk`), null);
      assert.deepEqual(await putAll(store, "Disk", ["new-0"]), [0]);
      await store.close();
      store = await MessageStore.open(platform, options);
      assert.deepEqual(await bodies(store, "Disk"), { status: "FOUND", minOffset: 0, bodies: ["new-0"] });
      assert.deepEqual((await bodies(store, "Other")).bodies, ["other-0"]);
      await store.close();
    } finally {
      await removeDir(dir);
    }
  });
});
