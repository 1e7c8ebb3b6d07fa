// The pull processors over a real broker and a real RemotingServer: a pull's body, decoded with the record codec, holds
// what the producer sent (body, topic, tags, keys, user properties, born host = the producer's socket, store host =
// brokerIP1:listenPort); a suspended pull is answered within milliseconds of a send to its queue, and one whose client
// closed is released and never answered; offsets beyond the queue answer 21 with the offset to restart from (not held);
// filters come from the request's subscription or the heartbeat's (25 when the heartbeat's is older, all tags when the
// broker knows none); the commit bit commits on a master only; a slave answers 20 with the requested offset; 5.x
// clients get topicSysFlag/groupSysFlag; LITE_PULL_MESSAGE is the same pull.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Decode } from "../../../src/core/bytes.ts";
import { formatHostAddress } from "../../../src/codec/host-address.ts";
import { decodeProperties } from "../../../src/codec/properties.ts";
import { RequestCode, ResponseCode } from "../../../src/remoting/codes.ts";
import { PullSysFlag } from "../../../src/processors/broker/pull-message-header.ts";
import type { HeartbeatSubscription } from "../../../src/processors/broker/pull-processors.ts";
import { remotingBroker, waitFor, type RemotingBroker } from "../../support/processor-broker.ts";
import { recordsOf } from "./replay.ts";
import { pullRequest, sendRequest } from "./requests.ts";

const { SUSPEND, SUBSCRIPTION, COMMIT_OFFSET } = PullSysFlag;

async function withTopic(run: (rb: RemotingBroker) => Promise<void>, values: Record<string, string | number | boolean> = {}, subscriptions?: Map<string, HeartbeatSubscription>) {
  const rb = await remotingBroker(values, { subscriptionOf: subscriptions ? (group, topic) => subscriptions.get(`${group} ${topic}`) : undefined });
  try {
    if (rb.broker.runtime.config().brokerRole !== "SLAVE") await rb.broker.runtime.admin.putTopic("T", { readQueueNums: 4, writeQueueNums: 4 });
    await run(rb);
  } finally {
    await rb.stop();
  }
}

async function sendAll(rb: RemotingBroker, queueId: number, messages: Array<{ body: string; tags?: string }>): Promise<void> {
  const producer = await rb.client();
  for (const m of messages) {
    const answer = await producer.call(sendRequest("T", m.body, { queueId, properties: m.tags ? { TAGS: m.tags } : {} }));
    assert.equal(answer.code, ResponseCode.SUCCESS, answer.remark);
  }
  await dispatched(rb);
}

/** A send is acknowledged once stored; consumers see it once it is in its consume queue. */
function dispatched(rb: RemotingBroker): Promise<void> {
  return rb.broker.store.waitDispatched(rb.broker.store.offsets.maxOffset);
}

