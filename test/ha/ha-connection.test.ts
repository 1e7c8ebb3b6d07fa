/**
 * The master's side of one slave connection, driven by a hand-written slave: it waits for the first
 * report, then sends frames whose headers match hand-checked bytes (never across a segment end,
 * blank padding included, bodies equal to the log), heartbeats after quiet, and starts where the
 * Java master does in the captured 4.9.7 session. Reports follow the protocol's rules (the last of a
 * read wins, the first is the start), and bad reports, silence and back-pressure are handled.
 */
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { concatBytes as concat } from "../../src/core/bytes.ts";
import { fixtureBytes } from "../support/fixtures.ts";
import { spin, until } from "../support/memory-platform.ts";
import { HaWorld, RawSlave, SEGMENT_BYTES, fill, hex } from "./ha-world.ts";

let world: HaWorld;

afterEach(async () => {
  await world.close();
});

/** The master's commit-log bytes [0, end), read from its segment files. */
async function logBytes(world: HaWorld, broker: Awaited<ReturnType<HaWorld["broker"]>>, end: number): Promise<Uint8Array> {
  await broker.store.flushAll();
  const parts: Uint8Array[] = [];
  for (let start = 0; start < end; start += SEGMENT_BYTES) {
    const file = broker.fs.bytes(`/${broker.name}/commitlog/${String(start).padStart(20, "0")}`);
    parts.push(file.subarray(0, Math.min(SEGMENT_BYTES, end - start)));
  }
  return concat(parts);
}

