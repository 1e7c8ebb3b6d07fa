/**
 * The slave's HA client against a hand-driven master (and once against the real one): it reports
 * at once and then every heartbeat interval, applies the bytes a Java 4.9.7 master really sent
 * (fed one byte at a time), refuses frames that do not continue its log without ever writing them,
 * and closes silent connections. It reconnects with bounded exponential backoff while started, to
 * whatever address its provider names, and stops cleanly.
 */
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Connection } from "../../src/core/platform.ts";
import { CONNECT_TIMEOUT_MS, HaClient, OffsetReportDecoder, encodeTransferHeader } from "../../src/ha/index.ts";
import { fixtureBytes } from "../support/fixtures.ts";
import { spin, until } from "../support/memory-platform.ts";
import { HaWorld, fill, type Broker } from "./ha-world.ts";

let world: HaWorld;

afterEach(async () => {
  await world.close();
});

/** A master that only records reports and sends what the test tells it to. */
class FakeMaster {
  readonly sessions: Array<{ connection: Connection; reports: number[]; ended: boolean }> = [];

  static async listen(world: HaWorld, port = world.ha.haListenPort): Promise<FakeMaster> {
    const fake = new FakeMaster();
    const listener = await world.net.listen({ host: "127.0.0.1", port }, (connection) => fake.accept(connection));
    world.onClose(() => listener.close());
    return fake;
  }

  get last(): FakeMaster["sessions"][number] {
    return this.sessions[this.sessions.length - 1];
  }

  private accept(connection: Connection): void {
    const session = { connection, reports: [] as number[], ended: false };
    this.sessions.push(session);
    const decoder = new OffsetReportDecoder();
    void (async () => {
      try {
        for await (const chunk of connection.readable) session.reports.push(...decoder.push(chunk));
      } catch {
        // a reset from the slave: the session just ends
      }
      session.ended = true;
    })();
  }
}

function frame(offset: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  out.set(encodeTransferHeader(offset, body.length));
  out.set(body, 12);
  return out;
}

async function logFiles(broker: Broker): Promise<Map<string, Uint8Array>> {
  await broker.store.flushAll();
  const files = new Map<string, Uint8Array>();
  for (const name of await broker.fs.readdir(`/${broker.name}/commitlog`)) files.set(name, broker.fs.bytes(`/${broker.name}/commitlog/${name}`).slice());
  return files;
}

