/**
 * A slave offline longer than its master's retention is not stuck silently: the master keeps it on
 * heartbeats at its offset (as RocketMQ's masters, so a RocketMQ slave sees nothing new) and says
 * so in its log and status; a Skiff slave learns it from the master's log probe, before it connects
 * or on an idle connection, and reports both offsets and the fix. An empty slave starts at the
 * master's first segment by itself; one holding data does after `restartAt` (the operator's
 * resync), and is then a byte prefix of the master from that segment on. On the memory platform.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { HaClient, masterMinOffset, type HaMaster, type MasterLogProbe } from "../../src/ha/index.ts";
import type { MessageStore } from "../../src/store/message-store.ts";
import { segmentName } from "../../src/store/segment-name.ts";
import { until } from "../support/memory-platform.ts";
import { HaWorld, RawSlave, SEGMENT_BYTES, assertSameCommitLog, fill, type Broker } from "./ha-world.ts";

let world: HaWorld;
afterEach(async () => {
  await world.close();
});

/** The probe a Skiff slave gets over HTTP (`GET /ha/log`), here straight from the master's store; null while `down`. */
function probeOf(master: () => MessageStore, down = { value: false }): MasterLogProbe {
  return {
    async read(offset, length) {
      if (down.value) return null;
      const source = master().replicationSource;
      if (offset < source.minOffset || offset + length > source.shippableOffset) {
        return { held: false, minOffset: source.minOffset, shippableOffset: source.shippableOffset };
      }
      return { held: true, bytes: new Uint8Array(await source.read(offset, length)) };
    },
  };
}

const DROPPED_SEGMENTS = 4;

/**
 * A master whose log went past `DROPPED_SEGMENTS + 1` segments while a slave followed only its
 * first `slaveRecords` records; then its oldest segments are deleted (stopped, files removed,
 * started again), as retention would. Returns the master, its HA service and the slave's end.
 */
async function masterAfterRetention(slave: Broker | null, slaveRecords: number): Promise<{ master: Broker; ha: HaMaster; slaveEnd: number }> {
  let master = await world.broker("master");
  await fill(master.store, slaveRecords);
  let ha = await world.master(master);
  let slaveEnd = 0;
  if (slave) {
    const client = world.slave(slave);
    await until(() => slave.store.offsets.writtenOffset === master.store.offsets.maxOffset, "the slave caught up once");
    await client.stop();
    slaveEnd = slave.store.offsets.maxOffset;
  }
  await fill(master.store, 500, 700, 3);
  assert.ok(master.store.offsets.maxOffset > (DROPPED_SEGMENTS + 1) * SEGMENT_BYTES);
  await ha.close();
  await master.store.close();
  for (let i = 0; i < DROPPED_SEGMENTS; i++) await master.fs.remove(`/master/commitlog/${segmentName(i * SEGMENT_BYTES)}`);
  master = await world.broker("master", {}, master.fs);
  assert.equal(master.store.offsets.minOffset, DROPPED_SEGMENTS * SEGMENT_BYTES, "the master opens a log whose first file starts later");
  ha = await world.master(master);
  return { master, ha, slaveEnd };
}

function skiffSlave(slave: Broker, probe: MasterLogProbe): HaClient {
  const client = new HaClient({ net: world.net, clock: world.clock, replica: slave.store.replica, masterAddress: () => `127.0.0.1:${world.ha.haListenPort}`, options: world.ha, probe });
  world.onClose(() => client.stop());
  client.start();
  return client;
}

