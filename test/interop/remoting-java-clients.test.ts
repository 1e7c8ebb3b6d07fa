// Stock Apache RocketMQ Java clients (4.9.7 and 5.3.3: DefaultMQProducer, DefaultMQPushConsumer, DefaultLitePullConsumer, mqadmin) pointed at a name server and broker by nothing but their address: Skiff's (SKIFF_REMOTING_TARGET=skiff, the default) or a real RocketMQ of the clients' version (SKIFF_REMOTING_TARGET=rocketmq, which validates the scenarios themselves; test/interop/rocketmq/remoting-target.ts).
// Proved, per client version: every send mode (sync, async, oneway, batch; tags, keys, user properties, flag, a delay level, compressed bodies) arrives at a CLUSTERING push consumer exactly once and exactly as sent, with long polling; tag filters, LAST_OFFSET, orderly listeners, two consumers rebalancing without loss, retry after delay level 3 and the dead-letter queue, offsets that survive consumer and broker restarts, lite pull in both modes, auto-created topics, refusals, mqadmin's view, SYNC_MASTER statuses, and messages crossing between a Java client and Skiff's own client.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../support/platform.ts";
import { Cleanup, INTEROP_SKIP, ROCKETMQ_VERSIONS, finishRun, waitUntil, type RocketMQVersion } from "./rocketmq/harness.ts";
import { startJavaClient, type JavaFailure, type JavaMessageEvent } from "./rocketmq/java-clients.ts";
import { JavaSender, assertDelivered, base64, binaryBody, type OutgoingMessage, type SendOk } from "./rocketmq/java-messages.ts";
import {
  MqadminSession, parseClusterList, parseConsumerProgress, parseKeyValues, parseQueryMsgById, parseQueryMsgByKey, parseTopicList, parseTopicRoute, parseTopicStatus,
} from "./rocketmq/mqadmin.ts";
import { MAX_MESSAGE_BYTES, readWithSkiffClient, remotingTargetKind, sendWithSkiffClient, startTarget, type RemotingTarget } from "./rocketmq/remoting-target.ts";
import {
  assignment, createTopic, deliveriesBySid, javaClient, message, sleep, startSuite, waitForAssignment, waitForSids, waitRegistered, type Suite,
} from "./rocketmq/remoting-scenarios.ts";

const SKIFF_CLIENT_SKIP = remotingTargetKind() === "rocketmq" ? "Skiff's own HTTP client talks to a Skiff broker only; this target is Apache RocketMQ" : false;

function ok(outcome: unknown, what: string): SendOk {
  const r = outcome as SendOk | JavaFailure;
  if (!r.ok || !("status" in r)) assert.fail(`${what}: ${JSON.stringify(r)}`);
  return r;
}

function failure(outcome: unknown, what: string): JavaFailure {
  const r = outcome as SendOk | JavaFailure;
  if (r.ok) assert.fail(`${what}: expected a refusal, got ${JSON.stringify(r)}`);
  return r;
}

/** Each sid delivered exactly once; the deliveries by sid. */
function once(deliveries: Map<string, JavaMessageEvent[]>, sids: readonly string[], what: string): Map<string, JavaMessageEvent> {
  const out = new Map<string, JavaMessageEvent>();
  for (const sid of sids) {
    const got = deliveries.get(sid) ?? [];
    assert.equal(got.length, 1, `${what}: ${sid} delivered ${got.length} times`);
    out.set(sid, got[0]);
  }
  return out;
}

type TestFn = (name: string, options: { timeout: number; skip?: string | false }, fn: () => Promise<void>) => void;

