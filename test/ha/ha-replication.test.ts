/**
 * A slave replicates a master over the in-memory network byte for byte: across segment rolls, with
 * the stream cut into 1-byte reads, after reconnecting to a master that wrote more meanwhile, and
 * with the consume queues it rebuilds answering reads exactly as the master's do. A new slave gets
 * the master's whole history by default, and only the last segment with sendFromFirstSegment=false.
 */
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { until } from "../support/memory-platform.ts";
import { HaWorld, SEGMENT_BYTES, assertSameCommitLog, assertSameQueues, fill } from "./ha-world.ts";

let world: HaWorld;

afterEach(async () => {
  await world.close();
});

describe("HA replication end to end (memory network, manual clock)", () => {
  it("copies a log of several segments byte for byte, and the slave's queues answer as the master's", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    const slave = await world.broker("slave");
    const end = await fill(master.store, 200); // ~170 KiB: three segment rolls
    assert.ok(end > 2 * SEGMENT_BYTES);
    const ha = await world.master(master);
    const client = world.slave(slave);
    await until(() => slave.store.offsets.maxOffset === end, "slave caught up");
    await fill(master.store, 60, 900, 7); // live appends while connected
    await until(() => slave.store.offsets.maxOffset === master.store.offsets.maxOffset, "slave follows live appends");
    assert.equal(client.state.connected, true);
    // SYNC_MASTER: the wait is released by the slave's ack alone, with no clock advance.
    const sent = await fill(master.store, 1, 300);
    assert.equal(ha.isSlaveOk(sent), true);
    assert.equal(await ha.waitForReplication(sent, 3000), "PUT_OK");
    assert.equal(slave.store.offsets.maxOffset, sent);
    assert.equal(client.state.masterAddress, "127.0.0.1:10912");
    await assertSameCommitLog(master, slave);
    await assertSameQueues(master, slave);
  });

  it("replicates exactly when both directions deliver one byte per read", async () => {
    world = new HaWorld({ net: { chunkBytes: 1, bufferBytes: 4096 } });
    const master = await world.broker("master");
    const slave = await world.broker("slave");
    const end = await fill(master.store, 90, 800); // past the first segment end
    assert.ok(end > SEGMENT_BYTES);
    const ha = await world.master(master);
    world.slave(slave);
    await until(() => slave.store.offsets.maxOffset === end, "slave caught up", 50_000_000);
    await until(() => ha.push2SlaveMaxOffset === end, "ack reached the master", 1_000_000);
    await assertSameCommitLog(master, slave);
    await assertSameQueues(master, slave);
  });

  it("catches up after a reconnect when the master wrote more in between", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    const slave = await world.broker("slave");
    await fill(master.store, 50);
    const ha = await world.master(master);
    const first = world.slave(slave);
    await until(() => slave.store.offsets.maxOffset === master.store.offsets.maxOffset, "first sync");
    await first.stop();
    await until(() => ha.connectionCount === 0, "master saw the slave leave");
    const end = await fill(master.store, 150, 600, 3);
    world.slave(slave);
    await until(() => slave.store.offsets.maxOffset === end, "caught up after reconnect");
    assert.equal(ha.connections()[0].requestOffset > 0, true, "the second connection asked for the slave's end, not 0");
    await assertSameCommitLog(master, slave);
    await assertSameQueues(master, slave);
  });

  it("sends a new slave the whole history from the first segment by default", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    const slave = await world.broker("slave");
    const end = await fill(master.store, 200);
    const ha = await world.master(master);
    world.slave(slave);
    await until(() => slave.store.offsets.maxOffset === end, "full copy");
    assert.equal(ha.connections()[0].requestOffset, 0);
    assert.equal(slave.store.offsets.minOffset, 0);
    await assertSameCommitLog(master, slave);
  });

  it("sends a new slave only the last segment with sendFromFirstSegment=false (RocketMQ 4.x)", async () => {
    world = new HaWorld({ ha: { sendFromFirstSegment: false } });
    const master = await world.broker("master");
    const slave = await world.broker("slave");
    const end = await fill(master.store, 200);
    const lastStart = end - (end % SEGMENT_BYTES);
    assert.ok(lastStart >= 2 * SEGMENT_BYTES);
    await world.master(master);
    world.slave(slave);
    await until(() => slave.store.offsets.maxOffset === end, "last segment copied");
    await master.store.flushAll();
    await slave.store.flushAll();
    assert.deepEqual([...slave.store.stats().commitLogSegmentStarts], [lastStart]);
    const name = String(lastStart).padStart(20, "0");
    assert.deepEqual(slave.fs.bytes(`/slave/commitlog/${name}`), master.fs.bytes(`/master/commitlog/${name}`));
    assert.deepEqual(await slave.fs.readdir("/slave/commitlog"), [name]);
  });
});
