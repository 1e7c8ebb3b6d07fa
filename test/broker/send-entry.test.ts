// The broker's send entry takes a producer's body in each of its forms (one JSON message, a JSON batch, RocketMQ's
// binary batch) with no HTTP in between, and stores what it says, in one queue per batch; bad bodies are refused with
// stable codes before anything is stored. Topic deletion is a broker service: config and consume queues go, a second
// delete is TOPIC_NOT_EXIST.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Decode, utf8Encode } from "../../src/core/bytes.ts";
import { SkiffError } from "../../src/core/errors.ts";
import { encodeBatch } from "../../src/codec/batch.ts";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { decodeProperties } from "../../src/codec/properties.ts";
import type { BrokerRuntime } from "../../src/broker/runtime.ts";
import { memoryBroker } from "../support/broker.ts";

const json = (value: unknown) => utf8Encode(JSON.stringify(value));

async function stored(runtime: BrokerRuntime, topic: string, queueId: number) {
  // A stored message is readable once dispatched (the dispatcher runs beside the send's answer).
  await runtime.store.waitDispatched(runtime.store.offsets.maxOffset);
  const result = await runtime.pull.pull({ topic, queueId, offset: 0, max: 32, waitMs: 0 });
  return result.messages.map((m) => {
    const record = decodeMessageRecord(m.bytes, 0, { readBody: true });
    assert.equal(record.kind, "message");
    if (record.kind !== "message") throw new Error("unreachable");
    return { topic: record.topic, queueId: record.queueId, body: utf8Decode(record.body!), properties: Object.fromEntries(decodeProperties(record.properties)) };
  });
}

async function refusal(send: Promise<unknown>): Promise<string> {
  const error = await send.then(() => null, (e: unknown) => e);
  assert.ok(error instanceof SkiffError, `expected a SkiffError, got ${String(error)}`);
  return error.code;
}

describe("SendEntry.sendBody", () => {
  it("sends one JSON message, a JSON batch and a binary batch, each stored in the queue it names", async () => {
    const t = await memoryBroker();
    const { send } = t.broker.runtime;
    const single = await send.sendBody("Forms", { form: "json", bytes: json({ body: "one", tags: "TagA", queueId: 1 }) });
    assert.equal(single.kind, "single");
    if (single.kind !== "single") throw new Error("unreachable");
    assert.deepEqual([single.result.status, single.result.topic, single.result.queueId, single.result.queueOffset], ["SEND_OK", "Forms", 1, 0]);

    const batch = await send.sendBody("Forms", { form: "json", bytes: json({ messages: [{ body: "two", queueId: 2 }, { body: "three", queueId: 2 }] }) });
    assert.equal(batch.kind, "batch");
    if (batch.kind !== "batch") throw new Error("unreachable");
    assert.deepEqual(batch.results.map((r) => [r.queueId, r.queueOffset]), [[2, 0], [2, 1]]);

    const bytes = encodeBatch([{ flag: 0, body: utf8Encode("four"), properties: "TAGS\u0001TagB" }, { flag: 0, body: utf8Encode("five"), properties: "" }]);
    const binary = await send.sendBody("Forms", { form: "rocketmq-batch", bytes, queueId: 3 });
    assert.equal(binary.kind, "batch");
    if (binary.kind !== "batch") throw new Error("unreachable");
    assert.deepEqual(binary.results.map((r) => [r.queueId, r.queueOffset]), [[3, 0], [3, 1]]);

    const one = await stored(t.broker.runtime, "Forms", 1);
    assert.deepEqual(one.map((m) => [m.topic, m.queueId, m.body, m.properties.TAGS]), [["Forms", 1, "one", "TagA"]]);
    assert.equal(one[0].properties.UNIQ_KEY, single.result.msgId);
    assert.deepEqual((await stored(t.broker.runtime, "Forms", 2)).map((m) => m.body), ["two", "three"]);
    const three = await stored(t.broker.runtime, "Forms", 3);
    assert.deepEqual(three.map((m) => [m.body, m.properties.TAGS, m.properties.CLUSTER]), [["four", "TagB", "DefaultCluster"], ["five", undefined, "DefaultCluster"]]);
    await t.broker.stop();
  });

  it("refuses bad bodies with stable codes and stores nothing", async () => {
    const t = await memoryBroker();
    const { send } = t.broker.runtime;
    const tooMany = { messages: Array.from({ length: 1025 }, () => ({ body: "x" })) };
    assert.equal(await refusal(send.sendBody("Bad", { form: "json", bytes: json(tooMany) })), "BATCH_TOO_LARGE");
    assert.equal(await refusal(send.sendBody("Bad", { form: "json", bytes: utf8Encode("{") })), "BAD_REQUEST");
    assert.equal(await refusal(send.sendBody("Bad", { form: "json", bytes: json({ body: "x", bodyBase64: "eA==" }) })), "BAD_REQUEST");
    assert.equal(await refusal(send.sendBody("Bad", { form: "json", bytes: json({ messages: [] }) })), "BAD_REQUEST");
    assert.equal(await refusal(send.sendBody("Bad", { form: "rocketmq-batch", bytes: new Uint8Array(0) })), "BAD_REQUEST");
    assert.equal(await refusal(send.sendBody("Bad", { form: "rocketmq-batch", bytes: new Uint8Array(7) })), "BATCH_ILLEGAL");
    assert.equal(t.broker.store.offsets.maxOffset, 0);
    await t.broker.stop();
  });

  it("tells a front how much of a body to read, from maxMessageSize", async () => {
    const t = await memoryBroker({ maxMessageSize: 1000 });
    assert.equal(t.broker.runtime.send.bodyLimitBytes("rocketmq-batch"), 1000 + 64 * 1024);
    assert.equal(t.broker.runtime.send.bodyLimitBytes("json"), 2 * 1000 + 1024 * 1024);
    await t.broker.stop();
  });
});

describe("AdminService.deleteTopic", () => {
  it("removes the topic's config and consume queues, then refuses a second delete", async () => {
    const t = await memoryBroker();
    const { runtime } = t.broker;
    await runtime.send.sendBody("Gone", { form: "json", bytes: json({ body: "x", queueId: 0 }) });
    assert.ok(await t.memory.platform.fs.stat("/store/consumequeue/Gone/0"));
    const version = runtime.metadata.topics.dataVersion.toJson().counter;

    await runtime.admin.deleteTopic("Gone");
    assert.equal(runtime.metadata.topics.get("Gone"), undefined);
    assert.ok(runtime.metadata.topics.dataVersion.toJson().counter > version);
    assert.equal(await t.memory.platform.fs.stat("/store/consumequeue/Gone"), null);
    assert.equal(await refusal(runtime.admin.deleteTopic("Gone")), "TOPIC_NOT_EXIST");
    await t.broker.stop();
  });
});
