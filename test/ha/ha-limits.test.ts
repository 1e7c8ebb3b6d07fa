/**
 * The HA master bounds what slaves can make it hold: beyond `haMaxConnections` (or
 * `haMaxConnectionsPerAddress` from one host) a connection is closed at once with a reason logged at
 * most once per interval, and the slaves already connected keep replicating. A slave that keeps
 * reporting but never reads is closed once a write has waited `haHousekeepingIntervalMs`
 * (HA_WRITE_STALLED), which frees its place and its read-ahead.
 */
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CAP_REFUSAL_LOG_INTERVAL_MS } from "../../src/ha/ha-master.ts";
import { spin, until } from "../support/memory-platform.ts";
import { HaWorld, RawSlave, fill } from "./ha-world.ts";

let world: HaWorld;

afterEach(async () => {
  await world.close();
});

const refusals = () => world.logs.filter((l) => l.startsWith("HA connection refused and closed"));
const received = (slave: RawSlave) => slave.frames.reduce((n, f) => n + f.body.length, 0);

describe("HaMaster limits", () => {
  it("closes connections beyond haMaxConnections at once, logs them rate-limited, and accepts again when a slave leaves", async () => {
    world = new HaWorld({ ha: { haMaxConnections: 2 } });
    const master = await world.broker("master");
    const end = await fill(master.store, 20);
    const ha = await world.master(master);
    const kept = [await RawSlave.connect(world), await RawSlave.connect(world)];
    await until(() => ha.connectionCount === 2, "two accepted");
    const refused: RawSlave[] = [];
    for (let i = 0; i < 6; i++) refused.push(await RawSlave.connect(world));
    await until(() => refused.every((s) => s.ended !== null), "every extra connection closed");
    assert.ok(refused.every((s) => s.received.length === 0), "closed before a byte was sent");
    assert.equal(ha.connectionCount, 2);
    assert.equal(refusals().length, 1, refusals().join("\n"));
    assert.match(refusals()[0], /127\.0\.0\.1:\d+: 2 HA connections are open, the limit \(haMaxConnections\) is 2$/);

    await world.clock.advance(CAP_REFUSAL_LOG_INTERVAL_MS);
    await RawSlave.connect(world);
    await until(() => refusals().length === 2, "the next window logs again");
    assert.match(refusals()[1], /\(and 5 more like it since the last such line\)$/);

    for (const slave of kept) await slave.report(0);
    await until(() => kept.every((s) => received(s) === end), "the kept slaves replicate everything");
    kept[0].connection.close();
    await until(() => ha.connectionCount === 1, "one left");
    const late = await RawSlave.connect(world);
    await until(() => ha.connectionCount === 2, "a place is free again");
    await late.report(0);
    await until(() => received(late) === end, "the new slave replicates");
    assert.equal(late.ended, null);
  });

  it("counts haMaxConnectionsPerAddress per remote host", async () => {
    world = new HaWorld({ ha: { haListenHost: "0.0.0.0", haMaxConnections: 10, haMaxConnectionsPerAddress: 2 } });
    const master = await world.broker("master");
    await fill(master.store, 5);
    const ha = await world.master(master);
    const port = world.ha.haListenPort;
    for (const host of ["10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2"]) await RawSlave.connect(world, port, host);
    await until(() => ha.connectionCount === 4, "two from each host");
    const third = await RawSlave.connect(world, port, "10.0.0.1");
    await until(() => third.ended !== null, "a third from 10.0.0.1 is closed");
    assert.equal(ha.connectionCount, 4);
    assert.match(refusals()[0], /2 HA connections from 10\.0\.0\.1 are open, the limit \(haMaxConnectionsPerAddress\) is 2/);
    await RawSlave.connect(world, port, "10.0.0.3");
    await until(() => ha.connectionCount === 5, "another host is still welcome");
  });

  it("closes a slave that keeps reporting but does not read once a write waited haHousekeepingIntervalMs; a reading slave is untouched", async () => {
    world = new HaWorld({ net: { bufferBytes: 16 * 1024 } });
    const master = await world.broker("master");
    const end = await fill(master.store, 120);
    const ha = await world.master(master);
    const reader = await RawSlave.connect(world);
    const deaf = await RawSlave.connect(world);
    await until(() => ha.connectionCount === 2, "both accepted");
    world.net.linkOf(deaf.connection)!.toClient.stall();
    await reader.report(0);
    await deaf.report(0);
    await until(() => received(reader) === end, "the reading slave has everything");
    for (let second = 1; second < 20; second++) {
      await world.clock.advance(1000);
      await deaf.report(0); // keeps the read-side housekeeping quiet
      await reader.report(end);
    }
    await spin();
    assert.equal(ha.connectionCount, 2, "19 s of a stalled write is still within the limit");
    await world.clock.advance(1000);
    await until(() => ha.connectionCount === 1, "the deaf slave is closed");
    assert.ok(ha.connections()[0].address === reader.connection.local.host + ":" + reader.connection.local.port);
    const line = world.logs.find((l) => l.includes("disconnected: write failed: HA_WRITE_STALLED"));
    assert.match(line ?? world.logs.join("\n"), /did not take a write of \d+ bytes within 20000 ms: it does not read/);
    assert.equal(reader.ended, null);
  });
});
