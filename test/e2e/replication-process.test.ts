/**
 * Replication between real processes on mixed runtimes: a master on the runtime running this test
 * and one slave on each of the other two (under `bun test`: a Bun master with Deno and Node slaves,
 * and so on), found through a name server process. After 20,000 messages across segment rolls the
 * slaves' commit-log files are byte-identical to the master's (same names, same SHA-256), a slave
 * started empty receives the whole history, a killed slave catches up, a diverged slave is refused
 * and left untouched, metadata reaches the slaves within one sync period, a lagging consumer is sent
 * to a slave and back, and SIGKILL of the SYNC_MASTER under load leaves every acknowledged message
 * on a slave.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cp, readdir, readFile, rm, stat } from "node:fs/promises";
import { Producer, PullConsumer } from "../../src/client/index.ts";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { getJson, until } from "../support/poll.ts";
import { RUNTIMES, runSkiffCommand, startSkiff } from "../support/skiff-process.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

const SEGMENT = 1024 * 1024;
const [slaveRuntimeA, slaveRuntimeB] = RUNTIMES.filter((r) => r !== runtimeName);

async function segmentDigests(store: string): Promise<Map<string, string>> {
  const dir = `${store}/commitlog`;
  const digests = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) {
    if ((await stat(`${dir}/${name}`)).size !== SEGMENT) throw new Error(`${dir}/${name} is not ${SEGMENT} bytes`);
    digests.set(name, createHash("sha256").update(await readFile(`${dir}/${name}`)).digest("hex"));
  }
  return digests;
}

describe(`replication: ${runtimeName} master, ${slaveRuntimeA} and ${slaveRuntimeB} slaves`, () => {
  const { defer, track } = cleanupAfterSuite();

  it("replicates byte for byte, catches up, refuses divergence, syncs metadata, redirects lagging reads, survives SIGKILL", async () => {
    const root = await tempDir("e2e-replication");
    defer(() => removeDir(root));
    const namesrv = track(await startSkiff(runtimeName, "namesrv", ["--listenPort=0"]));
    const common = [`-n`, namesrv.remotingAddress, `--mappedFileSizeCommitLog=${SEGMENT}`, "--slaveSynchronizePeriod=2000", "--defaultTopicQueueNums=4", "--slaveReadEnable=true"];
    const master = track(await startSkiff(runtimeName, "broker", [...common, `--storePathRootDir=${root}/master`, "--listenPort=0", "--brokerRole=SYNC_MASTER", "--accessMessageInMemoryMaxRatio=0.00001"]));
    const haAddress = (await getJson(master.address, "/ha/status")).haListenAddress as string;
    const slaveFlags = (id: number, runtime: string) => [...common, `--storePathRootDir=${root}/slave-${runtime}`, "--listenPort=0", "--brokerRole=SLAVE", `--brokerId=${id}`];
    let slaveA = track(await startSkiff(slaveRuntimeA, "broker", [...slaveFlags(1, slaveRuntimeA), `--haMasterAddress=${haAddress}`]));
    await until("slave A connected", async () => (await getJson(master.address, "/ha/status")).slaves.length === 1);

    // 20,000 messages: binary batches of 50 and singles, across about 25 segment rolls.
    const producer = new Producer({ broker: master.address });
    const statuses = new Set<string>();
    for (let batch = 0; batch < 396; batch++) {
      const results = await producer.sendBatch("Repl", Array.from({ length: 50 }, (_, i) => ({ body: `b${batch}-${i}-${"y".repeat(1000)}`, tags: "TagB", keys: `k${batch}-${i}` })), { queueId: batch % 4 });
      results.forEach((r) => statuses.add(r.status));
    }
    for (let i = 0; i < 200; i++) statuses.add((await producer.send("Repl", { body: `single-${i}`, tags: "TagS", properties: { n: String(i) } })).status);
    assert.deepEqual([...statuses], ["SEND_OK"], "a connected slave acknowledges every SYNC_MASTER send");
    const masterMax = (await getJson(master.address, "/ha/status")).maxPhyOffset as number;
    assert.ok(masterMax > 20 * SEGMENT, `${masterMax} bytes span more than 20 segments`);

    // A slave started empty after the master holds many segments receives the whole history.
    const slaveB = track(await startSkiff(slaveRuntimeB, "broker", slaveFlags(2, slaveRuntimeB)));
    for (const slave of [slaveA, slaveB]) {
      await until(`${slave.runtime} slave caught up`, async () => (await getJson(slave.address, "/ha/status")).writtenPhyOffset === masterMax, 120_000);
    }
    const masterFiles = await segmentDigests(`${root}/master`);
    assert.deepEqual(await segmentDigests(`${root}/slave-${slaveRuntimeA}`), masterFiles);
    assert.deepEqual(await segmentDigests(`${root}/slave-${slaveRuntimeB}`), masterFiles);

    // The slaves' consume queues answer the same pulls as the master's, once built: a slave
    // dispatches (consume queues, index) what it wrote asynchronously, as RocketMQ's reput does.
    for (const queueId of [0, 3]) {
      const fromMaster = await getJson(master.address, `/topics/Repl/queues/${queueId}/messages?offset=4000&max=8`);
      for (const slave of [slaveA, slaveB]) {
        const fromSlave = await until("slave queue built", async () => {
          const page = await getJson(slave.address, `/topics/Repl/queues/${queueId}/messages?offset=4000&max=8`);
          return page.status === "FOUND" && page.maxOffset === fromMaster.maxOffset ? page : undefined;
        });
        assert.deepEqual(fromSlave.messages, fromMaster.messages);
        assert.equal(fromSlave.maxOffset, fromMaster.maxOffset);
      }
    }

    // Metadata created on the master appears on the slaves within one period (2 s here).
    await fetch(`http://${master.address}/topics/Meta`, { method: "PUT", body: JSON.stringify({ readQueueNums: 2, writeQueueNums: 2 }) });
    await fetch(`http://${master.address}/consumer-offsets/meta_group/Repl/0`, { method: "PUT", body: JSON.stringify({ offset: 42 }) });
    for (const slave of [slaveA, slaveB]) {
      await until(`metadata on ${slave.runtime}`, async () =>
        (await fetch(`http://${slave.address}/topics/Meta`)).status === 200 &&
        (await getJson(slave.address, "/consumer-offsets/meta_group/Repl/0")).offset === 42, 6000);
    }

    // A lagging consumer is sent to a slave (brokerId 1), commits to the master, and comes back at the end.
    const consumer = new PullConsumer({ group: "lagging", namesrv: namesrv.address });
    const first = await consumer.pull("Repl", 0, 0, { max: 32 });
    assert.equal(first.suggestWhichBrokerId, 1, "far behind the log end: read from the slave");
    const second = await consumer.pull("Repl", 0, first.nextBeginOffset, { max: 32 });
    assert.equal(second.brokerAddress, slaveA.address, "the next pull went to the slave");
    await consumer.commitOffset("Repl", 0, second.nextBeginOffset);
    assert.equal((await getJson(master.address, "/consumer-offsets/lagging/Repl/0")).offset, second.nextBeginOffset, "offsets are committed to the master");
    const queueMax = (await getJson(master.address, "/topics/Repl/queues/0/messages?offset=0&max=1")).maxOffset as number;
    const tail = await consumer.pull("Repl", 0, queueMax - 1, { max: 32 });
    assert.equal(tail.suggestWhichBrokerId, 0, "caught up: back to the master");
    assert.equal((await consumer.pull("Repl", 0, tail.nextBeginOffset, { max: 32 })).brokerAddress, master.address);

    // A killed slave catches up after a restart.
    await slaveA.kill();
    for (let i = 0; i < 500; i++) await producer.send("Repl", { body: `while-A-down-${i}`, queueId: i % 4 });
    slaveA = track(await startSkiff(slaveRuntimeA, "broker", [...slaveFlags(1, slaveRuntimeA), `--haMasterAddress=${haAddress}`]));
    const newMax = (await getJson(master.address, "/ha/status")).maxPhyOffset as number;
    await until("restarted slave caught up", async () => (await getJson(slaveA.address, "/ha/status")).writtenPhyOffset === newMax, 60_000);
    assert.deepEqual(await segmentDigests(`${root}/slave-${slaveRuntimeA}`), await segmentDigests(`${root}/master`));

    // A diverged slave (the master's log plus writes the master never had, as an old master's
    // after a failover) is refused and left untouched.
    await cp(`${root}/master`, `${root}/diverged`, { recursive: true });
    await rm(`${root}/diverged/lock`); // the copy names the running master as the store's owner
    const diverged = track(await startSkiff(runtimeName, "broker", [`--storePathRootDir=${root}/diverged`, "--listenPort=0", `--mappedFileSizeCommitLog=${SEGMENT}`]));
    const other = new Producer({ broker: diverged.address });
    for (let i = 0; i < 20; i++) await other.sendBatch("Other", Array.from({ length: 50 }, () => ({ body: "z".repeat(1000) })), { queueId: 0 });
    await diverged.stop();
    const divergedBefore = await segmentDigests(`${root}/diverged`);
    const divergedSlave = track(await startSkiff(runtimeName, "broker", [...common, `--storePathRootDir=${root}/diverged`, "--listenPort=0", "--brokerRole=SLAVE", "--brokerId=3", `--haMasterAddress=${haAddress}`]));
    const divergedMax = (await getJson(divergedSlave.address, "/ha/status")).maxPhyOffset as number;
    if (divergedMax <= newMax) throw new Error(`test setup: the diverged log (${divergedMax}) must be longer than the master's (${newMax})`);
    await until("the master refuses the diverged slave", async () => master.output.some((l) => /greater than|beyond/.test(l)), 20_000);
    await divergedSlave.stop();
    assert.deepEqual(await segmentDigests(`${root}/diverged`), divergedBefore, "the diverged slave's log is not touched");

    // SIGKILL of the SYNC_MASTER under load: every acknowledged message is on a slave.
    const acked: Array<{ queueId: number; queueOffset: number; body: string }> = [];
    let killed = false;
    const load = Promise.all(Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !killed; i++) {
        const body = `load-${w}-${i}`;
        try {
          const r = await producer.send("Load", { body, queueId: w % 4 });
          if (r.status === "SEND_OK") acked.push({ queueId: r.queueId, queueOffset: r.queueOffset, body });
        } catch {
          return;
        }
      }
    }));
    await until("some load acknowledged", async () => acked.length > 500, 30_000);
    await master.kill();
    killed = true;
    await load;
    const best = await until("slaves settled", async () => {
      const [a, b] = await Promise.all([getJson(slaveA.address, "/ha/status"), getJson(slaveB.address, "/ha/status")]);
      return a.maxPhyOffset >= b.maxPhyOffset ? slaveA : slaveB;
    });
    const onSlave = new Map<string, string>();
    const reader = new PullConsumer({ group: "verify", broker: best.address });
    for (let queueId = 0; queueId < 4; queueId++) {
      let offset = 0;
      for (;;) {
        const page = await reader.pull("Load", queueId, offset, { max: 256 });
        if (page.messages.length === 0) break;
        for (const m of page.messages) onSlave.set(`${queueId}/${m.queueOffset}`, new TextDecoder().decode(m.body));
        offset = page.nextBeginOffset;
      }
    }
    const missing = acked.filter((m) => onSlave.get(`${m.queueId}/${m.queueOffset}`) !== m.body);
    assert.deepEqual(missing, [], `${acked.length} acknowledged messages, all on the ${best.runtime} slave`);

    // The operator promotes that slave with the role command; it takes sends at once, after the last acked offsets.
    const promoted = await runSkiffCommand(runtimeName, ["role", best.address, "ASYNC_MASTER"]);
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.equal(JSON.parse(promoted.stdout).role, "ASYNC_MASTER");
    const lastAcked = Math.max(...acked.filter((m) => m.queueId === 0).map((m) => m.queueOffset));
    const afterPromotion = await new Producer({ broker: best.address }).send("Load", { body: "on the new master", queueId: 0 });
    assert.equal(afterPromotion.status, "SEND_OK");
    assert.ok(afterPromotion.queueOffset > lastAcked, "the new master continues after every acknowledged message");
    const refused = await runSkiffCommand(runtimeName, ["role", best.address, "SLAVE"]);
    assert.notEqual(refused.code, 0, "demotion without a brokerId is refused");
  });
});
