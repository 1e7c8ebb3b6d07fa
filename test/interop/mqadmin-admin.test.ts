// The real `mqadmin` of RocketMQ 4.9.7 and 5.3.3 (the tools jars, as a JVM) against Skiff's admin processors on a RemotingServer started inside this test over an in-process broker, with the commands that take a broker address (`-b`): no name server is involved.
// Proved: `updateTopic -b` creates the topic (5.3.3 with its attributes) and the tool prints success; `brokerStatus -b` prints the runtime table with this broker's own counts and offsets; `updateBrokerConfig -b` changes a key and `getBrokerConfig -b` shows it, and a key that needs a restart is refused with the reason printed by the tool.
// And `deleteTopic -c` through a Skiff name server (remoting), with a Skiff master and its slave registered: the tool finds the master in the cluster info, deletes the topic there (DELETE_TOPIC_IN_BROKER: config, queues, offsets) and in the name server (DELETE_TOPIC_IN_NAMESRV: the route), and the topic re-created by a send starts at queue offset 0 on the master and on the slave.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../support/platform.ts";
import { until } from "../support/poll.ts";
import { brokerHaAddress, freeListenPort } from "../support/ports.ts";
import { startAdminWorld, type AdminWorld } from "../processors/admin-harness.ts";
import { startNamesrvFront, type NamesrvFront } from "../processors/namesrv-harness.ts";
import { INTEROP_SKIP, ROCKETMQ_VERSIONS, finishRun } from "./rocketmq/env.ts";
import { mqadmin, parseBrokerConfig, parseBrokerStatus } from "./rocketmq/mqadmin-once.ts";

/** A name server address nobody listens on: `-b` commands never need one, the tool wants `-n`. */
const NO_NAMESRV = "127.0.0.1:1";

describe("mqadmin -b against Skiff's admin processors", { skip: INTEROP_SKIP }, () => {
  let world: AdminWorld;
  let run = "";
  let broker = "";
  /** Checks that ran to their end: the run directory is kept for inspection unless all did. */
  let finished = 0;
  const CHECKS = ROCKETMQ_VERSIONS.length * 3;

  before(async () => {
    run = await tempDir("interop-mqadmin");
    world = await startAdminWorld();
    broker = `127.0.0.1:${world.server.address.port}`;
    for (let i = 0; i < 3; i++) await world.send("TopicTest", { body: `hello ${i}`, tags: "TagA", keys: `k${i}` });
  });
  after(async () => {
    await world?.stop();
    await finishRun(run, finished === CHECKS);
  });

  for (const version of ROCKETMQ_VERSIONS) {
    it(`${version}: updateTopic -b creates the topic`, async () => {
      const topic = `Interop${version.replaceAll(".", "")}`;
      const args = ["updateTopic", "-n", NO_NAMESRV, "-b", broker, "-t", topic, "-r", "3", "-w", "3"];
      if (version === "5.3.3") args.push("-a", "+message.type=NORMAL");
      const r = await mqadmin(version, join(run, `update-topic-${version}`), args);
      assert.match(r.stdout, new RegExp(`create topic to ${broker} success\\.`), r.stdout + r.stderr);
      const config = world.broker.runtime.metadata.topics.get(topic);
      assert.equal(config?.writeQueueNums, 3);
      assert.equal(config?.readQueueNums, 3);
      if (version === "5.3.3") assert.deepEqual(config?.attributes, { "message.type": "NORMAL" });
      finished++;
    });

    it(`${version}: brokerStatus -b prints this broker's runtime table`, async () => {
      const r = await mqadmin(version, join(run, `broker-status-${version}`), ["brokerStatus", "-n", NO_NAMESRV, "-b", broker]);
      const table = parseBrokerStatus(r.stdout);
      assert.equal(table.get("brokerVersionDesc"), "V4_9_8", r.stdout + r.stderr);
      assert.equal(table.get("msgPutTotalTodayNow"), "3");
      assert.equal(table.get("putMessageTimesTotal"), "3");
      assert.equal(table.get("commitLogMaxOffset"), String(world.broker.store.offsets.maxOffset));
      assert.equal(table.get("commitLogMinOffset"), "0");
      assert.ok(table.has("putTps") && table.has("getTransferedTps") && table.has("commitLogDiskRatio"));
      finished++;
    });

    it(`${version}: updateBrokerConfig -b changes a key getBrokerConfig -b then shows, and refuses one that needs a restart`, async () => {
      const hour = version === "4.9.7" ? "03" : "05";
      const ok = await mqadmin(version, join(run, `update-config-${version}`), ["updateBrokerConfig", "-n", NO_NAMESRV, "-b", broker, "-k", "deleteWhen", "-v", hour]);
      assert.match(ok.stdout, new RegExp(`update broker config success, ${broker}`), ok.stdout + ok.stderr);
      const shown = await mqadmin(version, join(run, `get-config-${version}`), ["getBrokerConfig", "-n", NO_NAMESRV, "-b", broker]);
      const config = parseBrokerConfig(shown.stdout);
      assert.equal(config.get("deleteWhen"), hour, shown.stdout);
      assert.equal(config.get("brokerName"), "broker-a");
      const refused = await mqadmin(version, join(run, `refused-config-${version}`), ["updateBrokerConfig", "-n", NO_NAMESRV, "-b", broker, "-k", "listenPort", "-v", "1"]);
      assert.match(refused.stdout + refused.stderr, /CODE: 1\s+DESC: broker configuration not changed: listenPort cannot be changed while the broker runs/);
      assert.notEqual(world.broker.runtime.config().listenPort, 1);
      finished++;
    });
  }
});

