// Stock Apache RocketMQ Java clients (4.9.7 and 5.3.3) pointed at a name server and broker by nothing but their address: Skiff's (SKIFF_REMOTING_TARGET=skiff, the default; its processes on SKIFF_REMOTING_RUNTIME) or a real RocketMQ of the clients' version (SKIFF_REMOTING_TARGET=rocketmq, which validates the scenarios themselves); test/interop/rocketmq/java-client-suite.ts starts them.
// Proved here, per client version, for DefaultMQPushConsumer: tag filters with CONSUME_FROM_LAST_OFFSET, orderly listeners, two consumers rebalancing without loss, and RECONSUME_LATER through %RETRY% after delay level 3 into the dead-letter queue.
import assert from "node:assert/strict";
import { Cleanup } from "./rocketmq/processes.ts";
import type { JavaMessageEvent } from "./rocketmq/java-clients.ts";
import { assertDelivered, binaryBody, type SendOk } from "./rocketmq/java-messages.ts";
import { parseTopicList } from "./rocketmq/mqadmin.ts";
import { assignment, createTopic, deliveriesBySid, javaClient, message, sleep, waitForAssignment, waitForSids } from "./rocketmq/remoting-scenarios.ts";
import { describeJavaClients, once } from "./rocketmq/java-client-suite.ts";

