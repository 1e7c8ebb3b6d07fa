/**
 * The client with a name server (the real name-server app, brokers registered through its
 * `POST /brokers`): the producer sends to the master of a broker name with writable queues, falls
 * back to TBW102's route for a topic the name server does not know yet, and after a failure asks
 * for the route again and moves to another broker name. The consumer reads from slaves as
 * RocketMQ's client does: a master answering suggestWhichBrokerId=1 sends the next pull of that
 * queue to the slave's address, offsets are committed to the master all the same, and a 0 (or a
 * route without the slave) brings the pulls back to the master. Brokers register their remoting
 * address (`brokerAddr`) and their HTTP address (`httpAddr`); the client dials the HTTP one, and a
 * broker without one (an Apache RocketMQ broker) is skipped, or named in NO_HTTP_ADDRESS when it is
 * the only choice.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { Producer, PullConsumer, SkiffClientError } from "../../src/client/index.ts";
import { namesrvApp } from "../../src/http/namesrv-app.ts";
import { topicConfig } from "../../src/metadata/topic-config.ts";
import { RouteTable } from "../../src/namesrv/route-table.ts";
import { until } from "../support/memory-platform.ts";
import { brokerHaAddress, brokerHttpAddress } from "../support/ports.ts";
import { memoryBroker } from "../support/broker.ts";
import { network, text } from "./world.ts";

const NAMESRV = "127.0.0.1:9876";
/** The slave replicates from nobody here (a port nothing listens on): its data is put by the test. */
const NO_MASTER = "127.0.0.1:1";
/** The brokers' listenPorts; the client dials their HTTP addresses (below). */
const [MASTER_PORT, SLAVE_PORT, DEAD_PORT] = [10911, 11911, 12911];
const MASTER = brokerHttpAddress(MASTER_PORT);
const SLAVE = brokerHttpAddress(SLAVE_PORT);
const DEAD = brokerHttpAddress(DEAD_PORT);

type Broker = Awaited<ReturnType<typeof memoryBroker>>;

/** Registers as a broker on `listenPort` does: remoting, HA and (unless `noHttp`, as a RocketMQ broker) HTTP addresses. */
async function register(
  namesrv: ReturnType<typeof namesrvApp>,
  broker: Broker | null,
  fields: { brokerName?: string; brokerId: number; listenPort: number; noHttp?: boolean; topics?: object },
) {
  const topicConfig = broker ? (await broker.json("/sync/topic-config")).body : { dataVersion: { counter: 1, timestamp: 1 }, topicConfigTable: fields.topics };
  const addresses = {
    brokerAddr: `127.0.0.1:${fields.listenPort}`,
    haServerAddr: brokerHaAddress(fields.listenPort),
    ...(fields.noHttp ? {} : { httpAddr: brokerHttpAddress(fields.listenPort) }),
  };
  const response = await namesrv.request("/brokers", {
    method: "POST",
    body: JSON.stringify({ clusterName: "DefaultCluster", brokerName: fields.brokerName ?? "broker-a", brokerId: fields.brokerId, ...addresses, topicConfig }),
  });
  assert.equal(response.status, 200, await response.clone().text());
}

/** What a slave's HA client would do: the master's commit log, appended byte for byte. */
async function replicate(master: Broker, slave: Broker): Promise<void> {
  const end = master.broker.store.offsets.maxOffset;
  for (let at = slave.broker.store.offsets.maxOffset; at < end;) {
    await master.broker.store.flushAll();
    const bytes = await master.broker.store.replicationSource.readForTransfer(at, 1 << 20);
    await slave.broker.store.replica.appendReplicated(at, bytes);
    at += bytes.byteLength;
  }
}

