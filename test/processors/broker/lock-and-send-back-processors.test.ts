/**
 * LOCK_BATCH_MQ / UNLOCK_BATCH_MQ and CONSUMER_SEND_MSG_BACK in a real RemotingServer over a real
 * broker (this runtime's TCP and files, delay levels of one second), fed the frames real 4.9.7 and
 * 5.3.3 orderly and retrying consumers sent: locks are answered byte for byte as the captured broker
 * answered them and keep another client out until unlocked; a given-back message comes back through
 * `%RETRY%<group>` after its delay with reconsumeTimes 1 and RocketMQ's properties, and given back
 * again past maxReconsumeTimes lands at once in `%DLQ%<group>`; bad requests get SYSTEM_ERROR.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Decode, utf8Encode } from "../../../src/core/bytes.ts";
import { decodeMessageRecord, type DecodedMessage } from "../../../src/codec/message-record-decode.ts";
import { decodeProperties } from "../../../src/codec/properties.ts";
import type { BrokerRuntime } from "../../../src/broker/runtime.ts";
import { RequestCode, ResponseCode } from "../../../src/remoting/codes.ts";
import { encodeRemotingCommand, requestCommand, type RemotingCommand } from "../../../src/remoting/remoting-command.ts";
import { consumerProcessors } from "../../../src/processors/broker/consumer-processors.ts";
import { decodeLockBatchResponse } from "../../../src/processors/broker/lock-body.ts";
import { capturedFrames, capturedRequests } from "../../support/remoting.ts";
import { remotingBroker, type RemotingBroker } from "../../support/remoting-broker.ts";

const ORDERLY_497 = "remoting/v4.9.7/v4.9.7-push-last-orderly-02-broker.c2s.bin";
const ORDERLY_533 = "remoting/v5.3.3/v5.3.3-push-last-orderly-02-broker.c2s.bin";
const DLQ_497 = "remoting/v4.9.7/v4.9.7-push-dlq-02-broker.c2s.bin";
const DLQ_533 = "remoting/v5.3.3/v5.3.3-push-dlq-02-broker.c2s.bin";
const { LOCK_BATCH_MQ, UNLOCK_BATCH_MQ, CONSUMER_SEND_MSG_BACK } = RequestCode;
const ONE_SECOND_LEVELS = Array.from({ length: 18 }, () => "1s").join(" ");

let opaque = 2_000_000;
const lock = (clientId: string, queueIds: number[]): RemotingCommand => ({
  ...requestCommand(LOCK_BATCH_MQ, opaque++, {}, utf8Encode(JSON.stringify({
    clientId, consumerGroup: "cg_orderly", mqSet: queueIds.map((queueId) => ({ brokerName: "broker-a", queueId, topic: "TopicTest" })),
  }))),
  language: "JAVA",
});
const locked = (answer: RemotingCommand) => decodeLockBatchResponse(answer.body).map((q) => q.queueId).sort();

describe("lock processors", () => {
  let world: RemotingBroker;
  before(async () => {
    world = await remotingBroker((runtime) => consumerProcessors(runtime));
  });
  after(() => world?.stop());

  it("answers the captured locks as the captured broker did, and keeps another client out until unlock", async () => {
    const orderly = await world.open();
    const other = await world.open();
    const answers = capturedFrames(ORDERLY_497.replace(".c2s.", ".s2c."));
    for (const request of capturedRequests(ORDERLY_497, LOCK_BATCH_MQ).slice(0, 4)) {
      const answer = await orderly.call(request.bytes);
      const captured = answers.find((f) => (f.command.flag & 1) === 1 && f.command.opaque === request.command.opaque)!;
      assert.deepEqual([answer.code, answer.extFields, utf8Decode(answer.body)], [0, undefined, utf8Decode(captured.command.body)]);
    }
    assert.deepEqual(locked(await other.call(lock("10.0.0.2@other", [0, 1, 2, 3]))), []);
    const [renew533] = capturedRequests(ORDERLY_533, LOCK_BATCH_MQ);
    assert.deepEqual(locked(await orderly.call(renew533.bytes)), [3], "the holder's 5.3.3 lock renews");

    const [unlock] = capturedRequests(ORDERLY_497, UNLOCK_BATCH_MQ);
    assert.deepEqual(locked(await other.call(lock("10.0.0.2@other", [0]))), []);
    const unlocked = await orderly.call(unlock.bytes);
    assert.deepEqual([unlocked.code, unlocked.extFields, unlocked.body.byteLength], [0, undefined, 0]);
    assert.deepEqual(locked(await other.call(lock("10.0.0.2@other", [0, 1, 2, 3]))), [0, 1, 2, 3]);
    assert.deepEqual(locked(await orderly.call(capturedRequests(ORDERLY_497, LOCK_BATCH_MQ)[0].bytes)), [], "now the other client's");
  });

  it("answers a lock body of the wrong shape with SYSTEM_ERROR", async () => {
    const client = await world.open();
    const answer = await client.call({ ...requestCommand(LOCK_BATCH_MQ, opaque++, {}, utf8Encode('{"clientId":"c","mqSet":[]}')) });
    assert.equal(answer.code, ResponseCode.SYSTEM_ERROR);
    assert.match(answer.remark ?? "", /LockBatchRequestBody.*consumerGroup/);
  });
});

async function pullOne(runtime: BrokerRuntime, topic: string, waitMs: number): Promise<DecodedMessage | undefined> {
  const result = await runtime.pull.pull({ topic, queueId: 0, offset: 0, max: 32, waitMs });
  const [first] = result.messages;
  return first ? decodeMessageRecord(first.bytes, 0, { readBody: true }) as DecodedMessage : undefined;
}

describe("send-back processor", () => {
  for (const [name, capture] of [["4.9.7", DLQ_497], ["5.3.3", DLQ_533]] as const) {
    it(`replays a ${name} consumer's two give-backs: a retry after the delay, then a dead letter`, async () => {
      const world = await remotingBroker((runtime) => consumerProcessors(runtime), { messageDelayLevel: ONE_SECOND_LEVELS });
      try {
        const { runtime } = world.broker;
        const sent = await runtime.send.sendBody("TopicTest", { form: "json", bytes: utf8Encode(JSON.stringify({ body: "single-1 tags+keys", tags: "TagA", keys: "key-1 key-1b", queueId: 3 })) });
        assert.ok(sent.kind === "single" && sent.result.commitLogOffset === 0, "the capture gives back offset 0: the first message");
        const original = sent.result;
        const client = await world.open();
        const [first, second] = capturedRequests(capture, CONSUMER_SEND_MSG_BACK);
        const givenBackAt = Date.now();
        const answer = await client.call(first.bytes);
        assert.deepEqual([answer.code, answer.extFields, answer.remark], [0, undefined, undefined]);
        assert.equal(await pullOne(runtime, "%RETRY%cg_dlq", 0), undefined, "not before its delay");

        const copy = await pullOne(runtime, "%RETRY%cg_dlq", 5000);
        assert.ok(copy, "the retry copy arrived");
        assert.ok(Date.now() - givenBackAt >= 900, `delivered after level 3's 1 s (${Date.now() - givenBackAt} ms)`);
        const properties = decodeProperties(copy.properties);
        const [stored] = (await runtime.store.get({ topic: "TopicTest", queueId: 3, offset: 0, maxMsgNums: 1 })).messages;
        const source = decodeMessageRecord(stored.bytes, 0, { readBody: true }) as DecodedMessage;
        assert.deepEqual([copy.topic, copy.reconsumeTimes, utf8Decode(copy.body!), copy.bornTimestamp, copy.flag], ["%RETRY%cg_dlq", 1, "single-1 tags+keys", source.bornTimestamp, source.flag]);
        assert.deepEqual([properties.get("RETRY_TOPIC"), properties.get("ORIGIN_MESSAGE_ID"), properties.get("UNIQ_KEY"), properties.get("TAGS"), properties.get("KEYS")],
          ["TopicTest", original.offsetMsgId, original.msgId, "TagA", "key-1 key-1b"]);

        const again = encodeRemotingCommand({ ...second.command, extFields: { ...second.command.extFields, offset: String(copy.physicalOffset) } });
        assert.equal((await client.call(again)).code, 0);
        await runtime.store.waitDispatched(runtime.store.offsets.maxOffset);
        const dead = await pullOne(runtime, "%DLQ%cg_dlq", 0);
        assert.ok(dead, "in the dead-letter queue at once, not parked for a delay");
        assert.deepEqual([dead.reconsumeTimes, decodeProperties(dead.properties).get("DELAY"), decodeProperties(dead.properties).get("ORIGIN_MESSAGE_ID")], [2, "0", original.offsetMsgId]);
        assert.equal(runtime.metadata.topics.get("%DLQ%cg_dlq")?.perm, 6);
      } finally {
        await world.stop();
      }
    });
  }

  it("ignores maxReconsumeTimes from clients older than 3.4.9, and refuses bad offsets and headers", async () => {
    const world = await remotingBroker((runtime) => consumerProcessors(runtime), { messageDelayLevel: ONE_SECOND_LEVELS });
    try {
      const { runtime } = world.broker;
      await runtime.send.sendBody("TopicTest", { form: "json", bytes: utf8Encode(JSON.stringify({ body: "b", queueId: 0 })) });
      const client = await world.open();
      const [captured] = capturedRequests(DLQ_497, CONSUMER_SEND_MSG_BACK);
      const old = encodeRemotingCommand({ ...captured.command, version: 100, extFields: { ...captured.command.extFields, maxReconsumeTimes: "0" } });
      assert.equal((await client.call(old)).code, 0);
      assert.ok(await pullOne(runtime, "%RETRY%cg_dlq", 5000), "retried: the group's 16 counted, not the header's 0");
      assert.equal(runtime.metadata.topics.get("%DLQ%cg_dlq"), undefined, "no dead letter");

      const nowhere = await client.call(encodeRemotingCommand({ ...captured.command, opaque: opaque++, extFields: { ...captured.command.extFields, offset: "999999" } }));
      assert.deepEqual([nowhere.code, nowhere.remark], [ResponseCode.SYSTEM_ERROR, "look message by offset failed, 999999"]);
      const noGroup = await client.call(requestCommand(CONSUMER_SEND_MSG_BACK, opaque++, { offset: "0", delayLevel: "0" }));
      assert.deepEqual([noGroup.code, noGroup.remark], [ResponseCode.SYSTEM_ERROR, "the custom field <group> is null"]);
      const notNumber = await client.call(requestCommand(CONSUMER_SEND_MSG_BACK, opaque++, { offset: "x", group: "g", delayLevel: "0" }));
      assert.equal(notNumber.code, ResponseCode.SYSTEM_ERROR);
    } finally {
      await world.stop();
    }
  });
});
