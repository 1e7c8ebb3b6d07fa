// The send processors over a real broker: refusals come back with the response codes and remarks a Java producer acts on
// (17 with Java's remark without auto-create, 16 for system topics and transactional messages, 13 for a body above
// maxMessageSize, 14 on a slave, 1 for a bad topic or a missing header field; a retry topic is still created, 1 queue); a SYNC_MASTER without a slave answers 11
// with the message stored; SEND_MESSAGE (10) takes the long header names; a retry-topic send goes to %DLQ%<group> once
// its reconsume times reach the limit, and is delayed as asked before that; a batch to a retry topic is refused.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeProperties } from "../../../src/codec/properties.ts";
import { encodeBatch } from "../../../src/codec/batch.ts";
import { utf8Encode } from "../../../src/core/bytes.ts";
import { decodeOffsetMsgId } from "../../../src/codec/message-id.ts";
import { RequestCode, ResponseCode } from "../../../src/remoting/codes.ts";
import { encodeSendMessageHeader, decodeSendMessageHeader } from "../../../src/processors/broker/send-message-header.ts";
import { remotingBroker, storedRecordAt, type RemotingBroker } from "../../support/processor-broker.ts";
import { request, sendRequest } from "./requests.ts";

async function withBroker(run: (rb: RemotingBroker) => Promise<void>, values: Record<string, string | number | boolean> = {}) {
  const rb = await remotingBroker(values);
  try {
    await run(rb);
  } finally {
    await rb.stop();
  }
}

const physicalOffsetOf = (msgId: string) => decodeOffsetMsgId(msgId).physicalOffset;

