/**
 * Topic deletion with real processes: a master on the runtime running this test and a slave on
 * another. After `DELETE /topics/Del` on the master, the topic re-created by a send starts at queue
 * offset 0 and a pull from 0 answers the new messages only, on the master and on the slave (whose
 * queues follow the replicated log, and whose offsets follow the metadata sync); after both are
 * stopped and started again, that is still so, and the counters go on from the new queue.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Producer } from "../../src/client/index.ts";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { getJson, until } from "../support/poll.ts";
import { brokerHaAddress, freeListenPort } from "../support/ports.ts";
import { RUNTIMES, startSkiff } from "../support/skiff-process.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

const slaveRuntime = RUNTIMES[(RUNTIMES.indexOf(runtimeName) + 2) % RUNTIMES.length];

/**
 * Bodies of queue 0 of `Del` from offset 0 once `count` are served (a message is pullable once
 * dispatched, a moment after its SEND_OK or a restart, as on RocketMQ), and the pull status.
 */
async function pullSettled(address: string, count: number): Promise<{ status: string; bodies: string[] }> {
  await until(`${count} messages served by ${address}`, async () => (await pullFromZero(address)).bodies.length >= count, 10_000);
  return pullFromZero(address);
}

/** Bodies of queue 0 of `Del` from offset 0, and the pull status. */
async function pullFromZero(address: string): Promise<{ status: string; bodies: string[] }> {
  const page = await getJson(address, "/topics/Del/queues/0/messages?offset=0&max=64");
  return { status: page.status, bodies: (page.messages ?? []).map((m: { bodyBase64: string }) => atob(m.bodyBase64)) };
}

describe(`topic deletion: a ${runtimeName} master and a ${slaveRuntime} slave`, () => {
  const { defer, track } = cleanupAfterSuite();

  it("a re-created topic starts at queue offset 0 on master and slave, also after both restart", async () => {
    const root = await tempDir("e2e-topic-deletion");
    defer(() => removeDir(root));
    const masterPort = await freeListenPort();
    const slavePort = await freeListenPort();
    const masterFlags = [`--storePathRootDir=${root}/master`, `--listenPort=${masterPort}`];
    const slaveFlags = [
      `--storePathRootDir=${root}/slave`, `--listenPort=${slavePort}`, "--brokerRole=SLAVE", "--brokerId=1",
      `--haMasterAddress=${brokerHaAddress(masterPort)}`, "--slaveSynchronizePeriod=1000", "--slaveReadEnable=true",
    ];
    let master = track(await startSkiff(runtimeName, "broker", masterFlags));
    let slave = track(await startSkiff(slaveRuntime, "broker", slaveFlags));
    const producer = new Producer({ broker: master.address });
    for (let i = 0; i < 30; i++) assert.equal((await producer.send("Del", { body: `old-${i}`, queueId: 0 })).queueOffset, i);
    await fetch(`http://${master.address}/consumer-offsets/g/Del/0`, { method: "PUT", body: JSON.stringify({ offset: 30 }) });
    await until("the slave has the old messages and the offset", async () =>
      (await pullFromZero(slave.address)).bodies.length === 30 && (await getJson(slave.address, "/consumer-offsets/g/Del/0")).offset === 30, 30_000);

    const deleted = await fetch(`http://${master.address}/topics/Del`, { method: "DELETE" });
    assert.deepEqual([deleted.status, await deleted.json()], [200, { deleted: "Del", offsetsRemovedFor: ["g"] }]);
    for (let i = 0; i < 5; i++) assert.equal((await producer.send("Del", { body: `new-${i}`, queueId: 0 })).queueOffset, i, "re-created by a send");
    const fresh = ["new-0", "new-1", "new-2", "new-3", "new-4"];
    assert.deepEqual(await pullSettled(master.address, fresh.length), { status: "FOUND", bodies: fresh });
    await until("the slave's queue is the new one", async () => JSON.stringify((await pullFromZero(slave.address)).bodies) === JSON.stringify(fresh), 30_000);
    await until("the slave's offsets of the deleted topic are gone", async () => (await getJson(slave.address, "/consumer-offsets/g/Del/0")).offset === -1, 30_000);

    assert.ok((await slave.stop()).clean);
    assert.ok((await master.stop()).clean);
    master = track(await startSkiff(runtimeName, "broker", masterFlags));
    slave = track(await startSkiff(slaveRuntime, "broker", slaveFlags));
    assert.deepEqual(await pullSettled(master.address, fresh.length), { status: "FOUND", bodies: fresh }, "the master after a restart");
    assert.deepEqual(await pullSettled(slave.address, fresh.length), { status: "FOUND", bodies: fresh }, "the slave after a restart");
    assert.equal((await new Producer({ broker: master.address }).send("Del", { body: "new-5", queueId: 0 })).queueOffset, 5);
    await until("the slave follows on", async () => (await pullFromZero(slave.address)).bodies.length === 6, 30_000);
    assert.equal((await getJson(master.address, "/consumer-offsets/g/Del/0")).offset, -1);
  });
});
