/**
 * `skiff admin` as an operator runs it: real processes on the runtime running this test — a name
 * server, a broker registered with it, and one `skiff admin …` process per command (creating a
 * topic, its status as JSON, the cluster, a key lookup through the name server, a group's lag and
 * its reset), with the exit codes a script relies on (0 done, 1 refused, 2 usage, 3 unreachable).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { until } from "../support/poll.ts";
import { freeListenPort } from "../support/ports.ts";
import { runSkiffCommand, startSkiff } from "../support/skiff-process.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

describe(`skiff admin processes on ${runtimeName}`, () => {
  const { defer } = cleanupAfterSuite();

  it("creates a topic, shows it, finds a message by key through the name server, and resets a group's offsets", { timeout: 240_000 }, async () => {
    const store = await tempDir("e2e-admin");
    defer(() => removeDir(store));
    const namesrv = await startSkiff(runtimeName, "namesrv", [`--listenPort=${await freeListenPort()}`]);
    defer(() => namesrv.kill());
    const broker = await startSkiff(runtimeName, "broker", [
      `--storePathRootDir=${store}`, `--listenPort=${await freeListenPort()}`, `--namesrvAddr=${namesrv.remotingAddress}`, "--registerNameServerPeriod=1000",
    ]);
    defer(() => broker.kill());
    const admin = async (...args: string[]) => runSkiffCommand(runtimeName, ["admin", ...args], 60_000);

    const created = await admin("updateTopic", "-b", broker.address, "-t", "AdminOrders", "-r", "2", "-w", "2");
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /topic AdminOrders updated on /);
    const sent = await fetch(`http://${broker.address}/topics/AdminOrders/messages`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body: "traced", keys: "trace-1", queueId: 1 }),
    }).then((r) => r.json());

    const status = await admin("topicStatus", "-b", broker.address, "-t", "AdminOrders", "--json");
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual(JSON.parse(status.stdout).queues.map((q: { maxOffset: number }) => q.maxOffset), [0, 1]);

    await until("the name server to route AdminOrders", async () => (await fetch(`http://${namesrv.address}/routes/AdminOrders`)).status === 200, 30_000);
    const cluster = await admin("clusterList", "-n", namesrv.address);
    assert.equal(cluster.code, 0, cluster.stderr);
    assert.match(cluster.stdout, new RegExp(`broker-a\\s+0\\s+${broker.remotingAddress.replace(/\./g, "\\.")}\\s+${broker.address.replace(/\./g, "\\.")}`));
    const found = await until("the message index to hold trace-1", async () => {
      const r = await admin("queryMsgByKey", "-n", namesrv.address, "-t", "AdminOrders", "-k", "trace-1", "--json");
      return r.code === 0 && JSON.parse(r.stdout).length === 1 ? (JSON.parse(r.stdout) as Array<{ msgId: string; bodyText: string }>) : undefined;
    }, 30_000);
    assert.deepEqual([found[0].msgId, found[0].bodyText], [sent.msgId, "traced"]);

    await fetch(`http://${broker.address}/consumer-offsets/ops/AdminOrders/1`, { method: "PUT", body: JSON.stringify({ offset: 1 }) });
    assert.match((await admin("consumerProgress", "-b", broker.address, "-g", "ops")).stdout, /^Diff Total\s+0$/m);
    const reset = await admin("resetOffsetByTime", "-b", broker.address, "-g", "ops", "-t", "AdminOrders", "-s", "0");
    assert.equal(reset.code, 0, reset.stderr);
    assert.match((await admin("consumerProgress", "-b", broker.address, "-g", "ops")).stdout, /^Diff Total\s+1$/m);

    const refused = await admin("topicStatus", "-b", broker.address, "-t", "NoSuchTopic");
    assert.deepEqual([refused.code, refused.stderr.trim().split("\n").length], [1, 1], refused.stderr);
    assert.match(refused.stderr, /TOPIC_NOT_EXIST/);
    assert.equal((await admin("topicStatus", "-b", broker.address)).code, 2);
    const unreachable = await admin("topicList", "-b", `127.0.0.1:${await freeListenPort()}`);
    assert.equal(unreachable.code, 3, unreachable.stderr);
    assert.doesNotMatch(unreachable.stderr, /\n\s+at /, "no stack trace");
  });
});
