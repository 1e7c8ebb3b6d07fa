/**
 * The statistics mqadmin reads, replayed from the captures against a real broker holding the same
 * number of messages per queue as the captured one: GET_TOPIC_STATS_INFO and GET_CONSUME_STATS
 * answer the captured bytes exactly once the store times (which legitimately differ) are ours;
 * QUERY_TOPIC_CONSUME_BY_WHO answers the captured bytes exactly; online subscriptions, when the
 * client table provides them, add groups and filter topics as Java does.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import {
  decodeConsumeStats, decodeTopicStatsTable, encodeConsumeStats, encodeTopicStatsTable, type ConsumeStats, type TopicStatsTable,
} from "../../src/codec/admin-stats-body.ts";
import { utf8Decode } from "../../src/core/bytes.ts";
import type { ConsumerSubscriptionLookup } from "../../src/broker/admin-stats.ts";
import { RequestCode, ResponseCode } from "../../src/remoting/codes.ts";
import { platform } from "../support/platform.ts";
import { capturedExchange } from "../support/remoting-conversation.ts";
import { answerShape, startAdminWorld, type AdminWorld } from "./admin-harness.ts";

const FOLDERS = {
  "4.9.7": { topicStatus: "v4.9.7/v4.9.7-admin-topicStatus-02-broker", consumerProgress: "v4.9.7/v4.9.7-admin-consumerProgress-02-broker", updateTopic: "v4.9.7/v4.9.7-admin-updateTopic-02-broker" },
  "5.3.3": { topicStatus: "v5.3.3/v5.3.3-admin-topicStatus-02-broker", consumerProgress: "v5.3.3/v5.3.3-admin-consumerProgress-02-broker", updateTopic: "v5.3.3/v5.3.3-admin-updateTopic-02-broker" },
} as const;

/** Online subscriptions as the broker's client table (ClientManager, from heartbeats) reports them. */
class OnlineSubscriptions implements ConsumerSubscriptionLookup {
  readonly byGroup = new Map<string, Set<string>>();
  consumerGroup(group: string) {
    const topics = this.byGroup.get(group);
    return topics ? { subscriptions: [...topics].map((topic) => ({ topic })) } : undefined;
  }
  groupsSubscribedTo(topic: string): string[] {
    return [...this.byGroup].filter(([, topics]) => topics.has(topic)).map(([group]) => group);
  }
}

/** Store time of the message at `commitLogOffset` (what a queue's "last" timestamp must be). */
async function storeTimeAt(world: AdminWorld, commitLogOffset: number): Promise<number> {
  const record = decodeMessageRecord((await world.broker.store.readMessageAt(commitLogOffset))!, 0, { readBody: false });
  assert.equal(record.kind, "message");
  return record.kind === "message" ? record.storeTimestamp : -1;
}

