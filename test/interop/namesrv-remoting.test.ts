// A real Apache RocketMQ broker (4.9.7, 5.3.3) registers with a Skiff name server — Skiff's name-server processors in a RemotingServer over the Skiff name-server core, started inside the test process — and leaves it again with UNREGISTER_BROKER when it stops.
// Proved with the same version's own tools and client: `mqadmin clusterList` reaches the Java broker through Skiff's cluster info, `topicRoute -t TBW102` and `topicList` show what it registered, and a Java producer sends to a new topic auto-created through TBW102, whose route the broker's immediate re-registration puts into Skiff's table.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../support/platform.ts";
import { parseFastjson } from "../../src/codec/fastjson.ts";
import { startNamesrvFront } from "../processors/namesrv-harness.ts";
import {
  Cleanup, INTEROP_SKIP, finishRun, ROCKETMQ_VERSIONS, brokerConf, freePortBlock, produce, runJava, startJavaBroker, waitUntil, type RocketMQVersion,
} from "./rocketmq/harness.ts";

const TOPIC = "TopicNamesrvRemoting";
const MQADMIN = "org.apache.rocketmq.tools.command.MQAdminStartup";

/** What mqadmin printed, without the status lines 5.3.3's logback writes to stdout first. */
async function mqadmin(version: RocketMQVersion, run: string, args: string[]): Promise<string[]> {
  const result = await runJava(version, MQADMIN, args, { runDir: join(run, `mqadmin-${args[0]}`), timeoutMs: 90_000 });
  assert.equal(result.code, 0, `mqadmin ${args.join(" ")} exit ${result.code}:\n${result.stdout}\n${result.stderr.slice(-3000)}`);
  return result.stdout.split("\n").filter((line) => !/^\d\d:\d\d:\d\d,\d{3} \|-/.test(line));
}

async function scenario(version: RocketMQVersion): Promise<void> {
  const run = await tempDir(`interop-nsremoting-${version}`);
  const cleanup = new Cleanup();
  let passed = false;
  try {
    const front = await startNamesrvFront();
    cleanup.defer(() => front.close());
    const table = front.namesrv.routeTable;
    const listenPort = (await freePortBlock(4)) + 2; // Java also binds listenPort - 2 and + 1
    const brokerAddr = `127.0.0.1:${listenPort}`;
    const broker = await startJavaBroker(version, brokerConf({ storeDir: join(run, "store"), listenPort, namesrvAddr: front.address }), join(run, "broker-jvm"));
    cleanup.add(broker);
    // 4.9.7 registers at once; 5.3.3 first after its 10-s initial delay.
    const registered = await waitUntil("the Java broker to register with Skiff's name server", 40_000, async () => table.find("broker-a", 0));
    assert.deepEqual([registered.clusterName, registered.brokerAddr, registered.haServerAddr], ["DefaultCluster", brokerAddr, `127.0.0.1:${listenPort + 1}`]);
    assert.equal(registered.httpAddr, undefined, "a RocketMQ broker has no HTTP address");

    // A Java broker's GET_BROKER_RUNTIME_INFO throws in its first seconds (StoreStatsService has too
    // few samples yet: seen in its log), and clusterList then prints the row without a version.
    const rowPattern = new RegExp(`^DefaultCluster\\s+broker-a\\s+0\\s+${brokerAddr.replaceAll(".", "\\.")}\\s+V${version.replaceAll(".", "_")}\\b`);
    let clusterList: string[] = [];
    const row = await waitUntil("clusterList to list the broker with the version it reported itself", 30_000, async () => {
      clusterList = await mqadmin(version, run, ["clusterList", "-n", front.address]);
      return clusterList.find((line) => line.includes(brokerAddr) && rowPattern.test(line));
    }).catch(() => assert.fail(`clusterList lists the broker with its version:\n${clusterList.join("\n")}`));
    assert.match(row, rowPattern);

    const route = parseFastjson((await mqadmin(version, run, ["topicRoute", "-n", front.address, "-t", "TBW102"])).join("\n")) as any;
    assert.deepEqual(route.brokerDatas.map((b: any) => [b.cluster, b.brokerName, b.brokerAddrs]), [["DefaultCluster", "broker-a", { 0: brokerAddr }]]);
    assert.deepEqual(route.queueDatas.map((q: any) => [q.brokerName, q.readQueueNums, q.writeQueueNums, q.perm]), [["broker-a", 8, 8, 7]]);

    const listed = (await mqadmin(version, run, ["topicList", "-n", front.address])).map((l) => l.trim()).filter(Boolean);
    assert.deepEqual([...listed].sort(), table.topicNames(), "topicList prints every topic the broker registered");
    for (const topic of ["TBW102", "DefaultCluster", "broker-a", "SELF_TEST_TOPIC"]) assert.ok(listed.includes(topic), `${topic} in ${listed.join(" ")}`);

    const sends = await produce(version, join(run, "producer"), { namesrv: front.address, topic: TOPIC, singles: 20 });
    assert.equal(sends.length, 20);
    assert.deepEqual([...new Set(sends.map((s) => s.status))], ["SEND_OK"]);
    const created = await waitUntil(`the route of ${TOPIC} in Skiff's table`, 20_000, async () => table.route(TOPIC));
    assert.deepEqual(created.brokerDatas.map((b) => b.brokerAddrs), [{ 0: brokerAddr }]);

    await cleanup.run(); // stops the broker (its UNREGISTER_BROKER), then the name server
    assert.equal(table.find("broker-a", 0), null, "the stopped broker left the table");
    assert.ok(front.logs.includes(`unregistered: DefaultCluster/broker-a/0 at ${brokerAddr}`), `UNREGISTER_BROKER, before the connection closed:\n${front.logs.join("\n")}`);
    passed = true;
  } finally {
    await cleanup.run();
    await finishRun(run, passed);
  }
}

for (const version of ROCKETMQ_VERSIONS) {
  describe(`an Apache RocketMQ ${version} broker with a Skiff name server over remoting`, { skip: INTEROP_SKIP }, () => {
    it("registers, is seen by mqadmin clusterList / topicRoute / topicList, serves a Java producer routed by Skiff, and unregisters", { timeout: 300_000 }, () =>
      scenario(version));
  });
}