describe("pull processors", () => {
  it("answer FOUND with the stored records, which decode to what the producer sent", async () => {
    await withTopic(async (rb) => {
      const producer = await rb.client();
      const properties = { TAGS: "TagA", KEYS: "k1 k2", UNIQ_KEY: "FD00000000000000000000000000000000000000000000000001", colour: "blue" };
      const sent = await producer.call(sendRequest("T", "hello pull", { queueId: 2, properties }));
      assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark);
      await dispatched(rb);
      const consumer = await rb.client();
      const answer = await consumer.call(pullRequest("T", 2, 0, { sysFlag: 0 }));
      assert.deepEqual([answer.code, answer.remark, answer.extFields], [ResponseCode.SUCCESS, "FOUND", { suggestWhichBrokerId: "0", nextBeginOffset: "1", minOffset: "0", maxOffset: "1" }]);
      const [record] = recordsOf(answer.body);
      const config = rb.broker.runtime.config();
      assert.deepEqual(
        [record.topic, record.queueId, record.queueOffset, utf8Decode(record.body!), formatHostAddress(record.storeHost)],
        ["T", 2, 0, "hello pull", `${config.brokerIP1}:${config.listenPort}`],
      );
      assert.equal(formatHostAddress(record.bornHost).split(":")[0], "127.0.0.1");
      assert.notEqual(formatHostAddress(record.bornHost), formatHostAddress(record.storeHost), "the born host is the producer's socket");
      assert.deepEqual(Object.fromEntries(decodeProperties(record.properties)), { ...properties, CLUSTER: "DefaultCluster" }, "WAIT is not stored, CLUSTER is added");
      assert.equal(sent.extFields!.msgId.slice(-16), record.physicalOffset.toString(16).toUpperCase().padStart(16, "0"));
    });
  });

  it("holds a suspended pull until a send reaches its queue, and answers within milliseconds", async () => {
    await withTopic(async (rb) => {
      const consumer = await rb.client();
      const pull = pullRequest("T", 1, 0, { sysFlag: SUSPEND, suspendTimeoutMillis: 20_000 });
      await consumer.send(pull);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(consumer.answerTo(pull.opaque), undefined, "held while the queue is empty");
      const producer = await rb.client();
      const sentAt = Date.now();
      await producer.call(sendRequest("T", "wake up", { queueId: 1 }));
      await consumer.until("the held pull's answer", () => consumer.answerTo(pull.opaque) !== undefined, 5000);
      const elapsedMs = Date.now() - sentAt;
      const answer = consumer.answerTo(pull.opaque)!;
      assert.equal(answer.code, ResponseCode.SUCCESS);
      assert.deepEqual(recordsOf(answer.body).map((r) => utf8Decode(r.body!)), ["wake up"]);
      assert.ok(elapsedMs < 1000, `answered ${elapsedMs} ms after the send`);
    });
  });

  it("answers a suspended pull 19 when its hold runs out, and never answers one whose client closed", async () => {
    await withTopic(async (rb) => {
      const consumer = await rb.client();
      const startedAt = Date.now();
      const expired = await consumer.call(pullRequest("T", 0, 0, { suspendTimeoutMillis: 400 }));
      assert.deepEqual([expired.code, expired.remark, expired.extFields?.nextBeginOffset], [ResponseCode.PULL_NOT_FOUND, "NO_MESSAGE_IN_QUEUE", "0"]);
      assert.ok(Date.now() - startedAt >= 350, "held for its suspendTimeoutMillis");
      const leaving = await rb.client();
      const held = pullRequest("T", 0, 0, { suspendTimeoutMillis: 20_000 });
      await leaving.send(held);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const closedAt = Date.now();
      leaving.close();
      await waitFor("the held pull to end with its connection", () => rb.settled.some((s) => s.opaque === held.opaque), 2000);
      assert.ok(Date.now() - closedAt < 1000, "released at once, not after its 20 s");
      assert.equal(rb.settled.find((s) => s.opaque === held.opaque)!.answer, null, "nothing is answered");
      await sendAll(rb, 0, [{ body: "after the close" }]);
      assert.deepEqual(rb.logs.filter((line) => /failed|error/i.test(line)), []);
      assert.equal((await consumer.call(pullRequest("T", 0, 0, { sysFlag: 0 }))).code, ResponseCode.SUCCESS, "the others are still served");
    });
  });

  it("answers 21 with the offset to restart from for offsets beyond the queue, without holding", async () => {
    await withTopic(async (rb) => {
      await sendAll(rb, 3, [{ body: "a" }, { body: "b" }, { body: "c" }]);
      const consumer = await rb.client();
      const beyond = await consumer.call(pullRequest("T", 3, 10, { sysFlag: SUSPEND }));
      assert.deepEqual([beyond.code, beyond.remark, beyond.extFields], [
        ResponseCode.PULL_OFFSET_MOVED, "OFFSET_OVERFLOW_BADLY", { suggestWhichBrokerId: "0", nextBeginOffset: "0", minOffset: "0", maxOffset: "3" },
      ]);
      const caughtUp = await consumer.call(pullRequest("T", 3, 3, { sysFlag: 0 }));
      assert.deepEqual([caughtUp.code, caughtUp.remark, caughtUp.extFields?.nextBeginOffset], [ResponseCode.PULL_NOT_FOUND, "OFFSET_OVERFLOW_ONE", "3"]);
      const emptyQueue = await consumer.call(pullRequest("T", 2, 7, { sysFlag: SUSPEND }));
      assert.deepEqual([emptyQueue.code, emptyQueue.remark, emptyQueue.extFields?.nextBeginOffset], [ResponseCode.PULL_OFFSET_MOVED, "NO_MESSAGE_IN_QUEUE", "0"]);
      const unknown = await consumer.call(pullRequest("Nope", 0, 0));
      assert.equal(unknown.code, ResponseCode.TOPIC_NOT_EXIST);
      const badQueue = await consumer.call(pullRequest("T", 4, 0));
      assert.equal(badQueue.code, ResponseCode.SYSTEM_ERROR);
    });
  });

  it("filters by the request's subscription, or the heartbeat's, and refuses SQL92", async () => {
    const subscriptions = new Map<string, HeartbeatSubscription>([["cg T", { expressionType: "TAG", subString: "TagB", subVersion: 100 }]]);
    await withTopic(async (rb) => {
      await sendAll(rb, 0, [{ body: "a", tags: "TagA" }, { body: "b", tags: "TagB" }, { body: "none" }, { body: "c", tags: "TagC" }]);
      const consumer = await rb.client();
      const bodies = async (header: Parameters<typeof pullRequest>[3]) => {
        const answer = await consumer.call(pullRequest("T", 0, 0, { ...header }));
        return [answer.code, recordsOf(answer.body).map((r) => utf8Decode(r.body!))];
      };
      assert.deepEqual(await bodies({ sysFlag: SUBSCRIPTION, subscription: "TagA || TagC" }), [0, ["a", "c"]]);
      assert.deepEqual(await bodies({ sysFlag: SUBSCRIPTION, subscription: "*" }), [0, ["a", "b", "none", "c"]]);
      assert.deepEqual(await bodies({ sysFlag: SUBSCRIPTION, subscription: "TagZ" }), [ResponseCode.PULL_RETRY_IMMEDIATELY, []]);
      assert.deepEqual(await bodies({ sysFlag: 0, subVersion: 100 }), [0, ["b"]], "the heartbeat's subscription");
      assert.deepEqual(await bodies({ sysFlag: 0, consumerGroup: "other" }), [0, ["a", "b", "none", "c"]], "no heartbeat known: every tag");
      const stale = await consumer.call(pullRequest("T", 0, 0, { sysFlag: 0, subVersion: 101 }));
      assert.deepEqual([stale.code, stale.remark], [ResponseCode.SUBSCRIPTION_NOT_LATEST, "the consumer's subscription not latest"]);
      const sql = await consumer.call(pullRequest("T", 0, 0, { sysFlag: SUBSCRIPTION, subscription: "a > 1", expressionType: "SQL92" }));
      assert.deepEqual([sql.code, sql.remark], [ResponseCode.SYSTEM_ERROR, "The broker does not support consumer to filter message by SQL92"]);
    }, {}, subscriptions);
  });

  it("commits commitOffset with the COMMIT_OFFSET bit, and answers 5.x clients and LITE_PULL_MESSAGE alike", async () => {
    await withTopic(async (rb) => {
      await sendAll(rb, 1, [{ body: "a" }, { body: "b" }]);
      const consumer = await rb.client();
      await consumer.call(pullRequest("T", 1, 1, { sysFlag: COMMIT_OFFSET, commitOffset: 1, consumerGroup: "g" }));
      assert.equal(rb.broker.metadata.consumerOffsets.query("g", "T", 1), 1);
      await consumer.call(pullRequest("T", 1, 2, { sysFlag: 0, commitOffset: 2, consumerGroup: "g" }));
      assert.equal(rb.broker.metadata.consumerOffsets.query("g", "T", 1), 1, "without the bit nothing is committed");
      const lite = { ...pullRequest("T", 1, 0, { sysFlag: SUSPEND | SUBSCRIPTION | PullSysFlag.LITE_PULL, subscription: "*", maxMsgNums: 10 }, 479), code: RequestCode.LITE_PULL_MESSAGE };
      const answer = await consumer.call(lite);
      assert.deepEqual([answer.code, answer.extFields], [ResponseCode.SUCCESS, {
        suggestWhichBrokerId: "0", nextBeginOffset: "2", minOffset: "0", maxOffset: "2", topicSysFlag: "0", groupSysFlag: "0",
      }]);
      assert.equal(recordsOf(answer.body).length, 2);
    });
  });

  it("on a slave: keeps the requested offset, answers 20 instead of 21, and commits nothing", async () => {
    await withTopic(async (rb) => {
      await rb.broker.metadata.topics.put({ topicName: "T", readQueueNums: 4, writeQueueNums: 4, perm: 6, topicFilterType: "SINGLE_TAG", topicSysFlag: 0, order: false });
      const consumer = await rb.client();
      const answer = await consumer.call(pullRequest("T", 0, 5, { sysFlag: COMMIT_OFFSET, commitOffset: 5, consumerGroup: "g" }));
      assert.deepEqual([answer.code, answer.remark, answer.extFields?.nextBeginOffset, answer.extFields?.suggestWhichBrokerId], [ResponseCode.PULL_RETRY_IMMEDIATELY, "NO_MESSAGE_IN_QUEUE", "5", "0"]);
      assert.equal(rb.broker.metadata.consumerOffsets.query("g", "T", 0), -1);
    }, { brokerRole: "SLAVE", brokerId: 1, haMasterAddress: "127.0.0.1:1" });
  });
});
