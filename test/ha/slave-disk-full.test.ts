/**
 * A slave whose disk fills up stops replicating, says why (STORE_DISK_FULL in its health and in the
 * reason its HA connection closed), keeps the bytes it had received, and once space returns resumes
 * from where it stopped: its commit log and queues end byte-identical to the master's, with no gap.
 */
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { until } from "../support/memory-platform.ts";
import { HaWorld, assertSameCommitLog, assertSameQueues, fill } from "./ha-world.ts";

let world: HaWorld;

afterEach(async () => {
  await world.close();
});

describe("a slave on a full disk", () => {
  it("stops, says why, and resumes without a gap once space returns", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    const slave = await world.broker("slave");
    await fill(master.store, 30);
    await world.master(master);
    const client = world.slave(slave);
    await until(() => slave.store.offsets.maxOffset === master.store.offsets.maxOffset, "first sync");

    slave.fs.limitSpace(slave.fs.usedBytes + 20 * 1024);
    const end = await fill(master.store, 200, 700, 5); // ~150 KiB more than the slave has room for
    for (let i = 0; i < 20 && slave.store.ioProblems().length === 0; i++) await world.clock.advance(1000);
    assert.ok(slave.store.ioProblems().some((p) => p.code === "STORE_DISK_FULL" && p.where === "/slave/commitlog"), JSON.stringify(slave.store.ioProblems()));
    await world.clock.advance(5_000);
    assert.ok(slave.store.offsets.writtenOffset < end, "the slave stopped short of the master");
    assert.ok(world.logs.some((l) => /STORE_DISK_FULL/.test(l) && /slave store/.test(l)), world.logs.join("\n"));
    const stoppedAt = slave.store.offsets.maxOffset;

    slave.fs.limitSpace(null);
    for (let i = 0; i < 60 && slave.store.offsets.writtenOffset < end; i++) await world.clock.advance(1000);
    await until(() => slave.store.offsets.maxOffset === end && slave.store.offsets.writtenOffset === end, "slave caught up after space returned");
    assert.ok(slave.store.offsets.maxOffset > stoppedAt);
    assert.deepEqual(slave.store.ioProblems(), []);
    assert.equal(client.state.connected, true);
    await assertSameCommitLog(master, slave);
    await assertSameQueues(master, slave);
  });
});
