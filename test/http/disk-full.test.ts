/**
 * What a producer, a consumer and a monitor see of a broker whose disk is full, through the HTTP
 * API on the in-memory platform: sends answered 503 STORE_DISK_FULL (never 500), pulls served,
 * /health DEGRADED and /readyz 503 with the reason, and all of it back to normal by itself once
 * space returns. A stop while the disk is still full closes everything and says what was not saved.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { memoryBroker } from "../support/broker.ts";

describe("a broker on a full disk, over HTTP", () => {
  it("answers sends 503 STORE_DISK_FULL, serves pulls, reports it in /health and /readyz, and recovers by itself", async () => {
    const t = await memoryBroker({ defaultTopicQueueNums: 1 });
    assert.equal((await t.send("Full", { body: "first" })).status, 200); // creates the topic and its files
    const fs = t.memory.fs;
    fs.limitSpace(fs.usedBytes + 48 * 1024);
    const statuses: number[] = [];
    let refused: any = null;
    for (let i = 0; i < 2000 && refused === null; i++) {
      const sent = await t.send("Full", { body: `m${i}-${"x".repeat(300)}` });
      statuses.push(sent.status);
      if (sent.status !== 200) refused = sent;
    }
    assert.ok(refused, "the disk filled up");
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error.code, "STORE_DISK_FULL");
    assert.match(refused.body.error.message, /full.*free/);
    assert.ok(!statuses.includes(500));
    const again = await t.send("Full", { body: "refused at once" });
    assert.deepEqual([again.status, again.body.error.code], [503, "STORE_DISK_FULL"]);

    const health = await t.json("/health");
    assert.equal(health.status, 200);
    assert.equal(health.body.status, "DEGRADED");
    assert.ok(health.body.problems.some((p: any) => p.code === "STORE_DISK_FULL" && p.where === "/store/commitlog"));
    const ready = await t.json("/readyz");
    assert.equal(ready.status, 503);
    assert.match(ready.body.reasons.join(" "), /STORE_DISK_FULL/);

    const pulled = await t.json("/topics/Full/queues/0/messages?offset=0&max=4");
    assert.equal(pulled.status, 200);
    assert.equal(pulled.body.messages.length, 4);

    fs.limitSpace(null);
    await t.memory.clock.advance(10_000);
    assert.equal((await t.send("Full", { body: "after" })).status, 200);
    assert.deepEqual((await t.json("/health")).body, { status: "UP", role: "ASYNC_MASTER" });
    const readyAgain = await t.json("/readyz");
    assert.deepEqual([readyAgain.status, readyAgain.body.ready, readyAgain.body.reasons], [200, true, []]);
    await t.broker.stop();
    assert.equal(fs.openHandles, 0, "every file closed");
  });

  it("stops on a still-full disk with every file closed and a clear SHUTDOWN_INCOMPLETE", async () => {
    const t = await memoryBroker({ defaultTopicQueueNums: 1 });
    assert.equal((await t.send("Stop", { body: "first" })).status, 200);
    const fs = t.memory.fs;
    fs.limitSpace(fs.usedBytes + 16 * 1024);
    for (let i = 0; i < 2000; i++) if ((await t.send("Stop", { body: `m${i}-${"x".repeat(300)}` })).status !== 200) break;
    await assert.rejects(t.broker.stop(), (e: Error & { code?: string }) => e.code === "SHUTDOWN_INCOMPLETE" && /never written/.test(e.message));
    assert.equal(fs.openHandles, 0, "every file closed");
  });
});
