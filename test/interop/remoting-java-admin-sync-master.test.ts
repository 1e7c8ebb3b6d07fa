// Stock Apache RocketMQ Java clients (4.9.7 and 5.3.3) pointed at a name server and broker by nothing but their address: Skiff's (SKIFF_REMOTING_TARGET=skiff, the default; its processes on SKIFF_REMOTING_RUNTIME) or a real RocketMQ of the clients' version (SKIFF_REMOTING_TARGET=rocketmq, which validates the scenarios themselves); test/interop/rocketmq/java-client-suite.ts starts them.
// Proved here, per client version: mqadmin's view (4.9.7's tools, with 5.3.3 clients 5.3.3's too: clusterList, brokerStatus, topicStatus, topicRoute, topicList, consumerProgress, queryMsgById, queryMsgByKey) of the broker, its messages and a group's lag; and a producer's statuses against a SYNC_MASTER (SLAVE_NOT_AVAILABLE, SEND_OK, FLUSH_SLAVE_TIMEOUT) as its slave starts, pauses and goes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../support/platform.ts";
import { INTEROP_SKIP, ROCKETMQ_VERSIONS, finishRun } from "./rocketmq/env.ts";
import { Cleanup } from "./rocketmq/processes.ts";
import { startJavaClient } from "./rocketmq/java-clients.ts";
import { JavaSender, base64, binaryBody, type OutgoingMessage, type SendOk } from "./rocketmq/java-messages.ts";
import {
  MqadminSession, parseClusterList, parseConsumerProgress, parseKeyValues, parseQueryMsgById, parseQueryMsgByKey, parseTopicList, parseTopicRoute, parseTopicStatus,
} from "./rocketmq/mqadmin.ts";
import { startTarget, type RemotingTarget } from "./rocketmq/remoting-target.ts";
import { createTopic, javaClient, message, sleep, waitRegistered } from "./rocketmq/remoting-scenarios.ts";
import { describeJavaClients, ok, targetLabel } from "./rocketmq/java-client-suite.ts";

describeJavaClients("mqadmin", (version, suite, it) => {
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
});

for (const version of ROCKETMQ_VERSIONS) {
  describe(`RocketMQ ${version} producer against a SYNC_MASTER (${targetLabel()})`, { skip: INTEROP_SKIP }, () => {
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
