/**
 * The master's HA service answers SYNC_MASTER's questions from slave acks: isSlaveOk (a slave is
 * connected and close enough), waitForReplication (PUT_OK once an ack reaches the offset,
 * FLUSH_SLAVE_TIMEOUT exactly at the deadline on the manual clock), push2SlaveMaxOffset over any
 * number of slaves. It reports each slave's lag, logs connects, disconnects and lag, and shuts down cleanly.
 */
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spin, until } from "../support/memory-platform.ts";
import { HaWorld, RawSlave, fill } from "./ha-world.ts";
import { SHUTDOWN_GRACE_MS } from "../../src/ha/ha-master.ts";

let world: HaWorld;

afterEach(async () => {
  await world.close();
});

describe("HaMaster", () => {
  it("is not slave-OK without a slave, and is when a slave is connected and close enough", async () => {
    world = new HaWorld({ ha: { haSlaveFallbehindMax: 1000 } });
    const master = await world.broker("master");
    const end = await fill(master.store, 10);
    const ha = await world.master(master);
    assert.equal(ha.isSlaveOk(end), false);
    const slave = await RawSlave.connect(world);
    await until(() => ha.connectionCount === 1, "accepted");
    assert.equal(ha.isSlaveOk(999), true, "999 bytes ahead of push2SlaveMaxOffset 0");
    assert.equal(ha.isSlaveOk(1000), false, "haSlaveFallbehindMax bytes behind is too far");
    await slave.report(0);
    await until(() => slave.frames.length > 0, "frames sent");
    await slave.report(end - 500);
    await until(() => ha.push2SlaveMaxOffset === end - 500, "ack");
    assert.equal(ha.isSlaveOk(end), true);
    slave.connection.close();
    await until(() => ha.connectionCount === 0, "slave left");
    assert.equal(ha.isSlaveOk(end), false);
  });

  it("resolves waitForReplication with PUT_OK on the ack, not before", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    const first = await fill(master.store, 5);
    const ha = await world.master(master);
    const slave = await RawSlave.connect(world);
    await slave.report(0);
    const second = await fill(master.store, 5);
    let status: string | null = null;
    void ha.waitForReplication(second, 3000).then((s) => (status = s));
    await slave.report(first);
    await until(() => ha.push2SlaveMaxOffset === first, "first ack");
    await spin();
    assert.equal(status, null, "an ack short of the offset does not release it");
    assert.equal(ha.replicationWaiters, 1);
    await slave.report(second);
    await until(() => status !== null, "released");
    assert.equal(status, "PUT_OK");
    assert.equal(ha.replicationWaiters, 0);
    assert.equal(await ha.waitForReplication(first, 3000), "PUT_OK", "already acked: at once");
  });

  it("answers FLUSH_SLAVE_TIMEOUT exactly at the deadline; a later waiter for a lower offset is released by its ack", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    await fill(master.store, 5);
    const ha = await world.master(master);
    const slave = await RawSlave.connect(world);
    await slave.report(0);
    const end = master.store.offsets.maxOffset;
    const results: string[] = [];
    void ha.waitForReplication(end, 3000).then((s) => results.push(`late:${s}`));
    await world.clock.advance(1000);
    void ha.waitForReplication(10, 3000).then((s) => results.push(`early:${s}`));
    await world.clock.advance(1999);
    assert.deepEqual(results, []);
    await world.clock.advance(1);
    assert.deepEqual(results, ["late:FLUSH_SLAVE_TIMEOUT"]);
    await slave.report(10);
    await until(() => results.length === 2, "ack releases the other");
    assert.deepEqual(results, ["late:FLUSH_SLAVE_TIMEOUT", "early:PUT_OK"]);
    assert.equal(ha.replicationWaiters, 0);
  });

  it("keeps push2SlaveMaxOffset as the largest ack of any slave, and reports each slave's lag", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    const end = await fill(master.store, 10);
    const ha = await world.master(master);
    const [a, b] = [await RawSlave.connect(world), await RawSlave.connect(world)];
    await a.report(end);
    await b.report(0);
    await until(() => b.frames.length > 0, "frames sent to b");
    await b.report(end - 300);
    await until(() => ha.connections().every((c) => c.ackOffset > 0), "both acked");
    assert.equal(ha.push2SlaveMaxOffset, end);
    const status = ha.status().sort((x, y) => x.ackOffset - y.ackOffset);
    assert.deepEqual(status.map((s) => [s.ackOffset, s.lagBytes]), [[end - 300, 300], [end, 0]]);
    assert.match(status[0].address, /^127\.0\.0\.1:\d+$/);
    a.connection.close();
    await until(() => ha.connectionCount === 1, "a left");
    assert.equal(ha.push2SlaveMaxOffset, end, "not lowered when the leading slave leaves");
  });

  it("logs connects, disconnects with their reason, and each slave's lag once a minute", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    const end = await fill(master.store, 4);
    const ha = await world.master(master);
    const slave = await RawSlave.connect(world);
    await slave.report(end);
    await until(() => ha.push2SlaveMaxOffset === end, "ack");
    const lagLines = () => world.logs.filter((l) => l.includes("bytes behind"));
    await world.clock.advance(15_000);
    await slave.report(end);
    await world.clock.advance(15_000);
    await slave.report(end);
    await world.clock.advance(15_000);
    await slave.report(end);
    await world.clock.advance(14_999);
    assert.equal(lagLines().length, 0);
    await world.clock.advance(1);
    assert.deepEqual(lagLines().map((l) => l.replace(/:\d+:/, ":PORT:")), [`HA slave 127.0.0.1:PORT: ack ${end}, 0 bytes behind`]);
    slave.connection.close();
    await until(() => ha.connectionCount === 0, "gone");
    const mine = world.logs.filter((l) => l.startsWith("HA slave") && !l.includes("bytes behind"));
    assert.equal(mine.length, 2);
    assert.match(mine[0], /^HA slave 127\.0\.0\.1:\d+ connected$/);
    assert.match(mine[1], /^HA slave 127\.0\.0\.1:\d+ disconnected: read failed: ECONNRESET/);
  });

  it("close() stops accepting, ends slave connections cleanly and answers waiters FLUSH_SLAVE_TIMEOUT", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    const end = await fill(master.store, 4);
    const ha = await world.master(master);
    const slave = await RawSlave.connect(world);
    await slave.report(0);
    const waiting = ha.waitForReplication(end, 3000);
    await ha.close();
    assert.equal(await waiting, "FLUSH_SLAVE_TIMEOUT");
    await until(() => slave.ended !== null, "slave saw the close");
    assert.equal(slave.ended, "end", "a FIN, not a reset");
    // The master keeps reading until the slave closes its side too (no report answered by a RST).
    assert.equal(ha.connectionCount, 1);
    slave.connection.close();
    await until(() => ha.connectionCount === 0, "the master closed once the slave did");
    await assert.rejects(RawSlave.connect(world), (error: Error & { code?: string }) => error.code === "ECONNREFUSED");
  });

  it("close() gives a slave that never closes its side SHUTDOWN_GRACE_MS, then closes the connection", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    await fill(master.store, 1);
    const ha = await world.master(master);
    const slave = await RawSlave.connect(world);
    await slave.report(0);
    await until(() => ha.connectionCount === 1, "the slave is connected");
    await ha.close();
    await until(() => slave.ended !== null, "slave saw the FIN");
    await world.clock.advance(SHUTDOWN_GRACE_MS - 1);
    assert.equal(ha.connectionCount, 1);
    await world.clock.advance(1);
    await until(() => ha.connectionCount === 0, "closed after the grace");
  });
});
