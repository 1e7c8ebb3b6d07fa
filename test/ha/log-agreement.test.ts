/**
 * A slave is a prefix of its master or it is refused: the master ships only the bytes it keeps
 * (written under ASYNC_FLUSH, fsync'd under SYNC_FLUSH), refuses a first report that is no record
 * boundary of its log, and a Skiff slave compares its last bytes with its master's before every
 * connect. After a power loss of the master, the slave that was left ahead never follows silently;
 * the operator's truncation brings it back to the common prefix, and it follows again.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { memorySystem } from "../../adapters/memory/system.ts";
import type { FileHandle, OpenOptions } from "../../src/core/platform.ts";
import { HaClient, checkAgreement, findCommonPrefix, type MasterLogProbe } from "../../src/ha/index.ts";
import { MessageStore } from "../../src/store/message-store.ts";
import { defaultStoreOptions, type StoreOptions } from "../../src/store/store-options.ts";
import { message } from "../support/store.ts";
import { until } from "../support/memory-platform.ts";
import { HaWorld, RawSlave, SEGMENT_BYTES, bytesEqual, fill, type Broker } from "./ha-world.ts";
import { lineLogger } from "../support/log.ts";

let world: HaWorld;
afterEach(async () => {
  await world.close();
});

/** A memory file system whose commit-log writes or fsyncs can be held back. */
class GatedFileSystem extends MemoryFileSystem {
  holdWrites = false;
  holdSyncs = false;
  private release: Array<() => void> = [];

  override async open(path: string, options?: OpenOptions): Promise<FileHandle> {
    const handle = await super.open(path, options);
    if (!path.includes("/commitlog/")) return handle;
    const gate = async (held: () => boolean) => {
      while (held()) await new Promise<void>((resolve) => this.release.push(resolve));
    };
    return {
      read: (target, position) => handle.read(target, position),
      readNow: (target, position) => handle.readNow(target, position),
      write: async (source, position) => (await gate(() => this.holdWrites), handle.write(source, position)),
      writeNow: (source, position) => handle.writeNow(source, position),
      sync: async () => (await gate(() => this.holdSyncs), handle.sync()),
      truncate: (size) => handle.truncate(size),
      size: () => handle.size(),
      close: () => handle.close(),
    };
  }

  open_gates(): void {
    this.holdWrites = this.holdSyncs = false;
    for (const resolve of this.release.splice(0)) resolve();
  }
}

/** The probe a Skiff slave gets over HTTP, here straight from the master's replication source. */
function probeOf(master: () => MessageStore): MasterLogProbe {
  return {
    async read(offset, length) {
      const source = master().replicationSource;
      if (offset < source.minOffset || offset + length > source.shippableOffset) {
        return { held: false, minOffset: source.minOffset, shippableOffset: source.shippableOffset };
      }
      return { held: true, bytes: new Uint8Array(await source.read(offset, length)) };
    },
  };
}

async function openStore(name: string, fs: MemoryFileSystem, overrides: Partial<StoreOptions> = {}): Promise<MessageStore> {
  const options = defaultStoreOptions(`/${name}`, {
    segmentSizeCommitLogBytes: SEGMENT_BYTES,
    segmentSizeConsumeQueueBytes: 100 * 20,
    maxHashSlotNum: 1024, // the memory file system holds whole files: small index files
    maxIndexNum: 4096,
    flushIntervalCommitLogMs: 3_600_000, // nothing is fsync'd unless a test says so
    log: lineLogger((line) => world.logs.push(`${name} store: ${line}`)),
    ...overrides,
  });
  return MessageStore.open({ fs, clock: world.clock, system: memorySystem() }, options);
}

/** Appends `count` records of one size without waiting for the flush policy. */
async function appendSameSize(store: MessageStore, count: number, seed: number): Promise<number> {
  let end = store.offsets.maxOffset;
  for (let i = 0; i < count; i++) {
    const appended = await store.append([message("TopicA", new Uint8Array(500).fill((seed + i) & 0xff), { queueId: 0 })]);
    void appended.durable;
    end = appended.endOffset;
  }
  return end;
}

