/**
 * A clean stop, with real processes on the runtime running this test: SIGTERM to a master that is
 * serving a long poll and a burst of sends answers the poll (not a dropped connection), answers or
 * refuses every send (no 5xx), unregisters from the name server at once (not after the 120 s
 * expiry), closes its slave's HA connection (the slave logs that the master closed it and keeps
 * serving), and exits after its clean-shutdown line; after a restart every acknowledged message is
 * there. A SIGTERMed name server stops cleanly too.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { getJson, until } from "../support/poll.ts";
import { startSkiff } from "../support/skiff-process.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

async function post(address: string, path: string, body: unknown): Promise<Response> {
  return fetch(`http://${address}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

describe(`graceful shutdown of ${runtimeName} processes`, () => {
  const { defer, track } = cleanupAfterSuite();

  it("answers in-flight requests, unregisters, closes HA cleanly, loses nothing acknowledged", { timeout: 180_000 }, async () => {
    const root = await tempDir("e2e-graceful");
    defer(() => removeDir(root));
    const namesrv = track(await startSkiff(runtimeName, "namesrv", ["--listenPort=0"]));
    const common = ["-n", namesrv.remotingAddress, "--registerNameServerPeriod=1000", "--defaultTopicQueueNums=1"];
    const masterFlags = [...common, `--storePathRootDir=${root}/master`, "--listenPort=0"];
    const master = track(await startSkiff(runtimeName, "broker", masterFlags));
    const haAddress = (await getJson(master.address, "/ha/status")).haListenAddress as string;
    const slave = track(await startSkiff(runtimeName, "broker", [...common, `--storePathRootDir=${root}/slave`, "--listenPort=0", "--brokerRole=SLAVE", "--brokerId=1", `--haMasterAddress=${haAddress}`]));
    assert.equal((await post(master.address, "/topics/Graceful/messages", { body: "first" })).status, 200);
    await until("the slave to follow", async () => (await getJson(master.address, "/ha/status")).slaves.length === 1);
    await until("both brokers in the cluster", async () => (await getJson(namesrv.address, "/cluster")).brokerCount === 2, 30_000);

    // In flight when SIGTERM arrives: a long poll at the queue's end, and a burst of sends.
    const poll = fetch(`http://${master.address}/topics/Graceful/queues/0/messages?offset=1&waitMs=25000`)
      .then(async (r) => ({ status: r.status, body: await r.json() }), (error: Error) => ({ status: 0, body: error.message }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sends = Array.from({ length: 40 }, (_, i) => post(master.address, "/topics/Graceful/messages", { body: `burst-${i}` })
      .then(async (r) => ({ status: r.status, body: await r.json() }), () => ({ status: 0, body: null })));
    const stopped = master.stop();
    const answers = await Promise.all(sends);
    const { clean } = await stopped;
    assert.equal(clean, true, `clean-shutdown line; output:\n${master.output.join("\n")}`);

    const polled = await poll;
    assert.equal(polled.status, 200, `the long poll was answered: ${JSON.stringify(polled.body)}`);
    assert.ok(answers.every((a) => a.status === 200 || a.status === 0 || a.status === 503), `no other answers: ${JSON.stringify(answers.map((a) => a.status))}`);
    const acknowledged = answers.filter((a) => a.status === 200).map((a) => a.body.queueOffset as number);

    const cluster = await getJson(namesrv.address, "/cluster");
    assert.deepEqual(cluster.clusters.flatMap((c: any) => c.brokerGroups.flatMap((g: any) => g.brokers.map((b: any) => b.brokerId))), [1], "the master unregistered at once");
    await slave.waitFor(/master closed the connection/, 10_000);
    assert.equal((await fetch(`http://${slave.address}/health`)).status, 200, "the slave keeps serving");

    const again = track(await startSkiff(runtimeName, "broker", masterFlags));
    // Recovery rebuilds the consume queue behind the boot (as RocketMQ's reput): wait for its end.
    const end = Math.max(0, ...acknowledged) + 1;
    await until("the consume queue to reach the acknowledged sends", async () => (await getJson(again.address, "/topics/Graceful/status")).queues[0].maxOffset >= end, 30_000);
    const stored = new Set<number>();
    for (let offset = 0; offset < end;) {
      const pulled = await getJson(again.address, `/topics/Graceful/queues/0/messages?offset=${offset}&max=100`);
      for (const m of pulled.messages as { queueOffset: number }[]) stored.add(m.queueOffset);
      assert.ok(pulled.nextBeginOffset > offset, `a pull from ${offset} moves on: ${JSON.stringify(pulled)}`);
      offset = pulled.nextBeginOffset;
    }
    for (const offset of acknowledged) assert.ok(stored.has(offset), `acknowledged queue offset ${offset} is stored`);
    assert.equal((await again.stop()).clean, true);
    assert.equal((await slave.stop()).clean, true);
    assert.equal((await namesrv.stop()).clean, true, `name server output:\n${namesrv.output.join("\n")}`);
  });
});
