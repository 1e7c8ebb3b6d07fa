/**
 * A slave whose log stopped being a prefix of its master's (it took writes of its own while it was
 * a master for a while) refuses to follow, says why in `/ha/status`, and is brought back by the
 * operator's `POST /admin/ha/truncate`: it drops what only it holds and becomes byte-identical to
 * its master again. `GET /ha/log` is what the slave compares with, over HTTP.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, settle } from "../../adapters/memory/clock.ts";
import { MemoryNetwork } from "../../adapters/memory/net.ts";
import { createMemoryPlatform } from "../../adapters/memory/platform.ts";
import { memoryBroker } from "../support/broker.ts";

const SLAVE = { brokerRole: "SLAVE", brokerId: 1, listenPort: 11911, haMasterAddress: "127.0.0.1:10912", slaveSynchronizePeriod: 10_000 } as const;

describe("a diverged slave", () => {
  it("refuses to follow, reports why, and follows again after POST /admin/ha/truncate", async () => {
    const clock = new ManualClock();
    const net = new MemoryNetwork();
    const masterMemory = createMemoryPlatform({ clock, net });
    const slaveMemory = createMemoryPlatform({ clock, net });
    const master = await memoryBroker({ brokerRole: "ASYNC_MASTER" }, masterMemory);
    for (let i = 0; i < 20; i++) await master.send("Div", { body: `shared ${i}`.repeat(20), queueId: 0 });
    const sharedEnd = master.broker.store.offsets.maxOffset;

    let slave = await memoryBroker(SLAVE, slaveMemory, masterMemory.fetch);
    for (let i = 0; i < 200 && slave.broker.store.offsets.maxOffset < sharedEnd; i++) await clock.advance(10);
    assert.equal(slave.broker.store.offsets.maxOffset, sharedEnd, "a true prefix follows");
    await slave.broker.stop();

    // The slave is made a master for a while and takes writes its master never sees.
    const rogue = await memoryBroker({ brokerRole: "ASYNC_MASTER", listenPort: 11911 }, slaveMemory);
    for (let i = 0; i < 5; i++) await rogue.send("Div", { body: `rogue ${i}`, queueId: 0 });
    await rogue.broker.stop();
    await clock.advance(1000);
    for (let i = 0; i < 30; i++) await master.send("Div", { body: `master ${i}`.repeat(20), queueId: 0 });

    slave = await memoryBroker(SLAVE, slaveMemory, masterMemory.fetch);
    const slaveEnd = slave.broker.store.offsets.maxOffset;
    let status: any = null;
    for (let i = 0; i < 50 && !status?.divergence; i++) {
      await clock.advance(500);
      status = (await slave.json("/ha/status")).body;
    }
    assert.ok(status.divergence, "the slave reports a divergence");
    assert.match(status.divergence.reason, /differs from the master's/);
    assert.equal(status.connectedToMaster, false);
    assert.equal(slave.broker.store.offsets.maxOffset, slaveEnd, "nothing was appended to a diverged log");
    const notReady = await slave.json("/readyz");
    assert.equal(notReady.status, 503);
    assert.match(notReady.body.reasons.join(), /HA_DIVERGED: this slave's log differs/);

    const probe = await master.request(`/ha/log?offset=0&length=16`);
    assert.equal(probe.status, 200);
    assert.equal(probe.headers.get("x-skiff-min-offset"), "0");
    assert.equal((await probe.arrayBuffer()).byteLength, 16);
    const beyond = await master.request(`/ha/log?offset=${master.broker.store.offsets.maxOffset}&length=16`);
    assert.equal(beyond.status, 416);
    assert.equal((await beyond.json()).error.code, "HA_RANGE_NOT_HELD");
    assert.equal((await master.request(`/ha/log?offset=0&length=100000`)).status, 400, "at most 64 KiB per probe");

    const truncated = await slave.json("/admin/ha/truncate", { method: "POST" });
    assert.equal(truncated.status, 200, JSON.stringify(truncated.body));
    assert.deepEqual(truncated.body, { truncatedTo: sharedEnd, droppedBytes: slaveEnd - sharedEnd });
    const masterEnd = master.broker.store.offsets.maxOffset;
    for (let i = 0; i < 200 && slave.broker.store.offsets.maxOffset < masterEnd; i++) await clock.advance(100);
    await settle();
    const [m, s] = [master.broker.store, slave.broker.store];
    assert.deepEqual(await s.readCommitLog(0, s.offsets.maxOffset), await m.readCommitLog(0, m.offsets.maxOffset), "byte-identical again");
    assert.equal((await slave.json("/ha/status")).body.divergence, null);
    const ready = await slave.json("/readyz");
    assert.deepEqual([ready.status, ready.body.ready, ready.body.reasons], [200, true, []], JSON.stringify(ready.body));
    assert.equal((await master.json("/admin/ha/truncate", { method: "POST" })).status, 409, "a master has nothing to truncate to");
    await slave.broker.stop();
    await master.broker.stop();
  });
});
