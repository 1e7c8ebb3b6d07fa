/**
 * The PullConsumer against a real broker app: RocketMQ's pull statuses as results (NO_NEW_MSG at
 * the end, OFFSET_ILLEGAL past it, a long poll woken by a send), offsets committed and read back
 * (-1 before any), and `consume` resuming from the committed offset in batches. Failures are
 * SkiffClientErrors: an unknown topic is TOPIC_NOT_EXIST (404, not retriable).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Producer, PullConsumer, SkiffClientError, type PullResult } from "../../src/client/index.ts";
import { memoryBroker } from "../support/broker.ts";
import { network, text } from "./world.ts";

const BROKER = "127.0.0.1:10911";

describe("PullConsumer", () => {
  let t: Awaited<ReturnType<typeof memoryBroker>>;
  let net: ReturnType<typeof network>;
  let producer: Producer;
  const consumer = (group = "G1") => new PullConsumer({ group, broker: BROKER, fetch: net.fetch });

  before(async () => {
    t = await memoryBroker();
    net = network({ [BROKER]: t.app });
    producer = new Producer({ broker: BROKER }, { fetch: net.fetch });
    for (let i = 0; i < 5; i++) await producer.send("Five", { body: `m${i}`, queueId: 0 });
  });
  after(() => t.broker.stop());

  it("answers NO_NEW_MSG at the end of the queue and in an empty queue, with nothing to read", async () => {
    const end = await consumer().pull("Five", 0, 5);
    assert.deepEqual([end.status, end.pullStatus, end.nextBeginOffset, end.minOffset, end.maxOffset], ["OFFSET_OVERFLOW_ONE", "NO_NEW_MSG", 5, 0, 5]);
    assert.deepEqual(end.messages, []);
    const unwritten = await consumer().pull("Five", 1, 0);
    assert.deepEqual([unwritten.status, unwritten.pullStatus, unwritten.nextBeginOffset], ["NO_MATCHED_LOGIC_QUEUE", "NO_NEW_MSG", 0]);
  });

  it("answers OFFSET_ILLEGAL past the end, with the offset to restart from", async () => {
    const past = await consumer().pull("Five", 0, 9);
    assert.deepEqual([past.status, past.pullStatus, past.nextBeginOffset, past.messages.length], ["OFFSET_OVERFLOW_BADLY", "OFFSET_ILLEGAL", 0, 0]);
  });

  it("pulls only the subscribed tags, from an expression or a list", async () => {
    for (const tag of ["Red", "Blue", "Red", "Green"]) await producer.send("Colors", { body: tag, tags: tag, queueId: 0 });
    const red = await consumer().pull("Colors", 0, 0, { tags: "Red" });
    assert.deepEqual(red.messages.map((m) => [m.queueOffset, text(m.body)]), [[0, "Red"], [2, "Red"]]);
    const two = await consumer().pull("Colors", 0, 0, { tags: ["Blue", "Green"] });
    assert.deepEqual(two.messages.map((m) => m.tags), ["Blue", "Green"]);
    assert.equal(two.nextBeginOffset, 4);
  });

  it("pulls at most `max` messages and says where to go on", async () => {
    const first = await consumer().pull("Five", 0, 1, { max: 2 });
    assert.deepEqual(first.messages.map((m) => text(m.body)), ["m1", "m2"]);
    assert.equal(first.nextBeginOffset, 3);
    assert.equal(first.brokerAddress, BROKER);
    assert.match(net.calls.at(-1)?.path ?? "", /^\/topics\/Five\/queues\/0\/messages\?offset=1&max=2&group=G1&waitMs=0$/);
  });

  it("returns a long-poll pull as soon as a message arrives", async () => {
    await producer.send("Polled", { body: "first", queueId: 0 });
    const parked = consumer().pull("Polled", 0, 1, { waitMs: 20_000 });
    let answered = false;
    void parked.then(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(answered, false, "the pull waits while the queue has nothing new");
    const sent = await producer.send("Polled", { body: "woke", queueId: 0 });
    const result = await parked;
    assert.equal(result.pullStatus, "FOUND");
    assert.deepEqual(result.messages.map((m) => [m.msgId, text(m.body)]), [[sent.msgId, "woke"]]);
  });

  it("reads -1 before any commit, then what was committed", async () => {
    const c = consumer("Fresh");
    assert.equal(await c.committedOffset("Five", 0), -1);
    await c.commitOffset("Five", 0, 3);
    assert.equal(await c.committedOffset("Five", 0), 3);
    assert.deepEqual(net.calls.slice(-2).map((x) => `${x.method} ${x.path}`), ["PUT /consumer-offsets/Fresh/Five/0", "GET /consumer-offsets/Fresh/Five/0"]);
    assert.equal(await consumer("Other").committedOffset("Five", 0), -1);
  });

  it("consumes in batches from the first offset, then resumes from the committed one", async () => {
    const c = consumer("Resume");
    const seen: string[][] = [];
    for await (const batch of c.consume("Five", 0, { waitMs: 0, max: 2 })) {
      seen.push(batch.messages.map((m) => text(m.body)));
      if (seen.length === 2) {
        await c.commitOffset("Five", 0, batch.nextBeginOffset);
        break;
      }
    }
    assert.deepEqual(seen, [["m0", "m1"], ["m2", "m3"]]);
    assert.equal(await c.committedOffset("Five", 0), 4);

    const rest: PullResult[] = [];
    for await (const batch of c.consume("Five", 0, { waitMs: 0 })) rest.push(batch);
    assert.deepEqual(rest.flatMap((b) => b.messages.map((m) => [m.queueOffset, text(m.body)])), [[4, "m4"]]);
  });

  it("consumes from an explicit offset or the first, and follows OFFSET_ILLEGAL back into the queue", async () => {
    const bodies = async (from: "first" | number) => {
      const out: string[] = [];
      for await (const batch of consumer("Explicit").consume("Five", 0, { from, waitMs: 0 })) out.push(...batch.messages.map((m) => text(m.body)));
      return out;
    };
    assert.deepEqual(await bodies(3), ["m3", "m4"]);
    assert.deepEqual(await bodies("first"), ["m0", "m1", "m2", "m3", "m4"]);
    assert.deepEqual(await bodies(42), ["m0", "m1", "m2", "m3", "m4"]);
  });

  it("stops a long-polling consume quietly when its signal aborts", async () => {
    const stop = new AbortController();
    const batches: number[] = [];
    const done = (async () => {
      for await (const batch of consumer("Abort").consume("Five", 0, { from: 5, waitMs: 20_000, signal: stop.signal })) batches.push(batch.messages.length);
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    stop.abort();
    await done;
    assert.deepEqual(batches, []);
  });

  it("fails an unknown topic with TOPIC_NOT_EXIST, 404, not retriable, naming the topic", async () => {
    await assert.rejects(consumer().pull("NoSuchTopic", 0, 0), (e: unknown) => {
      assert.ok(e instanceof SkiffClientError);
      assert.deepEqual([e.code, e.status, e.retriable], ["TOPIC_NOT_EXIST", 404, false]);
      assert.match(e.message, /NoSuchTopic/);
      return true;
    });
    await assert.rejects(consumer().commitOffset("NoSuchTopic", 0, 1), { code: "TOPIC_NOT_EXIST", status: 404 });
  });

  it("refuses a group name the broker would refuse, before any request", () => {
    assert.throws(() => new PullConsumer({ group: "bad group", broker: BROKER }), { code: "BAD_REQUEST" });
    assert.throws(() => new PullConsumer({ group: "G" }), { code: "BAD_REQUEST" });
  });
});