describe("replication never runs ahead of what the master keeps", () => {
  it("ASYNC_FLUSH: a slave receives only bytes the master has handed to its OS", async () => {
    world = new HaWorld();
    const fs = new GatedFileSystem();
    const master: Broker = await world.broker("master", {}, fs);
    const written = await fill(master.store, 20);
    const ha = await world.master(master);
    const slave = await world.broker("slave");
    world.slave(slave);
    await until(() => slave.store.offsets.maxOffset === written, "caught up with what is written");

    fs.holdWrites = true;
    const appendedEnd = await appendSameSize(master.store, 30, 7);
    for (let i = 0; i < 50; i++) await world.clock.advance(100);
    assert.equal(master.store.offsets.writtenOffset, written, "the writer is held back");
    assert.equal(slave.store.offsets.maxOffset, written, "nothing beyond the written offset was shipped");
    assert.ok(ha.push2SlaveMaxOffset <= written);

    fs.open_gates();
    await until(() => slave.store.offsets.maxOffset === appendedEnd, "the rest follows once written");
    await until(() => ha.push2SlaveMaxOffset === appendedEnd, "and is acked");
  });

  it("SYNC_FLUSH: a slave receives only bytes the master has fsync'd", async () => {
    world = new HaWorld();
    const fs = new GatedFileSystem();
    const master: Broker = await world.broker("master", { flushDiskType: "SYNC_FLUSH" }, fs);
    const flushed = await fill(master.store, 10);
    await world.master(master);
    const slave = await world.broker("slave");
    world.slave(slave);
    await until(() => slave.store.offsets.maxOffset === flushed, "caught up with what is flushed");

    fs.holdSyncs = true;
    const appendedEnd = await appendSameSize(master.store, 10, 3);
    await until(() => master.store.offsets.writtenOffset === appendedEnd, "written, not yet fsync'd");
    for (let i = 0; i < 50; i++) await world.clock.advance(100);
    assert.equal(master.store.offsets.flushedOffset, flushed);
    assert.equal(slave.store.offsets.maxOffset, flushed, "written but unsynced bytes stay on the master");

    fs.open_gates();
    await until(() => slave.store.offsets.maxOffset === appendedEnd, "shipped once fsync'd");
  });
});

describe("a master refuses a slave whose log does not continue its own", () => {
  it("refuses a first report in the middle of a record, with the reason in its log and status", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    const end = await fill(master.store, 10);
    const ha = await world.master(master);
    const recordSize = end / 10;

    const liar = await RawSlave.connect(world);
    await liar.report(recordSize * 3 + 17);
    await until(() => ha.connectionCount === 0 && liar.ended !== null, "refused");
    assert.equal(liar.frames.length, 0, "not one byte of the log was sent");
    assert.match(ha.refusedSlaves()[0].reason, new RegExp(`slave offset ${recordSize * 3 + 17} is not a record boundary`));
    assert.ok(world.logs.some((l) => l.includes("not a record boundary")), world.logs.join("\n"));
    assert.equal(ha.push2SlaveMaxOffset, 0);

    const honest = await RawSlave.connect(world);
    await honest.report(recordSize * 3);
    await until(() => honest.frames.some((f) => f.body.byteLength > 0), "a record start is followed");
    assert.equal(honest.frames.find((f) => f.body.byteLength > 0)?.offset, recordSize * 3);
  });

  it("refuses an ack beyond the bytes sent on the connection (a fake slave cannot ack what it never got)", async () => {
    world = new HaWorld();
    const fs = new GatedFileSystem();
    const master: Broker = await world.broker("master", {}, fs);
    const end = await fill(master.store, 10);
    const ha = await world.master(master);
    const slave = await RawSlave.connect(world);
    await slave.report(end); // at the end: nothing to send
    await until(() => ha.push2SlaveMaxOffset === end, "first report");
    fs.holdWrites = true;
    const appendedEnd = await appendSameSize(master.store, 1, 9); // appended, not shippable
    await slave.report(appendedEnd);
    await until(() => ha.connectionCount === 0, "refused");
    assert.equal(ha.push2SlaveMaxOffset, end, "the fake ack counted for nothing");
    assert.match(ha.refusedSlaves()[0].reason, new RegExp(`slave acked offset ${appendedEnd}, beyond the ${end} sent to it`));
    fs.open_gates();
  });
});

