/**
 * `DELETE /topics/X` on a master removes the topic's consume queues, its config and every group's
 * offsets of it (persisted), and the topic re-created by a send starts at queue offset 0 with every
 * queue empty, also after a restart. A slave follows from the replicated log (its queues go where
 * the master's went) and from the metadata sync (config and offsets): its re-created queues start
 * at 0 as the master's do, also after a restart. On the in-memory platform, over the HTTP API.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, settle } from "../../adapters/memory/clock.ts";
import { MemoryNetwork } from "../../adapters/memory/net.ts";
import { createMemoryPlatform } from "../../adapters/memory/platform.ts";
import { utf8Decode } from "../../src/core/bytes.ts";
import { parseFastjson } from "../../src/codec/fastjson.ts";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { memoryBroker } from "../support/broker.ts";

type Broker = Awaited<ReturnType<typeof memoryBroker>>;

/** Bodies of the messages of `topic` queue 0 from offset 0, as the broker's store serves them. */
async function storedBodies(broker: Broker, topic: string): Promise<string[]> {
  const { store } = broker.broker;
  await store.waitDispatched(store.offsets.maxOffset);
  const got = await store.get({ topic, queueId: 0, offset: 0, maxMsgNums: 64 });
  return got.messages.map((m) => {
    const record = decodeMessageRecord(m.bytes, 0, { readBody: true });
    return record.kind === "message" ? utf8Decode(record.body!) : record.kind;
  });
}

async function pullBodies(broker: Broker, topic: string): Promise<{ status: string; bodies: string[] }> {
  const { body } = await broker.json(`/topics/${topic}/queues/0/messages?offset=0&max=64`);
  return { status: body.status, bodies: (body.messages ?? []).map((m: { bodyBase64: string }) => atob(m.bodyBase64)) };
}

const SLAVE = { brokerRole: "SLAVE", brokerId: 1, listenPort: 11911, haMasterAddress: "127.0.0.1:10912", slaveSynchronizePeriod: 10_000 } as const;