describe("client routing through the name server", () => {
  let master: Broker;
  let slave: Broker;
  let namesrv: ReturnType<typeof namesrvApp>;
  let net: ReturnType<typeof network>;

  before(async () => {
    // Every FOUND pull on the master lags "too far" (a tiny memory share): it suggests the slave.
    master = await memoryBroker({ slaveReadEnable: true, accessMessageInMemoryMaxRatio: 0.0000001 });
    slave = await memoryBroker({ brokerRole: "SLAVE", brokerId: 1, listenPort: 11911, slaveReadEnable: true, haMasterAddress: NO_MASTER });
    assert.equal((await master.json("/topics/Routed", { method: "PUT", body: JSON.stringify({ readQueueNums: 2, writeQueueNums: 2 }) })).status, 200);
    await slave.broker.metadata.topics.put(topicConfig("Routed", { readQueueNums: 2, writeQueueNums: 2 }));
    namesrv = namesrvApp({ routeTable: new RouteTable(), clock: new ManualClock() });
    await register(namesrv, master, { brokerId: 0, listenPort: MASTER_PORT });
    await register(namesrv, slave, { brokerId: 1, listenPort: SLAVE_PORT });
    net = network({ [NAMESRV]: namesrv, [MASTER]: master.app, [SLAVE]: slave.app });
  });
  after(async () => {
    await slave.broker.stop();
    await master.broker.stop();
  });

  it("sends to the master of the route, round-robin over its writable queues", async () => {
    const producer = new Producer({ namesrv: `${DEAD};${NAMESRV}` }, { fetch: net.fetch });
    const first = net.calls.length;
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await producer.send("Routed", { body: `r${i}`, tags: "T" }));
    assert.deepEqual(results.map((r) => [r.brokerName, r.queueId, r.status]), [["broker-a", 0, "SEND_OK"], ["broker-a", 1, "SEND_OK"], ["broker-a", 0, "SEND_OK"], ["broker-a", 1, "SEND_OK"]]);
    const calls = net.calls.slice(first);
    assert.deepEqual(calls.filter((c) => c.path.startsWith("/topics/")).map((c) => c.address), [MASTER, MASTER, MASTER, MASTER]);
    assert.deepEqual(calls.filter((c) => c.path.startsWith("/routes/")).map((c) => c.address), [DEAD, NAMESRV], "the route is asked once; a dead name server is skipped");
    const batch = await producer.sendBatch("Routed", [{ body: "b1" }, { body: "b2" }], { queueId: 1 });
    assert.deepEqual(batch.map((r) => [r.brokerName, r.queueId]), [["broker-a", 1], ["broker-a", 1]]);
  });

  it("sends a topic the name server does not know along TBW102's route, and the broker creates it", async () => {
    const producer = new Producer({ namesrv: NAMESRV }, { fetch: net.fetch });
    const sent = await producer.send("BrandNew", { body: "hello" });
    assert.equal(sent.status, "SEND_OK");
    assert.deepEqual(net.callsTo("/routes/").slice(-2), [`GET ${NAMESRV}`, `GET ${NAMESRV}`]);
    assert.equal(net.calls.at(-1)?.address, MASTER);
    assert.equal((await master.json("/topics/BrandNew")).status, 200);
    const lookups = net.callsTo("/routes/").length;
    assert.equal((await producer.send("BrandNew", { body: "again" })).status, "SEND_OK");
    assert.equal(net.callsTo("/routes/").length, lookups, "the TBW102 route is kept for the topic");
  });

  it("asks for the route again after a failed send and moves to another broker name", async () => {
    const ns = namesrvApp({ routeTable: new RouteTable(), clock: new ManualClock() });
    await register(ns, null, { brokerName: "broker-0-gone", brokerId: 0, listenPort: DEAD_PORT, topics: { Routed: { readQueueNums: 1, writeQueueNums: 1, perm: 6 } } });
    await register(ns, master, { brokerId: 0, listenPort: MASTER_PORT });
    const fleet = network({ [NAMESRV]: ns, [MASTER]: master.app });
    const sent = await new Producer({ namesrv: NAMESRV }, { fetch: fleet.fetch }).send("Routed", { body: "survives" });
    assert.deepEqual([sent.status, sent.brokerName], ["SEND_OK", "broker-a"]);
    assert.deepEqual(fleet.calls.map((c) => `${c.method} ${c.address} ${c.path.split("?")[0]}`), [
      `GET ${NAMESRV} /routes/Routed`,
      `POST ${DEAD} /topics/Routed/messages`,
      `GET ${NAMESRV} /routes/Routed`,
      `POST ${MASTER} /topics/Routed/messages`,
    ]);
    await assert.rejects(new Producer({ namesrv: NAMESRV }, { fetch: fleet.fetch, retries: 0 }).send("Routed", { body: "x", queueId: 0 }), { code: "NETWORK_ERROR" });
  });

  it("skips a broker that registered no HTTP address, and names it when it is the only choice", async () => {
    const ns = namesrvApp({ routeTable: new RouteTable(), clock: new ManualClock() });
    const java = { brokerName: "broker-java", brokerId: 0, listenPort: DEAD_PORT, noHttp: true, topics: { Skipped: { readQueueNums: 2, writeQueueNums: 2, perm: 6 } } };
    await register(ns, null, java);
    const alone = network({ [NAMESRV]: ns });
    const refused = /topic Skipped: broker broker-java \(127\.0\.0\.1:12911\) registered no HTTP address/;
    await assert.rejects(new Producer({ namesrv: NAMESRV }, { fetch: alone.fetch }).send("Skipped", { body: "x" }), { code: "NO_HTTP_ADDRESS", message: refused });
    const consumer = new PullConsumer({ group: "G", namesrv: NAMESRV, fetch: alone.fetch });
    await assert.rejects(consumer.pull("Skipped", 0, 0), { code: "NO_HTTP_ADDRESS", message: refused });
    await assert.rejects(consumer.commitOffset("Skipped", 0, 1), { code: "NO_HTTP_ADDRESS", message: refused });
    assert.deepEqual(alone.calls.filter((c) => !c.path.startsWith("/routes/")), [], "no request went to the remoting address");

    assert.equal((await master.json("/topics/Skipped", { method: "PUT", body: JSON.stringify({ readQueueNums: 2, writeQueueNums: 2 }) })).status, 200);
    await register(ns, master, { brokerId: 0, listenPort: MASTER_PORT });
    const mixed = network({ [NAMESRV]: ns, [MASTER]: master.app });
    const producer = new Producer({ namesrv: NAMESRV }, { fetch: mixed.fetch });
    for (let i = 0; i < 3; i++) assert.equal((await producer.send("Skipped", { body: `m${i}` })).brokerName, "broker-a");
    assert.deepEqual(mixed.callsTo("/topics/"), [`POST ${MASTER}`, `POST ${MASTER}`, `POST ${MASTER}`]);
  });

  it("fails with the name server's TOPIC_NOT_EXIST when neither the topic nor TBW102 has a route", async () => {
    const empty = network({ [NAMESRV]: namesrvApp({ routeTable: new RouteTable(), clock: new ManualClock() }) });
    await assert.rejects(new Producer({ namesrv: NAMESRV }, { fetch: empty.fetch }).send("Nowhere", { body: "x" }), { code: "TOPIC_NOT_EXIST", status: 404, retriable: false });
    assert.deepEqual(empty.calls.map((c) => c.path), ["/routes/Nowhere", "/routes/TBW102"], "no retries for an answer that will not change");
    await assert.rejects(new PullConsumer({ group: "G", namesrv: NAMESRV, fetch: empty.fetch }).pull("Nowhere", 0, 0), { code: "TOPIC_NOT_EXIST", status: 404 });
    assert.throws(() => new Producer({ namesrv: "localhost" }), /The Name Server Address\[localhost\] illegal/);
  });

  it("pulls from the slave the master suggests, commits to the master, and returns to the master when told 0", async () => {
    const producer = new Producer({ namesrv: NAMESRV }, { fetch: net.fetch });
    const sent = [];
    for (let i = 0; i < 3; i++) sent.push(await producer.send("Routed", { body: `s${i}`, queueId: 1 }));
    const offsets = sent.map((r) => r.queueOffset);
    await replicate(master, slave);
    await until(() => slave.broker.store.maxOffsetInQueue("Routed", 1) === master.broker.store.maxOffsetInQueue("Routed", 1), "the slave has dispatched the queue");

    const consumer = new PullConsumer({ group: "ReadSplit", namesrv: NAMESRV, fetch: net.fetch });
    const pulls = () => net.callsTo("/topics/Routed/queues/1/").slice(-1)[0];
    assert.equal(await consumer.nextBrokerId("Routed", 1), 0);

    const fromMaster = await consumer.pull("Routed", 1, offsets[0], { max: 1 });
    assert.equal(pulls(), `GET ${MASTER}`);
    assert.deepEqual([fromMaster.brokerAddress, fromMaster.suggestWhichBrokerId, fromMaster.messages[0].msgId], [MASTER, 1, sent[0].msgId]);
    assert.equal(await consumer.nextBrokerId("Routed", 1), 1);

    await consumer.commitOffset("Routed", 1, fromMaster.nextBeginOffset);
    assert.deepEqual(net.callsTo("/consumer-offsets/").slice(-1), [`PUT ${MASTER}`], "offsets go to the master even while pulls go to the slave");
    assert.equal(await consumer.committedOffset("Routed", 1), offsets[1]);
    assert.deepEqual(net.callsTo("/consumer-offsets/").slice(-1), [`GET ${MASTER}`]);

    const fromSlave = await consumer.pull("Routed", 1, fromMaster.nextBeginOffset, { max: 1 });
    assert.equal(pulls(), `GET ${SLAVE}`);
    assert.deepEqual([fromSlave.brokerAddress, fromSlave.messages[0].msgId, text(fromSlave.messages[0].body)], [SLAVE, sent[1].msgId, "s1"]);
    assert.equal(fromSlave.suggestWhichBrokerId, 0, "the slave, not lagging, sends the consumer back");

    const backOnMaster = await consumer.pull("Routed", 1, fromSlave.nextBeginOffset, { max: 1 });
    assert.equal(pulls(), `GET ${MASTER}`);
    assert.deepEqual(backOnMaster.messages.map((m) => m.msgId), [sent[2].msgId]);
  });

  it("pulls from the master when the suggested slave is not in the route", async () => {
    const ns = namesrvApp({ routeTable: new RouteTable(), clock: new ManualClock() });
    await register(ns, master, { brokerId: 0, listenPort: MASTER_PORT });
    const fleet = network({ [NAMESRV]: ns, [MASTER]: master.app });
    const consumer = new PullConsumer({ group: "NoSlave", namesrv: NAMESRV, fetch: fleet.fetch });
    const first = await consumer.pull("Routed", 1, 0, { max: 1 });
    assert.equal(first.suggestWhichBrokerId, 1);
    assert.equal(await consumer.nextBrokerId("Routed", 1), 0);
    await consumer.pull("Routed", 1, first.nextBeginOffset, { max: 1 });
    assert.deepEqual(fleet.callsTo("/topics/").slice(-2), [`GET ${MASTER}`, `GET ${MASTER}`]);
  });

  it("consumes through the name server and commits where the offsets live", async () => {
    const consumer = new PullConsumer({ group: "Loop", namesrv: NAMESRV, fetch: net.fetch });
    const bodies: string[] = [];
    for await (const batch of consumer.consume("Routed", 1, { waitMs: 0, max: 1 })) {
      bodies.push(...batch.messages.map((m) => text(m.body)));
      await consumer.commitOffset("Routed", 1, batch.nextBeginOffset);
    }
    const direct = new PullConsumer({ group: "Direct", broker: MASTER, fetch: net.fetch });
    assert.deepEqual(bodies, (await direct.pull("Routed", 1, 0, { max: 32 })).messages.map((m) => text(m.body)));
    assert.ok(net.callsTo("/consumer-offsets/Loop/").every((c) => c.endsWith(MASTER)));
    assert.ok(net.callsTo("/topics/Routed/queues/1/").some((c) => c.endsWith(SLAVE)), "some pulls went to the slave");
    assert.equal(await consumer.committedOffset("Routed", 1), master.broker.store.maxOffsetInQueue("Routed", 1));
  });

  it("waits a moment for a topic the name server does not know yet (a producer just created it), then consumes it", async () => {
    await master.send("JustCreated", { body: "first", queueId: 0 });
    const consumer = new PullConsumer({ group: "Early", namesrv: NAMESRV, fetch: net.fetch });
    // The broker registers its new topic a moment after the consumer first asks for the route.
    const registered = new Promise((resolve) => setTimeout(resolve, 400)).then(() => register(namesrv, master, { brokerId: 0, listenPort: MASTER_PORT }));
    const pulled = await consumer.pull("JustCreated", 0, 0);
    await registered;
    assert.deepEqual(pulled.messages.map((m) => text(m.body)), ["first"]);
    assert.ok(net.callsTo("/routes/JustCreated").length >= 2, "asked again until the route was there");
    await assert.rejects(consumer.pull("NeverCreated", 0, 0), (error: SkiffClientError) => error.code === "TOPIC_NOT_EXIST", "an unknown topic still fails, after the wait");
  });
});
