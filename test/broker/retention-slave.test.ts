/**
 * A master and a slave broker on one in-memory network and clock, each keeping its own retention
 * by the same rules: a slave with fileReservedTime=0 deletes its own old segments (and moves its
 * queues' min offsets) while its master keeps everything, and goes on replicating afterwards; a
 * master that deletes leaves its slave's files alone. The first pass comes cleanResourceInitialDelay
 * after start and the broker schedules it on both roles. Above diskSpaceWarningLevelRatio the
 * master's sends are refused (HTTP 503 STORE_DISK_FULL, remoting 14 SERVICE_NOT_AVAILABLE).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, settle } from "../../adapters/memory/clock.ts";
import { MemoryNetwork } from "../../adapters/memory/net.ts";
import { createMemoryPlatform } from "../../adapters/memory/platform.ts";
import { errorAnswer } from "../../src/processors/error-answers.ts";
import { ResponseCode } from "../../src/remoting/codes.ts";
import { memoryBroker } from "../support/broker.ts";
import { ALL_HOURS } from "../support/retention.ts";

const SMALL = { mappedFileSizeCommitLog: 4096, mappedFileSizeConsumeQueue: 400, deleteCommitLogFilesInterval: 0, deleteConsumeQueueFilesInterval: 0 };
const DELETES_EVERYTHING_OLD = { fileReservedTime: 0, deleteWhen: ALL_HOURS };

async function pair(masterValues: Record<string, string | number | boolean>, slaveValues: Record<string, string | number | boolean>) {
  const clock = new ManualClock();
  const net = new MemoryNetwork();
  const masterMemory = createMemoryPlatform({ clock, net });
  const slaveMemory = createMemoryPlatform({ clock, net });
  const master = await memoryBroker({ brokerRole: "ASYNC_MASTER", ...SMALL, ...masterValues }, masterMemory);
  const slave = await memoryBroker({
    brokerRole: "SLAVE", brokerId: 1, listenPort: 11911, haMasterAddress: "127.0.0.1:10912", ...SMALL, ...slaveValues,
  }, slaveMemory, masterMemory.fetch);
  await clock.advance(10); // the slave connects and reports
  const caughtUp = async () => {
    // An ASYNC_MASTER ships the bytes it gathered after haAsyncGatherMs (10 ms): the clock moves on while the slave is behind.
    for (let i = 0; i < 500 && slave.broker.store.offsets.maxOffset < master.broker.store.offsets.maxOffset; i++) {
      await settle();
      if (slave.broker.store.offsets.maxOffset < master.broker.store.offsets.maxOffset) await clock.advance(10);
    }
    await slave.broker.store.waitDispatched(slave.broker.store.offsets.maxOffset);
  };
  const sendMany = async (count: number, from = 0) => {
    for (let i = from; i < from + count; i++) assert.equal((await master.send("Rep", { body: `m-${i}-`.padEnd(900, "x"), queueId: 0 })).status, 200);
    await caughtUp();
  };
  /** Lets simulated time pass in steps, so passes and flushes run on both brokers. */
  const elapse = async (ms: number) => {
    for (let done = 0; done < ms; done += 500) {
      await clock.advance(500);
      await settle(200);
    }
  };
  const stop = async () => {
    await slave.broker.stop();
    await master.broker.stop();
  };
  return { clock, master, slave, masterMemory, slaveMemory, sendMany, caughtUp, elapse, stop };
}