describeJavaClients("push consumers", (_version, suite, it) => {
  it("a subscription `TagA || TagB` with CONSUME_FROM_LAST_OFFSET gets exactly the TagA/TagB messages, from offset 0 of a young queue as RocketMQ does", { timeout: 120_000 }, async () => {
    const { sender } = suite();
    const cleanup = new Cleanup();
    try {
      const topic = "JcTagFilter";
      await createTopic(suite(), topic, 2);
      const tagged = (sid: string, tags?: string) => message(topic, sid, tags ? { tags } : {});
      const before = [tagged("a-1", "TagA"), tagged("b-1", "TagB"), tagged("c-1", "TagC"), tagged("n-1")];
      for (const m of before) await sender.sendOk(m, "sync", 0);
      const push = await javaClient(suite(), cleanup, "PushClient", { group: "jc_tag_filter", topic, from: "last", subscription: "TagA || TagB" });
      await waitForAssignment("the consumer to hold both queues", [push], ([a]) => a?.queues.length === 2);
      const afterStart = [tagged("a-2", "TagA"), tagged("c-2", "TagC"), tagged("b-2", "TagB"), tagged("n-2"), tagged("c-3", "TagC"), tagged("a-3", "TagA")];
      for (const m of afterStart) await sender.sendOk(m, "sync", 0);
      // Queue 1 was empty when the group started: 4.9.7 answers offset 0, 5.3.3 QUERY_NOT_FOUND and then the max offset, 0 too.
      const emptyQueue = tagged("a-4", "TagA");
      await sender.sendOk(emptyQueue, "sync", 1);
      const expected = ["a-1", "b-1", "a-2", "b-2", "a-3", "a-4"];
      await waitForSids("the TagA and TagB messages", [push], expected);
      await sleep(1500);
      const got = deliveriesBySid(push);
      assert.deepEqual([...got.keys()].sort(), [...expected].sort(), "only TagA and TagB, every one of them, before and after the consumer started");
      once(got, expected, "tag filter");
      for (const [sid, [m]] of got) assertDelivered(m, [...before, ...afterStart, emptyQueue].find((s) => s.sid === sid)!);
    } finally {
      await cleanup.run();
    }
  });

  it("an orderly listener gets each queue's messages in queue order, one at a time, also those sent while it consumes", { timeout: 120_000 }, async () => {
    const { sender } = suite();
    const cleanup = new Cleanup();
    try {
      const topic = "JcOrderly";
      await createTopic(suite(), topic, 2);
      const batch1 = Array.from({ length: 20 }, (_, i) => message(topic, `o1-${i}`, { properties: { seq: String(i) } }));
      await sender.sendAll(batch1, "sync", (_, i) => i % 2);
      const push = await javaClient(suite(), cleanup, "PushClient", { group: "jc_orderly", topic, from: "first", listener: "orderly", consumeSleepMs: 20 });
      await waitForSids("the first orderly messages", [push], ["o1-0", "o1-1"]);
      const batch2 = Array.from({ length: 10 }, (_, i) => message(topic, `o2-${i}`, { properties: { seq: String(20 + i) } }));
      await sender.sendAll(batch2, "sync", (_, i) => i % 2);
      const all = [...batch1, ...batch2];
      once(await waitForSids("every orderly message", [push], all.map((m) => m.sid)), all.map((m) => m.sid), "orderly");
      const messages = push.messages();
      for (const queueId of [0, 1]) {
        const queue = messages.filter((m) => m.queueId === queueId);
        assert.deepEqual(queue.map((m) => m.queueOffset), Array.from({ length: 15 }, (_, i) => i), `queue ${queueId}: offsets in order`);
        assert.deepEqual(queue.map((m) => Number(m.userProperties.seq)), all.filter((_, i) => i % 2 === queueId).map((m) => Number(m.properties!.seq)), `queue ${queueId}: in send order`);
        for (let i = 1; i < queue.length; i++) {
          assert.ok(queue[i].consumeStartedAt! >= queue[i - 1].consumeEndedAt!, `queue ${queueId}: message ${i} started before message ${i - 1} ended`);
        }
      }
    } finally {
      await cleanup.run();
    }
  });

  it("two consumers of one group share the queues; when one leaves, the other takes its queues and no message is lost", { timeout: 180_000 }, async () => {
    const { sender } = suite();
    const cleanup = new Cleanup();
    try {
      const topic = "JcRebalance";
      await createTopic(suite(), topic, 4);
      const args = { group: "jc_rebalance", topic, from: "first" };
      const [first, second] = await Promise.all([javaClient(suite(), cleanup, "PushClient", args), javaClient(suite(), cleanup, "PushClient", args)]);
      await waitForAssignment("the two consumers to split the four queues", [first, second], ([a, b]) =>
        !!a && !!b && a.queues.length === 2 && b.queues.length === 2 && [...a.queues, ...b.queues].sort().join() === "0,1,2,3");
      const split = [assignment(first)!.queues, assignment(second)!.queues];
      const phase = (name: string, count: number) => Array.from({ length: count }, (_, i) => message(topic, `${name}-${i}`, { keys: [`${name}-${i}`] }));
      const shared = phase("shared", 40);
      await sender.sendAll(shared, "sync", (_, i) => i % 4);
      await waitForSids("the messages sent while both ran", [first, second], shared.map((m) => m.sid));
      for (const [index, client] of [first, second].entries()) {
        for (const m of client.messages()) assert.ok(split[index].includes(m.queueId), `consumer ${index} got a message of queue ${m.queueId}, not one of ${split[index]}`);
      }
      const leaving = phase("leaving", 20);
      const sending = sender.sendAll(leaving, "sync", (_, i) => i % 4);
      await second.stop();
      await sending;
      await waitForAssignment("the remaining consumer to hold all queues", [first], ([a]) => a?.queues.length === 4);
      const alone = phase("alone", 20);
      await sender.sendAll(alone, "sync", (_, i) => i % 4);
      const all = [...shared, ...leaving, ...alone];
      const got = await waitForSids("every message, none lost", [first, second], all.map((m) => m.sid));
      const secondSids = new Set(deliveriesBySid(second).keys());
      for (const m of all) {
        const times = got.get(m.sid)!;
        assertDelivered(times[0], m);
        // At-least-once: only a message the leaving consumer had may come again, to the one that stays.
        if (times.length > 1) assert.ok(secondSids.has(m.sid) && times.length === 2, `${m.sid} delivered ${times.length} times`);
      }
      assert.equal([...deliveriesBySid(first).values()].filter((t) => t.length > 1).length, 0, "no message twice to the same consumer");
    } finally {
      await cleanup.run();
    }
  });

  it("RECONSUME_LATER brings a message back through %RETRY% after delay level 3 (10 s) with reconsumeTimes 1; past maxReconsumeTimes it lands in %DLQ% with its origin in its properties", { timeout: 180_000 }, async () => {
    const { sender, admin } = suite();
    const cleanup = new Cleanup();
    try {
      const topic = "JcRetry";
      const group = "jc_retry";
      await createTopic(suite(), topic, 2);
      // A 1 s rebalance period: 5.3.3 clients start pulling %RETRY%<group> on a periodic rebalance only.
      const push = await javaClient(suite(), cleanup, "PushClient", { group, topic, from: "first", maxReconsumeTimes: 1, rebalanceWaitMs: 1000 });
      await waitForAssignment("the consumer to hold its queues and the retry queue", [push], ([a]) => a?.queues.length === 2 && a.retryQueues.length === 1);
      const later = message(topic, "later-once", { tags: "TagR", keys: ["retry-key"], properties: { reply: "LATER_ONCE", color: "blue" } });
      const dead = message(topic, "later-always", { tags: "TagX", keys: ["dlq-key"], properties: { reply: "LATER_ALWAYS" }, body: binaryBody(5, 500) });
      const plain = message(topic, "plain");
      const sent = new Map<string, SendOk>();
      for (const m of [later, dead, plain]) sent.set(m.sid, await sender.sendOk(m));
      const got = await waitForSids("the retried messages", [push], [plain.sid, later.sid, dead.sid]);
      const retries = (await push.waitForCount("the two retries", (e) => e.event === "message" && (e as unknown as JavaMessageEvent).reconsumeTimes === 1, 2, 40_000)) as unknown as JavaMessageEvent[];
      assert.equal(got.get(plain.sid)!.length, 1);
      for (const m of [later, dead]) {
        const [first] = got.get(m.sid)!;
        assertDelivered(first, m, sent.get(m.sid));
        assert.equal(first.reply, "RECONSUME_LATER");
        const retry = retries.find((r) => r.userProperties.sid === m.sid)!;
        assert.ok(retry, `${m.sid} came back`);
        assertDelivered(retry, m);
        assert.equal(retry.msgId, sent.get(m.sid)!.msgId, `${m.sid}: the retry keeps the message id`);
        assert.equal(retry.properties.RETRY_TOPIC, topic);
        assert.equal(retry.properties.ORIGIN_MESSAGE_ID, sent.get(m.sid)!.offsetMsgId);
        assert.equal(retry.properties.REAL_TOPIC, `%RETRY%${group}`);
        assert.equal(retry.properties.DELAY, "3");
        const delayMs = retry.receivedAt - first.consumeEndedAt!;
        assert.ok(delayMs >= 9_000 && delayMs <= 13_000, `${m.sid}: back after ${delayMs} ms, delay level 3 is 10 s`);
      }
      assert.equal(retries.find((r) => r.userProperties.sid === later.sid)!.reply, "CONSUME_SUCCESS");

      const lite = await javaClient(suite(), cleanup, "LitePullClient", { group: "jc_dlq_reader", topic: `%DLQ%${group}`, mode: "assign" });
      assert.deepEqual(lite.events[0].queues, ["0"], "%DLQ% has one queue");
      await lite.request("seek", { queueId: 0, offset: 0 });
      const read = await lite.request("poll", { count: 2, timeoutMs: 4000 });
      assert.equal(read.count, 1, "one dead letter");
      const letter = lite.messages()[0];
      assertDelivered({ ...letter, topic }, dead);
      assert.equal(letter.topic, `%DLQ%${group}`);
      assert.equal(letter.msgId, sent.get(dead.sid)!.msgId);
      assert.equal(letter.properties.RETRY_TOPIC, topic);
      assert.equal(letter.properties.ORIGIN_MESSAGE_ID, sent.get(dead.sid)!.offsetMsgId);
      assert.equal(letter.reconsumeTimes, 2, "the copy after the retry copy (reconsumeTimes 1) failed");
      assert.equal(deliveriesBySid(push).get(dead.sid)!.length, 2, "a dead letter is not delivered again");
      assert.equal(deliveriesBySid(push).get(later.sid)!.length, 2);
      const topics = parseTopicList(await admin.run("topicList"));
      for (const t of [`%RETRY%${group}`, `%DLQ%${group}`]) assert.ok(topics.includes(t), `topicList lists ${t}`);
    } finally {
      await cleanup.run();
    }
  });
});
