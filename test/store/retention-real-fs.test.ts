/**
 * Retention on the runtime's real file system (Bun, Deno or Node adapter), with real time: 4 KiB
 * segments, `fileReservedTime=0`, deletion at every hour of the day, a pass every 100 ms. While a
 * producer keeps writing hundreds of segments, the store's files on disk stay within what a pass
 * interval and a flush interval accumulate (measured with the OS's own sizes), and at the end every
 * message each queue still holds is served intact, the older ones answered OFFSET_TOO_SMALL.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { utf8Decode } from "../../src/core/bytes.ts";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { MessageStore } from "../../src/store/message-store.ts";
import { DEFAULT_RETENTION_SETTINGS } from "../../src/store/retention-settings.ts";
import { defaultStoreOptions } from "../../src/store/store-options.ts";
import { platform, removeDir, tempDir } from "../support/platform.ts";
import { ALL_HOURS, SEGMENT_BYTES } from "../support/retention.ts";
import { message } from "../support/store.ts";

const QUEUES = 4;
const SEGMENTS_WANTED = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Files under `dir` (recursively) and their bytes, as the OS reports them. Retention runs while this
 * walks, so a file (or directory) listed and deleted before its stat counts as gone.
 */
function onDisk(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of listOrNothing(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = onDisk(path);
      files += inner.files;
      bytes += inner.bytes;
    } else {
      const size = statSync(path, { throwIfNoEntry: false })?.size;
      if (size === undefined) continue;
      files++;
      bytes += size;
    }
  }
  return { files, bytes };
}

function listOrNothing(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

describe(`retention on the real file system (${platform.system.runtime})`, () => {
  let dir = "";
  before(async () => {
    dir = await tempDir("retention");
  });
  after(() => removeDir(dir));

  it("keeps disk use within the window while messages flow, and serves every message still held", async () => {
    const options = defaultStoreOptions(dir, {
      segmentSizeCommitLogBytes: SEGMENT_BYTES, segmentSizeConsumeQueueBytes: 20 * 20, maxHashSlotNum: 64, maxIndexNum: 256,
      flushIntervalCommitLogMs: 50, flushIntervalConsumeQueueMs: 50,
    });
    const store = await MessageStore.open(platform, options);
    const settings = { ...DEFAULT_RETENTION_SETTINGS, fileReservedTimeHours: 0, deleteWhen: ALL_HOURS, deleteFileBatchMax: 50, deleteCommitLogFilesIntervalMs: 0, deleteConsumeQueueFilesIntervalMs: 0 };
    store.startRetention(() => settings, { intervalMs: 100, initialDelayMs: 0 });

    const bodies = Array.from({ length: QUEUES }, () => new Map<number, string>());
    let producing = true;
    let sent = 0;
    const producer = (async () => {
      while (producing) {
        for (let i = 0; i < 4; i++, sent++) {
          const queueId = sent % QUEUES;
          const body = `m-${sent}-`.padEnd(600 + (sent % 400), "x");
          const put = await store.put([message("Flow", body, { queueId, properties: new Map([["KEYS", `k-${sent}`]]) })]);
          bodies[queueId].set(put.records[0].queueOffset, body);
        }
        await sleep(5);
      }
    })();

    let most = { segments: 0, bytes: 0, files: 0 };
    const deadline = Date.now() + 60_000;
    while (store.offsets.maxOffset < SEGMENTS_WANTED * SEGMENT_BYTES) {
      assert.ok(Date.now() < deadline, `only ${store.offsets.maxOffset / SEGMENT_BYTES} segments written in 60 s`);
      await sleep(20);
      const disk = onDisk(dir);
      most = { segments: Math.max(most.segments, store.stats().commitLogSegmentStarts.length), bytes: Math.max(most.bytes, disk.bytes), files: Math.max(most.files, disk.files) };
      // Pruning what the test remembers (it would otherwise be the one thing that grows).
      for (let q = 0; q < QUEUES; q++) for (const offset of bodies[q].keys()) if (offset < store.minOffsetInQueue("Flow", q)) bodies[q].delete(offset);
    }
    producing = false;
    await producer;
    const written = store.offsets.maxOffset / SEGMENT_BYTES;
    const deleted = store.offsets.minOffset / SEGMENT_BYTES;
    console.log(`real fs (${platform.system.runtime}): ${sent} messages, ${Math.floor(written)} segments written, ${deleted} deleted; at most ${most.segments} segments, ${most.files} files, ${most.bytes} bytes on disk`);
    assert.ok(deleted >= SEGMENTS_WANTED / 2, `${deleted} segments deleted while writing`);
    assert.ok(most.segments <= 80, `at most ${most.segments} segments held at once, of ${Math.floor(written)}`);
    // Segments, consume-queue files (400 B) and index files (5.4 KB, sparse) of what a few passes accumulate.
    assert.ok(most.bytes <= 80 * SEGMENT_BYTES + 300 * 400 + 40 * 5416, `at most ${most.bytes} bytes on disk`);

    await store.flushAll();
    await store.waitDispatched(store.offsets.maxOffset);
    for (let q = 0; q < QUEUES; q++) {
      const min = store.minOffsetInQueue("Flow", q);
      const max = store.maxOffsetInQueue("Flow", q);
      assert.ok(min > 0 && max > min, `queue ${q}: [${min}, ${max})`);
      const tooSmall = await store.get({ topic: "Flow", queueId: q, offset: 0, maxMsgNums: 32 });
      assert.deepEqual([tooSmall.status, tooSmall.nextBeginOffset], ["OFFSET_TOO_SMALL", min]);
      let served = 0;
      for (let offset = min; offset < max;) {
        const got = await store.get({ topic: "Flow", queueId: q, offset, maxMsgNums: 32 });
        if (got.status !== "FOUND") {
          // Retention may still run: only the oldest messages may go meanwhile, never one in the middle.
          assert.ok(offset < store.minOffsetInQueue("Flow", q) || got.status === "MESSAGE_WAS_REMOVING", `queue ${q}@${offset}: ${got.status}`);
          offset = Math.max(got.nextBeginOffset, store.minOffsetInQueue("Flow", q));
          continue;
        }
        for (const m of got.messages) {
          const record = decodeMessageRecord(m.bytes, 0, { readBody: true });
          assert.equal(record.kind === "message" ? utf8Decode(record.body!) : "", bodies[q].get(m.queueOffset), `queue ${q}@${m.queueOffset}`);
          served++;
        }
        offset = got.nextBeginOffset;
      }
      assert.ok(served > 0);
    }
    await store.close();
    const left = onDisk(join(dir, "commitlog"));
    assert.ok(left.files <= 80);
  });
});
