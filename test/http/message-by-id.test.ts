/**
 * GET /messages/{msgId} (contract/broker-http.ts, broker/message-by-id.ts): a message by either id
 * a send answered — its offsetMsgId (store host + commit-log offset) or its msgId (the UNIQ_KEY,
 * found through the message index) — as JSON or as the stored record; 404 MESSAGE_NOT_FOUND for
 * an id of nothing held here. GET /topics/{topic}/queues/{queueId}/offset?timestamp=: the first
 * queue offset stored at or after a time (RocketMQ's SEARCH_OFFSET_BY_TIMESTAMP).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { memoryBroker } from "../support/broker.ts";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";

const RECORDS = "application/x-rocketmq-messages";

async function broker() {
  const t = await memoryBroker();
  const dispatched = () => t.broker.store.waitDispatched(t.broker.store.offsets.maxOffset);
  return { ...t, dispatched };
}

describe("GET /messages/{msgId}", () => {
  it("answers the same message for its offsetMsgId (any case) and for its msgId, with or without its topic", async () => {
    const t = await broker();
    await t.send("Orders", { body: "before" });
    const sent = (await t.send("Orders", { body: "paid", keys: "order-1" })).body;
    await t.send("Orders", { body: "after" });
    await t.dispatched();

    for (const path of [`/messages/${sent.offsetMsgId}`, `/messages/${sent.offsetMsgId.toLowerCase()}`, `/messages/${sent.msgId}`, `/messages/${sent.msgId}?topic=Orders`]) {
      const answer = await t.json(path);
      assert.equal(answer.status, 200, path);
      assert.equal(atob(answer.body.bodyBase64), "paid", path);
      assert.equal(answer.body.msgId, sent.msgId, path);
      assert.equal(answer.body.offsetMsgId, sent.offsetMsgId, path);
      assert.equal(answer.body.commitLogOffset, sent.commitLogOffset, path);
      assert.equal(answer.body.queueOffset, sent.queueOffset, path);
      assert.equal(answer.body.keys, "order-1", path);
    }
    await t.broker.stop();
  });

  it("answers the stored record byte for byte with Accept: application/x-rocketmq-messages", async () => {
    const t = await broker();
    const sent = (await t.send("Orders", { body: "raw", tags: "TagA" })).body;
    await t.dispatched();
    const response = await t.request(`/messages/${sent.msgId}`, { headers: { accept: RECORDS } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), RECORDS);
    assert.equal(response.headers.get("x-rocketmq-message-count"), "1");
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.deepEqual(bytes, await t.broker.store.readMessageAt(sent.commitLogOffset));
    const record = decodeMessageRecord(bytes, 0, { readBody: true });
    assert.equal(record.kind === "message" && new TextDecoder().decode(record.body!), "raw");
    await t.broker.stop();
  });

  it("of several records with one UNIQ_KEY (a copy in another topic) answers the one stored first", async () => {
    const t = await broker();
    const original = (await t.send("Orders", { body: "original" })).body;
    await t.send("Orders-copy", { body: "copy", properties: { UNIQ_KEY: original.msgId } });
    await t.dispatched();
    assert.equal(atob((await t.json(`/messages/${original.msgId}`)).body.bodyBase64), "original");
    assert.equal(atob((await t.json(`/messages/${original.msgId}?topic=Orders-copy`)).body.bodyBase64), "copy");
    await t.broker.stop();
  });

  it("is 404 MESSAGE_NOT_FOUND for an id of nothing held here, 400 for a bad topic", async () => {
    const t = await broker();
    const sent = (await t.send("Orders", { body: "x" })).body;
    await t.dispatched();
    // An offsetMsgId one byte into the record: it decodes, but no record starts there.
    const inside = sent.offsetMsgId.slice(0, 16) + (sent.commitLogOffset + 1).toString(16).toUpperCase().padStart(16, "0");
    const unknownUniqKey = "0123456789ABCDEF0123456789ABCDEF";
    for (const path of [`/messages/${inside}`, `/messages/${unknownUniqKey}`, "/messages/not-hex", `/messages/${sent.msgId}?topic=Other`]) {
      const answer = await t.json(path);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.body.error.code, "MESSAGE_NOT_FOUND", path);
    }
    assert.equal((await t.json(`/messages/${sent.msgId}?topic=`)).status, 400);
    await t.broker.stop();
  });
});

describe("GET /messages?… with Accept: application/x-rocketmq-messages", () => {
  it("answers the matching records and the index fields in headers", async () => {
    const t = await broker();
    await t.send("Orders", { body: "one", keys: "k" });
    await t.send("Orders", { body: "two", keys: "k" });
    await t.dispatched();
    const response = await t.request("/messages?topic=Orders&key=k", { headers: { accept: RECORDS } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-rocketmq-message-count"), "2");
    assert.ok(Number(response.headers.get("x-rocketmq-index-last-update-phyoffset")) > 0);
    assert.ok(Number(response.headers.get("x-rocketmq-index-last-update-timestamp")) > 0);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const first = decodeMessageRecord(bytes, 0, { readBody: true });
    assert.ok(first.kind === "message");
    const second = decodeMessageRecord(bytes, first.totalSize, { readBody: true });
    assert.deepEqual([first, second].map((r) => r.kind === "message" && new TextDecoder().decode(r.body!)), ["one", "two"]);
    await t.broker.stop();
  });
});

describe("GET /topics/{topic}/queues/{queueId}/offset?timestamp=", () => {
  it("answers the first offset stored at or after the time, the queue's end after the last", async () => {
    const t = await broker();
    const stored: number[] = [];
    for (const body of ["a", "b", "c"]) {
      const sent = (await t.send("Timed", { body, queueId: 0 })).body;
      stored.push((await t.json(`/messages/${sent.msgId}`)).body.storeTimestamp);
      await t.memory.clock.advance(1000);
    }
    const offsetAt = async (timestamp: number) => (await t.json(`/topics/Timed/queues/0/offset?timestamp=${timestamp}`)).body;
    assert.deepEqual(await offsetAt(0), { timestamp: 0, offset: 0 });
    assert.equal((await offsetAt(stored[1])).offset, 1);
    assert.equal((await offsetAt(stored[1] - 1)).offset, 1);
    assert.equal((await offsetAt(stored[2])).offset, 2);
    assert.equal((await offsetAt(stored[2] + 1)).offset, 3);

    const missing = await t.json("/topics/Nowhere/queues/0/offset?timestamp=0");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "TOPIC_NOT_EXIST");
    for (const bad of ["/topics/Timed/queues/0/offset", "/topics/Timed/queues/0/offset?timestamp=-1", "/topics/Timed/queues/x/offset?timestamp=0"]) {
      assert.equal((await t.json(bad)).status, 400, bad);
    }
    await t.broker.stop();
  });
});
