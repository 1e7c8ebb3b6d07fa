/**
 * The retry path on an in-memory broker with a manual clock: a message given back is copied to
 * `%RETRY%<group>` and reaches it exactly after delay level 3 + reconsumeTimes, with RocketMQ's
 * properties (laid out as the 4.9.7 broker of the captured retry laid them out) and reconsumeTimes
 * + 1; past the consumer's (or group's) limit, or with delay level −1, it lands at once in
 * `%DLQ%<group>` queue 0; bad offsets, groups without retry queues and slaves are refused or dropped
 * as RocketMQ does; a retry-topic send at its limit is routed to the dead-letter queue.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Decode, utf8Encode } from "../../src/core/bytes.ts";
import { decodeMessageRecord, type DecodedMessage } from "../../src/codec/message-record-decode.ts";
import { decodeProperties } from "../../src/codec/properties.ts";
import { formatHostAddress } from "../../src/codec/host-address.ts";
import { subscriptionGroupConfig } from "../../src/metadata/subscription-groups.ts";
import { readMessageAt } from "../../src/broker/stored-message.ts";
import type { BrokerRuntime } from "../../src/broker/runtime.ts";
import { RequestCode } from "../../src/remoting/codes.ts";
import { memoryBroker } from "../support/broker.ts";
import { capturedFrames } from "../support/remoting.ts";

const json = (value: unknown) => utf8Encode(JSON.stringify(value));

/** The first message of the captured session: tags TagA, keys "key-1 key-1b". */
async function sendOriginal(runtime: BrokerRuntime) {
  const answer = await runtime.send.sendBody("TopicTest", { form: "json", bytes: json({ body: "single-1 tags+keys", tags: "TagA", keys: "key-1 key-1b", queueId: 1 }) });
  assert.equal(answer.kind, "single");
  if (answer.kind !== "single") throw new Error("unreachable");
  return answer.result;
}

async function stored(runtime: BrokerRuntime, physicalOffset: number): Promise<DecodedMessage> {
  await runtime.store.waitDispatched(runtime.store.offsets.maxOffset);
  const record = await readMessageAt(runtime.store, physicalOffset);
  assert.ok(record, `a message at ${physicalOffset}`);
  return record;
}

async function queue(runtime: BrokerRuntime, topic: string, queueId = 0): Promise<DecodedMessage[]> {
  await runtime.store.waitDispatched(runtime.store.offsets.maxOffset);
  const result = await runtime.store.get({ topic, queueId, offset: 0, maxMsgNums: 32 });
  return result.messages.map((m) => decodeMessageRecord(m.bytes, 0, { readBody: true }) as DecodedMessage);
}

/** The retry copy a real 4.9.7 broker delivered from %RETRY%cg_retry (fixture), as property keys in stored order. */
function capturedRetryCopyKeys(): string[] {
  for (const frame of capturedFrames("remoting/v4.9.7/v4.9.7-push-reconsume-later-02-broker.s2c.bin")) {
    if (frame.command.body.byteLength === 0) continue;
    const record = decodeMessageRecord(frame.command.body, 0, { readBody: true });
    if (record.kind === "message" && record.topic === "%RETRY%cg_retry") return [...decodeProperties(record.properties).keys()];
  }
  throw new Error("no retry copy in the capture");
}

