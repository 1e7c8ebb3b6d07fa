/**
 * The broker's HTTP API, route by route, through `app.request()` on the in-memory platform: what a
 * producer and a consumer see (statuses, offsets, RocketMQ's status names) and every way bad input
 * is refused with a 4xx and a clear message, storing nothing.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodeBatch } from "../../src/codec/batch.ts";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { settle } from "../../adapters/memory/clock.ts";
import { memoryBroker } from "../support/broker.ts";

const text = (b64: string) => new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));

describe("POST /topics/{topic}/messages", () => {
  it("stores one JSON message and answers SEND_OK with its ids and offsets", async () => {
    const t = await memoryBroker();
    const sent = await t.send("Orders", { body: "hello", tags: "TagA", keys: ["k1", "k2"], properties: { color: "red" }, queueId: 2 });
    assert.equal(sent.status, 200);
    assert.equal(sent.body.status, "SEND_OK");
    assert.deepEqual([sent.body.queueId, sent.body.queueOffset, sent.body.commitLogOffset], [2, 0, 0]);
    assert.match(sent.body.msgId, /^[0-9A-F]{32}$/);
    assert.match(sent.body.offsetMsgId, /^7F00000100002A9F0000000000000000$/);
    await t.broker.stop();
  });

  it("auto-creates a topic with defaultTopicQueueNums and picks queues round-robin", async () => {
    const t = await memoryBroker({ defaultTopicQueueNums: 3 });
    const queues = [];
    for (let i = 0; i < 6; i++) queues.push((await t.send("Auto", { body: `m${i}` })).body.queueId);
    assert.deepEqual(queues, [0, 1, 2, 0, 1, 2]);
    assert.equal((await t.json("/topics/Auto")).body.writeQueueNums, 3);
    await t.broker.stop();
  });

  it("stores a JSON batch in one queue with consecutive offsets", async () => {
    const t = await memoryBroker();
    const sent = await t.send("Batch", { messages: [{ body: "a", queueId: 1 }, { body: "b", queueId: 1 }, { bodyBase64: btoa("c"), queueId: 1 }] });
    assert.equal(sent.status, 200);
    assert.deepEqual(sent.body.results.map((r: any) => r.queueOffset), [0, 1, 2]);
    await t.broker.stop();
  });

  it("stores a binary batch (RocketMQ's batch encoding) with each message's own properties", async () => {
    const t = await memoryBroker();
    const body = encodeBatch([
      { flag: 1, body: new TextEncoder().encode("x"), properties: "TAGS\u0001T1\u0002KEYS\u0001kx" },
      { flag: 2, body: new TextEncoder().encode("y"), properties: "TAGS\u0001T2" },
    ]);
    const response = await t.request("/topics/Bin/messages?queueId=0", { method: "POST", headers: { "content-type": "application/x-rocketmq-batch" }, body: body as Uint8Array<ArrayBuffer> });
    assert.equal(response.status, 200);
    const results = ((await response.json()) as any).results;
    assert.deepEqual(results.map((r: any) => r.status), ["SEND_OK", "SEND_OK"]);
    await t.broker.store.waitDispatched(t.broker.store.offsets.maxOffset);
    const pulled = await t.json("/topics/Bin/queues/0/messages?offset=0");
    assert.deepEqual(pulled.body.messages.map((m: any) => [m.tags, m.flag, text(m.bodyBase64)]), [["T1", 1, "x"], ["T2", 2, "y"]]);
    assert.equal(pulled.body.messages[0].keys, "kx");
    await t.broker.stop();
  });

  it("refuses bad input with 4xx and a clear message, and stores nothing", async () => {
    const t = await memoryBroker({ maxMessageSize: 1024, autoCreateTopicEnable: true });
    const post = (path: string, body: BodyInit, type = "application/json") =>
      t.json(path, { method: "POST", headers: { "content-type": type }, body });
    const cases: Array<[string, Promise<{ status: number; body: any }>, number, RegExp]> = [
      ["malformed JSON", post("/topics/T/messages", "{not json"), 400, /not valid JSON/],
      ["no body field", post("/topics/T/messages", JSON.stringify({ tags: "a" })), 400, /exactly one of body and bodyBase64/],
      ["wrong type", post("/topics/T/messages", JSON.stringify({ body: "x", queueId: "one" })), 400, /queueId/],
      ["negative queue", post("/topics/T/messages", JSON.stringify({ body: "x", queueId: -1 })), 400, /queueId/],
      ["unknown field", post("/topics/T/messages", JSON.stringify({ body: "x", colour: 1 })), 400, /colour/],
      ["separator in a property", post("/topics/T/messages", JSON.stringify({ body: "x", properties: { a: "b\u0002c" } })), 400, /separator/],
      ["bad base64", post("/topics/T/messages", JSON.stringify({ bodyBase64: "!!!" })), 400, /base64/],
      ["illegal topic", post("/topics/bad%20topic/messages", JSON.stringify({ body: "x" })), 400, /illegal characters/],
      ["oversized body", post("/topics/T/messages", JSON.stringify({ body: "x".repeat(2000) })), 413, /more than 1024/],
      ["oversized request", post("/topics/T/messages", "x".repeat(5 * 1024 * 1024)), 413, /larger than/],
      ["binary batch of 1025 messages", post("/topics/T/messages", encodeBatch(Array.from({ length: 1025 }, () => ({ flag: 0, body: new Uint8Array(0), properties: "" }))) as Uint8Array<ArrayBuffer>, "application/x-rocketmq-batch"), 413, /more than 1024 messages/],
      ["JSON batch of 1025 messages", post("/topics/T/messages", JSON.stringify({ messages: Array.from({ length: 1025 }, () => ({ body: "" })) })), 413, /1025 messages, more than 1024/],
      ["garbage batch", post("/topics/T/messages", new Uint8Array([0, 0, 0, 99, 1, 2]), "application/x-rocketmq-batch"), 400, /batch message 0/],
      ["unknown content type", post("/topics/T/messages", "x", "text/plain"), 415, /Content-Type/],
      ["queue beyond the topic", post("/topics/T/messages", JSON.stringify({ body: "x", queueId: 99 })), 400, /out of range/],
    ];
    for (const [name, pending, status, message] of cases) {
      const answer = await pending;
      assert.equal(answer.status, status, name);
      assert.match(answer.body.error.message, message, name);
      assert.equal(typeof answer.body.error.code, "string", name);
    }
    assert.equal(t.broker.store.offsets.maxOffset, 0, "nothing was stored");
    await t.broker.stop();
  });

  it("logs a body whose stream fails mid-way (the client went away) as a client close, not an internal error", async () => {
    const t = await memoryBroker();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"body":"cut'));
        controller.error(new Error("connection closed by the client"));
      },
    });
    const answer = await t.request("/topics/Cut/messages", { method: "POST", headers: { "content-type": "application/json" }, body, duplex: "half" } as RequestInit);
    assert.equal(answer.status, 400);
    assert.equal(((await answer.json()) as any).error.code, "CLIENT_CLOSED_REQUEST");
    assert.deepEqual(t.logs.filter((line) => /internal error/.test(line)), []);
    assert.equal(t.logs.filter((line) => /^client closed the connection during POST \/topics\/Cut\/messages; nothing to answer \(Error: connection closed by the client\)$/.test(line)).length, 1, t.logs.join("\n"));
    assert.equal((await t.send("Cut", { body: "whole" })).body.status, "SEND_OK");
    await t.broker.stop();
  });

  it("refuses sends to an unknown topic when autoCreateTopicEnable is false", async () => {
    const t = await memoryBroker({ autoCreateTopicEnable: false });
    const answer = await t.send("Nope", { body: "x" });
    assert.deepEqual([answer.status, answer.body.error.code], [404, "TOPIC_NOT_EXIST"]);
    await t.broker.stop();
  });

  it("on SYNC_MASTER with no slave answers SLAVE_NOT_AVAILABLE at once, with the message stored, and logs why once per interval", async () => {
    const t = await memoryBroker({ brokerRole: "SYNC_MASTER" });
    const answer = await t.send("Sync", { body: "x" });
    assert.deepEqual([answer.status, answer.body.status], [200, "SLAVE_NOT_AVAILABLE"]);
    assert.equal((await t.send("Sync", { body: "x2" })).body.status, "SLAVE_NOT_AVAILABLE");
    const noWait = await t.send("Sync", { body: "y", wait: false });
    assert.equal(noWait.body.status, "SEND_OK");
    assert.ok(t.broker.store.offsets.maxOffset > 0);
    const why = t.logs.filter((l) => l.startsWith("send answered SLAVE_NOT_AVAILABLE"));
    assert.deepEqual(why, ["send answered SLAVE_NOT_AVAILABLE, the message is stored: no slave is connected to this SYNC_MASTER"], "the second within the interval is held back");
    await t.broker.stop();
  });
});

describe("GET /topics/{topic}/queues/{queueId}/messages", () => {
  it("pulls JSON with RocketMQ's statuses and the raw records byte-identical to the commit log", async () => {
    const t = await memoryBroker();
    for (let i = 0; i < 5; i++) await t.send("P", { body: `m${i}`, queueId: 0, tags: "TagA", keys: `key${i}` });
    await t.broker.store.waitDispatched(t.broker.store.offsets.maxOffset);
    const page = await t.json("/topics/P/queues/0/messages?offset=1&max=2");
    assert.deepEqual([page.body.status, page.body.pullStatus, page.body.nextBeginOffset, page.body.minOffset, page.body.maxOffset], ["FOUND", "FOUND", 3, 0, 5]);
    assert.deepEqual(page.body.messages.map((m: any) => [m.queueOffset, text(m.bodyBase64), m.tags, m.keys]), [[1, "m1", "TagA", "key1"], [2, "m2", "TagA", "key2"]]);
    assert.equal(page.body.messages[0].properties.CLUSTER, "DefaultCluster");
    const end = await t.json("/topics/P/queues/0/messages?offset=5");
    assert.deepEqual([end.body.status, end.body.pullStatus, end.body.nextBeginOffset], ["OFFSET_OVERFLOW_ONE", "NO_NEW_MSG", 5]);
    const beyond = await t.json("/topics/P/queues/0/messages?offset=50");
    assert.deepEqual([beyond.body.status, beyond.body.pullStatus], ["OFFSET_OVERFLOW_BADLY", "OFFSET_ILLEGAL"]);

    const raw = await t.request("/topics/P/queues/0/messages?offset=0&max=5", { headers: { accept: "application/x-rocketmq-messages" } });
    assert.equal(raw.headers.get("x-rocketmq-status"), "FOUND");
    assert.equal(raw.headers.get("x-rocketmq-next-begin-offset"), "5");
    const bytes = new Uint8Array(await raw.arrayBuffer());
    const onDisk = await t.broker.store.readCommitLog(0, t.broker.store.offsets.maxOffset);
    assert.deepEqual(bytes, onDisk);
    assert.equal(decodeMessageRecord(bytes, 0).kind, "message");
    await t.broker.stop();
  });

  it("filters by tags as a RocketMQ subscription does (TagA || TagC), '*' meaning all", async () => {
    const t = await memoryBroker();
    for (const tag of ["TagA", "TagB", "TagC", "TagB", "TagA"]) await t.send("Tagged", { body: tag, tags: tag, queueId: 0 });
    await t.send("Tagged", { body: "untagged", queueId: 0 });
    await t.broker.store.waitDispatched(t.broker.store.offsets.maxOffset);
    const some = await t.json(`/topics/Tagged/queues/0/messages?offset=0&tags=${encodeURIComponent("TagA || TagC")}`);
    assert.deepEqual(some.body.messages.map((m: any) => [m.queueOffset, m.tags]), [[0, "TagA"], [2, "TagC"], [4, "TagA"]]);
    assert.equal(some.body.nextBeginOffset, 6, "filtered-out messages are skipped, not re-read");
    const none = await t.json("/topics/Tagged/queues/0/messages?offset=0&tags=TagZ");
    assert.deepEqual([none.body.status, none.body.pullStatus, none.body.nextBeginOffset], ["NO_MATCHED_MESSAGE", "NO_MATCHED_MSG", 6]);
    assert.equal((await t.json("/topics/Tagged/queues/0/messages?offset=0&tags=*")).body.messages.length, 6);
    await t.broker.stop();
  });

  it("long-polls: a pull that finds nothing new is answered when a message arrives", async () => {
    const t = await memoryBroker();
    await t.send("LP", { body: "first", queueId: 0 });
    await t.broker.store.waitDispatched(t.broker.store.offsets.maxOffset);
    const waiting = t.json("/topics/LP/queues/0/messages?offset=1&waitMs=20000");
    await settle();
    await t.send("LP", { body: "second", queueId: 0 });
    const answer = await waiting;
    assert.equal(answer.body.status, "FOUND");
    assert.equal(text(answer.body.messages[0].bodyBase64), "second");
    const idle = t.json("/topics/LP/queues/0/messages?offset=2&waitMs=1000");
    await settle();
    await t.memory.clock.advance(1000);
    assert.equal((await idle).body.pullStatus, "NO_NEW_MSG");
    await t.broker.stop();
  });

  it("refuses bad pulls with 4xx", async () => {
    const t = await memoryBroker();
    await t.send("Q", { body: "x", queueId: 0 });
    const cases: Array<[string, number, RegExp]> = [
      ["/topics/Unknown/queues/0/messages?offset=0", 404, /does not exist/],
      ["/topics/Q/queues/0/messages", 400, /^offset: required$/],
      ["/topics/Q/queues/0/messages?offset=-1", 400, /offset: must be at least 0/],
      ["/topics/Q/queues/0/messages?offset=abc", 400, /offset must be an integer/],
      ["/topics/Q/queues/x/messages?offset=0", 400, /queueId/],
      ["/topics/Q/queues/99/messages?offset=0", 400, /out of range/],
      ["/topics/Q/queues/0/messages?offset=0&max=0", 400, /max/],
      ["/topics/Q/queues/0/messages?offset=0&waitMs=99999999", 400, /waitMs/],
      ["/topics/Q/queues/0/messages?offset=0&group=bad%20group", 400, /group/],
    ];
    for (const [path, status, message] of cases) {
      const answer = await t.json(path);
      assert.equal(answer.status, status, path);
      assert.match(answer.body.error.message, message, path);
    }
    await t.broker.stop();
  });

  it("answers a known path asked with another method 405 with Allow, an unknown path 404", async () => {
    const t = await memoryBroker();
    const wrong = await t.request("/topics/Q/queues/0/messages?offset=0", { method: "POST" });
    assert.equal(wrong.headers.get("allow"), "GET");
    const body = await wrong.json();
    assert.deepEqual([wrong.status, body.error.code], [405, "METHOD_NOT_ALLOWED"]);
    assert.match(body.error.message, /^POST is not allowed on \/topics\/Q\/queues\/0\/messages; use GET$/);
    const healthz = await t.request("/healthz", { method: "PUT" });
    assert.deepEqual([healthz.status, healthz.headers.get("allow")], [405, "GET"]);
    await healthz.body?.cancel();
    assert.equal((await t.json("/no/such/path", { method: "PUT" })).status, 404);
    await t.broker.stop();
  });
});

describe("offsets, topics, groups, sync and status", () => {
  it("commits and reads consumer offsets, -1 before the first commit", async () => {
    const t = await memoryBroker();
    await t.send("O", { body: "x", queueId: 0 });
    assert.deepEqual((await t.json("/consumer-offsets/g1/O/0")).body, { offset: -1 });
    const put = await t.json("/consumer-offsets/g1/O/0", { method: "PUT", body: JSON.stringify({ offset: 7 }) });
    assert.deepEqual([put.status, put.body.offset], [200, 7]);
    assert.deepEqual((await t.json("/consumer-offsets/g1/O/0")).body, { offset: 7 });
    const bad = await t.json("/consumer-offsets/g1/O/0", { method: "PUT", body: JSON.stringify({ offset: -3 }) });
    assert.equal(bad.status, 400);
    const unknown = await t.json("/consumer-offsets/g1/Nope/0", { method: "PUT", body: JSON.stringify({ offset: 1 }) });
    assert.equal(unknown.status, 404);
    await t.broker.stop();
  });

  it("creates, reads, lists and deletes topics", async () => {
    const t = await memoryBroker();
    const put = await t.json("/topics/Made", { method: "PUT", body: JSON.stringify({ readQueueNums: 4, writeQueueNums: 4, perm: 6 }) });
    assert.deepEqual([put.status, put.body.topicName, put.body.readQueueNums], [200, "Made", 4]);
    assert.ok((await t.json("/topics")).body.topics.some((c: any) => c.topicName === "Made"));
    assert.equal((await t.json("/topics/Made", { method: "DELETE" })).status, 200);
    assert.equal((await t.json("/topics/Made")).status, 404);
    assert.equal((await t.json("/topics/Made", { method: "PUT", body: JSON.stringify({ readQueueNums: 0, writeQueueNums: 1 }) })).status, 400);
    assert.equal((await t.json("/topics/Made", { method: "PUT", body: "{" })).status, 400);
    await t.broker.stop();
  });

  it("manages subscription groups, auto-created by a pull with a group", async () => {
    const t = await memoryBroker();
    await t.send("S", { body: "x", queueId: 0 });
    await t.json("/topics/S/queues/0/messages?offset=0&group=auto_group");
    assert.equal((await t.json("/subscription-groups/auto_group")).body.whichBrokerWhenConsumeSlowly, 1);
    const put = await t.json("/subscription-groups/g2", { method: "PUT", body: JSON.stringify({ retryMaxTimes: 3 }) });
    assert.deepEqual([put.status, put.body.retryMaxTimes, put.body.groupName], [200, 3, "g2"]);
    assert.equal((await t.json("/subscription-groups")).body.groups.length >= 2, true);
    assert.equal((await t.json("/subscription-groups/none")).status, 404);
    assert.equal((await t.json("/subscription-groups/g2", { method: "PUT", body: JSON.stringify({ retryMaxTimes: "x" }) })).status, 400);
    await t.broker.stop();
  });

  it("serves the four sync bodies in the config files' shapes", async () => {
    const t = await memoryBroker();
    await t.send("Sy", { body: "x", queueId: 0 });
    await t.json("/consumer-offsets/g/Sy/0", { method: "PUT", body: JSON.stringify({ offset: 1 }) });
    const topics = (await t.json("/sync/topic-config")).body;
    assert.ok(topics.dataVersion.counter >= 1 && topics.topicConfigTable.Sy.writeQueueNums === 8);
    assert.deepEqual((await t.json("/sync/consumer-offsets")).body.offsetTable, { "Sy@g": { "0": 1 } });
    assert.ok("offsetTable" in (await t.json("/sync/delay-offset")).body);
    assert.ok("subscriptionGroupTable" in (await t.json("/sync/subscription-groups")).body);
    const status = (await t.json("/ha/status")).body;
    assert.deepEqual([status.role, status.brokerName, status.brokerId], ["ASYNC_MASTER", "broker-a", 0]);
    assert.ok(status.maxPhyOffset > 0);
    assert.equal((await t.json("/nowhere")).status, 404);
    await t.broker.stop();
  });
});
