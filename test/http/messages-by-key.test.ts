/**
 * GET /messages?topic=&key=&maxNum=&begin=&end= (DESIGN §1.3, contract KeyQueryAnswerJson): the
 * messages whose KEYS hold the key or whose UNIQ_KEY is it, from the message index, as the pull
 * API renders them; bad parameters are 400 with the shared error body.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { memoryBroker } from "../support/broker.ts";

describe("GET /messages (by key)", () => {
  it("finds messages by a KEYS word and by their msgId (UNIQ_KEY), within the time window", async () => {
    const t = await memoryBroker();
    const first = await t.send("Orders", { body: "paid", keys: ["order-1", "customer-7"] });
    await t.send("Orders", { body: "shipped", keys: "order-2 customer-7" });
    await t.send("Other", { body: "elsewhere", keys: "order-1" });
    await t.broker.store.waitDispatched(t.broker.store.offsets.maxOffset);

    const byKey = await t.json("/messages?topic=Orders&key=order-1");
    assert.equal(byKey.status, 200);
    assert.deepEqual(byKey.body.messages.map((m: { bodyBase64: string }) => atob(m.bodyBase64)), ["paid"]);
    assert.equal(byKey.body.messages[0].msgId, first.body.msgId);
    assert.ok(byKey.body.indexLastUpdatePhyoffset > 0 && byKey.body.indexLastUpdateTimestamp > 0);
    const both = await t.json("/messages?topic=Orders&key=customer-7&maxNum=64");
    assert.deepEqual(both.body.messages.map((m: { keys: string }) => m.keys), ["order-1 customer-7", "order-2 customer-7"]);
    const one = await t.json("/messages?topic=Orders&key=customer-7&maxNum=1");
    assert.equal(one.body.messages.length, 1);
    const byId = await t.json(`/messages?topic=Orders&key=${first.body.msgId}`);
    assert.deepEqual(byId.body.messages.map((m: { msgId: string }) => m.msgId), [first.body.msgId]);
    const future = await t.json(`/messages?topic=Orders&key=order-1&begin=${Date.now() + 3_600_000}`);
    assert.deepEqual(future.body, { indexLastUpdateTimestamp: 0, indexLastUpdatePhyoffset: 0, messages: [] });
    const none = await t.json("/messages?topic=Orders&key=nothing");
    assert.deepEqual(none.body.messages, []);

    for (const bad of ["/messages?key=k", "/messages?topic=Orders", "/messages?topic=Orders&key=k&maxNum=65", "/messages?topic=Orders&key=k&begin=x"]) {
      const answer = await t.json(bad);
      assert.equal(answer.status, 400, bad);
      assert.equal(typeof answer.body.error.code, "string", JSON.stringify(answer.body));
    }
    await t.broker.stop();
  });
});