describe("a slave behind its master's retention", () => {
  it("the master keeps it on heartbeats at its offset, logs it once and shows it in its status", async () => {
    world = new HaWorld({ ha: { haSendHeartbeatIntervalMs: 1000 } });
    const { ha } = await masterAfterRetention(null, 0);
    const old = await RawSlave.connect(world); // a RocketMQ slave: it only reports
    await old.report(SEGMENT_BYTES + 4096);
    for (let i = 0; i < 5; i++) await world.clock.advance(1000);
    assert.ok(old.frames.length >= 3, "heartbeats keep the connection alive");
    assert.ok(old.frames.every((f) => f.body.byteLength === 0 && f.offset === SEGMENT_BYTES + 4096), "heartbeats only, at the slave's offset");
    assert.equal(old.ended, null);
    const [status] = ha.status();
    assert.deepEqual(status.behindMasterRetention && { ...status.behindMasterRetention, fix: "…" }, { slaveOffset: SEGMENT_BYTES + 4096, masterMinOffset: DROPPED_SEGMENTS * SEGMENT_BYTES, fix: "…" });
    assert.match(status.behindMasterRetention!.fix, /POST \/admin\/ha\/resync-from-master/);
    assert.equal(world.logs.filter((l) => l.includes("cannot catch up and gets heartbeats only")).length, 1, world.logs.join("\n"));

    const current = await RawSlave.connect(world);
    await current.report(DROPPED_SEGMENTS * SEGMENT_BYTES);
    await until(() => current.frames.some((f) => f.body.byteLength > 0), "a slave at the first segment is served");
    assert.equal(ha.status().filter((s) => s.behindMasterRetention).length, 1);
  });

  it("a Skiff slave with data is told before it connects, and after the operator's restart it is a byte prefix of the master", async () => {
    world = new HaWorld({ ha: { haSendHeartbeatIntervalMs: 1000 } });
    const slave = await world.broker("slave");
    const { master, ha, slaveEnd } = await masterAfterRetention(slave, 100);
    const probe = probeOf(() => master.store);
    const client = skiffSlave(slave, probe);
    await until(() => client.state.behindMasterRetention !== null, "the slave sees it");
    const behind = client.state.behindMasterRetention!;
    assert.deepEqual([behind.slaveOffset, behind.masterMinOffset], [slaveEnd, DROPPED_SEGMENTS * SEGMENT_BYTES]);
    assert.match(behind.reason, new RegExp(`log ends at ${slaveEnd}, but the master's log now starts at ${DROPPED_SEGMENTS * SEGMENT_BYTES}`));
    assert.match(behind.fix, /POST \/admin\/ha\/resync-from-master/);
    for (let i = 0; i < 10; i++) await world.clock.advance(1000);
    assert.equal(ha.connectionCount, 0, "it does not connect to wait forever");
    assert.equal(world.logs.filter((l) => l.includes("HA cannot follow master")).length, 1, "said once");
    assert.equal(slave.store.offsets.maxOffset, slaveEnd, "its log is untouched until the operator acts");

    await client.stop();
    const start = await masterMinOffset(probe, SEGMENT_BYTES);
    assert.deepEqual(await slave.store.replica.restartAt(start!), { from: 0, to: slaveEnd });
    assert.deepEqual(slave.store.queueIdsOf("TopicA"), [], "its consume queues went with its log");
    const again = skiffSlave(slave, probe);
    await until(() => slave.store.offsets.writtenOffset === master.store.offsets.maxOffset, "caught up from the master's first segment", 200_000);
    assert.equal(again.state.behindMasterRetention, null);
    assert.equal(slave.store.offsets.minOffset, DROPPED_SEGMENTS * SEGMENT_BYTES);
    await assertSameCommitLog(master, slave); // the same segment files, byte for byte, from the first the master holds
    await slave.store.waitDispatched(slave.store.offsets.maxOffset);
    const minQueued = slave.store.minOffsetInQueue("TopicB", 1);
    assert.ok(minQueued > 0, "the queue starts where the kept records start");
    const request = { topic: "TopicB", queueId: 1, offset: minQueued, maxMsgNums: 8 };
    assert.deepEqual((await slave.store.get(request)).messages.map((m) => m.physicalOffset), (await master.store.get(request)).messages.map((m) => m.physicalOffset));
  });

  it("an empty slave starts at the master's first segment by itself, also one left empty at an older segment start", async () => {
    world = new HaWorld();
    const { master } = await masterAfterRetention(null, 0);
    const fresh = await world.broker("fresh");
    world.slave(fresh); // reports 0: the master starts it at its first segment (sendFromFirstSegment)
    await until(() => fresh.store.offsets.writtenOffset === master.store.offsets.maxOffset, "an empty slave catches up", 200_000);
    await assertSameCommitLog(master, fresh);

    const stale = await world.broker("stale");
    await stale.store.replica.restartAt(SEGMENT_BYTES); // started over once, got nothing, and the master moved on
    skiffSlave(stale, probeOf(() => master.store));
    await until(() => stale.store.offsets.writtenOffset === master.store.offsets.maxOffset, "moved to the master's first segment", 200_000);
    assert.ok(world.logs.some((l) => l.includes(`this slave's log is empty at ${SEGMENT_BYTES}`)), world.logs.join("\n"));
    await assertSameCommitLog(master, stale);
  });

  it("a slave that connected while the probe was down learns it on its first idle heartbeat tick and disconnects", async () => {
    world = new HaWorld({ ha: { haSendHeartbeatIntervalMs: 1000 } });
    const slave = await world.broker("slave");
    const { master, ha } = await masterAfterRetention(slave, 50);
    const down = { value: true };
    const client = skiffSlave(slave, probeOf(() => master.store, down));
    await until(() => ha.connectionCount === 1, "connected on the master's own checks");
    await world.clock.advance(1000);
    assert.ok(ha.status()[0].behindMasterRetention, "the master sees it");
    down.value = false;
    for (let i = 0; i < 3 && client.state.behindMasterRetention === null; i++) await world.clock.advance(1000);
    assert.ok(client.state.behindMasterRetention, "the slave sees it");
    await until(() => ha.connectionCount === 0, "and stops waiting on heartbeats");
    assert.equal(client.state.connected, false);
  });
});