function scenarios(version: RocketMQVersion, suite: () => Suite, it: TestFn): void {
  it("sync, async, oneway and batch sends (tags, keys, properties, flag, delay level 1, a compressed body) reach a push consumer exactly once and exactly as sent; one sent while it idles arrives within 1 s", { timeout: 180_000 }, async () => {
    const { sender } = suite();
    const cleanup = new Cleanup();
    try {
      const topic = "JcSendModes";
      await createTopic(suite(), topic, 4);
      const syncs = [
        message(topic, "sync-0", { body: binaryBody(1, 300), tags: "TagA", keys: ["k-0", "alt-0"], properties: { color: "red", unicode: "h\u00e9llo-\u6d88\u606f" } }),
        message(topic, "sync-1"),
        message(topic, "sync-2", { body: binaryBody(2, 10_000), tags: "TagB", keys: ["big"] }),
        message(topic, "sync-3", { tags: "TagC", flag: 7, properties: { spaced: "a b  c" } }),
      ];
      const asyncs = [message(topic, "async-0", { tags: "TagA", keys: ["ak-0"] }), message(topic, "async-1", { properties: { n: "1" } })];
      const oneways = [message(topic, "oneway-0", { tags: "TagO", keys: ["ok-0"] }), message(topic, "oneway-1")];
      const batch = [0, 1, 2, 3].map((i) => message(topic, `batch-${i}`, { tags: "TagBatch", keys: [`bk-${i}`], properties: { batchIndex: String(i) } }));
      const delayed = message(topic, "delayed", { tags: "TagD", delayLevel: 1, properties: { kind: "delayed" } });
      const results = new Map<string, SendOk>();
      for (const m of syncs) results.set(m.sid, await sender.sendOk(m));
      (await sender.sendAll(asyncs, "async")).forEach((r, i) => results.set(asyncs[i].sid, ok(r, asyncs[i].sid)));
      for (const r of await sender.sendAll(oneways, "oneway")) assert.equal(r.ok, true);
      const batchResult = ok(await sender.batch(batch), "batch");
      assert.equal(batchResult.msgIds?.length, 4);
      assert.equal(batchResult.offsetMsgIds?.length, 4);
      const delayedResult = await sender.sendOk(delayed);
      for (const r of [...results.values(), batchResult, delayedResult]) assert.equal(r.status, "SEND_OK");

      const push = await javaClient(suite(), cleanup, "PushClient", { group: "jc_send_modes", topic, from: "first" });
      const all = [...syncs, ...asyncs, ...oneways, ...batch, delayed];
      const got = once(await waitForSids("every message", [push], all.map((m) => m.sid)), all.map((m) => m.sid), "send modes");
      for (const m of [...syncs, ...asyncs]) assertDelivered(got.get(m.sid)!, m, results.get(m.sid));
      for (const m of oneways) assertDelivered(got.get(m.sid)!, m);
      assertDelivered(got.get(delayed.sid)!, delayed, delayedResult);
      batch.forEach((m, i) => assertBatchMember(version, got.get(m.sid)!, m, batchResult, i, batch.map((b) => got.get(b.sid)!)));
      // The 10 KB body travels and is stored compressed (sysFlag bit 0): the consumer inflates it, so the
      // bytes match only if the broker kept the flag. 4.9.7 consumers still show the bit, 5.3.3 ones clear it.
      if (version === "4.9.7") assert.equal(got.get("sync-2")!.sysFlag & 1, 1, "the 10 KB body was stored with the compressed flag");
      assert.equal(got.get("sync-0")!.sysFlag & 1, 0);
      const late = got.get(delayed.sid)!;
      assert.ok(late.storeTimestamp - late.bornTimestamp >= 900, `delay level 1 (1 s): stored ${late.storeTimestamp - late.bornTimestamp} ms after it was born`);
      assert.equal(late.properties.REAL_TOPIC, topic);
      assert.equal(late.properties.REAL_QID, String(late.queueId));

      // Long polling: with every pull held by the broker, a new message is handed over at once.
      await sleep(3000);
      const idle = message(topic, "after-idle", { tags: "TagA" });
      const idleResult = await sender.sendOk(idle);
      const woken = (await waitForSids("the message sent while idle", [push], [idle.sid], 20_000)).get(idle.sid)![0];
      assertDelivered(woken, idle, idleResult);
      const latencyMs = woken.receivedAt - woken.bornTimestamp;
      assert.ok(latencyMs < 1000, `a message sent while the consumer idled took ${latencyMs} ms to arrive`);
    } finally {
      await cleanup.run();
    }
  });

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

  it("a lite pull consumer reads everything in subscribe mode and commits; in assign mode it seeks, commitSync()s, and a new one resumes at the committed offsets", { timeout: 150_000 }, async () => {
    const { sender, admin } = suite();
    const cleanup = new Cleanup();
    try {
      const topic = "JcLitePull";
      await createTopic(suite(), topic, 2);
      const first = Array.from({ length: 10 }, (_, i) => message(topic, `lite-${i}`, { tags: i % 2 ? "TagA" : "TagB", keys: [`lk-${i}`] }));
      const results = (await sender.sendAll(first, "sync", (_, i) => i % 2)).map((r, i) => ok(r, first[i].sid));

      const subscriber = await javaClient(suite(), cleanup, "LitePullClient", { group: "jc_lite_subscribe", topic, mode: "subscribe", autoCommitIntervalMs: 1000 });
      assert.equal((await subscriber.request("poll", { count: 10, timeoutMs: 30_000 })).count, 10);
      const read = once(deliveriesBySid(subscriber), first.map((m) => m.sid), "subscribe mode");
      first.forEach((m, i) => assertDelivered(read.get(m.sid)!, m, results[i]));
      // Auto commit happens in poll(), once autoCommitIntervalMillis passed since the last; shutdown() only persists what was committed.
      await sleep(1100);
      assert.equal((await subscriber.request("poll", { count: 1, timeoutMs: 300 })).count, 0);
      await subscriber.stop();
      const progress = parseConsumerProgress(await admin.run("consumerProgress", ["-g", "jc_lite_subscribe"]));
      for (const queueId of [0, 1]) {
        const row = progress.queues.find((q) => q.topic === topic && q.queueId === queueId);
        assert.deepEqual(row && [row.brokerOffset, row.consumerOffset, row.diff], [5, 5, 0], `subscribe mode committed queue ${queueId}`);
      }

      const assigned = await javaClient(suite(), cleanup, "LitePullClient", { group: "jc_lite_assign", topic, mode: "assign" });
      assert.deepEqual(assigned.events[0].queues, ["0", "1"]);
      await assigned.request("seek", { queueId: 0, offset: 3 });
      await assigned.request("seek", { queueId: 1, offset: 1 });
      assert.equal((await assigned.request("poll", { count: 6, timeoutMs: 30_000 })).count, 6);
      await sleep(500);
      const seen = assigned.messages().map((m) => `${m.queueId}@${m.queueOffset}`).sort();
      assert.deepEqual(seen, ["0@3", "0@4", "1@1", "1@2", "1@3", "1@4"], "from the offsets sought, nothing before them");
      for (const m of assigned.messages()) assertDelivered(m, first.find((f) => f.sid === m.userProperties.sid)!);
      await assigned.request("commit");
      await assigned.stop();

      const resumed = await javaClient(suite(), cleanup, "LitePullClient", { group: "jc_lite_assign", topic, mode: "assign" });
      assert.deepEqual((await resumed.request("committed")).offsets, { 0: 5, 1: 5 }, "the committed offsets, read from the broker");
      const more = [message(topic, "lite-more-0"), message(topic, "lite-more-1")];
      await sender.sendAll(more, "sync", (_, i) => i);
      assert.equal((await resumed.request("poll", { count: 2, timeoutMs: 30_000 })).count, 2);
      assert.deepEqual(resumed.messages().map((m) => `${m.queueId}@${m.queueOffset}:${m.userProperties.sid}`).sort(), ["0@5:lite-more-0", "1@5:lite-more-1"]);
    } finally {
      await cleanup.run();
    }
  });

  it("a send to a topic that does not exist yet creates it through TBW102 (4 queues, read-write) and registers its route", { timeout: 60_000 }, async () => {
    const { sender, admin, target } = suite();
    const topic = `JcAutoCreated${version.replace(/\./g, "")}`;
    assert.ok(!parseTopicList(await admin.run("topicList")).includes(topic));
    const first = await sender.sendOk(message(topic, "auto-0", { tags: "TagA" }));
    assert.equal(first.status, "SEND_OK");
    assert.equal(first.queueOffset, 0);
    const second = await sender.sendOk(message(topic, "auto-1"), "sync", first.queueId);
    assert.equal(second.queueOffset, 1, "the next message of that queue");
    const route = parseTopicRoute(await admin.run("topicRoute", ["-t", topic]));
    assert.deepEqual(route.brokerDatas.map((b) => [b.brokerName, b.brokerAddrs["0"]]), [["broker-a", target.brokerAddr]]);
    assert.deepEqual(route.queueDatas.map((q) => [q.brokerName, q.readQueueNums, q.writeQueueNums, q.perm]), [["broker-a", 4, 4, 6]]);
    assert.ok(parseTopicList(await admin.run("topicList")).includes(topic));
    assert.deepEqual(await sender.queueIds(topic), [0, 1, 2, 3]);
  });

  it("refusals: a read-only topic has no route to send to (MQClientException 10005), and a message over the broker's maxMessageSize is refused by the broker (MQBrokerException MESSAGE_ILLEGAL 13)", { timeout: 90_000 }, async () => {
    const { sender, admin } = suite();
    const cleanup = new Cleanup();
    try {
      const topic = "JcReadOnly";
      await createTopic(suite(), topic, 4);
      await createTopic(suite(), topic, 4, 4);
      assert.deepEqual(parseTopicRoute(await admin.run("topicRoute", ["-t", topic])).queueDatas.map((q) => q.perm), [4]);
      const fresh = new JavaSender(await javaClient(suite(), cleanup, "SendClient", {}));
      const refused = failure(await fresh.send(message(topic, "read-only")), "a send to a read-only topic");
      assert.equal(refused.exception, "org.apache.rocketmq.client.exception.MQClientException");
      assert.equal(refused.responseCode, 10005, "ClientErrorCode.NOT_FOUND_TOPIC_EXCEPTION");
      assert.match(refused.message, /No route info of this topic/);

      await createTopic(suite(), "JcTooBig", 1);
      const big = message("JcTooBig", "too-big", { body: binaryBody(9, MAX_MESSAGE_BYTES + 64 * 1024) });
      const tooBig = failure(await sender.send(big), "a message over maxMessageSize");
      assert.equal(tooBig.exception, "org.apache.rocketmq.client.exception.MQBrokerException");
      assert.equal(tooBig.responseCode, 13, "MESSAGE_ILLEGAL");
    } finally {
      await cleanup.run();
    }
  });

  it("mqadmin (4.9.7's tools; with 5.3.3 clients 5.3.3's too): clusterList, brokerStatus, topicStatus, topicRoute, topicList, consumerProgress, queryMsgById and queryMsgByKey show the broker, its messages and a group's lag", { timeout: 120_000 }, async () => {
    const { sender, admin, target } = suite();
    const cleanup = new Cleanup();
    try {
      const topic = "JcAdmin";
      const group = "jc_admin";
      await createTopic(suite(), topic, 2);
      const sent = [
        message(topic, "admin-0", { tags: "TagA", keys: ["admin-key-0", "admin-alt-0"], body: binaryBody(11, 777), properties: { color: "green" } }),
        message(topic, "admin-1", { tags: "TagB", keys: ["admin-key-1"] }),
        message(topic, "admin-2", { keys: ["admin-key-2"] }),
      ];
      const results = (await sender.sendAll(sent, "sync", (_, i) => (i === 1 ? 1 : 0))).map((r, i) => ok(r, sent[i].sid));
      // The group consumes all three and commits (queue 0: 2, queue 1: 1); then queue 1 gets one more.
      // Subscribe mode: a 4.9.7 lite consumer in assign mode never heartbeats, so its group has no %RETRY% topic.
      const reader = await javaClient(suite(), cleanup, "LitePullClient", { group, topic, mode: "subscribe", autoCommitIntervalMs: 1000 });
      assert.equal((await reader.request("poll", { count: 3, timeoutMs: 30_000 })).count, 3);
      await sleep(1100);
      assert.equal((await reader.request("poll", { count: 1, timeoutMs: 300 })).count, 0, "the poll that auto-commits");
      await reader.stop();
      const lagging = await sender.sendOk(message(topic, "admin-3"), "sync", 1);
      const sessions = [admin];
      if (version === "5.3.3") sessions.push(cleanup.add(await MqadminSession.start("5.3.3", target.namesrvAddr, join(suite().runDir, "mqadmin-5.3.3"))));
      for (const tools of sessions) await checkAdminView(tools, { target, topic, group, sent, results: [...results, lagging] });
    } finally {
      await cleanup.run();
    }
  });

  it("a message from a Java producer reads back through Skiff's own client, and one from Skiff's client through a Java consumer, bytes, tags, keys and properties alike", { timeout: 90_000, skip: SKIFF_CLIENT_SKIP }, async () => {
    const { sender, target } = suite();
    const cleanup = new Cleanup();
    try {
      const topic = "JcTwoWay";
      await createTopic(suite(), topic, 1);
      const fromJava = message(topic, "from-java", { body: binaryBody(21, 900), tags: "TagJ", keys: ["jk-1", "jk-2"], properties: { side: "java", unicode: "\u00e9\u6d88" } });
      const result = await sender.sendOk(fromJava);
      const [read] = await readWithSkiffClient(target, topic, [0]);
      assert.equal(base64(read.body), base64(fromJava.body));
      assert.deepEqual([read.msgId, read.tags, read.keys, read.queueId, read.queueOffset], [result.msgId, "TagJ", "jk-1 jk-2", 0, 0]);
      assert.deepEqual([read.properties.sid, read.properties.side, read.properties.unicode], ["from-java", "java", "\u00e9\u6d88"]);

      const fromSkiff = { body: binaryBody(22, 900), tags: "TagS", keys: ["sk-1", "sk-2"], properties: { sid: "from-skiff", side: "skiff" } };
      const sentBySkiff = await sendWithSkiffClient(target, topic, { ...fromSkiff, queueId: 0 });
      const lite = await javaClient(suite(), cleanup, "LitePullClient", { group: "jc_two_way", topic, mode: "assign" });
      await lite.request("seek", { queueId: 0, offset: sentBySkiff.queueOffset });
      assert.equal((await lite.request("poll", { count: 1, timeoutMs: 20_000 })).count, 1);
      const got = lite.messages()[0];
      assertDelivered(got, { topic, sid: "from-skiff", body: fromSkiff.body, tags: "TagS", keys: fromSkiff.keys, properties: { side: "skiff" } });
      assert.equal(got.msgId, sentBySkiff.msgId);
    } finally {
      await cleanup.run();
    }
  });

  it("committed offsets survive consumer restarts and a broker restart; consumerProgress shows broker offset, consumer offset and lag per queue", { timeout: 240_000 }, async () => {
    const { sender, admin, target } = suite();
    const cleanup = new Cleanup();
    try {
      const topic = "JcOffsets";
      const group = "jc_offsets";
      await createTopic(suite(), topic, 4);
      const round = (name: string) => Array.from({ length: 8 }, (_, i) => message(topic, `${name}-${i}`));
      const consumeRound = async (messages: OutgoingMessage[]) => {
        const push = await javaClient(suite(), cleanup, "PushClient", { group, topic, from: "first" });
        await waitForSids(`round ${messages[0].sid}`, [push], messages.map((m) => m.sid));
        await sleep(1500);
        assert.deepEqual([...deliveriesBySid(push).keys()].sort(), messages.map((m) => m.sid).sort(), "this round's messages only: the earlier ones were committed");
        await push.stop();
      };
      const progress = async () => {
        const { queues, diffTotal } = parseConsumerProgress(await admin.run("consumerProgress", ["-g", group]));
        const rows = queues.filter((q) => q.topic === topic).sort((a, b) => a.queueId - b.queueId);
        return { rows: rows.map((q) => [q.queueId, q.brokerOffset, q.consumerOffset, q.diff]), diffTotal };
      };
      const perQueue = (broker: number, consumer: number) => [0, 1, 2, 3].map((q) => [q, broker, consumer, broker - consumer]);

      const first = round("r1");
      await sender.sendAll(first, "sync", (_, i) => i % 4);
      await consumeRound(first);
      assert.deepEqual(await progress(), { rows: perQueue(2, 2), diffTotal: 0 });

      const second = round("r2");
      await sender.sendAll(second, "sync", (_, i) => i % 4);
      assert.deepEqual(await progress(), { rows: perQueue(4, 2), diffTotal: 8 }, "8 messages behind, 2 per queue");
      await consumeRound(second);

      await target.restartBroker();
      await waitRegistered(suite());
      const restarted = await waitUntil("consumerProgress after the broker restart", 30_000, () => progress().catch(() => null), 1000);
      assert.deepEqual(restarted, { rows: perQueue(4, 4), diffTotal: 0 }, "the offsets after the broker restart");
      const third = round("r3");
      for (const r of await sender.sendAll(third, "sync", (_, i) => i % 4)) ok(r, "a send after the broker restart");
      await consumeRound(third);
      assert.deepEqual(await progress(), { rows: perQueue(6, 6), diffTotal: 0 });
    } finally {
      await cleanup.run();
    }
  });
}

