/**
 * Topic administration over remoting on a real broker: the UPDATE_AND_CREATE_TOPIC requests that
 * mqadmin 4.9.7 and 5.3.3 sent are answered as the real brokers answered them (code 0, the remark
 * "not set any response code", no fields, no body), the topic is persisted in topics.json and
 * re-registered with the name server at once; GET_TOPIC_CONFIG answers the bytes a 5.3.3 broker
 * sent; 5.x attributes are applied; system topics, bad headers and deletion are handled as Java does
 * (deletion also takes the topic's offsets and queue counters; a slave answers it without change).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { startNamesrv } from "../../src/app/start-namesrv.ts";
import { resolveNamesrvConfig } from "../../src/config/namesrv-config.ts";
import { utf8Decode } from "../../src/core/bytes.ts";
import { RequestCode, ResponseCode } from "../../src/remoting/codes.ts";
import { platform } from "../support/platform.ts";
import { until } from "../support/poll.ts";
import { capturedExchange } from "../support/remoting-conversation.ts";
import { answerShape, startAdminWorld, type AdminWorld } from "./admin-harness.ts";

const UPDATE_TOPIC = { v4: "v4.9.7/v4.9.7-admin-updateTopic-02-broker", v5: "v5.3.3/v5.3.3-admin-updateTopic-02-broker" };
const TOPIC_STATUS_V5 = "v5.3.3/v5.3.3-admin-topicStatus-02-broker";
const CONSUMER_PROGRESS_V5 = "v5.3.3/v5.3.3-admin-consumerProgress-02-broker";

describe(`topic admin processors (${platform.system.runtime})`, () => {
  let world: AdminWorld;
  let namesrv: Awaited<ReturnType<typeof startNamesrv>>;

  before(async () => {
    namesrv = await startNamesrv({ ...resolveNamesrvConfig({}).config, listenPort: 0 }, platform);
    world = await startAdminWorld({ config: { namesrvAddr: namesrv.remotingAddress } });
  });
  after(async () => {
    await world.stop();
    await namesrv.stop();
  });

  for (const [version, name] of Object.entries(UPDATE_TOPIC)) {
    it(`answers mqadmin ${version}'s updateTopic as the real broker did, persists and registers the topic`, async () => {
      const captured = capturedExchange(name, RequestCode.UPDATE_AND_CREATE_TOPIC);
      const topic = `TopicTest${version}`;
      const request = { ...captured.request, extFields: { ...captured.request.extFields, topic } };
      const answer = await world.replay(request);
      assert.deepEqual(answerShape(answer), answerShape(captured.response));
      assert.deepEqual(world.broker.runtime.metadata.topics.get(topic), {
        topicName: topic, readQueueNums: 4, writeQueueNums: 4, perm: 6, topicFilterType: "SINGLE_TAG", topicSysFlag: 0, order: false,
        ...(version === "v5" ? { attributes: {} } : {}),
      });
      const file = JSON.parse(await readFile(join(world.storeDir, "config", "topics.json"), "utf8"));
      assert.equal(file.topicConfigTable[topic].writeQueueNums, 4);
      const route = await until(`the route of ${topic}`, async () => namesrv.routeTable.route(topic) ?? undefined, 10_000);
      assert.equal(route.queueDatas[0].writeQueueNums, 4);
    });
  }

  it("answers GET_TOPIC_CONFIG with the bytes a 5.3.3 broker sent, and 17 for an unknown topic", async () => {
    await world.replay(capturedExchange(UPDATE_TOPIC.v5, RequestCode.UPDATE_AND_CREATE_TOPIC).request);
    await world.broker.runtime.admin.putTopic("%RETRY%cg_push", { readQueueNums: 1, writeQueueNums: 1 });
    for (const [name, nth] of [[TOPIC_STATUS_V5, 0], [CONSUMER_PROGRESS_V5, 0], [CONSUMER_PROGRESS_V5, 1]] as const) {
      const captured = capturedExchange(name, RequestCode.GET_TOPIC_CONFIG, nth);
      const answer = await world.replay(captured.request);
      assert.deepEqual(answerShape(answer), answerShape(captured.response));
      assert.equal(utf8Decode(answer.body), utf8Decode(captured.response.body));
    }
    const unknown = await world.call(RequestCode.GET_TOPIC_CONFIG, { topic: "NoSuchTopic", lo: "true" });
    assert.deepEqual(answerShape(unknown), { code: ResponseCode.TOPIC_NOT_EXIST, remark: "No topic in this broker. topic: NoSuchTopic", extFields: undefined, bodyLength: 0 });
  });

  it("applies 5.x attribute changes over the current ones and refuses malformed ones", async () => {
    const base = capturedExchange(UPDATE_TOPIC.v5, RequestCode.UPDATE_AND_CREATE_TOPIC).request;
    const update = (attributes: string) => world.replay({ ...base, opaque: base.opaque + 1000 + attributes.length, extFields: { ...base.extFields, topic: "AttrTopic", attributes } });
    assert.equal((await update("+message.type=NORMAL,+queue.type=SimpleCQ")).code, ResponseCode.SUCCESS);
    assert.deepEqual(world.broker.runtime.metadata.topics.get("AttrTopic")?.attributes, { "message.type": "NORMAL", "queue.type": "SimpleCQ" });
    assert.equal((await update("-queue.type")).code, ResponseCode.SUCCESS);
    assert.deepEqual(world.broker.runtime.metadata.topics.get("AttrTopic")?.attributes, { "message.type": "NORMAL" });
    const config = await world.call(RequestCode.GET_TOPIC_CONFIG, { topic: "AttrTopic" });
    assert.match(utf8Decode(config.body), /^\{"attributes":\{"message.type":"NORMAL"\},"order":false,"perm":6,/);
    for (const bad of ["message.type=NORMAL", "+k", "-k=v", "+a=1,+a=2", "+__proto__=x"]) {
      const answer = await update(bad);
      assert.equal(answer.code, ResponseCode.SYSTEM_ERROR, bad);
      assert.match(answer.remark ?? "", /attributes/, bad);
    }
    const gone = await update("-absent");
    assert.equal(gone.code, ResponseCode.SYSTEM_ERROR);
    assert.match(gone.remark ?? "", /has no attribute absent/);
  });

  it("refuses the broker's system topics with Java's remark", async () => {
    const base = capturedExchange(UPDATE_TOPIC.v4, RequestCode.UPDATE_AND_CREATE_TOPIC).request;
    for (const topic of ["TBW102", "SCHEDULE_TOPIC_XXXX", "DefaultCluster", "broker-a", "rmq_sys_x"]) {
      const answer = await world.replay({ ...base, opaque: base.opaque + 2000 + topic.length, extFields: { ...base.extFields, topic } });
      assert.deepEqual(answerShape(answer), { code: ResponseCode.NO_PERMISSION, remark: `The topic[${topic}] is conflict with system topic.`, extFields: undefined, bodyLength: 0 });
    }
    const deleting = await world.call(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: "SCHEDULE_TOPIC_XXXX" });
    assert.equal(deleting.code, ResponseCode.NO_PERMISSION);
    assert.ok(world.broker.runtime.metadata.topics.get("SCHEDULE_TOPIC_XXXX"));
  });

  it("answers bad headers with SYSTEM_ERROR naming the field", async () => {
    const base = capturedExchange(UPDATE_TOPIC.v4, RequestCode.UPDATE_AND_CREATE_TOPIC).request;
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ readQueueNums: "four" }, /<readQueueNums> is not an int/],
      [{ topicFilterType: "REGEX" }, /<topicFilterType> is not SINGLE_TAG or MULTI_TAG/],
      [{ topic: "bad topic!" }, /illegal characters/],
      [{ readQueueNums: "70000" }, /readQueueNums must be 0…65535/],
    ];
    for (const [fields, remark] of cases) {
      const answer = await world.replay({ ...base, opaque: base.opaque + 3000 + JSON.stringify(fields).length, extFields: { ...base.extFields, ...fields } });
      assert.equal(answer.code, ResponseCode.SYSTEM_ERROR, JSON.stringify(fields));
      assert.match(answer.remark ?? "", remark);
    }
    const { perm: _perm, ...withoutPerm } = base.extFields ?? {};
    const missing = await world.call(RequestCode.UPDATE_AND_CREATE_TOPIC, withoutPerm);
    assert.deepEqual([missing.code, missing.remark], [ResponseCode.SYSTEM_ERROR, "the custom field <perm> is null"]);
  });

  it("deletes a topic (config and queues) and answers 0 for a topic it does not have, as Java", async () => {
    await world.call(RequestCode.UPDATE_AND_CREATE_TOPIC, {
      topic: "Doomed", defaultTopic: "TBW102", readQueueNums: "2", writeQueueNums: "2", perm: "6", topicFilterType: "SINGLE_TAG", order: "false",
    });
    await world.send("Doomed", { body: "x", queueId: 1 });
    await world.broker.store.waitDispatched(world.broker.store.offsets.maxOffset);
    assert.deepEqual(world.broker.store.queueIdsOf("Doomed"), [1]);
    assert.deepEqual(answerShape(await world.call(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: "Doomed" })), { code: 0, remark: undefined, extFields: undefined, bodyLength: 0 });
    assert.equal(world.broker.runtime.metadata.topics.get("Doomed"), undefined);
    assert.deepEqual(world.broker.store.queueIdsOf("Doomed"), []);
    assert.equal((await world.call(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: "Doomed" })).code, ResponseCode.SUCCESS);
    assert.equal((await world.call(RequestCode.GET_TOPIC_CONFIG, { topic: "Doomed" })).code, ResponseCode.TOPIC_NOT_EXIST);
  });

  it("deletion takes the topic's consumer offsets and counters: re-created, it starts at queue offset 0", async () => {
    for (let i = 0; i < 3; i++) await world.send("Again", { body: `old ${i}`, queueId: 0 });
    world.broker.runtime.admin.commitConsumerOffset("gAgain", "Again", 0, 3);
    assert.equal((await world.call(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: "Again" })).code, ResponseCode.SUCCESS);
    assert.equal(world.broker.runtime.metadata.consumerOffsets.query("gAgain", "Again", 0), -1);
    assert.equal((await world.send("Again", { body: "new 0", queueId: 0 })).queueOffset, 0);
  });

  it("on a slave (a tool that asks every broker of a cluster) answers 0 and changes nothing: the deletion comes from the master", async () => {
    const slave = await startAdminWorld({ config: { brokerRole: "SLAVE", brokerId: 1, haMasterAddress: "127.0.0.1:1" } });
    try {
      await slave.broker.runtime.metadata.topics.createTopicIfAbsent("OnSlave", 1);
      assert.equal((await slave.call(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: "OnSlave" })).code, ResponseCode.SUCCESS);
      assert.ok(slave.broker.runtime.metadata.topics.get("OnSlave"), "a slave's topics come from its master's sync");
      assert.ok(slave.logs.some((line) => line.includes("DELETE_TOPIC_IN_BROKER OnSlave on a slave")), slave.logs.join("\n"));
    } finally {
      await slave.stop();
    }
  });
});