describe("retention on a master and its slave", () => {
  it("a slave deletes its own old segments by its own rules, its master keeps them, and replication goes on", async () => {
    const t = await pair({}, DELETES_EVERYTHING_OLD);
    await t.sendMany(40);
    const masterStore = t.master.broker.store;
    const slaveStore = t.slave.broker.store;
    assert.equal(slaveStore.offsets.maxOffset, masterStore.offsets.maxOffset);
    await t.elapse(50_000);
    assert.equal(slaveStore.offsets.minOffset, 0, "nothing before the first pass (cleanResourceInitialDelay 60 s)");
    await t.elapse(25_000); // passes at 60 s and 70 s (at most deleteFileBatchMax 10 segments each)
    assert.equal(slaveStore.stats().commitLogSegmentStarts.length, 1, "the slave kept only the segment it writes");
    assert.ok(slaveStore.minOffsetInQueue("Rep", 0) > 0);
    assert.equal(masterStore.offsets.minOffset, 0, "the master keeps its 72 hours");
    assert.equal(masterStore.minOffsetInQueue("Rep", 0), 0);
    assert.ok(t.slave.logs.some((line) => line.startsWith("retention: deleted commit-log segment /store/commitlog/00000000000000000000")));

    await t.sendMany(20, 40);
    assert.equal(slaveStore.offsets.maxOffset, masterStore.offsets.maxOffset, "the slave still follows");
    assert.equal(slaveStore.maxOffsetInQueue("Rep", 0), 60);
    const tail = masterStore.offsets.maxOffset - 64;
    assert.deepEqual(await slaveStore.readCommitLog(tail, 64), await masterStore.readCommitLog(tail, 64));
    await t.elapse(10_000);
    assert.equal(slaveStore.stats().commitLogSegmentStarts.length, 1);
    assert.ok((await t.slave.json("/ha/status")).body.connectedToMaster);
    await t.stop();
  });

  it("a master that deletes leaves its slave's copies alone", async () => {
    const t = await pair(DELETES_EVERYTHING_OLD, {});
    await t.sendMany(40);
    await t.elapse(75_000);
    assert.equal(t.master.broker.store.stats().commitLogSegmentStarts.length, 1);
    assert.ok(t.master.broker.store.minOffsetInQueue("Rep", 0) > 0);
    assert.equal(t.slave.broker.store.offsets.minOffset, 0);
    assert.equal(t.slave.broker.store.minOffsetInQueue("Rep", 0), 0);
    const old = await t.master.json("/topics/Rep/queues/0/messages?offset=0");
    assert.deepEqual([old.body.status, old.body.nextBeginOffset], ["OFFSET_TOO_SMALL", t.master.broker.store.minOffsetInQueue("Rep", 0)]);
    await t.stop();
  });
});

describe("a broker above diskSpaceWarningLevelRatio", () => {
  it("refuses sends (HTTP 503 STORE_DISK_FULL, remoting 14) and reports it, until usage is back down", async () => {
    const memory = createMemoryPlatform();
    // cleanFileForciblyEnable=false: retention may not free the space itself (young segments), so the refusal lasts until the test frees it.
    const broker = await memoryBroker({ ...SMALL, cleanResourceInitialDelay: 0, cleanResourceInterval: 1000, fileReservedTime: 72, cleanFileForciblyEnable: false }, memory);
    for (let i = 0; i < 8; i++) assert.equal((await broker.send("Full", { body: `m-${i}-`.padEnd(900, "x") })).status, 200);
    await broker.broker.store.flushAll();
    memory.fs.limitSpace(Math.ceil(memory.fs.usedBytes / 0.95));
    await memory.clock.advance(1000);
    await settle(500);
    const refused = await broker.send("Full", { body: "no room" });
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error.code, "STORE_DISK_FULL");
    assert.match(refused.body.error.message, /above diskSpaceWarningLevelRatio 90\.0%: new messages are refused/);
    const answer = errorAnswer(broker.broker.store.sendRefusal!);
    assert.equal(answer.code, ResponseCode.SERVICE_NOT_AVAILABLE);
    assert.equal((await broker.json("/health")).body.status, "DEGRADED");
    assert.equal((await broker.request("/readyz")).status, 503);

    memory.fs.limitSpace(null);
    await memory.clock.advance(1000);
    await settle(500);
    assert.equal((await broker.send("Full", { body: "room again" })).status, 200);
    assert.equal((await broker.json("/health")).body.status, "UP");
    await broker.broker.stop();
  });
});