/** What mqadmin (of `tools.version`) shows of the broker, `topic` (messages `sent` with `results`, the last one not consumed) and `group`. */
async function checkAdminView(tools: MqadminSession, view: { target: RemotingTarget; topic: string; group: string; sent: OutgoingMessage[]; results: SendOk[] }): Promise<void> {
  const { target, topic, group, sent, results } = view;
  const what = (command: string) => `mqadmin ${tools.version} ${command}`;
  const cluster = parseClusterList(await tools.run("clusterList"));
  assert.equal(cluster.length, 1, `${what("clusterList")}: ${JSON.stringify(cluster)}`);
  assert.deepEqual([cluster[0].cluster, cluster[0].brokerName, cluster[0].brokerId, cluster[0].address], ["DefaultCluster", "broker-a", 0, target.brokerAddr], what("clusterList"));
  assert.match(cluster[0].version, /^V\d+_\d+_\d+/);
  const status = parseKeyValues(await tools.run("brokerStatus", ["-b", target.brokerAddr]), "brokerStatus");
  assert.equal(status.brokerVersionDesc, cluster[0].version, what("brokerStatus"));
  assert.ok(Number(status.msgPutTotalTodayNow) >= 4, `${what("brokerStatus")}: msgPutTotalTodayNow ${status.msgPutTotalTodayNow}`);
  assert.ok(Number(status.commitLogMaxOffset) > 0, what("brokerStatus"));
  assert.ok(Math.abs(Number(status.bootTimestamp) - Date.now()) < 3_600_000, `${what("brokerStatus")}: bootTimestamp ${status.bootTimestamp}`);

  const queues = parseTopicStatus(await tools.run("topicStatus", ["-t", topic]));
  assert.deepEqual(queues.map((q) => [q.brokerName, q.queueId, q.minOffset, q.maxOffset]), [["broker-a", 0, 0, 2], ["broker-a", 1, 0, 2]], what("topicStatus"));
  const route = parseTopicRoute(await tools.run("topicRoute", ["-t", topic]));
  assert.deepEqual(route.brokerDatas.map((b) => [b.cluster, b.brokerName, b.brokerAddrs]), [["DefaultCluster", "broker-a", { 0: target.brokerAddr }]], what("topicRoute"));
  assert.deepEqual(route.queueDatas.map((q) => [q.readQueueNums, q.writeQueueNums, q.perm]), [[2, 2, 6]], what("topicRoute"));
  const topics = parseTopicList(await tools.run("topicList"));
  for (const t of [topic, `%RETRY%${group}`, "TBW102"]) assert.ok(topics.includes(t), `${what("topicList")} lists ${t}`);
  const progress = parseConsumerProgress(await tools.run("consumerProgress", ["-g", group]));
  assert.deepEqual(progress.queues.filter((q) => q.topic === topic).map((q) => [q.brokerName, q.queueId, q.brokerOffset, q.consumerOffset, q.diff]),
    [["broker-a", 0, 2, 2, 0], ["broker-a", 1, 2, 1, 1]], what("consumerProgress"));
  assert.equal(progress.diffTotal, 1, what("consumerProgress"));

  // 5.3.3's queryMsgById needs the topic (the id may be a uniq key); 4.9.7's has no -t.
  const topicArg = tools.version === "4.9.7" ? [] : ["-t", topic];
  const viewed = parseQueryMsgById(await tools.run("queryMsgById", ["-i", results[0].offsetMsgId, ...topicArg]));
  assert.deepEqual(
    [viewed.topic, viewed.tags, viewed.keys, viewed.queueId, viewed.queueOffset, viewed.storeHost, viewed.reconsumeTimes],
    [topic, "TagA", "admin-key-0 admin-alt-0", results[0].queueId, results[0].queueOffset, target.brokerAddr, 0], what("queryMsgById"),
  );
  assert.equal(viewed.commitLogOffset, Number.parseInt(results[0].offsetMsgId.slice(16), 16), "the offset message id holds the commit-log offset");
  assert.equal(viewed.properties.UNIQ_KEY, results[0].msgId);
  assert.equal(viewed.properties.color, "green");
  assert.equal(base64(viewed.body), base64(sent[0].body), `${what("queryMsgById")}: the body it saved`);

  const byKey = parseQueryMsgByKey(await tools.run("queryMsgByKey", ["-t", topic, "-k", "admin-key-1"]));
  assert.deepEqual(byKey, [{ msgId: results[1].msgId, queueId: 1, queueOffset: 0 }], what("queryMsgByKey"));
  const byAltKey = parseQueryMsgByKey(await tools.run("queryMsgByKey", ["-t", topic, "-k", "admin-alt-0"]));
  assert.deepEqual(byAltKey, [{ msgId: results[0].msgId, queueId: 0, queueOffset: 0 }], what("queryMsgByKey"));
}