describe("mqadmin deleteTopic -c through a Skiff name server, with a Skiff master and slave", { skip: INTEROP_SKIP }, () => {
  let front: NamesrvFront;
  let master: AdminWorld;
  let slave: AdminWorld;
  let run = "";
  let finished = 0;

  before(async () => {
    run = await tempDir("interop-mqadmin-delete");
    front = await startNamesrvFront();
    const [masterPort, slavePort] = [await freeListenPort(), await freeListenPort()];
    master = await startAdminWorld({ config: { namesrvAddr: front.address, listenPort: masterPort } });
    slave = await startAdminWorld({
      config: { namesrvAddr: front.address, listenPort: slavePort, brokerRole: "SLAVE", brokerId: 1, haMasterAddress: brokerHaAddress(masterPort), slaveSynchronizePeriod: 1000 },
    });
    await until("master and slave registered", async () => front.namesrv.routeTable.find("broker-a", 0) && front.namesrv.routeTable.find("broker-a", 1));
  });
  after(async () => {
    await slave?.stop();
    await master?.stop();
    await front?.close();
    await finishRun(run, finished === ROCKETMQ_VERSIONS.length);
  });

  for (const version of ROCKETMQ_VERSIONS) {
    it(`${version}: deletes the topic on the master and the name server; re-created, it starts at 0 on master and slave`, async () => {
      const topic = `Doomed${version.replaceAll(".", "")}`;
      for (let i = 0; i < 5; i++) assert.equal((await master.send(topic, { body: `old ${i}`, queueId: 0 })).queueOffset, i);
      master.broker.runtime.admin.commitConsumerOffset("gDoomed", topic, 0, 5);
      const { store } = slave.broker;
      await until("the route is registered and the slave has the messages", async () =>
        front.namesrv.routeTable.route(topic) !== null && store.maxOffsetInQueue(topic, 0) === 5);

      const r = await mqadmin(version, join(run, `delete-topic-${version}`), ["deleteTopic", "-n", front.address, "-c", "DefaultCluster", "-t", topic]);
      assert.match(r.stdout, new RegExp(`delete topic \\[${topic}\\] from cluster \\[DefaultCluster\\] success\\.`), r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`delete topic \\[${topic}\\] from NameServer success\\.`), r.stdout + r.stderr);
      assert.equal(front.namesrv.routeTable.route(topic), null, "the route is gone");
      assert.equal(master.broker.runtime.metadata.topics.get(topic), undefined);
      assert.deepEqual(master.broker.store.queueIdsOf(topic), []);
      assert.equal(master.broker.runtime.metadata.consumerOffsets.query("gDoomed", topic, 0), -1);

      assert.equal((await master.send(topic, { body: "new 0", queueId: 0 })).queueOffset, 0, "re-created by a send");
      await until("the slave's queue is the new one", async () => store.minOffsetInQueue(topic, 0) === 0 && store.maxOffsetInQueue(topic, 0) === 1);
      await until("the slave's offsets of the topic are gone", async () => slave.broker.runtime.metadata.consumerOffsets.query("gDoomed", topic, 0) === -1);
      await until("the re-created route is registered", async () => front.namesrv.routeTable.route(topic) !== null);
      finished++;
    });
  }
});
