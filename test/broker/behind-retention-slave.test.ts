/**
 * A slave broker offline while its master's oldest segments went (stopped, files deleted, started:
 * what retention does) says so in `/ha/status` (`behindMasterRetention`: both offsets and the fix)
 * `/readyz` and `/metrics`, keeps its log, and after `POST /admin/ha/resync-from-master` discards it and
 * catches up from the master's first segment: a byte prefix of the master from there on. On the
 * in-memory platform, over the HTTP API (the slave asks `GET /ha/log` where the master starts).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, settle } from "../../adapters/memory/clock.ts";
import { MemoryNetwork } from "../../adapters/memory/net.ts";
import { createMemoryPlatform } from "../../adapters/memory/platform.ts";
import { segmentName } from "../../src/store/segment-name.ts";
import { memoryBroker } from "../support/broker.ts";
import { sampleValue, scrape } from "../support/prometheus.ts";

const SEGMENT = 64 * 1024;
const COMMON = { mappedFileSizeCommitLog: SEGMENT } as const;
const SLAVE = { ...COMMON, brokerRole: "SLAVE", brokerId: 1, listenPort: 11911, haMasterAddress: "127.0.0.1:10912", slaveSynchronizePeriod: 10_000 } as const;

describe("a slave behind its master's retention", () => {
  it("reports it with both offsets and the fix, and catches up from the master's first segment after POST /admin/ha/resync-from-master", async () => {
    const clock = new ManualClock();
    const net = new MemoryNetwork();
    const masterMemory = createMemoryPlatform({ clock, net });
    const slaveMemory = createMemoryPlatform({ clock, net });
    let master = await memoryBroker({ ...COMMON, brokerRole: "ASYNC_MASTER" }, masterMemory);
    const send = async (count: number, label: string) => {
      for (let i = 0; i < count; i++) await master.send("Ret", { body: `${label} ${i} ${"r".repeat(900)}`, queueId: i % 2 });
    };
    await send(50, "early");
    let slave = await memoryBroker(SLAVE, slaveMemory, masterMemory.fetch);
    for (let i = 0; i < 200 && slave.broker.store.offsets.writtenOffset < master.broker.store.offsets.maxOffset; i++) await clock.advance(10);
    const slaveEnd = slave.broker.store.offsets.maxOffset;
    assert.equal(slaveEnd, master.broker.store.offsets.maxOffset);
    await slave.broker.stop();

    await send(400, "late");
    const segments = master.broker.store.stats().commitLogSegmentStarts;
    assert.ok(segments.length >= 6, `${segments.length} segments`);
    await master.broker.stop();
    for (const start of segments.slice(0, 4)) await masterMemory.platform.fs.remove(`/store/commitlog/${segmentName(start)}`);
    master = await memoryBroker({ ...COMMON, brokerRole: "ASYNC_MASTER" }, masterMemory);
    const masterMin = 4 * SEGMENT;
    assert.equal(master.broker.store.offsets.minOffset, masterMin);

    slave = await memoryBroker(SLAVE, slaveMemory, masterMemory.fetch);
    let status: any = null;
    for (let i = 0; i < 50 && !status?.behindMasterRetention; i++) {
      await clock.advance(500);
      status = (await slave.json("/ha/status")).body;
    }
    assert.ok(status.behindMasterRetention, JSON.stringify(status));
    assert.deepEqual([status.behindMasterRetention.slaveOffset, status.behindMasterRetention.masterMinOffset], [slaveEnd, masterMin]);
    assert.match(status.behindMasterRetention.reason, /the master deleted the bytes this slave needs next/);
    assert.match(status.behindMasterRetention.fix, /POST \/admin\/ha\/resync-from-master/);
    assert.equal(status.connectedToMaster, false);
    const notReady = await slave.json("/readyz");
    assert.equal(notReady.status, 503);
    assert.match(notReady.body.reasons.join(), /HA_BEHIND_MASTER_RETENTION: this slave's log ends at/);
    assert.ok(slave.logs.some((l) => l.includes("HA cannot follow master") && l.includes("resync-from-master")), slave.logs.join("\n"));
    assert.equal(slave.broker.store.offsets.maxOffset, slaveEnd, "nothing is discarded without the operator");
    assert.equal(sampleValue(await scrape(slave.request), "skiff_ha_behind_master_retention"), 1);

    const notSlave = await master.json("/admin/ha/resync-from-master", { method: "POST" });
    assert.deepEqual([notSlave.status, notSlave.body.error.code], [409, "NOT_SLAVE"]);
    const resync = await slave.json("/admin/ha/resync-from-master", { method: "POST" });
    assert.deepEqual(resync, { status: 200, body: { discardedFrom: 0, discardedTo: slaveEnd, restartAt: masterMin, masterMinOffset: masterMin } });
    const masterEnd = master.broker.store.offsets.maxOffset;
    for (let i = 0; i < 400 && slave.broker.store.offsets.writtenOffset < masterEnd; i++) await clock.advance(10);
    await settle();
    const [m, s] = [master.broker.store, slave.broker.store];
    assert.deepEqual(s.stats().commitLogSegmentStarts, m.stats().commitLogSegmentStarts, "the same segment files, named by their start offsets");
    for (const start of m.stats().commitLogSegmentStarts) {
      const length = Math.min(SEGMENT, masterEnd - start);
      assert.deepEqual(await s.readCommitLog(start, length), await m.readCommitLog(start, length), `segment ${start} byte for byte`);
    }
    assert.equal((await slave.json("/ha/status")).body.behindMasterRetention, null);
    assert.equal(sampleValue(await scrape(slave.request), "skiff_ha_behind_master_retention"), 0);
    const ready = await slave.json("/readyz");
    assert.deepEqual([ready.status, ready.body.ready, ready.body.reasons], [200, true, []], JSON.stringify(ready.body));

    // The slave's queues hold the kept records only, from the queue offset of the first kept one.
    await s.waitDispatched(s.offsets.maxOffset);
    const min = s.minOffsetInQueue("Ret", 0);
    assert.ok(min > 0 && s.maxOffsetInQueue("Ret", 0) === m.maxOffsetInQueue("Ret", 0));
    const last = { topic: "Ret", queueId: 0, offset: m.maxOffsetInQueue("Ret", 0) - 3, maxMsgNums: 3 };
    assert.deepEqual((await s.get(last)).messages.map((x) => x.physicalOffset), (await m.get(last)).messages.map((x) => x.physicalOffset));
    await slave.broker.stop();
    await master.broker.stop();
  });
});
