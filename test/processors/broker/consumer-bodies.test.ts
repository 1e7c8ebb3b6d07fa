/**
 * Golden tests of the consumer-management bodies against every capture of real 4.9.7 and 5.3.3
 * clients and brokers: each HEART_BEAT, LOCK_BATCH_MQ and UNLOCK_BATCH_MQ body decodes to what the
 * client sent and encodes back to the same bytes, each captured LockBatchResponseBody likewise;
 * the broker's view of a heartbeat (clients, groups, subscriptions, language, version) is read
 * right; ConsumerConnection and the consumer id list round-trip; bad bodies are REMOTING_BODY_INVALID.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Decode, utf8Encode } from "../../../src/core/bytes.ts";
import { RequestCode } from "../../../src/remoting/codes.ts";
import { requestCommand } from "../../../src/remoting/remoting-command.ts";
import { decodeHeartbeatData, encodeHeartbeatData, toHeartbeat } from "../../../src/processors/broker/heartbeat-body.ts";
import { decodeLockBatchRequest, decodeLockBatchResponse, encodeLockBatchRequest, encodeLockBatchResponse } from "../../../src/processors/broker/lock-body.ts";
import { decodeCheckClientSubscription, decodeConsumerConnection, encodeConsumerConnection, encodeConsumerIdList } from "../../../src/processors/broker/consumer-bodies.ts";
import { tagSubscription } from "../../../src/broker/subscription.ts";
import { captureFiles, capturedFrames, capturedRequests } from "../../support/remoting.ts";

const brokerCaptures = captureFiles("-broker.c2s.bin");
const request = (code: number, body: unknown) => requestCommand(code, 1, {}, utf8Encode(typeof body === "string" ? body : JSON.stringify(body)));

describe("HeartbeatData", () => {
  it("every captured heartbeat decodes and encodes back to its bytes", () => {
    let count = 0;
    for (const name of brokerCaptures) {
      for (const { command } of capturedRequests(name, RequestCode.HEART_BEAT)) {
        assert.deepEqual(utf8Decode(encodeHeartbeatData(decodeHeartbeatData(command))), utf8Decode(command.body), name);
        count++;
      }
    }
    assert.ok(count >= 40, `${count} heartbeats in the captures`);
  });

  it("a 4.9.7 push consumer's heartbeat: one consumer group with two subscriptions, one producer group", () => {
    const [first] = capturedRequests("remoting/v4.9.7/v4.9.7-push-first-concurrent-02-broker.c2s.bin", RequestCode.HEART_BEAT);
    const heartbeat = toHeartbeat(decodeHeartbeatData(first.command), first.command);
    assert.deepEqual(heartbeat.client, { clientId: "127.0.0.1@push-cg_push", language: "JAVA", version: 407 });
    assert.deepEqual(heartbeat.producerGroups, ["CLIENT_INNER_PRODUCER"]);
    const [consumer] = heartbeat.consumers;
    assert.deepEqual([consumer.group, consumer.consumeType, consumer.messageModel, consumer.consumeFromWhere], ["cg_push", "CONSUME_PASSIVELY", "CLUSTERING", "CONSUME_FROM_FIRST_OFFSET"]);
    assert.deepEqual(consumer.subscriptions?.map((s) => [s.topic, s.subString, s.expressionType, s.tagsSet, s.codeSet, s.subVersion]), [
      ["TopicTest", "*", "TAG", [], [], 1796150998012],
      ["%RETRY%cg_push", "*", "TAG", [], [], 1796150998033],
    ]);
  });

  it("5.3.3's extra fields are read; a lite-pull consumer is CONSUME_ACTIVELY; a producer has no consumer data", () => {
    const [lite] = capturedRequests("remoting/v5.3.3/v5.3.3-lite-pull-02-broker.c2s.bin", RequestCode.HEART_BEAT);
    const body = decodeHeartbeatData(lite.command);
    assert.deepEqual([body.heartbeatFingerprint, body.withoutSub, body.clientID], [0, false, "127.0.0.1@lite-cg_lite@STREAM"]);
    const heartbeat = toHeartbeat(body, lite.command);
    assert.deepEqual([heartbeat.client.version, heartbeat.consumers[0].consumeType, heartbeat.consumers[0].subscriptions?.length], [479, "CONSUME_ACTIVELY", 1]);
    const [producer] = capturedRequests("remoting/v4.9.7/v4.9.7-producer-02-broker.c2s.bin", RequestCode.HEART_BEAT);
    assert.deepEqual(toHeartbeat(decodeHeartbeatData(producer.command), producer.command).producerGroups, ["skiff_pg", "CLIENT_INNER_PRODUCER"]);
  });

  it("the broker derives tag sets from the expression; withoutSub heartbeats carry no subscriptions", () => {
    const body = {
      clientID: "c", consumerDataSet: [{ consumeFromWhere: "CONSUME_FROM_LAST_OFFSET", consumeType: "CONSUME_PASSIVELY", groupName: "g", messageModel: "CLUSTERING",
        subscriptionDataSet: [{ classFilterMode: false, codeSet: [1], expressionType: "TAG", subString: "TagA || TagB", subVersion: 7, tagsSet: ["forged"], topic: "T" }], unitMode: false }],
      producerDataSet: [],
    };
    const [consumer] = toHeartbeat(decodeHeartbeatData(request(RequestCode.HEART_BEAT, body)), { language: "GO", version: 1 }).consumers;
    assert.deepEqual([consumer.subscriptions?.[0].tagsSet, consumer.subscriptions?.[0].codeSet], [["TagA", "TagB"], [2598919, 2598920]]);
    const v2 = toHeartbeat(decodeHeartbeatData(request(RequestCode.HEART_BEAT, { ...body, withoutSub: true })), { language: "JAVA", version: 479 });
    assert.equal(v2.consumers[0].subscriptions, undefined);
  });

  it("tolerates nulls and unknown keys (other clients); refuses what is not a HeartbeatData", () => {
    const lenient = decodeHeartbeatData(request(RequestCode.HEART_BEAT, { clientID: "c", consumerDataSet: null, producerDataSet: [{ groupName: "pg", extra: 1 }], future: true }));
    assert.deepEqual([lenient.consumerDataSet, lenient.producerDataSet], [[], [{ groupName: "pg" }]]);
    for (const bad of ["not json", "{}", JSON.stringify({ clientID: "", producerDataSet: [] }), JSON.stringify({ clientID: "c", consumerDataSet: [{ groupName: "g" }] }),
      JSON.stringify({ clientID: "c", producerDataSet: [{ groupName: "x".repeat(256) }] })]) {
      assert.throws(() => decodeHeartbeatData(request(RequestCode.HEART_BEAT, bad)), { code: "REMOTING_BODY_INVALID" }, bad.slice(0, 60));
    }
    assert.throws(() => decodeHeartbeatData(requestCommand(34, 1, {}, new Uint8Array([0xff, 0xfe]))), { code: "REMOTING_BODY_INVALID" });
  });
});

describe("LockBatchRequestBody / UnlockBatchRequestBody / LockBatchResponseBody", () => {
  it("every captured lock and unlock body, and every lock answer, round-trips", () => {
    let requests = 0;
    let answers = 0;
    for (const name of brokerCaptures) {
      for (const code of [RequestCode.LOCK_BATCH_MQ, RequestCode.UNLOCK_BATCH_MQ]) {
        for (const { command } of capturedRequests(name, code)) {
          assert.deepEqual(utf8Decode(encodeLockBatchRequest(decodeLockBatchRequest(command))), utf8Decode(command.body), name);
          requests++;
        }
      }
      const lockOpaques = new Set(capturedRequests(name, RequestCode.LOCK_BATCH_MQ).map((f) => f.command.opaque));
      for (const { command } of capturedFrames(name.replace(".c2s.", ".s2c."))) {
        if ((command.flag & 1) === 0 || !lockOpaques.has(command.opaque)) continue;
        assert.deepEqual(utf8Decode(encodeLockBatchResponse(decodeLockBatchResponse(command.body))), utf8Decode(command.body), name);
        answers++;
      }
    }
    assert.ok(requests >= 20 && answers >= 15, `${requests} requests, ${answers} answers`);
  });

  it("reads a 5.3.3 orderly consumer's first lock", () => {
    const [lock] = capturedRequests("remoting/v5.3.3/v5.3.3-push-last-orderly-02-broker.c2s.bin", RequestCode.LOCK_BATCH_MQ);
    assert.deepEqual(decodeLockBatchRequest(lock.command), {
      clientId: "127.0.0.1@push-cg_orderly", consumerGroup: "cg_orderly", mqSet: [{ brokerName: "broker-a", queueId: 3, topic: "TopicTest" }], onlyThisBroker: false,
    });
    assert.throws(() => decodeLockBatchRequest(request(RequestCode.LOCK_BATCH_MQ, { clientId: "c", consumerGroup: "g", mqSet: [{ brokerName: "b", queueId: -1, topic: "T" }] })), { code: "REMOTING_BODY_INVALID" });
  });
});

describe("ConsumerConnection, consumer id list, CheckClientRequestBody", () => {
  it("ConsumerConnection encodes fastjson's layout and decodes back", () => {
    const subscription = tagSubscription({ topic: "TopicTest", subString: "TagA", expressionType: "TAG", subVersion: 5, classFilterMode: false });
    const view = {
      group: "cg", consumeType: "CONSUME_PASSIVELY", messageModel: "CLUSTERING", consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
      connections: [{ clientId: "127.0.0.1@a", clientAddr: "127.0.0.1:5000", language: "JAVA", version: 407 }], subscriptions: [subscription],
    };
    const bytes = encodeConsumerConnection(view);
    assert.equal(utf8Decode(bytes), '{"connectionSet":[{"clientAddr":"127.0.0.1:5000","clientId":"127.0.0.1@a","language":"JAVA","version":407}],'
      + '"consumeFromWhere":"CONSUME_FROM_FIRST_OFFSET","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING","subscriptionTable":{"TopicTest":'
      + '{"classFilterMode":false,"codeSet":[2598919],"expressionType":"TAG","subString":"TagA","subVersion":5,"tagsSet":["TagA"],"topic":"TopicTest"}}}');
    const decoded = decodeConsumerConnection(bytes);
    assert.deepEqual([decoded.connectionSet, decoded.subscriptionTable.TopicTest.tagsSet], [view.connections, ["TagA"]]);
  });

  it("the consumer id list is the captured answer's shape", () => {
    const answer = capturedFrames("remoting/v4.9.7/v4.9.7-push-first-concurrent-02-broker.s2c.bin")
      .find((f) => (f.command.flag & 1) === 1 && utf8Decode(f.command.body).startsWith('{"consumerIdList"'));
    assert.equal(utf8Decode(encodeConsumerIdList(["127.0.0.1@push-cg_push"])), utf8Decode(answer!.command.body));
  });

  it("CheckClientRequestBody gives its subscription; an empty body has none", () => {
    const sub = { classFilterMode: false, codeSet: [], expressionType: "SQL92", subString: "a > 1", subVersion: 1, tagsSet: [], topic: "T" };
    assert.equal(decodeCheckClientSubscription(request(RequestCode.CHECK_CLIENT_CONFIG, { clientId: "c", group: "g", subscriptionData: sub }))?.expressionType, "SQL92");
    assert.equal(decodeCheckClientSubscription(requestCommand(RequestCode.CHECK_CLIENT_CONFIG, 1)), undefined);
  });
});
