/**
 * The Producer against a real broker app (in-memory platform, `app.request` as fetch): text and
 * binary bodies with tags, keys and properties come back intact through the PullConsumer, and a
 * binary batch goes out as `application/x-rocketmq-batch` and lands in one queue consecutively.
 * A status other than SEND_OK (a SYNC_MASTER without a slave) is returned, not thrown, and the
 * message is stored.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Producer, PullConsumer, SkiffClientError } from "../../src/client/index.ts";
import { memoryBroker } from "../support/broker.ts";
import { network, text } from "./world.ts";

const BROKER = "127.0.0.1:10911";

describe("Producer → broker → PullConsumer", () => {
  let t: Awaited<ReturnType<typeof memoryBroker>>;
  let net: ReturnType<typeof network>;
  let producer: Producer;
  let consumer: PullConsumer;

  before(async () => {
    t = await memoryBroker();
    net = network({ [BROKER]: t.app });
    producer = new Producer({ broker: BROKER }, { fetch: net.fetch });
    consumer = new PullConsumer({ group: "G1", broker: BROKER, fetch: net.fetch });
  });
  after(() => t.broker.stop());

  it("sends a text message as JSON and pulls it back with tags, keys and properties", async () => {
    const sent = await producer.send("Orders", { body: "héllo wörld", tags: "TagA", keys: ["k1", "k2"], properties: { color: "red", "ключ": "значение" }, queueId: 2 });
    assert.equal(sent.status, "SEND_OK");
    assert.deepEqual([sent.topic, sent.queueId, sent.queueOffset, sent.commitLogOffset], ["Orders", 2, 0, 0]);
    assert.match(sent.msgId, /^[0-9A-F]{32}$/);
    assert.match(sent.offsetMsgId, /^[0-9A-F]{32}$/);
    assert.equal(net.calls.at(-1)?.contentType, "application/json");

    const pulled = await consumer.pull("Orders", 2, 0);
    assert.equal(net.calls.at(-1)?.accept, "application/x-rocketmq-messages");
    assert.equal(pulled.status, "FOUND");
    assert.equal(pulled.pullStatus, "FOUND");
    assert.deepEqual([pulled.nextBeginOffset, pulled.minOffset, pulled.maxOffset, pulled.suggestWhichBrokerId], [1, 0, 1, 0]);
    assert.equal(pulled.messages.length, 1);
    const [m] = pulled.messages;
    assert.equal(text(m.body), "héllo wörld");
    assert.equal(m.tags, "TagA");
    assert.equal(m.keys, "k1 k2");
    assert.equal(m.properties.color, "red");
    assert.equal(m.properties["ключ"], "значение");
    assert.deepEqual([m.msgId, m.offsetMsgId, m.topic, m.queueId, m.queueOffset, m.commitLogOffset], [sent.msgId, sent.offsetMsgId, "Orders", 2, 0, 0]);
    assert.ok(m.storeTimestamp >= m.bornTimestamp && m.bornTimestamp > 0);
  });

  it("sends a binary body as bodyBase64 and gets every byte back", async () => {
    const body = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) & 0xff);
    const sent = await producer.send("Bin", { body, tags: "raw", queueId: 0 });
    assert.equal(sent.status, "SEND_OK");
    const [m] = (await consumer.pull("Bin", 0, sent.queueOffset)).messages;
    assert.deepEqual(m.body, body);
    assert.equal(m.tags, "raw");
    assert.equal(m.keys, undefined);
  });

  it("sends a batch in the binary form: one queue, consecutive offsets, each message intact", async () => {
    const results = await producer.sendBatch("Batch", [
      { body: "a", tags: "T1", keys: "ka" },
      { body: new Uint8Array([0, 1, 2, 255]), properties: { p: "v" } },
      { body: "c", keys: ["x", "y"], properties: { q: "w" } },
    ], { queueId: 3 });
    const request = net.calls.at(-1);
    assert.equal(request?.contentType, "application/x-rocketmq-batch");
    assert.equal(request?.path, "/topics/Batch/messages?queueId=3");
    assert.deepEqual(results.map((r) => [r.status, r.queueId, r.queueOffset]), [["SEND_OK", 3, 0], ["SEND_OK", 3, 1], ["SEND_OK", 3, 2]]);
    assert.equal(new Set(results.map((r) => r.msgId)).size, 3);
    assert.ok(results[1].commitLogOffset > results[0].commitLogOffset);

    const pulled = await consumer.pull("Batch", 3, 0, { max: 10 });
    assert.deepEqual(pulled.messages.map((m) => m.queueOffset), [0, 1, 2]);
    assert.deepEqual(pulled.messages.map((m) => m.msgId), results.map((r) => r.msgId));
    const [a, b, c] = pulled.messages;
    assert.deepEqual([text(a.body), a.tags, a.keys], ["a", "T1", "ka"]);
    assert.deepEqual([b.body, b.tags, b.properties.p], [new Uint8Array([0, 1, 2, 255]), undefined, "v"]);
    assert.deepEqual([text(c.body), c.keys, c.properties.q], ["c", "x y", "w"]);
  });

  it("lets the broker pick the queue round-robin without a queueId, for a batch too", async () => {
    const queues = [];
    for (let i = 0; i < 3; i++) queues.push((await producer.send("Spread", { body: `m${i}` })).queueId);
    assert.deepEqual(queues, [0, 1, 2]);
    const batch = await producer.sendBatch("Spread", [{ body: "b1" }, { body: "b2" }]);
    assert.equal(batch[0].queueId, batch[1].queueId);
    assert.equal(batch[1].queueOffset, batch[0].queueOffset + 1);
  });

  it("refuses bad input before sending: an empty batch, a queueId inside a batch, a separator in a property", async () => {
    const before = net.calls.length;
    await assert.rejects(producer.sendBatch("Batch", []), (e: unknown) => e instanceof SkiffClientError && e.code === "BAD_REQUEST" && !e.retriable);
    await assert.rejects(producer.sendBatch("Batch", [{ body: "x", queueId: 1 } as never]), { code: "BAD_REQUEST" });
    await assert.rejects(producer.sendBatch("Batch", [{ body: "x", properties: { "a\u0001b": "c" } }]), { code: "PROPERTIES_ILLEGAL" });
    assert.equal(net.calls.length, before);
  });

  it("turns the broker's 400 into a SkiffClientError with the broker's code and message", async () => {
    await assert.rejects(producer.send("Orders", { body: "x", queueId: 99 }), (e: unknown) => {
      assert.ok(e instanceof SkiffClientError);
      assert.deepEqual([e.code, e.status, e.retriable], ["BAD_REQUEST", 400, false]);
      assert.match(e.message, /queueId 99 is out of range/);
      return true;
    });
  });
});

describe("send statuses", () => {
  it("returns SLAVE_NOT_AVAILABLE from a SYNC_MASTER without a slave instead of throwing; the message is stored", async () => {
    const t = await memoryBroker({ brokerRole: "SYNC_MASTER" });
    try {
      const fetch = (url: string, init: RequestInit) => t.app.request(url, init);
      const producer = new Producer({ broker: BROKER }, { fetch });
      const sent = await producer.send("Sync", { body: "kept", queueId: 0 });
      assert.equal(sent.status, "SLAVE_NOT_AVAILABLE");
      const batch = await producer.sendBatch("Sync", [{ body: "b1" }, { body: "b2" }], { queueId: 0 });
      assert.deepEqual(batch.map((r) => r.status), ["SLAVE_NOT_AVAILABLE", "SLAVE_NOT_AVAILABLE"]);
      const pulled = await new PullConsumer({ group: "G", broker: BROKER, fetch }).pull("Sync", 0, 0);
      assert.deepEqual(pulled.messages.map((m) => text(m.body)), ["kept", "b1", "b2"]);
    } finally {
      await t.broker.stop();
    }
  });
});
