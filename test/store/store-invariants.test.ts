/**
 * The store's invariants hold and its waiting SYNC_FLUSH sends are capped: with `verifyRecords`
 * every appended record reads back with the offsets it was given (and a record that does not trips
 * an assertion); a flush that races a truncation never leaves the flushed offset beyond the written
 * one; a send beyond `syncFlushRequestsMax` waiting ones is answered FLUSH_DISK_TIMEOUT at once.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { utf8Encode } from "../../src/core/bytes.ts";
import { CheckpointFile } from "../../src/store/checkpoint-file.ts";
import { CommitLog } from "../../src/store/commit-log.ts";
import { ConsumeQueueTable } from "../../src/store/consume-queue-table.ts";
import { Dispatcher } from "../../src/store/dispatcher.ts";
import { FlushService, type FlushStatus } from "../../src/store/flush-service.ts";
import { prepareInputs } from "../../src/store/message-input.ts";
import { SegmentedLog } from "../../src/store/segmented-log.ts";
import { defaultStoreOptions } from "../../src/store/store-options.ts";
import { spin, until } from "../support/memory-platform.ts";
import { message } from "../support/store.ts";

const SEGMENT_BYTES = 4096;

async function commitLog(fs: MemoryFileSystem, clock: ManualClock, verifyRecords: boolean): Promise<CommitLog> {
  const log = await SegmentedLog.open({ fs, dir: "/store/commitlog", segmentSizeBytes: SEGMENT_BYTES });
  return new CommitLog({ log, clock, maxMessageSizeBytes: 1024, verifyRecords });
}

function records(count: number, body = "x".repeat(200)) {
  const inputs = Array.from({ length: count }, (_, i) => message("TopicTest", `${i}:${body}`));
  return prepareInputs(inputs, defaultStoreOptions("/store"));
}

describe("commit log: record written = record read back", () => {
  it("appends single records and batches across segment ends, each verified on read-back", async () => {
    const clock = new ManualClock();
    const log = await commitLog(new MemoryFileSystem(), clock, true);
    let end = 0;
    for (let i = 0; i < 40; i++) {
      const result = await log.append(records(i % 3 === 0 ? 3 : 1));
      assert.ok(result.records[0].physicalOffset >= end, "each append starts at or after the previous end");
      end = result.endOffset;
    }
    assert.equal(log.maxOffset, end);
    assert.ok(log.log.segmentStarts.length > 2, "the appends crossed segment ends");
    assert.equal(log.nextQueueOffset("TopicTest", 0), 14 * 3 + 26);
  });

  it("a record that reads back with other offsets trips the assertion", async () => {
    const log = await commitLog(new MemoryFileSystem(), new ManualClock(), true);
    await log.append(records(1));
    const read = log.log.read.bind(log.log);
    log.log.read = async (offset: number, length: number) => {
      const bytes = new Uint8Array(await read(offset, length));
      bytes[27] ^= 1; // the low byte of QUEUEOFFSET
      return bytes;
    };
    await assert.rejects(log.append(records(1)), /assertion failed: the record appended at \d+ reads back with other offsets/);
  });
});

describe("segmented log: a flush racing a truncation", () => {
  it("keeps flushedOffset <= writtenOffset when the truncation ends during the flush's fsync", async () => {
    const fs = new MemoryFileSystem();
    const log = await SegmentedLog.open({ fs, dir: "/log", segmentSizeBytes: SEGMENT_BYTES });
    log.append(utf8Encode("a".repeat(100)));
    await log.waitWritten(100);
    const syncs = fs.hold("sync", "/log/");
    const truncation = log.truncateTo(40); // parks at its own fsync, after waiting for idle
    await until(() => syncs.waiting === 1, "the truncation's fsync is parked");
    const flush = log.flush(); // starts while the truncation runs: fsyncs for [0, 100)
    await until(() => syncs.waiting === 2, "the flush's fsync is parked");
    syncs.step(); // the truncation finishes: written = max = 40
    await truncation;
    assert.equal(log.writtenOffset, 40);
    syncs.release(); // the flush's fsync returns
    const flushed = await flush;
    assert.ok(flushed <= log.writtenOffset, `flushed ${flushed} <= written ${log.writtenOffset}`);
    assert.ok(log.flushedOffset <= log.writtenOffset, `flushedOffset ${log.flushedOffset} <= writtenOffset ${log.writtenOffset}`);
    assert.equal(await log.flush(), 40, "the next flush covers the truncated log");
  });
});

describe("flush service: waiting SYNC_FLUSH sends are capped", () => {
  it("answers FLUSH_DISK_TIMEOUT at once beyond syncFlushRequestsMax, and PUT_OK to the waiting ones once the fsync returns", async () => {
    const fs = new MemoryFileSystem();
    const clock = new ManualClock();
    const commit = await commitLog(fs, clock, false);
    const queues = new ConsumeQueueTable(fs, "/store/consumequeue", 100 * 20);
    const dispatcher = new Dispatcher({ commitLog: commit, queues, delayLevelsMs: [1000], onProblem: () => {} });
    const checkpoint = await CheckpointFile.open(fs, "/store/checkpoint");
    const flush = new FlushService({
      clock, commitLog: commit, queues, dispatcher, checkpoint,
      flushDiskType: "SYNC_FLUSH", flushIntervalMs: 500, flushConsumeQueueIntervalMs: 1000, syncFlushTimeoutMs: 5000,
      syncFlushRequestsMax: 2, onProblem: () => {},
    });
    const syncs = fs.hold("sync", "/store/commitlog/");
    const statuses: Array<FlushStatus | "pending"> = ["pending", "pending", "pending"];
    for (let i = 0; i < 3; i++) {
      const { endOffset } = await commit.append(records(1));
      void flush.awaitDurable(endOffset).then((status) => (statuses[i] = status));
      await spin(200);
    }
    await until(() => statuses[2] !== "pending", "the third send is answered");
    assert.deepEqual(statuses, ["pending", "pending", "FLUSH_DISK_TIMEOUT"], "the third is answered at once, without time passing");
    assert.equal(flush.syncRequests, 2);
    syncs.release();
    await until(() => statuses[1] !== "pending", "the waiting sends are answered");
    assert.deepEqual(statuses, ["PUT_OK", "PUT_OK", "FLUSH_DISK_TIMEOUT"]);
    assert.equal(flush.syncRequests, 0);
  });
});