for (const [version, names] of Object.entries(FOLDERS)) {
  describe(`admin stats against the ${version} captures (${platform.system.runtime})`, () => {
    let world: AdminWorld;
    const online = new OnlineSubscriptions();
    /** Store time of the last message sent to each TopicTest queue. */
    const lastStoreTime = new Map<number, number>();
    let captured202: TopicStatsTable;

    before(async () => {
      world = await startAdminWorld({ subscriptions: online });
      await world.replay(capturedExchange(names.updateTopic, RequestCode.UPDATE_AND_CREATE_TOPIC).request);
      captured202 = decodeTopicStatsTable(capturedExchange(names.topicStatus, RequestCode.GET_TOPIC_STATS_INFO).response.body);
      // As many messages per queue as the captured broker held.
      for (const { queue, value } of captured202.offsetTable) {
        for (let i = 0; i < value.maxOffset; i++) {
          const result = await world.send("TopicTest", { body: `m-${queue.queueId}-${i}`, tags: "TagA", queueId: queue.queueId });
          lastStoreTime.set(queue.queueId, await storeTimeAt(world, result.commitLogOffset));
        }
      }
      await world.broker.store.waitDispatched(world.broker.store.offsets.maxOffset);
    });
    after(() => world.stop());

    it("answers topicStatus's 202 with the captured body, store times normalized", async () => {
      const { request, response } = capturedExchange(names.topicStatus, RequestCode.GET_TOPIC_STATS_INFO);
      const answer = await world.replay(request);
      assert.deepEqual({ ...answerShape(answer), bodyLength: 0 }, { ...answerShape(response), bodyLength: 0 });
      const ours = decodeTopicStatsTable(answer.body);
      for (const { queue, value } of ours.offsetTable) assert.equal(value.lastUpdateTimestamp, lastStoreTime.get(queue.queueId), `queue ${queue.queueId}`);
      // 5.3.3 adds topicPutTps; Skiff answers as 4.9 (V4_9_8) does, without it.
      const expected = encodeTopicStatsTable({
        offsetTable: captured202.offsetTable.map(({ queue, value }) => ({ queue, value: { ...value, lastUpdateTimestamp: lastStoreTime.get(queue.queueId)! } })),
      });
      assert.equal(utf8Decode(answer.body), utf8Decode(expected));
    });

    it("answers consumerProgress's 208 with the captured body for every topic with offsets, %RETRY% included", async () => {
      const { request, response } = capturedExchange(names.consumerProgress, RequestCode.GET_CONSUME_STATS);
      const capturedStats = decodeConsumeStats(response.body);
      await world.broker.runtime.admin.putTopic("%RETRY%cg_push", { readQueueNums: 1, writeQueueNums: 1 });
      for (const { queue, value } of capturedStats.offsetTable) {
        world.broker.runtime.admin.commitConsumerOffset("cg_push", queue.topic, queue.queueId, value.consumerOffset);
      }
      const answer = await world.replay(request);
      assert.equal(answer.code, ResponseCode.SUCCESS);
      const expected: ConsumeStats = {
        consumeTps: 0,
        // 5.3.3 adds pullOffset (its pull-offset table); Skiff answers as 4.9 does, without it.
        offsetTable: capturedStats.offsetTable.map(({ queue, value }) => ({
          queue,
          value: { brokerOffset: value.brokerOffset, consumerOffset: value.consumerOffset, lastTimestamp: queue.topic === "TopicTest" ? lastStoreTime.get(queue.queueId)! : 0 },
        })),
      };
      assert.equal(utf8Decode(answer.body), utf8Decode(encodeConsumeStats(expected)));
    });

    it("keeps only the subscribed topics of a group whose consumers are online, and only the topics asked for", async () => {
      online.byGroup.set("cg_push", new Set(["TopicTest"]));
      try {
        const stats = decodeConsumeStats((await world.call(RequestCode.GET_CONSUME_STATS, { consumerGroup: "cg_push" })).body);
        assert.deepEqual(new Set(stats.offsetTable.map((e) => e.queue.topic)), new Set(["TopicTest"]));
      } finally {
        online.byGroup.delete("cg_push");
      }
      const asked = decodeConsumeStats((await world.call(RequestCode.GET_CONSUME_STATS, { consumerGroup: "cg_push", topicList: "%RETRY%cg_push;" })).body);
      assert.deepEqual(asked.offsetTable.map((e) => `${e.queue.topic}/${e.queue.queueId}`), ["%RETRY%cg_push/0"]);
      const one = decodeConsumeStats((await world.call(RequestCode.GET_CONSUME_STATS, { consumerGroup: "cg_push", topic: "TopicTest" })).body);
      assert.equal(one.offsetTable.length, 4);
      const none = decodeConsumeStats((await world.call(RequestCode.GET_CONSUME_STATS, { consumerGroup: "nobody" })).body);
      assert.deepEqual(none, { consumeTps: 0, offsetTable: [] });
      const missing = await world.call(RequestCode.GET_CONSUME_STATS, {});
      assert.deepEqual([missing.code, missing.remark], [ResponseCode.SYSTEM_ERROR, "the custom field <consumerGroup> is null"]);
    });

    it("answers 17 with Java's remark for the stats of an unknown topic", async () => {
      const answer = await world.call(RequestCode.GET_TOPIC_STATS_INFO, { topic: "NoSuchTopic" });
      assert.deepEqual(answerShape(answer), { code: ResponseCode.TOPIC_NOT_EXIST, remark: "topic[NoSuchTopic] not exist", extFields: undefined, bodyLength: 0 });
    });
  });
}

describe(`QUERY_TOPIC_CONSUME_BY_WHO (${platform.system.runtime})`, () => {
  const name = "v4.9.7/v4.9.7-admin-queryMsgById-offsetMsgId-01-broker";
  const online = new OnlineSubscriptions();
  let world: AdminWorld;
  before(async () => {
    world = await startAdminWorld({ subscriptions: online });
    await world.broker.runtime.admin.putTopic("TopicTest", { readQueueNums: 4, writeQueueNums: 4 });
  });
  after(() => world.stop());

  it("answers the captured group list, in Java's HashSet order, from committed offsets", async () => {
    const { request, response } = capturedExchange(name, RequestCode.QUERY_TOPIC_CONSUME_BY_WHO);
    for (const group of ["cg_push", "cg_orderly", "cg_dlq", "cg_retry", "cg_lite"]) world.broker.runtime.admin.commitConsumerOffset(group, "TopicTest", 0, 1);
    const answer = await world.replay(request);
    assert.deepEqual(answerShape(answer), answerShape(response));
    assert.equal(utf8Decode(answer.body), utf8Decode(response.body));
  });

  it("adds groups that are online and subscribed, once each", async () => {
    online.byGroup.set("cg_online", new Set(["TopicTest"]));
    online.byGroup.set("cg_push", new Set(["TopicTest"]));
    const groups = JSON.parse(utf8Decode((await world.call(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { topic: "TopicTest" })).body)).groupList;
    assert.deepEqual([...groups].sort(), ["cg_dlq", "cg_lite", "cg_online", "cg_orderly", "cg_push", "cg_retry"]);
    const empty = await world.call(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { topic: "Other" });
    assert.equal(utf8Decode(empty.body), '{"groupList":[]}');
  });
});
