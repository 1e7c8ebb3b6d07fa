/**
 * What operators read over HTTP (http/broker/stats-routes.ts): the broker's runtime table, a
 * topic's queue offsets, a group's lag per queue, and a group's offsets reset to a time — refused
 * while the group has connected consumers, and on a slave.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { memoryBroker } from "../support/broker.ts";
import { tagSubscription } from "../../src/broker/subscription.ts";
import type { ClientChannel } from "../../src/broker/client-manager.ts";

const put = (body: unknown) => ({ method: "PUT", body: JSON.stringify(body) });
const post = (body: unknown) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function brokerWithTraffic() {
  const t = await memoryBroker();
  assert.equal((await t.json("/topics/Orders", put({ readQueueNums: 2, writeQueueNums: 2 }))).status, 200);
  for (let i = 0; i < 5; i++) await t.send("Orders", { body: `m${i}`, queueId: i % 2 });
  await t.broker.store.waitDispatched(t.broker.store.offsets.maxOffset);
  return t;
}

describe("GET /broker/status", () => {
  it("answers RocketMQ's runtime table with the broker's name, id and role", async () => {
    const t = await brokerWithTraffic();
    const { status, body } = await t.json("/broker/status");
    assert.equal(status, 200);
    assert.deepEqual([body.brokerName, body.brokerId, body.brokerRole], ["broker-a", 0, "ASYNC_MASTER"]);
    assert.equal(body.table.commitLogMaxOffset, String(t.broker.store.offsets.maxOffset));
    assert.equal(body.table.putMessageTimesTotal, "5");
    assert.deepEqual(Object.keys(body.table), Object.keys(body.table).sort(), "keys in name order");
    await t.broker.stop();
  });
});

describe("GET /topics/{topic}/status", () => {
  it("answers each queue's min and max offset and last store time; 404 for an unknown topic", async () => {
    const t = await brokerWithTraffic();
    const { status, body } = await t.json("/topics/Orders/status");
    assert.equal(status, 200);
    assert.deepEqual(body.queues.map((q: any) => [q.queueId, q.minOffset, q.maxOffset]), [[0, 0, 3], [1, 0, 2]]);
    assert.ok(body.queues.every((q: any) => q.lastUpdateTimestamp > 0));
    assert.equal((await t.json("/topics/Nowhere/status")).body.error.code, "TOPIC_NOT_EXIST");
    await t.broker.stop();
  });
});

describe("GET /consumer-groups/{group}/progress", () => {
  it("answers per queue the broker offset, the committed offset and the lag, and their total", async () => {
    const t = await brokerWithTraffic();
    assert.equal((await t.json("/consumer-offsets/g1/Orders/0", put({ offset: 1 }))).status, 200);
    assert.equal((await t.json("/consumer-offsets/g1/Orders/1", put({ offset: 2 }))).status, 200);
    const { status, body } = await t.json("/consumer-groups/g1/progress");
    assert.equal(status, 200);
    assert.deepEqual(body.queues.map((q: any) => [q.topic, q.queueId, q.brokerOffset, q.consumerOffset, q.lag]), [["Orders", 0, 3, 1, 2], ["Orders", 1, 2, 2, 0]]);
    assert.equal(body.totalLag, 2);
    assert.equal(body.onlineConsumers, 0);
    assert.ok(body.queues[0].lastTimestamp > 0);
    const only = await t.json("/consumer-groups/g1/progress?topic=Other");
    assert.deepEqual(only.body.queues, []);
    assert.equal((await t.json("/consumer-groups/bad%20group/progress")).status, 400);
    await t.broker.stop();
  });
});

describe("POST /consumer-groups/{group}/reset-offset", () => {
  it("moves every queue's committed offset to the first message stored at or after the time", async () => {
    const t = await memoryBroker();
    assert.equal((await t.json("/topics/Orders", put({ readQueueNums: 2, writeQueueNums: 2 }))).status, 200);
    for (let i = 0; i < 4; i++) await t.send("Orders", { body: `early${i}`, queueId: i % 2 });
    await t.memory.clock.advance(60_000);
    const since = t.memory.clock.now();
    await t.send("Orders", { body: "late", queueId: 1 });
    for (const q of [0, 1]) assert.equal((await t.json(`/consumer-offsets/g1/Orders/${q}`, put({ offset: q === 0 ? 2 : 3 }))).status, 200);

    const back = await t.json("/consumer-groups/g1/reset-offset", post({ topic: "Orders", timestamp: 0 }));
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.deepEqual(back.body.queues, [{ queueId: 0, previousOffset: 2, offset: 0 }, { queueId: 1, previousOffset: 3, offset: 0 }]);
    const toTime = await t.json("/consumer-groups/g1/reset-offset", post({ topic: "Orders", timestamp: since }));
    assert.deepEqual(toTime.body.queues.map((q: any) => q.offset), [2, 2]);
    assert.equal((await t.json("/consumer-offsets/g1/Orders/1")).body.offset, 2);
    const pulled = await t.json("/topics/Orders/queues/1/messages?offset=2&group=g1");
    assert.deepEqual(pulled.body.messages.map((m: any) => atob(m.bodyBase64)), ["late"]);

    for (const [body, status] of [[{ topic: "Nowhere", timestamp: 0 }, 404], [{ topic: "Orders" }, 400], [{ topic: "Orders", timestamp: -1 }, 400]] as const) {
      assert.equal((await t.json("/consumer-groups/g1/reset-offset", post(body))).status, status, JSON.stringify(body));
    }
    await t.broker.stop();
  });

  it("is refused with CONSUMER_GROUP_ONLINE while a consumer of the group is connected", async () => {
    const t = await brokerWithTraffic();
    const channel: ClientChannel = { id: 1, remoteAddress: "127.0.0.1:40001", isOpen: true, sendOneway() {}, onClose() {}, close() {} };
    await t.broker.runtime.clients.heartbeat(channel, {
      client: { clientId: "c-1", language: "JAVA", version: 407 },
      consumers: [{ group: "g1", consumeType: "CONSUME_PASSIVELY", messageModel: "CLUSTERING", consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET", subscriptions: [tagSubscription({ topic: "Orders", subString: "*", expressionType: "TAG", subVersion: 1, classFilterMode: false })] }],
      producerGroups: [],
    });
    const refused = await t.json("/consumer-groups/g1/reset-offset", post({ topic: "Orders", timestamp: 0 }));
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, "CONSUMER_GROUP_ONLINE");
    assert.match(refused.body.error.message, /1 consumer\(s\) connected: stop them first/);
    assert.equal((await t.json("/consumer-groups/g1/progress")).body.onlineConsumers, 1);
    await t.broker.stop();
  });
});