describe("deleting a topic", () => {
  it("over HTTP: queues, config and offsets go; the re-created topic starts at 0, also after a restart", async () => {
    const memory = createMemoryPlatform();
    let master = await memoryBroker({}, memory);
    for (let i = 0; i < 3; i++) assert.equal((await master.send("Del", { body: `old-${i}`, queueId: 0 })).body.queueOffset, i);
    await master.send("Del", { body: "old-q1", queueId: 1 });
    for (const group of ["g1", "g2"]) await master.json(`/consumer-offsets/${group}/Del/0`, { method: "PUT", body: JSON.stringify({ offset: 3 }) });
    await master.json("/consumer-offsets/g1/Kept/0", { method: "PUT", body: JSON.stringify({ offset: 0 }) });
    await master.send("Kept", { body: "kept", queueId: 0 });
    await master.json("/consumer-offsets/g1/Kept/0", { method: "PUT", body: JSON.stringify({ offset: 1 }) });

    const deleted = await master.json("/topics/Del", { method: "DELETE" });
    assert.deepEqual(deleted, { status: 200, body: { deleted: "Del", offsetsRemovedFor: ["g1", "g2"] } });
    assert.equal((await master.json("/topics/Del")).status, 404);
    assert.equal((await master.json("/consumer-offsets/g1/Del/0")).body.offset, -1);
    assert.equal((await master.json("/consumer-offsets/g1/Kept/0")).body.offset, 1, "other topics keep their offsets");
    const offsetsFile = parseFastjson(utf8Decode(await memory.platform.fs.readFile("/store/config/consumerOffset.json"))) as any;
    assert.deepEqual(Object.keys(offsetsFile.offsetTable), ["Kept@g1"], "the removal is persisted at once");
    assert.deepEqual(offsetsFile.skiffResetVersions, { "Del@g1": 1, "Del@g2": 1 }, "slaves learn of it by the reset versions");
    assert.ok(master.logs.some((l) => /topic Del deleted at commit-log offset \d+: .* 2 group\(s\) \(g1, g2\)/.test(l)), master.logs.join("\n"));

    assert.equal((await master.send("Del", { body: "new-0", queueId: 0 })).body.queueOffset, 0, "re-created by a send");
    assert.deepEqual(await pullBodies(master, "Del"), { status: "FOUND", bodies: ["new-0"] });
    const queue1 = (await master.json("/topics/Del/queues/1/messages?offset=0")).body;
    assert.deepEqual([queue1.maxOffset, queue1.messages?.length ?? 0], [0, 0], "queue 1 is empty");

    await master.broker.stop();
    master = await memoryBroker({}, memory);
    assert.deepEqual(await pullBodies(master, "Del"), { status: "FOUND", bodies: ["new-0"] });
    assert.equal((await master.send("Del", { body: "new-1", queueId: 0 })).body.queueOffset, 1);
    assert.equal((await master.json("/consumer-offsets/g2/Del/0")).body.offset, -1);

    const unknown = await master.json("/topics/NeverThere", { method: "DELETE" });
    assert.deepEqual([unknown.status, unknown.body.error.code], [404, "TOPIC_NOT_EXIST"]);
    const system = await master.json("/topics/SCHEDULE_TOPIC_XXXX", { method: "DELETE" });
    assert.equal(system.body.error.code, "NO_PERMISSION");
    await master.broker.stop();
  });

  it("on a slave: queues by the replicated log, config and offsets by sync; re-created queues start at 0, also after a restart", async () => {
    const clock = new ManualClock();
    const net = new MemoryNetwork();
    const masterMemory = createMemoryPlatform({ clock, net });
    const slaveMemory = createMemoryPlatform({ clock, net });
    const master = await memoryBroker({ brokerRole: "ASYNC_MASTER" }, masterMemory);
    let slave = await memoryBroker(SLAVE, slaveMemory, masterMemory.fetch);
    const caughtUp = async () => {
      for (let i = 0; i < 200 && slave.broker.store.offsets.writtenOffset < master.broker.store.offsets.maxOffset; i++) await clock.advance(10);
      await slave.broker.store.waitDispatched(master.broker.store.offsets.maxOffset);
    };
    const synced = async () => {
      await clock.advance(10_000);
      await settle(200);
    };
    for (let i = 0; i < 4; i++) await master.send("Del", { body: `old-${i}`, queueId: 0 });
    await master.json("/consumer-offsets/g1/Del/0", { method: "PUT", body: JSON.stringify({ offset: 4 }) });
    await caughtUp();
    await synced();
    assert.equal((await slave.json("/consumer-offsets/g1/Del/0")).body.offset, 4);
    assert.deepEqual(await storedBodies(slave, "Del"), ["old-0", "old-1", "old-2", "old-3"]);

    assert.equal((await master.json("/topics/Del", { method: "DELETE" })).status, 200);
    const refused = await slave.json("/topics/Del", { method: "DELETE" });
    assert.deepEqual([refused.status, refused.body.error.code], [409, "NOT_MASTER"]);
    for (let i = 0; i < 2; i++) assert.equal((await master.send("Del", { body: `new-${i}`, queueId: 0 })).body.queueOffset, i);
    await caughtUp();
    assert.deepEqual(await storedBodies(slave, "Del"), ["new-0", "new-1"], "the slave's queue went where the master's did, before any sync");
    assert.equal(slave.broker.store.minOffsetInQueue("Del", 0), 0);

    await synced();
    assert.equal((await slave.json("/consumer-offsets/g1/Del/0")).body.offset, -1, "offsets follow at the next sync");
    assert.equal((await slave.json("/topics/Del")).status, 200, "the re-created topic's config reached the slave");

    await slave.broker.stop();
    slave = await memoryBroker(SLAVE, slaveMemory, masterMemory.fetch);
    await master.send("Del", { body: "new-2", queueId: 0 });
    await caughtUp();
    assert.deepEqual(await storedBodies(slave, "Del"), ["new-0", "new-1", "new-2"]);
    assert.deepEqual(await storedBodies(master, "Del"), ["new-0", "new-1", "new-2"]);
    await slave.broker.stop();
    await master.broker.stop();
  });

  it("a topic deleted while the slave is offline: the slave drops the offsets when the config leaves its sync", async () => {
    const clock = new ManualClock();
    const net = new MemoryNetwork();
    const masterMemory = createMemoryPlatform({ clock, net });
    const slaveMemory = createMemoryPlatform({ clock, net });
    const master = await memoryBroker({ brokerRole: "ASYNC_MASTER" }, masterMemory);
    const slave = await memoryBroker(SLAVE, slaveMemory, masterMemory.fetch);
    await master.json("/topics/Gone", { method: "PUT", body: JSON.stringify({ readQueueNums: 1, writeQueueNums: 1 }) });
    await master.json("/consumer-offsets/g/Gone/0", { method: "PUT", body: JSON.stringify({ offset: 7 }) });
    await clock.advance(10_000);
    await settle(200);
    assert.equal((await slave.json("/consumer-offsets/g/Gone/0")).body.offset, 7);
    await master.json("/topics/Gone", { method: "DELETE" });
    await clock.advance(10_000);
    await settle(200);
    assert.equal((await slave.json("/topics/Gone")).status, 404);
    assert.equal((await slave.json("/consumer-offsets/g/Gone/0")).body.offset, -1);
    await slave.broker.stop();
    await master.broker.stop();
  });
});
