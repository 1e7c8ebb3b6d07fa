/**
 * Tracing messages with the client (MessageFinder, PullConsumer.offsetForTimestamp) against real
 * broker apps: by key and by either id on one broker, and through a name server for a topic served
 * by two broker names — a key lookup merges both brokers' answers oldest first, an id lookup finds
 * the message wherever it is, and a time is turned into the queue offset to start consuming from.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { MessageFinder, Producer, PullConsumer, SkiffClientError } from "../../src/client/index.ts";
import { namesrvApp } from "../../src/http/namesrv-app.ts";
import { RouteTable } from "../../src/namesrv/route-table.ts";
import { brokerHaAddress, brokerHttpAddress } from "../support/ports.ts";
import { memoryBroker } from "../support/broker.ts";
import { network, text } from "./world.ts";

const NAMESRV = "127.0.0.1:9876";
const [PORT_A, PORT_B] = [10911, 11911];
const [BROKER_A, BROKER_B] = [brokerHttpAddress(PORT_A), brokerHttpAddress(PORT_B)];

type Broker = Awaited<ReturnType<typeof memoryBroker>>;

async function register(namesrv: ReturnType<typeof namesrvApp>, broker: Broker, brokerName: string, listenPort: number) {
  const topicConfig = (await broker.json("/sync/topic-config")).body;
  const response = await namesrv.request("/brokers", {
    method: "POST",
    body: JSON.stringify({
      clusterName: "DefaultCluster", brokerName, brokerId: 0, topicConfig,
      brokerAddr: `127.0.0.1:${listenPort}`, haServerAddr: brokerHaAddress(listenPort), httpAddr: brokerHttpAddress(listenPort),
    }),
  });
  assert.equal(response.status, 200, await response.clone().text());
}

describe("MessageFinder and offsetForTimestamp", () => {
  let a: Broker;
  let b: Broker;
  let net: ReturnType<typeof network>;
  const clock = new ManualClock();

  before(async () => {
    a = await memoryBroker({ brokerName: "broker-a", listenPort: PORT_A });
    b = await memoryBroker({ brokerName: "broker-b", listenPort: PORT_B });
    for (const broker of [a, b]) {
      assert.equal((await broker.json("/topics/Orders", { method: "PUT", body: JSON.stringify({ readQueueNums: 1, writeQueueNums: 1 }) })).status, 200);
    }
    const namesrv = namesrvApp({ routeTable: new RouteTable(), clock });
    await register(namesrv, a, "broker-a", PORT_A);
    await register(namesrv, b, "broker-b", PORT_B);
    net = network({ [NAMESRV]: namesrv, [BROKER_A]: a.app, [BROKER_B]: b.app });
  });
  after(async () => {
    await a.broker.stop();
    await b.broker.stop();
  });

  const dispatched = (broker: Broker) => broker.broker.store.waitDispatched(broker.broker.store.offsets.maxOffset);

  it("finds by key and by both ids on one broker; an id of nothing is null", async () => {
    const producer = new Producer({ broker: BROKER_A }, { fetch: net.fetch });
    const sent = await producer.send("Orders", { body: "paid", keys: ["order-9", "customer-1"] });
    await dispatched(a);
    const finder = new MessageFinder({ broker: BROKER_A, fetch: net.fetch });
    const [byKey] = await finder.byKey("Orders", "order-9");
    assert.equal(text(byKey.body), "paid");
    assert.equal(byKey.msgId, sent.msgId);
    assert.equal(byKey.keys, "order-9 customer-1");
    for (const id of [sent.msgId, sent.offsetMsgId]) {
      const found = await finder.byId(id);
      assert.equal(found && text(found.body), "paid", id);
      assert.equal(found?.commitLogOffset, sent.commitLogOffset, id);
    }
    assert.equal(await finder.byId("0123456789ABCDEF0123456789ABCDEF"), null);
    assert.deepEqual(await finder.byKey("Orders", "nobody"), []);
    await assert.rejects(finder.byKey("Orders", "k", { maxNum: 65 }), (e: unknown) => e instanceof SkiffClientError && e.code === "BAD_REQUEST");
  });

  it("through a name server asks every broker name of the topic and merges their answers oldest first", async () => {
    const onA = await new Producer({ broker: BROKER_A }, { fetch: net.fetch }).send("Orders", { body: "on a", keys: "shared" });
    const onB = await new Producer({ broker: BROKER_B }, { fetch: net.fetch }).send("Orders", { body: "on b", keys: "shared" });
    await dispatched(a);
    await dispatched(b);
    const finder = new MessageFinder({ namesrv: NAMESRV, fetch: net.fetch });
    const found = await finder.byKey("Orders", "shared");
    assert.deepEqual(found.map((m) => text(m.body)).sort(), ["on a", "on b"]);
    assert.ok(found[0].storeTimestamp <= found[1].storeTimestamp);
    assert.equal((await finder.byKey("Orders", "shared", { maxNum: 1 })).length, 1);
    assert.equal(text((await finder.byId(onB.msgId, { topic: "Orders" }))!.body), "on b");
    assert.equal(text((await finder.byId(onA.offsetMsgId, { topic: "Orders" }))!.body), "on a");
    assert.deepEqual(net.callsTo(`/messages/${onB.msgId}`), [`GET ${BROKER_A}`, `GET ${BROKER_B}`]);
    await assert.rejects(finder.byId(onB.msgId), (e: unknown) => e instanceof SkiffClientError && e.code === "BAD_REQUEST" && /topic/.test(e.message));
  });

  it("turns a time into the offset to consume from", async () => {
    const producer = new Producer({ broker: BROKER_A }, { fetch: net.fetch });
    const consumer = new PullConsumer({ group: "G", broker: BROKER_A, fetch: net.fetch });
    for (let i = 0; i < 3; i++) await producer.send("Timed", { body: `m${i}`, queueId: 0 });
    await a.memory.clock.advance(5_000);
    const since = a.memory.clock.now();
    await producer.send("Timed", { body: "late", queueId: 0 });
    assert.equal(await consumer.offsetForTimestamp("Timed", 0, 0), 0);
    const from = await consumer.offsetForTimestamp("Timed", 0, since);
    assert.equal(from, 3);
    assert.deepEqual((await consumer.pull("Timed", 0, from)).messages.map((m) => text(m.body)), ["late"]);
    assert.equal(await consumer.offsetForTimestamp("Timed", 0, since + 1), 4);
    await assert.rejects(consumer.offsetForTimestamp("Nowhere", 0, 0), (e: unknown) => e instanceof SkiffClientError && e.code === "TOPIC_NOT_EXIST");
    await assert.rejects(consumer.offsetForTimestamp("Timed", 0, -5), (e: unknown) => e instanceof SkiffClientError && e.code === "BAD_REQUEST");
  });
});