describe("send-back: retry copies", () => {
  it("copies a given-back message to %RETRY%<group> after level 3, laid out as a 4.9.7 broker stores it", async () => {
    const t = await memoryBroker();
    const { runtime } = t.broker;
    const original = await sendOriginal(runtime);
    const back = await runtime.sendBack.sendBack({ physicalOffset: original.commitLogOffset, group: "cg_retry", delayLevel: 0, maxReconsumeTimes: 16 });
    assert.deepEqual(back && [back.topic, back.queueId, back.deadLetter, back.delayLevel, back.reconsumeTimes], ["%RETRY%cg_retry", 0, false, 3, 1]);
    const retryTopic = runtime.metadata.topics.get("%RETRY%cg_retry");
    assert.deepEqual([retryTopic?.readQueueNums, retryTopic?.writeQueueNums, retryTopic?.perm], [1, 1, 6]);

    const parked = await stored(runtime, back!.physicalOffset);
    const source = await stored(runtime, original.commitLogOffset);
    assert.deepEqual([parked.topic, parked.queueId, parked.reconsumeTimes], ["SCHEDULE_TOPIC_XXXX", 2, 1]);
    const properties = decodeProperties(parked.properties);
    assert.deepEqual([...properties.keys()], capturedRetryCopyKeys(), "the captured copy's property order");
    assert.deepEqual(Object.fromEntries(properties), {
      REAL_TOPIC: "%RETRY%cg_retry", ORIGIN_MESSAGE_ID: original.offsetMsgId, RETRY_TOPIC: "TopicTest", KEYS: "key-1 key-1b",
      UNIQ_KEY: original.msgId, CLUSTER: "DefaultCluster", WAIT: "false", DELAY: "3", TAGS: "TagA", REAL_QID: "0",
    });
    assert.deepEqual([utf8Decode(parked.body!), parked.flag, parked.sysFlag, parked.bornTimestamp, formatHostAddress(parked.bornHost)],
      [utf8Decode(source.body!), source.flag, source.sysFlag, source.bornTimestamp, formatHostAddress(source.bornHost)]);

    await t.memory.clock.advance(9_900);
    assert.deepEqual(await queue(runtime, "%RETRY%cg_retry"), [], "level 3 is 10 s");
    await t.memory.clock.advance(200);
    const [copy] = await queue(runtime, "%RETRY%cg_retry");
    assert.deepEqual([copy?.topic, copy?.queueId, copy?.reconsumeTimes, utf8Decode(copy!.body!)], ["%RETRY%cg_retry", 0, 1, "single-1 tags+keys"]);
    assert.equal(decodeProperties(copy.properties).get("ORIGIN_MESSAGE_ID"), original.offsetMsgId);
    await t.broker.stop();
  });

  it("a retry copy given back past maxReconsumeTimes goes at once to %DLQ%<group>, the original's id kept", async () => {
    const t = await memoryBroker();
    const { runtime } = t.broker;
    const original = await sendOriginal(runtime);
    await runtime.sendBack.sendBack({ physicalOffset: original.commitLogOffset, group: "cg_dlq", delayLevel: 0, maxReconsumeTimes: 1 });
    await t.memory.clock.advance(10_100);
    const [copy] = await queue(runtime, "%RETRY%cg_dlq");
    const back = await runtime.sendBack.sendBack({ physicalOffset: copy.physicalOffset, group: "cg_dlq", delayLevel: 0, maxReconsumeTimes: 1 });
    assert.deepEqual(back && [back.topic, back.queueId, back.deadLetter, back.delayLevel, back.reconsumeTimes], ["%DLQ%cg_dlq", 0, true, 0, 2]);
    const dlq = runtime.metadata.topics.get("%DLQ%cg_dlq");
    assert.deepEqual([dlq?.readQueueNums, dlq?.writeQueueNums, dlq?.perm], [1, 1, 6]);
    const [dead] = await queue(runtime, "%DLQ%cg_dlq");
    assert.equal(dead.physicalOffset, back!.physicalOffset, "stored straight in the DLQ, no delay");
    const properties = Object.fromEntries(decodeProperties(dead.properties));
    assert.deepEqual([dead.reconsumeTimes, properties.DELAY, properties.RETRY_TOPIC, properties.ORIGIN_MESSAGE_ID, properties.UNIQ_KEY],
      [2, "0", "TopicTest", original.offsetMsgId, original.msgId]);
    await t.broker.stop();
  });

  it("delay level −1 is a dead letter at once; an explicit level is used, clamped to the highest", async () => {
    const t = await memoryBroker();
    const { runtime } = t.broker;
    const original = await sendOriginal(runtime);
    const dead = await runtime.sendBack.sendBack({ physicalOffset: original.commitLogOffset, group: "g", delayLevel: -1 });
    assert.deepEqual(dead && [dead.topic, dead.deadLetter, dead.reconsumeTimes], ["%DLQ%g", true, 1]);
    const two = await runtime.sendBack.sendBack({ physicalOffset: original.commitLogOffset, group: "g", delayLevel: 2 });
    assert.deepEqual(two && [two.delayLevel, (await stored(runtime, two.physicalOffset)).queueId], [2, 1]);
    const high = await runtime.sendBack.sendBack({ physicalOffset: original.commitLogOffset, group: "g", delayLevel: 99 });
    const parked = await stored(runtime, high!.physicalOffset);
    assert.deepEqual([high!.delayLevel, parked.queueId, decodeProperties(parked.properties).get("DELAY")], [18, 17, "18"]);
    await t.broker.stop();
  });

  it("without the consumer's limit the group's retryMaxTimes counts; the retry queue is one of retryQueueNums", async () => {
    const t = await memoryBroker();
    const { runtime } = t.broker;
    const original = await sendOriginal(runtime);
    await runtime.admin.putSubscriptionGroup("strict", { retryMaxTimes: 0 });
    const dead = await runtime.sendBack.sendBack({ physicalOffset: original.commitLogOffset, group: "strict", delayLevel: 0 });
    assert.equal(dead?.topic, "%DLQ%strict");
    await runtime.admin.putSubscriptionGroup("wide", { retryQueueNums: 4 });
    for (let i = 0; i < 8; i++) {
      const back = await runtime.sendBack.sendBack({ physicalOffset: original.commitLogOffset, group: "wide", delayLevel: 0 });
      const parked = await stored(runtime, back!.physicalOffset);
      assert.ok(back!.queueId >= 0 && back!.queueId < 4);
      assert.equal(decodeProperties(parked.properties).get("REAL_QID"), String(back!.queueId));
    }
    assert.equal(runtime.metadata.topics.get("%RETRY%wide")?.writeQueueNums, 4);
    await t.broker.stop();
  });

  it("refuses an offset where no message starts, drops it for a group without retry queues, and stores nothing on a slave", async () => {
    const t = await memoryBroker();
    const { runtime } = t.broker;
    const original = await sendOriginal(runtime);
    const end = runtime.store.offsets.maxOffset;
    for (const offset of [original.commitLogOffset + 1, end, end + 10_000, -1, Number.MAX_SAFE_INTEGER]) {
      await assert.rejects(runtime.sendBack.sendBack({ physicalOffset: offset, group: "g", delayLevel: 0 }), { code: "MESSAGE_NOT_FOUND", message: `look message by offset failed, ${offset}` });
    }
    await runtime.metadata.subscriptionGroups.put(subscriptionGroupConfig("none", { retryQueueNums: 0 }));
    assert.equal(await runtime.sendBack.sendBack({ physicalOffset: original.commitLogOffset, group: "none", delayLevel: 0 }), null);
    assert.equal(runtime.metadata.topics.get("%RETRY%none"), undefined);
    assert.equal(runtime.store.offsets.maxOffset, end, "nothing stored");
    await assert.rejects(runtime.sendBack.sendBack({ physicalOffset: 0, group: "bad group!", delayLevel: 0 }), { code: "TOPIC_ILLEGAL" });
    assert.equal(runtime.metadata.topics.get("%RETRY%bad group!"), undefined);

    await runtime.switchRole("SLAVE", 2);
    await assert.rejects(runtime.sendBack.sendBack({ physicalOffset: original.commitLogOffset, group: "on-slave", delayLevel: 0 }), { code: "SLAVE_CANNOT_SEND" });
    assert.deepEqual([runtime.metadata.subscriptionGroups.get("on-slave"), runtime.metadata.topics.get("%RETRY%on-slave")], [undefined, undefined]);
    await t.broker.stop();
  });
});

describe("send-back: the captured requests", () => {
  it("the captured give-backs carry what the service needs (offset, group, delayLevel, maxReconsumeTimes)", () => {
    const backs = capturedFrames("remoting/v4.9.7/v4.9.7-push-dlq-02-broker.c2s.bin").filter((f) => f.command.code === RequestCode.CONSUMER_SEND_MSG_BACK);
    assert.deepEqual(backs.map((f) => [f.command.extFields?.offset, f.command.extFields?.group, f.command.extFields?.delayLevel, f.command.extFields?.maxReconsumeTimes]),
      [["0", "cg_dlq", "0", "1"], ["3044", "cg_dlq", "0", "1"]]);
  });
});