describe("HaClient (slave side)", () => {
  it("reports its max offset at once on connect, then after every heartbeat interval of quiet", async () => {
    world = new HaWorld();
    const fake = await FakeMaster.listen(world);
    const empty = await world.broker("empty");
    world.slave(empty);
    await until(() => fake.last?.reports.length === 1, "first report");
    assert.deepEqual(fake.last.reports, [0]);
    await world.clock.advance(4999);
    assert.equal(fake.last.reports.length, 1);
    await world.clock.advance(1);
    await until(() => fake.last.reports.length === 2, "heartbeat report");
    await world.clock.advance(5000);
    await until(() => fake.last.reports.length === 3, "second heartbeat report");
    assert.deepEqual(fake.last.reports, [0, 0, 0]);

    const other = await world.broker("other");
    const end = await fill(other.store, 7);
    world.slave(other);
    await until(() => fake.sessions.length === 2 && fake.last.reports.length === 1, "second slave's report");
    assert.deepEqual(fake.last.reports, [end]);
  });

  it("applies the bytes a Java 4.9.7 master sent, one byte per read, storing and acking only whole records", async () => {
    world = new HaWorld({ net: { chunkBytes: 1 } });
    const fake = await FakeMaster.listen(world);
    const slave = await world.broker("slave", { segmentSizeCommitLogBytes: 1024 * 1024 });
    const client = world.slave(slave);
    await until(() => fake.last?.reports.length === 1, "first report");
    const java = fixtureBytes("v4.9.7-ha-m2s-first4096.bin"); // [1048576][0], then [1048576][32768] + 4072 body bytes
    await fake.last.connection.write(java);
    await until(() => world.net.links[0].toClient.deliveredBytes === java.length, "all delivered");
    await spin();
    assert.equal(client.state.connected, true, "a heartbeat at a segment start is fine for an empty slave");
    assert.deepEqual([slave.store.stats().commitLogSegmentStarts.length, slave.store.offsets.maxOffset], [0, 0], "nothing applied yet");

    // The master dies mid-frame: nothing of the unfinished frame is stored, the slave asks again from 0.
    fake.last.connection.close();
    await until(() => !client.state.connected, "closed");
    assert.deepEqual([slave.store.stats().commitLogSegmentStarts.length, slave.store.offsets.maxOffset], [0, 0]);
    await world.clock.advance(100);
    await until(() => fake.sessions.length === 2 && fake.last.reports.length === 1, "reconnected");
    assert.deepEqual(fake.last.reports, [0]);

    // The same bytes as a frame of 4072: three whole 1226-byte records, and 394 bytes of a fourth.
    const body = java.subarray(24);
    await fake.last.connection.write(java.subarray(0, 12));
    await fake.last.connection.write(frame(1048576, body));
    const whole = 1048576 + 3 * 1226;
    await until(() => slave.store.offsets.maxOffset === whole, "whole records applied");
    await until(() => fake.last.reports.length === 2, "report after the frame");
    assert.deepEqual(fake.last.reports, [0, whole], "the ack ends on a record boundary, not mid-record");
    const segment = (await logFiles(slave)).get("00000000000001048576")!;
    assert.deepEqual(segment.subarray(0, 3 * 1226), body.subarray(0, 3 * 1226));
    assert.ok(segment.subarray(3 * 1226).every((b) => b === 0), "the unfinished record is not stored");
    assert.deepEqual([...slave.store.stats().commitLogSegmentStarts], [1048576]);

    // The capture's later bytes start at 1351398: they do not continue where this stream stands.
    await fake.last.connection.write(fixtureBytes("v4.9.7-ha-m2s-after-catchup.bin"));
    await until(() => world.logs.some((l) => l.includes(`master pushed offset 1351398, not equal to the slave's max offset ${1048576 + 4072}`)), "refused");
    assert.equal(client.state.connected, false);
    assert.equal(slave.store.offsets.maxOffset, whole);
    assert.deepEqual((await logFiles(slave)).get("00000000000001048576"), segment);
    await world.clock.advance(100);
    await until(() => fake.sessions.length === 3 && fake.last.reports.length === 1, "reconnected");
    assert.deepEqual(fake.last.reports, [whole], "the new first report re-synchronises the master");
  });

  it("refuses a data frame or a heartbeat that does not continue its log, and never writes it", async () => {
    world = new HaWorld();
    const fake = await FakeMaster.listen(world);
    const slave = await world.broker("slave");
    const end = await fill(slave.store, 12);
    const before = await logFiles(slave);
    const client = world.slave(slave);
    await until(() => fake.last?.reports.length === 1, "report");
    await fake.last.connection.write(frame(end - 100, new Uint8Array(100).fill(9))); // overlapping: diverged
    await until(() => !client.state.connected, "refused");
    await world.clock.advance(100);
    await until(() => fake.sessions.length === 2 && fake.last.reports.length === 1, "reconnected");
    await fake.last.connection.write(frame(end + 8, new Uint8Array(0))); // a heartbeat from elsewhere
    await until(() => fake.last.ended, "refused again");
    assert.deepEqual(await logFiles(slave), before);
    assert.equal(slave.store.offsets.maxOffset, end);
    assert.equal(world.logs.filter((l) => l.includes("not equal to the slave's max offset")).length, 2);
  });

  it("refuses a frame header that cannot be valid", async () => {
    world = new HaWorld();
    const fake = await FakeMaster.listen(world);
    const slave = await world.broker("slave");
    const client = world.slave(slave);
    await until(() => fake.last?.reports.length === 1, "report");
    const bad = new Uint8Array(12);
    new DataView(bad.buffer).setInt32(8, -5);
    await fake.last.connection.write(bad);
    await until(() => !client.state.connected, "closed");
    assert.match(client.state.lastError ?? "", /negative/);
    assert.equal(slave.store.offsets.maxOffset, 0);
  });

  it("closes a connection on which the master sent nothing for haHousekeepingIntervalMs", async () => {
    world = new HaWorld();
    const fake = await FakeMaster.listen(world);
    const slave = await world.broker("slave");
    const client = world.slave(slave);
    await until(() => fake.last?.reports.length === 1, "connected");
    await world.clock.advance(19_999);
    assert.equal(client.state.connected, true);
    await world.clock.advance(1);
    await until(() => !client.state.connected, "closed by housekeeping");
    assert.equal(client.state.lastError, "nothing read from the master for 20000 ms");
    assert.equal(fake.sessions[0].reports.length, 4, "it kept reporting every 5 s meanwhile");
  });

  it("on a link gone silent both ways, the master and the slave each close by housekeeping, then resync", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    const slave = await world.broker("slave");
    await fill(master.store, 20);
    const ha = await world.master(master);
    const client = world.slave(slave);
    await until(() => slave.store.offsets.maxOffset === master.store.offsets.maxOffset, "synced");
    const link = world.net.links[0];
    link.toClient.stall();
    link.toServer.stall();
    const end = await fill(master.store, 5);
    await world.clock.advance(19_999);
    assert.deepEqual([ha.connectionCount, client.state.connected], [1, true]);
    await world.clock.advance(1);
    await until(() => ha.connectionCount === 0 && !client.state.connected, "both closed");
    assert.ok(world.logs.some((l) => l.includes("nothing read from the slave for 20000 ms")));
    assert.ok(world.logs.some((l) => l.includes("nothing read from the master for 20000 ms")));
    await world.clock.advance(100);
    await until(() => slave.store.offsets.maxOffset === end, "resynced on a new connection");
  });

  it("a slave ahead of the master is refused over and over, and its log is never touched", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    const slave = await world.broker("slave");
    await fill(master.store, 5);
    const slaveEnd = await fill(slave.store, 9, 700, 99);
    const before = await logFiles(slave);
    const ha = await world.master(master);
    const client = world.slave(slave);
    await world.clock.advance(2000);
    await until(() => ha.refusedSlaves().length >= 4, "refused repeatedly");
    assert.match(ha.refusedSlaves()[0].reason, /greater than the master's max offset/);
    assert.equal(world.logs.filter((l) => l.includes("greater than the master's max offset")).length, 1, "the same refusal is logged once a minute");
    assert.equal(ha.push2SlaveMaxOffset, 0);
    assert.equal(client.state.maxOffset, slaveEnd);
    assert.deepEqual(await logFiles(slave), before);
  });

  it("reconnects with backoff doubling from 100 ms to 5 s, to the address its provider names", async () => {
    world = new HaWorld();
    const slave = await world.broker("slave");
    const times: number[] = [];
    let address: string | null = null;
    const client = world.slaveWith(slave, () => (times.push(world.clock.monotonicMs()), address));
    await until(() => times.length === 1, "first attempt");
    assert.equal(client.state.lastError, "no master HA address yet");
    address = "127.0.0.1:10999";
    await world.clock.advance(16_300);
    assert.deepEqual(times, [0, 100, 300, 700, 1500, 3100, 6300, 11300, 16300]);
    await until(() => client.state.lastError?.includes("ECONNREFUSED") === true, "refused");
    const fake = await FakeMaster.listen(world, 10999);
    await world.clock.advance(5000);
    await until(() => fake.last?.reports.length === 1, "connected once a master listens");
    assert.deepEqual(client.state.masterAddress, "127.0.0.1:10999");
    assert.equal(client.state.connected, true);
  });

  it("moves to a new master when its provider names one, and gives up a connect that hangs", async () => {
    world = new HaWorld();
    const first = await FakeMaster.listen(world);
    const second = await FakeMaster.listen(world, 10999);
    const slave = await world.broker("slave");
    let address = "127.0.0.1:10912";
    const client = world.slaveWith(slave, () => address);
    await until(() => first.last?.reports.length === 1, "connected to the first");
    address = "127.0.0.1:10999";
    await world.clock.advance(5000);
    await until(() => first.last.ended, "left the first");
    await world.clock.advance(100);
    await until(() => second.last?.reports.length === 1, "connected to the second");
    assert.ok(world.logs.some((l) => l.endsWith("closed: the master HA address changed to 127.0.0.1:10999")), world.logs.join("\n"));
    assert.equal(client.state.masterAddress, "127.0.0.1:10999");

    const hanging = new HaClient({
      net: { listen: () => new Promise(() => {}), connect: () => new Promise(() => {}) },
      clock: world.clock, replica: slave.store.replica, masterAddress: () => "127.0.0.1:1", options: world.ha,
    });
    hanging.start();
    await world.clock.advance(CONNECT_TIMEOUT_MS);
    await until(() => hanging.state.lastError !== null, "timed out");
    assert.match(hanging.state.lastError!, /HA_CONNECT_TIMEOUT/);
    await hanging.stop();
  });

  it("stop() closes the connection and ends reconnecting", async () => {
    world = new HaWorld();
    const fake = await FakeMaster.listen(world);
    const slave = await world.broker("slave");
    const client = world.slave(slave);
    await until(() => fake.last?.reports.length === 1, "connected");
    await client.stop();
    await until(() => fake.last.ended, "master saw the close");
    await world.clock.advance(60_000);
    assert.equal(fake.sessions.length, 1);
    assert.equal(client.state.connected, false);
  });
});