describe("HaConnection (master side of one slave)", () => {
  it("sends nothing before the first report, then frames with hand-checked headers that never cross a segment end", async () => {
    world = new HaWorld({ ha: { haTransferBatchSize: 40000 } });
    const master = await world.broker("master");
    const end = await fill(master.store, 180); // ~150 KiB: 3 segments
    assert.ok(end > 2 * SEGMENT_BYTES && end < 3 * SEGMENT_BYTES);
    await world.master(master);
    const slave = await RawSlave.connect(world);
    await spin();
    assert.equal(slave.received.length, 0, "no byte before the first report");
    await slave.report(0);
    await until(() => slave.frames.reduce((n, f) => n + f.body.length, 0) === end, "whole log sent");
    const headers = slave.frames.map((f) => [f.offset, f.body.length]);
    assert.deepEqual(headers, [[0, 40000], [40000, 25536], [65536, 40000], [105536, 25536], [131072, end - 131072]]);
    // Hand-checked big-endian headers: [i64 offset][i32 size].
    const at = (i: number) => slave.frames.slice(0, i).reduce((n, f) => n + 12 + f.body.length, 0);
    assert.equal(hex(slave.received.subarray(at(0), at(0) + 12)), "0000000000000000" + "00009c40");
    assert.equal(hex(slave.received.subarray(at(1), at(1) + 12)), "0000000000009c40" + "000063c0");
    assert.equal(hex(slave.received.subarray(at(2), at(2) + 12)), "0000000000010000" + "00009c40");
    assert.equal(hex(slave.received.subarray(at(3), at(3) + 12)), "0000000000019c40" + "000063c0");
    // Round-trip twin: the bodies, end to end, are the log itself — blank records and padding included.
    assert.deepEqual(concat(slave.frames.map((f) => f.body)), await logBytes(world, master, end));
    assert.equal(slave.received.length, 5 * 12 + end);
  });

  it("starts like the captured Java 4.9.7 master: heartbeat at the last segment, then [1048576][32768]", async () => {
    // The capture's situation (fixtures README): 1 MiB segments, two of them, a new slave whose
    // first report (0) comes 5 s after connect, and 4.x's "start at the last segment" rule.
    world = new HaWorld({ ha: { sendFromFirstSegment: false } });
    const master = await world.broker("master", { segmentSizeCommitLogBytes: 1024 * 1024 });
    const end = await fill(master.store, 1200, 1024);
    assert.ok(end > 1048576 + 32768 && end < 2 * 1048576);
    await world.master(master);
    const slave = await RawSlave.connect(world);
    await world.clock.advance(5000);
    await slave.report(0);
    await until(() => slave.received.length >= 24 + 32768, "first data frame");
    const java = fixtureBytes("v4.9.7-ha-m2s-first4096.bin");
    assert.equal(hex(slave.received.subarray(0, 24)), hex(java.subarray(0, 24)));
    assert.equal(hex(slave.received.subarray(0, 24)), "0000000000100000" + "00000000" + "0000000000100000" + "00008000");
  });

  it("heartbeats [nextOffset][0] after an interval of quiet, and sends a new append at once", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    const end = await fill(master.store, 20);
    await world.master(master);
    const slave = await RawSlave.connect(world);
    await slave.report(0);
    await until(() => slave.frames.length === 1, "catch-up frame");
    await world.clock.advance(4999);
    assert.equal(slave.frames.length, 1, "no heartbeat before the interval");
    await world.clock.advance(1);
    await until(() => slave.frames.length === 2, "heartbeat");
    assert.deepEqual([slave.frames[1].offset, slave.frames[1].body.length], [end, 0]);
    assert.equal(hex(slave.received.subarray(slave.received.length - 12)), end.toString(16).padStart(16, "0") + "00000000");
    const newEnd = await fill(master.store, 1, 100);
    await until(() => slave.frames.length === 3, "live frame without any clock advance");
    assert.deepEqual([slave.frames[2].offset, slave.frames[2].body.length], [end, newEnd - end]);
    await world.clock.advance(4999);
    assert.equal(slave.frames.length, 3, "a data frame restarts the heartbeat interval");
    await world.clock.advance(1);
    await until(() => slave.frames.length === 4, "second heartbeat");
    assert.deepEqual([slave.frames[3].offset, slave.frames[3].body.length], [newEnd, 0]);
  });

  it("with haAsyncGatherMs and no send waiting (ASYNC_MASTER), gathers new bytes for that long or a frame's worth; a waiting send ships them at once", async () => {
    world = new HaWorld({ ha: { haAsyncGatherMs: 10, haTransferBatchSize: 4096 } });
    const master = await world.broker("master");
    const end = await fill(master.store, 4);
    const ha = await world.master(master);
    const slave = await RawSlave.connect(world);
    await slave.report(0);
    await until(() => slave.frames.length === 1, "catch-up frame: a slave behind is sent to at once");
    const sent = () => slave.frames.reduce((n, f) => n + f.body.length, 0);

    const second = await fill(master.store, 1, 100, 1);
    const third = await fill(master.store, 1, 100, 2);
    await spin();
    assert.equal(sent(), end, "new bytes wait while the slave has all the others");
    await world.clock.advance(9);
    await spin();
    assert.equal(sent(), end, "for up to 10 ms");
    await world.clock.advance(1);
    await until(() => sent() === third, "then go out together");
    assert.deepEqual(slave.frames.slice(1).map((f) => [f.offset, f.body.length]), [[end, third - end]], "one frame for both appends");
    assert.ok(second > end && second < third);

    const big = await fill(master.store, 8, 700, 3); // 8 appends of ~800 bytes: more than a frame's worth (4096)
    await until(() => sent() - third >= 4096, "a frame's worth goes out without waiting", 200_000);
    assert.ok(sent() < big, "the appends after it wait again");
    await world.clock.advance(10);
    await until(() => sent() === big, "for up to 10 ms");

    const urgent = await fill(master.store, 1, 100, 4);
    let status = "";
    void ha.waitForReplication(urgent, 3000).then((s) => (status = s));
    await until(() => sent() === urgent, "a send waiting for the slave ships the gathered bytes at once", 200_000);
    await slave.report(urgent);
    await until(() => status === "PUT_OK", "and is answered on the ack");
  });

  it("takes the first report as the start and every report as an ack; of one read the last report wins; an ack never goes back", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    const end = await fill(master.store, 30);
    const ha = await world.master(master);
    const slave = await RawSlave.connect(world);
    await slave.report(100, 200, end); // one write, one read: only `end` counts
    await until(() => ha.connections()[0]?.ackOffset === end, "ack");
    const connection = ha.connections()[0];
    assert.deepEqual([connection.requestOffset, connection.ackOffset, ha.push2SlaveMaxOffset], [end, end, end]);
    await spin();
    assert.equal(slave.received.length, 0, "nothing to send from the log's end");
    world.net.links[0].toServer.chunkBytes = 1; // later reports arrive one byte per read
    await slave.report(end);
    await spin();
    assert.equal(ha.connectionCount, 1, "the same ack again is fine");
    await slave.report(50);
    await until(() => ha.connectionCount === 0, "a lower ack closes the connection");
    assert.equal(connection.requestOffset, end, "only the first report is the start");
    assert.equal(connection.ackOffset, end, "the ack did not move back");
    assert.equal(ha.push2SlaveMaxOffset, end, "push2SlaveMaxOffset never goes down");
    assert.ok(world.logs.some((l) => l.includes(`slave offset 50 went backwards from ${end}`)), world.logs.join("\n"));
  });

  it("closes the connection on a report beyond the master's max offset, without moving the ack", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    const end = await fill(master.store, 10);
    const ha = await world.master(master);
    const slave = await RawSlave.connect(world);
    await slave.report(end);
    await until(() => ha.push2SlaveMaxOffset === end, "first ack");
    await slave.report(end + 1);
    await until(() => ha.connectionCount === 0 && slave.ended !== null, "connection closed");
    assert.equal(slave.ended, "ECONNRESET");
    assert.equal(ha.push2SlaveMaxOffset, end);
    assert.ok(world.logs.some((l) => l.includes(`offset ${end + 1} is greater than the master's max offset ${end}`)), world.logs.join("\n"));
  });

  it("closes the connection on bytes that cannot be a report", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    await fill(master.store, 3);
    const ha = await world.master(master);
    const slave = await RawSlave.connect(world);
    await slave.connection.write(new Uint8Array(8).fill(0xff)); // i64 -1
    await until(() => ha.connectionCount === 0, "connection closed");
    assert.equal(ha.push2SlaveMaxOffset, 0);
    assert.ok(world.logs.some((l) => l.includes("disconnected: refused report")), world.logs.join("\n"));
  });

  it("closes a connection that read nothing for haHousekeepingIntervalMs", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    await fill(master.store, 3);
    const ha = await world.master(master);
    const slave = await RawSlave.connect(world);
    await slave.report(0);
    await world.clock.advance(19_999);
    assert.equal(ha.connectionCount, 1);
    await slave.report(master.store.offsets.maxOffset); // any byte resets the idle clock
    await world.clock.advance(19_999);
    assert.equal(ha.connectionCount, 1);
    await world.clock.advance(1);
    await until(() => ha.connectionCount === 0 && slave.ended !== null, "closed by housekeeping");
    assert.ok(world.logs.some((l) => l.includes("nothing read from the slave for 20000 ms")));
  });

  it("waits on a slave that does not read (bounded buffers), then delivers every byte", async () => {
    world = new HaWorld({ net: { bufferBytes: 16 * 1024 } });
    const master = await world.broker("master");
    const end = await fill(master.store, 120);
    const ha = await world.master(master);
    const slave = await RawSlave.connect(world);
    const link = world.net.links[0];
    link.toClient.stall();
    await slave.report(0);
    await spin(50_000);
    assert.equal(link.toClient.buffered, 16 * 1024, "the buffer is full");
    // Writes are pipelined, but within one read-ahead (1 MiB) of bytes in flight.
    assert.ok(ha.connections()[0].nextTransferOffset <= 1 << 20, "no more than one read-ahead is handed to a stalled slave");
    link.toClient.resume();
    await until(() => slave.frames.reduce((n, f) => n + f.body.length, 0) === end, "everything after resume");
  });

  it("ships bytes that become shippable while a write waits, within one read-ahead (1 MiB) in flight", async () => {
    world = new HaWorld({ net: { bufferBytes: 16 * 1024 } });
    const master = await world.broker("master");
    const first = await fill(master.store, 40);
    const ha = await world.master(master);
    const slave = await RawSlave.connect(world);
    const link = world.net.links[0];
    link.toClient.stall();
    await slave.report(0);
    await until(() => ha.connections()[0].nextTransferOffset === first, "the first bytes handed to the connection");
    await spin(20_000);
    assert.equal(link.toClient.buffered, 16 * 1024, "the first write still waits for the slave to read");
    const second = await fill(master.store, 40, 700, 1);
    await until(() => ha.connections()[0].nextTransferOffset === second, "bytes appended later go out without waiting for that write");
    const end = await fill(master.store, 1600, 700, 2);
    await spin(50_000);
    const handed = ha.connections()[0].nextTransferOffset;
    assert.ok(handed > second && handed <= 1 << 20 && handed < end, `at most one read-ahead in flight to a stalled slave (handed ${handed} of ${end})`);
    link.toClient.resume();
    await until(() => slave.frames.reduce((n, f) => n + f.body.length, 0) === end, "everything after resume");
    assert.deepEqual(concat(slave.frames.map((f) => f.body)), await logBytes(world, master, end), "the frames carry the log, in order");
  });
});