describe("a Skiff slave compares its log with its master's before every connect", () => {
  it("after a power loss of its master it refuses to follow, even where the master's boundary check passes; truncation brings it back", async () => {
    world = new HaWorld({ ha: { haSendHeartbeatIntervalMs: 1000 } });
    let masterFs = new MemoryFileSystem();
    let masterStore = await openStore("master", masterFs);
    await appendSameSize(masterStore, 40, 1);
    await masterStore.flushAll();
    const durableEnd = masterStore.offsets.flushedOffset;
    let ha = await world.master({ name: "master", fs: masterFs, store: masterStore });

    const slave = await world.broker("slave");
    const probe = probeOf(() => masterStore);
    const client = new HaClient({ net: world.net, clock: world.clock, replica: slave.store.replica, masterAddress: () => `127.0.0.1:${world.ha.haListenPort}`, options: world.ha, probe });
    world.onClose(() => client.stop());
    client.start();
    const aheadEnd = await appendSameSize(masterStore, 25, 100); // written, never fsync'd
    await until(() => slave.store.offsets.maxOffset === aheadEnd, "the slave holds the unsynced tail");
    await slave.store.flushAll();

    // The master's machine loses power: its process is gone, its disk keeps what fsync made durable.
    await ha.close();
    masterFs = masterFs.afterPowerLoss();
    await world.clock.advance(5000); // time passes: new records get new timestamps
    masterStore = await openStore("master", masterFs);
    world.onClose(() => masterStore.close());
    assert.equal(masterStore.offsets.maxOffset, durableEnd, "the master recovered its durable prefix");
    ha = await world.master({ name: "master", fs: masterFs, store: masterStore });
    for (let i = 0; i < 20 && client.state.divergence === null; i++) await world.clock.advance(1000);
    assert.ok(client.state.divergence, "the slave sees the master lost bytes it holds");
    assert.match(client.state.divergence!.reason, new RegExp(`master's log ends at ${durableEnd}, before this slave's end ${aheadEnd}`));

    const newEnd = await appendSameSize(masterStore, 40, 200); // records of the same size: boundaries line up again
    assert.ok(newEnd > aheadEnd);
    assert.equal(await masterStore.replicationSource.recordBoundary(aheadEnd), true, "the classic protocol alone would follow this slave");
    for (let i = 0; i < 20; i++) await world.clock.advance(1000);
    assert.match(client.state.divergence!.reason, /differs from the master's/);
    assert.equal(ha.connectionCount, 0, "the slave never connected");
    assert.equal(slave.store.offsets.maxOffset, aheadEnd, "its log is left as it was");
    assert.ok(world.logs.some((l) => l.includes("HA refusing to follow master")), world.logs.join("\n"));
    assert.equal((await checkAgreement(slave.store.replica, probe)).kind, "diverged");

    // The operator's recovery: truncate to the common prefix, then follow.
    await client.stop();
    const prefix = await findCommonPrefix(slave.store.replica, probe);
    assert.equal(prefix, durableEnd, "the common prefix is what the master kept");
    assert.equal(await slave.store.replica.truncate(prefix!), aheadEnd - durableEnd);
    const again = new HaClient({ net: world.net, clock: world.clock, replica: slave.store.replica, masterAddress: () => `127.0.0.1:${world.ha.haListenPort}`, options: world.ha, probe });
    world.onClose(() => again.stop());
    again.start();
    await until(() => slave.store.offsets.maxOffset === newEnd, "follows the master again");
    assert.equal(again.state.divergence, null);
    await masterStore.flushAll();
    await slave.store.flushAll();
    const segment = "00000000000000000000";
    assert.ok(bytesEqual(slave.fs.bytes(`/slave/commitlog/${segment}`), masterFs.bytes(`/master/commitlog/${segment}`)), "byte-identical again");
  });

  it("a slave that is a true prefix agrees and connects; a RocketMQ master (no probe answer) is followed on its own checks", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    await fill(master.store, 10);
    await world.master(master);
    const slave = await world.broker("slave");
    assert.equal((await checkAgreement(slave.store.replica, probeOf(() => master.store))).kind, "agree", "an empty log agrees");
    const unknown: MasterLogProbe = { read: async () => null };
    const client = new HaClient({ net: world.net, clock: world.clock, replica: slave.store.replica, masterAddress: () => `127.0.0.1:${world.ha.haListenPort}`, options: world.ha, probe: unknown });
    world.onClose(() => client.stop());
    client.start();
    await until(() => slave.store.offsets.maxOffset === master.store.offsets.maxOffset, "followed");
    assert.equal((await checkAgreement(slave.store.replica, probeOf(() => master.store))).kind, "agree", "a true prefix agrees");
    await client.stop();
    client.start(); // a reconnect with data: the master is asked, and cannot answer
    await until(() => world.logs.some((l) => l.includes("relying on the master's checks")), "said once");
    await fill(master.store, 2);
    await until(() => slave.store.offsets.maxOffset === master.store.offsets.maxOffset, "still followed");
  });
});
