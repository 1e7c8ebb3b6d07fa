/**
 * A master and a slave broker on one in-memory network and clock: SYNC_MASTER sends are answered
 * SEND_OK only once the slave has the bytes, the slave's commit log is byte-identical, metadata
 * reaches the slave by sync without ever moving offsets back, and roles switch at run time.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, settle } from "../../adapters/memory/clock.ts";
import { MemoryNetwork } from "../../adapters/memory/net.ts";
import { createMemoryPlatform } from "../../adapters/memory/platform.ts";
import { memoryBroker } from "../support/broker.ts";
import { brokerHttpAddress } from "../support/ports.ts";

async function pair(masterValues: Record<string, string | number | boolean> = {}) {
  const clock = new ManualClock();
  const net = new MemoryNetwork();
  const masterMemory = createMemoryPlatform({ clock, net });
  const slaveMemory = createMemoryPlatform({ clock, net });
  const master = await memoryBroker({ brokerRole: "SYNC_MASTER", ...masterValues }, masterMemory);
  const slave = await memoryBroker({
    brokerRole: "SLAVE", brokerId: 1, listenPort: 11911, haMasterAddress: "127.0.0.1:10912", slaveSynchronizePeriod: 10_000,
  }, slaveMemory, masterMemory.fetch);
  const caughtUp = async () => {
    // An ASYNC_MASTER ships the bytes it gathered after haAsyncGatherMs (10 ms): the clock moves on while the slave is behind.
    for (let i = 0; i < 200 && slave.broker.store.offsets.maxOffset < master.broker.store.offsets.maxOffset; i++) {
      await settle();
      if (slave.broker.store.offsets.maxOffset < master.broker.store.offsets.maxOffset) await clock.advance(10);
    }
    await slave.broker.store.waitDispatched(slave.broker.store.offsets.maxOffset);
  };
  const stop = async () => {
    await slave.broker.stop();
    await master.broker.stop();
  };
  return { clock, net, master, slave, masterMemory, slaveMemory, caughtUp, stop };
}

describe("master and slave brokers", () => {
  it("answers SYNC_MASTER sends SEND_OK once the slave acknowledged, and the slave's log is byte-identical", async () => {
    const t = await pair();
    await t.clock.advance(10); // the slave connects and reports
    const results = [];
    for (let i = 0; i < 50; i++) results.push(await t.master.send("Rep", { body: `message ${i}`.repeat(50), queueId: i % 4, tags: "TagA" }));
    assert.deepEqual(new Set(results.map((r) => r.body.status)), new Set(["SEND_OK"]));
    await t.caughtUp();
    const masterBytes = await t.master.broker.store.readCommitLog(0, t.master.broker.store.offsets.maxOffset);
    const slaveBytes = await t.slave.broker.store.readCommitLog(0, t.slave.broker.store.offsets.maxOffset);
    assert.deepEqual(slaveBytes, masterBytes);
    const status = (await t.master.json("/ha/status")).body;
    assert.equal(status.slaves.length, 1);
    assert.equal(status.slaves[0].ackOffset, t.master.broker.store.offsets.maxOffset);
    const slaveStatus = (await t.slave.json("/ha/status")).body;
    assert.deepEqual([slaveStatus.role, slaveStatus.connectedToMaster, slaveStatus.masterHaAddress], ["SLAVE", true, "127.0.0.1:10912"]);
    await t.stop();
  });

  it("refuses sends on the slave with an error naming its master's HTTP address (haMasterAddress + 1)", async () => {
    const t = await pair();
    const refused = await t.slave.send("Rep", { body: "x" });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, "SLAVE_CANNOT_SEND");
    assert.ok(refused.body.error.message.endsWith(`send to its master at ${brokerHttpAddress(10911)}`), refused.body.error.message);
    const status = (await t.slave.json("/ha/status")).body;
    assert.deepEqual([status.masterAddress, status.masterHttpAddress, status.masterHaAddress], ["127.0.0.1:10911", brokerHttpAddress(10911), "127.0.0.1:10912"]);
    await t.stop();
  });

  it("syncs topics, groups and consumer offsets to the slave within one period, never moving offsets back", async () => {
    const t = await pair({ brokerRole: "ASYNC_MASTER" });
    await t.master.json("/topics/Meta", { method: "PUT", body: JSON.stringify({ readQueueNums: 2, writeQueueNums: 2 }) });
    await t.master.json("/subscription-groups/gm", { method: "PUT", body: JSON.stringify({ retryMaxTimes: 5 }) });
    await t.master.json("/consumer-offsets/gm/Meta/0", { method: "PUT", body: JSON.stringify({ offset: 10 }) });
    await t.clock.advance(3000);
    await settle(200);
    assert.equal((await t.slave.json("/topics/Meta")).status, 200);
    assert.equal((await t.slave.json("/subscription-groups/gm")).body.retryMaxTimes, 5);
    assert.equal((await t.slave.json("/consumer-offsets/gm/Meta/0")).body.offset, 10);
    assert.ok((await t.slave.json("/ha/status")).body.lastMetadataSyncAt > 0);

    await t.master.json("/consumer-offsets/gm/Meta/0", { method: "PUT", body: JSON.stringify({ offset: 4 }) }); // an explicit reset
    await t.clock.advance(10_000);
    await settle(200);
    assert.equal((await t.slave.json("/consumer-offsets/gm/Meta/0")).body.offset, 4, "a reset on the master wins");
    await t.master.json("/topics/Meta", { method: "DELETE" });
    await t.clock.advance(10_000);
    await settle(200);
    assert.equal((await t.slave.json("/topics/Meta")).status, 404, "deletions reach the slave");
    await t.stop();
  });

  it("promotes the slave to master and demotes the old master, with no restart and nothing lost", async () => {
    const t = await pair({ brokerRole: "ASYNC_MASTER" });
    await t.clock.advance(10);
    for (let i = 0; i < 20; i++) await t.master.send("Switch", { body: `m${i}`, queueId: 0 });
    await t.caughtUp();
    const demoted = await t.master.json("/admin/role", { method: "POST", body: JSON.stringify({ brokerRole: "SLAVE", brokerId: 2 }) });
    assert.deepEqual([demoted.status, demoted.body.role, demoted.body.brokerId], [200, "SLAVE", 2]);
    const promoted = await t.slave.json("/admin/role", { method: "POST", body: JSON.stringify({ brokerRole: "SYNC_MASTER" }) });
    assert.deepEqual([promoted.status, promoted.body.role, promoted.body.brokerId], [200, "SYNC_MASTER", 0]);
    assert.ok(t.master.logs.some((l) => /^role switched from ASYNC_MASTER \(id 0\) to SLAVE \(id 2\) at commit-log offset \d+$/.test(l)), t.master.logs.join("\n"));
    assert.ok(t.slave.logs.some((l) => /^role switched from SLAVE \(id 1\) to SYNC_MASTER \(id 0\) at commit-log offset \d+$/.test(l)), t.slave.logs.join("\n"));
    const sent = await t.slave.send("Switch", { body: "after the switch", queueId: 0, wait: false });
    assert.deepEqual([sent.status, sent.body.queueOffset], [200, 20], "queue offsets continue on the new master");
    const bad = await t.master.json("/admin/role", { method: "POST", body: JSON.stringify({ brokerRole: "BOSS" }) });
    assert.equal(bad.status, 400);
    await t.stop();
  });
});
