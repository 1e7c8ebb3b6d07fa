// Stock Apache RocketMQ Java clients (4.9.7 and 5.3.3) pointed at a name server and broker by nothing but their address: Skiff's (SKIFF_REMOTING_TARGET=skiff, the default; its processes on SKIFF_REMOTING_RUNTIME) or a real RocketMQ of the clients' version (SKIFF_REMOTING_TARGET=rocketmq, which validates the scenarios themselves); test/interop/rocketmq/java-client-suite.ts starts them.
// Proved here, per client version: DefaultLitePullConsumer in subscribe mode (auto commit) and assign mode (seek, commitSync, a new consumer resuming at the committed offsets), and push-consumer offsets that survive consumer restarts and a broker restart, as consumerProgress shows them.
import assert from "node:assert/strict";
import { Cleanup, waitUntil } from "./rocketmq/processes.ts";
import { assertDelivered, type OutgoingMessage } from "./rocketmq/java-messages.ts";
import { parseConsumerProgress } from "./rocketmq/mqadmin.ts";
import { createTopic, deliveriesBySid, javaClient, message, sleep, waitForSids, waitRegistered } from "./rocketmq/remoting-scenarios.ts";
import { describeJavaClients, ok, once } from "./rocketmq/java-client-suite.ts";
import type { JavaClient } from "./rocketmq/java-clients.ts";

/**
 * `seek` on an assign-mode lite pull consumer, asserted to succeed. The 5.3.3 client cancels the
 * queue's pull task with an interrupt; a pull thread interrupted inside invokeSync closes the
 * broker channel, and a seek's own request racing it then fails with RemotingSendRequestException
 * (seen in CI: the seek was not applied). That failure is the client's, on its side of the
 * socket: the seek is tried again, at most twice more; any other failure fails the test.
 */
async function seek(client: JavaClient, queueId: number, offset: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const result = await client.request("seek", { queueId, offset });
    if (result.ok) return;
    const clientSide = JSON.stringify(result).includes("RemotingSendRequestException");
    assert.ok(clientSide && attempt < 3, `seek queue ${queueId} to ${offset}: ${JSON.stringify(result)}`);
    await sleep(200);
  }
}

describeJavaClients("lite pull and offsets", (_version, suite, it) => {
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
      // Everything is read first, so that no pull of an offset below 5 is in flight when seek() runs:
      // the stock client (4.9.7 and 5.3.3 alike) lets a cancelled pull task's late answer into the
      // cache once the new task has taken the seek offset, which would show offsets not sought.
      assert.equal((await assigned.request("poll", { count: 10, timeoutMs: 30_000 })).count, 10);
      const offsetsOf = (messages: ReturnType<JavaClient["messages"]>) => messages.map((m) => `${m.queueId}@${m.queueOffset}`).sort();
      assert.deepEqual(offsetsOf(assigned.messages()), ["0@0", "0@1", "0@2", "0@3", "0@4", "1@0", "1@1", "1@2", "1@3", "1@4"], "a new group's assigned queues from their first offset");
      await seek(assigned, 0, 3);
      await seek(assigned, 1, 1);
      assert.equal((await assigned.request("poll", { count: 6, timeoutMs: 30_000 })).count, 6);
      await sleep(500);
      const reread = assigned.messages().slice(10);
      assert.deepEqual(offsetsOf(reread), ["0@3", "0@4", "1@1", "1@2", "1@3", "1@4"], "read again from the offsets sought, nothing before them");
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
});
