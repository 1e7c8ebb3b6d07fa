/**
 * Scheduled messages on the in-memory platform with a manual clock: a delayed message reaches its
 * real topic exactly when its level's delay has passed, not before, and a restart of the broker
 * neither loses nor repeats a delivery (after a crash, at most repeats it: at-least-once).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMemoryPlatform } from "../../adapters/memory/platform.ts";
import { settle } from "../../adapters/memory/clock.ts";
import { memoryBroker } from "../support/broker.ts";
import { message } from "../support/store.ts";

const LEVELS = { messageDelayLevel: "2s 5s" };

async function bodies(t: Awaited<ReturnType<typeof memoryBroker>>, topic: string): Promise<string[]> {
  await t.broker.store.waitDispatched(t.broker.store.offsets.maxOffset);
  const page = await t.json(`/topics/${topic}/queues/0/messages?offset=0&max=100`);
  return (page.body.messages ?? []).map((m: { bodyBase64: string }) => atob(m.bodyBase64));
}

describe("schedule service", () => {
  it("skips delayed records whose REAL_TOPIC is illegal or the schedule topic itself, and delivers the next one", async () => {
    const t = await memoryBroker(LEVELS);
    const poison = (realTopic: string) => message("SCHEDULE_TOPIC_XXXX", "poison", { properties: new Map([["REAL_TOPIC", realTopic], ["REAL_QID", "0"]]) });
    await t.broker.store.append([poison("bad topic")]);
    await t.broker.store.append([poison("SCHEDULE_TOPIC_XXXX")]);
    await t.send("Next", { body: "good", queueId: 0, delayLevel: 1 });
    await t.memory.clock.advance(2100);
    await settle(100);
    const maxOffset = t.broker.store.offsets.maxOffset;
    assert.deepEqual(await bodies(t, "Next"), ["good"]);
    assert.ok(t.logs.some((line) => /skipped offset 0, not a delayed message record/.test(line)), t.logs.join("\n"));
    assert.ok(t.logs.some((line) => /skipped offset 1, not a delayed message record/.test(line)), t.logs.join("\n"));
    assert.ok(!t.logs.some((line) => /delivery failed/.test(line)), "no retry loop");
    await t.memory.clock.advance(10_000);
    await settle(100);
    assert.equal(t.broker.store.offsets.maxOffset, maxOffset, "nothing is written again and again");
    assert.equal((await t.send("SCHEDULE_TOPIC_XXXX", { body: "x", queueId: 0 })).body.error.code, "NO_PERMISSION", "producers cannot write there");
    await t.broker.stop();
  });

  it("delivers a delayed message to its real topic after its level's delay, not before", async () => {
    const t = await memoryBroker(LEVELS);
    await t.send("Later", { body: "plain", queueId: 0 });
    const sent = await t.send("Later", { body: "delayed", queueId: 0, delayLevel: 2 });
    assert.equal(sent.body.status, "SEND_OK");
    await t.memory.clock.advance(4900);
    await settle(100);
    assert.deepEqual(await bodies(t, "Later"), ["plain"]);
    await t.memory.clock.advance(200);
    await settle(100);
    assert.deepEqual(await bodies(t, "Later"), ["plain", "delayed"]);
    await t.broker.stop();
  });

  it("clamps a level beyond the highest to the highest", async () => {
    const t = await memoryBroker(LEVELS);
    await t.send("Clamp", { body: "x", queueId: 0, delayLevel: 9 });
    await t.memory.clock.advance(5100);
    await settle(100);
    assert.deepEqual(await bodies(t, "Clamp"), ["x"]);
    await t.broker.stop();
  });

  it("neither loses nor repeats deliveries across a clean restart", async () => {
    const memory = createMemoryPlatform();
    let t = await memoryBroker(LEVELS, memory);
    await t.send("Restart", { body: "early", queueId: 0, delayLevel: 1 });
    await t.send("Restart", { body: "late", queueId: 0, delayLevel: 2 });
    await memory.clock.advance(2100);
    await settle(100);
    assert.deepEqual(await bodies(t, "Restart"), ["early"]);
    await t.broker.stop();
    t = await memoryBroker(LEVELS, memory);
    await memory.clock.advance(3100);
    await settle(200);
    assert.deepEqual(await bodies(t, "Restart"), ["early", "late"]);
    await memory.clock.advance(10_000);
    await settle(100);
    assert.deepEqual(await bodies(t, "Restart"), ["early", "late"], "nothing is delivered twice");
    await t.broker.stop();
  });

  it("after a crash delivers every due message at least once", async () => {
    const memory = createMemoryPlatform();
    const t = await memoryBroker(LEVELS, memory);
    for (let i = 0; i < 5; i++) await t.send("Crash", { body: `m${i}`, queueId: 0, delayLevel: 1 });
    await t.broker.store.flushAll();
    memory.fs.crashProcess(); // no stop(): progress in delayOffset.json may be stale
    const restarted = createMemoryPlatform({ fs: memory.fs }); // a new process: new clock, no old timers
    const again = await memoryBroker(LEVELS, restarted);
    await restarted.clock.advance(2100);
    await settle(200);
    const delivered = await bodies(again, "Crash");
    for (let i = 0; i < 5; i++) assert.ok(delivered.includes(`m${i}`), `m${i} delivered`);
    await again.broker.stop();
  });
});