describe("send processors", () => {
  it("refuse with the codes and remarks Java producers act on", async () => {
    await withBroker(async (rb) => {
      const client = await rb.client();
      const unknown = await client.call(sendRequest("Unknown", "x"));
      assert.deepEqual([unknown.code, unknown.remark], [ResponseCode.TOPIC_NOT_EXIST, "topic[Unknown] not exist, apply first please!\nSee http://rocketmq.apache.org/docs/faq/ for further details."]);
      assert.equal(rb.broker.metadata.topics.get("TBW102"), undefined, "no TBW102 without autoCreateTopicEnable");
      await rb.broker.runtime.admin.putTopic("T", { readQueueNums: 1, writeQueueNums: 1 });
      assert.equal((await client.call(sendRequest("SCHEDULE_TOPIC_XXXX", "x"))).code, ResponseCode.NO_PERMISSION);
      assert.equal((await client.call(sendRequest("T", new Uint8Array(2048)))).code, ResponseCode.MESSAGE_ILLEGAL);
      assert.equal((await client.call(sendRequest("bad topic", "x"))).code, ResponseCode.SYSTEM_ERROR);
      const half = await client.call(sendRequest("T", "x", { sysFlag: 0x4, properties: { TRAN_MSG: "true" } }));
      assert.equal(half.code, ResponseCode.NO_PERMISSION);
      assert.match(half.remark ?? "", /transactional messages .* not supported/);
      const end = await client.call(request(RequestCode.END_TRANSACTION, { producerGroup: "pg", tranStateTableOffset: "0", commitLogOffset: "0", commitOrRollback: "8" }));
      assert.deepEqual([end.code, end.remark], [ResponseCode.NO_PERMISSION, "END_TRANSACTION: transactional messages are not supported by Skiff"]);
      const missing = sendRequest("T", "x");
      const { b: _topic, ...withoutTopic } = missing.extFields!;
      const noTopic = await client.call({ ...missing, extFields: withoutTopic });
      assert.deepEqual([noTopic.code, noTopic.remark], [ResponseCode.SYSTEM_ERROR, "the custom field <b> is null"]);
      assert.equal(rb.broker.store.offsets.maxOffset, 0, "nothing refused was stored");
      assert.equal((await client.call(sendRequest("%RETRY%g", "x", { reconsumeTimes: 1 }))).code, ResponseCode.SUCCESS);
      assert.equal(rb.broker.metadata.topics.get("%RETRY%g")?.writeQueueNums, 1, "a retry topic is created with one queue even without auto-create");
    }, { autoCreateTopicEnable: false, maxMessageSize: 1024 });
  });

  it("answers 11 SLAVE_NOT_AVAILABLE on a SYNC_MASTER without a slave, with the message stored and its answer fields", async () => {
    await withBroker(async (rb) => {
      await rb.broker.runtime.admin.putTopic("T", { readQueueNums: 1, writeQueueNums: 1 });
      const client = await rb.client();
      const answer = await client.call(sendRequest("T", "sync"));
      assert.equal(answer.code, ResponseCode.SLAVE_NOT_AVAILABLE);
      assert.deepEqual(Object.keys(answer.extFields!).sort(), ["MSG_REGION", "TRACE_ON", "msgId", "queueId", "queueOffset"]);
      assert.equal(physicalOffsetOf(answer.extFields!.msgId), 0);
      assert.ok(rb.broker.store.offsets.maxOffset > 0);
    }, { brokerRole: "SYNC_MASTER" });
  });

  it("answers 14 on a slave", async () => {
    await withBroker(async (rb) => {
      const client = await rb.client();
      assert.equal((await client.call(sendRequest("T", "x"))).code, ResponseCode.SERVICE_NOT_AVAILABLE);
    }, { brokerRole: "SLAVE", brokerId: 1, haMasterAddress: "127.0.0.1:1" });
  });

  it("takes SEND_MESSAGE (10) with the long header names", async () => {
    await withBroker(async (rb) => {
      await rb.broker.runtime.admin.putTopic("T", { readQueueNums: 2, writeQueueNums: 2 });
      const v2 = sendRequest("T", "v1 names", { queueId: 1, properties: { TAGS: "TagV1" } });
      const v1 = { ...v2, code: RequestCode.SEND_MESSAGE, extFields: encodeSendMessageHeader(decodeSendMessageHeader(v2.extFields, "v2"), "v1") };
      assert.equal(v1.extFields.topic, "T");
      const client = await rb.client();
      const answer = await client.call(v1);
      assert.deepEqual([answer.code, answer.extFields?.queueId], [ResponseCode.SUCCESS, "1"]);
      const record = await storedRecordAt(rb, physicalOffsetOf(answer.extFields!.msgId));
      assert.equal(decodeProperties(record.properties).get("TAGS"), "TagV1");
    });
  });

  it("sends a retry-topic message to %DLQ% once its reconsume times reach the limit, and delays it before that", async () => {
    await withBroker(async (rb) => {
      const client = await rb.client();
      const retry = (reconsumeTimes: number, maxReconsumeTimes: number) =>
        client.call(sendRequest("%RETRY%cg", "again", { reconsumeTimes, maxReconsumeTimes, properties: { DELAY: String(3 + reconsumeTimes), RETRY_TOPIC: "T" } }));
      const delayed = await retry(1, 2);
      assert.equal(delayed.code, ResponseCode.SUCCESS, delayed.remark);
      const waiting = await storedRecordAt(rb, physicalOffsetOf(delayed.extFields!.msgId));
      assert.deepEqual([waiting.topic, decodeProperties(waiting.properties).get("REAL_TOPIC"), waiting.reconsumeTimes], ["SCHEDULE_TOPIC_XXXX", "%RETRY%cg", 1]);
      const { topics, subscriptionGroups } = rb.broker.metadata;
      assert.deepEqual([topics.get("%RETRY%cg")?.writeQueueNums, subscriptionGroups.get("cg")?.groupName], [4, "cg"], "created through TBW102 (d = 4), as Java's msgCheck does first");

      const dead = await retry(2, 2);
      assert.deepEqual([dead.code, dead.extFields?.queueId], [ResponseCode.SUCCESS, "0"]);
      const letter = await storedRecordAt(rb, physicalOffsetOf(dead.extFields!.msgId));
      const properties = decodeProperties(letter.properties);
      assert.deepEqual([letter.topic, letter.queueId, letter.reconsumeTimes, properties.get("DELAY"), properties.get("RETRY_TOPIC")], ["%DLQ%cg", 0, 2, undefined, "T"]);
      assert.deepEqual([topics.get("%DLQ%cg")?.writeQueueNums, topics.get("%DLQ%cg")?.perm], [1, 6]);

      const byGroupLimit = await client.call(sendRequest("%RETRY%cg", "old client", { reconsumeTimes: 16 }));
      const old = await storedRecordAt(rb, physicalOffsetOf(byGroupLimit.extFields!.msgId));
      assert.equal(old.topic, "%DLQ%cg", "without maxReconsumeTimes, the group's retryMaxTimes (16)");

      const batch = encodeBatch([{ flag: 0, body: utf8Encode("a"), properties: "" }]);
      const refused = await client.call(sendRequest("%RETRY%cg", batch, { batch: true }));
      assert.deepEqual([refused.code, refused.remark], [ResponseCode.MESSAGE_ILLEGAL, "batch request does not support retry group %RETRY%cg"]);
    });
  });
});
