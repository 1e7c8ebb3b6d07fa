// Stock Apache RocketMQ Java clients (4.9.7 and 5.3.3) pointed at a name server and broker by nothing but their address: Skiff's (SKIFF_REMOTING_TARGET=skiff, the default; its processes on SKIFF_REMOTING_RUNTIME) or a real RocketMQ of the clients' version (SKIFF_REMOTING_TARGET=rocketmq, which validates the scenarios themselves); test/interop/rocketmq/java-client-suite.ts starts them.
// Proved here, per client version, for DefaultMQProducer: every send mode (sync, async, oneway, batch; tags, keys, user properties, flag, a delay level, compressed bodies) arrives at a CLUSTERING push consumer exactly once and exactly as sent, with long polling; auto-created topics through TBW102; refusals (no route to a read-only topic, a message over maxMessageSize); and messages crossing between a Java client and Skiff's own client.
import assert from "node:assert/strict";
import type { RocketMQVersion } from "./rocketmq/env.ts";
import { Cleanup } from "./rocketmq/processes.ts";
import type { JavaMessageEvent } from "./rocketmq/java-clients.ts";
import { JavaSender, assertDelivered, base64, binaryBody, type OutgoingMessage, type SendOk } from "./rocketmq/java-messages.ts";
import { parseTopicList, parseTopicRoute } from "./rocketmq/mqadmin.ts";
import { MAX_MESSAGE_BYTES, readWithSkiffClient, sendWithSkiffClient } from "./rocketmq/remoting-target.ts";
import { createTopic, javaClient, message, sleep, waitForSids } from "./rocketmq/remoting-scenarios.ts";
import { SKIFF_CLIENT_SKIP, describeJavaClients, failure, ok, once } from "./rocketmq/java-client-suite.ts";

describeJavaClients("producer sends", (version, suite, it) => {
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
});

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