/**
 * A batch member: its own queue offset and offset message id; its msgId as the client that sent it
 * makes it: a 4.9.7 client's per-message UNIQ_KEY, while a 5.3.3 client also puts a UNIQ_KEY of the
 * whole batch in the batch's properties, which the broker appends to every record, so all members
 * read that one id (the last UNIQ_KEY of a record wins).
 */
function assertBatchMember(version: RocketMQVersion, got: JavaMessageEvent, sent: OutgoingMessage, result: SendOk, index: number, members: JavaMessageEvent[]): void {
  if (version === "4.9.7") return assertDelivered(got, sent, result, index);
  assertDelivered(got, sent);
  assert.equal(got.queueId, result.queueId);
  assert.equal(got.queueOffset, result.queueOffset + index);
  assert.equal(got.offsetMsgId, result.offsetMsgIds![index]);
  assert.equal(new Set(members.map((m) => m.msgId)).size, 1, "5.3.3: one msgId for the whole batch");
  assert.ok(!result.msgIds!.includes(got.msgId), "5.3.3: the batch's own UNIQ_KEY, not a member's");
}

for (const version of ROCKETMQ_VERSIONS) {
  describe(`RocketMQ ${version} Java clients against the ${remotingTargetKind()} target`, { skip: INTEROP_SKIP }, () => {
    let suite: Suite | null = null;
    let runDir = "";
    let failed = false;
    before(async () => {
      runDir = await tempDir(`remoting-clients-${version}`);
      try {
        suite = await startSuite(version, runDir);
      } catch (error) {
        failed = true;
        throw error;
      }
    }, { timeout: 180_000 });
    after(async () => {
      await suite?.cleanup.run();
      await finishRun(runDir, !failed);
    }, { timeout: 180_000 });
    const tracked: TestFn = (name, options, fn) => it(name, options, async () => {
      try {
        await fn();
      } catch (error) {
        failed = true;
        throw error;
      }
    });
    scenarios(version, () => {
      if (!suite) throw new Error("the target did not start");
      return suite;
    }, tracked);
  });

  describe(`RocketMQ ${version} producer against a SYNC_MASTER (${remotingTargetKind()} target)`, { skip: INTEROP_SKIP }, () => {
    it("reports SLAVE_NOT_AVAILABLE without a slave (and once it is gone), SEND_OK with one, FLUSH_SLAVE_TIMEOUT while it is paused, and stores every message", { timeout: 240_000 }, async () => {
      const runDir = await tempDir(`remoting-sync-master-${version}`);
      const cleanup = new Cleanup();
      let passed = false;
      try {
        // RocketMQ 5.3.3's SYNC_MASTER answers FLUSH_SLAVE_TIMEOUT, never SLAVE_NOT_AVAILABLE, when it has no
        // slave (inSyncReplicas 2); 4.9.7's is the classic one Skiff follows, so the RocketMQ target is 4.9.7 here.
        const target = cleanup.add(await startTarget(version, { runDir: join(runDir, "target"), brokerRole: "SYNC_MASTER", rocketmqServerVersion: "4.9.7" }));
        // 4.9.7's mqadmin: 5.3.3's topicStatus needs GET_TOPIC_CONFIG (351), which a 4.9.7 broker lacks.
        const admin = cleanup.add(await MqadminSession.start("4.9.7", target.namesrvAddr, join(runDir, "mqadmin")));
        await waitRegistered({ admin, target });
        const sender = new JavaSender(cleanup.add(await startJavaClient(version, "SendClient", { namesrv: target.namesrvAddr }, join(runDir, "producer"))));
        const topic = "JcSyncMaster";
        let n = 0;
        const send = async () => ok(await sender.send(message(topic, `sync-${n++}`)), "a send to the SYNC_MASTER").status;
        assert.equal(await send(), "SLAVE_NOT_AVAILABLE");
        const slave = await target.startSlave();
        cleanup.defer(() => slave.kill());
        const deadline = Date.now() + 60_000;
        while ((await send()) !== "SEND_OK") {
          assert.ok(Date.now() < deadline, "SEND_OK within 60 s of the slave's start");
          await sleep(300);
        }
        slave.pause();
        const started = Date.now();
        const paused = await send();
        slave.resume();
        assert.equal(paused, "FLUSH_SLAVE_TIMEOUT");
        assert.ok(Date.now() - started >= 2500, "after waiting for the slave");
        const resumedDeadline = Date.now() + 30_000;
        while ((await send()) !== "SEND_OK") assert.ok(Date.now() < resumedDeadline, "SEND_OK again once the slave runs");
        // Killed: until the master notices its connection is gone, a send may still wait for it.
        await slave.kill();
        const goneDeadline = Date.now() + 30_000;
        while ((await send()) !== "SLAVE_NOT_AVAILABLE") assert.ok(Date.now() < goneDeadline, "SLAVE_NOT_AVAILABLE within 30 s of the slave's end");
        const stored = parseTopicStatus(await admin.run("topicStatus", ["-t", topic])).reduce((sum, q) => sum + q.maxOffset, 0);
        assert.equal(stored, n, "every message is stored, whatever its status");
        passed = true;
      } finally {
        await cleanup.run();
        await finishRun(runDir, passed);
      }
    });
  });
}
