/**
 * Three simulated days of traffic on the memory platform, with a retention pass every simulated
 * minute (cleanResourceInterval): thousands of 4 KiB segments, hundreds of
 * consume-queue and index files are created and deleted across twelve 6-hour windows. Every hour
 * the store holds only what the window needs (no segment older than fileReservedTime plus one pass,
 * files, open handles and cached blocks bounded, not growing with what was deleted), and every
 * message stored inside the window is still served, byte for byte, and found by its key.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Decode } from "../../src/core/bytes.ts";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { DEFAULT_RETENTION_SETTINGS } from "../../src/store/retention-settings.ts";
import { ALL_HOURS, HOUR_MS, SEGMENT_BYTES } from "../support/retention.ts";
import { memoryStoreWorld, message } from "../support/store.ts";

const DAYS = 3;
const WINDOW_HOURS = 6;
const PASS_MS = 60_000;
const SEND_EVERY_MS = 20_000;
const QUEUES = 8;
const TOPICS = ["Orders", "Events"];
/** How long after expiring a segment may still be there: until the next pass. */
const LATE_MS = PASS_MS;

interface Sent {
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly storedAt: number;
  readonly body: string;
}

describe("retention over three simulated days", () => {
  it("keeps disk, files and memory within the window while messages flow, and serves every message inside it", async () => {
    const w = memoryStoreWorld({
      segmentSizeCommitLogBytes: SEGMENT_BYTES, segmentSizeConsumeQueueBytes: 20 * 20, maxHashSlotNum: 16, maxIndexNum: 64,
      flushIntervalCommitLogMs: PASS_MS, flushIntervalConsumeQueueMs: PASS_MS,
    });
    const store = await w.open();
    // Each pass runs to its end at its minute (no pauses between deletions), so the window is exact in simulated time.
    const settings = { ...DEFAULT_RETENTION_SETTINGS, fileReservedTimeHours: WINDOW_HOURS, deleteWhen: ALL_HOURS, deleteCommitLogFilesIntervalMs: 0, deleteConsumeQueueFilesIntervalMs: 0 };
    store.startRetention(() => settings, null);
    const window: Sent[] = []; // the messages that may still be inside the window (older ones are dropped: bounded)
    let sent = 0;
    let segmentsMax = 0;
    let handlesMax = 0;
    const endOfHour: number[] = [0];
    const send = async () => {
      const topic = TOPICS[sent % TOPICS.length];
      const queueId = sent % QUEUES;
      const body = `${topic}-${sent}-`.padEnd(700 + (sent % 300), "x");
      const put = await store.put([message(topic, body, { queueId, properties: new Map([["KEYS", `k-${sent}`], ["UNIQ_KEY", `U-${sent}`]]) })]);
      window.push({ topic, queueId, queueOffset: put.records[0].queueOffset, storedAt: put.storeTimestamp, body });
      sent++;
    };

    const checkHour = async (hour: number) => {
      await store.waitDispatched(store.offsets.maxOffset);
      const now = w.clock.now();
      const stats = store.stats();
      const segments = stats.commitLogSegmentStarts;
      // Nothing older than the window plus one pass interval is left, the newest segment aside.
      for (const start of segments.slice(0, -1)) {
        const mtime = (await w.fs.stat(`/store/commitlog/${String(start).padStart(20, "0")}`))!.mtimeMs;
        assert.ok(mtime > now - WINDOW_HOURS * HOUR_MS - LATE_MS, `hour ${hour}: segment ${start} last written ${(now - mtime) / HOUR_MS} h ago`);
      }
      segmentsMax = Math.max(segmentsMax, segments.length);
      handlesMax = Math.max(handlesMax, w.fs.openHandles);
      // What the last WINDOW_HOURS + 1 hours wrote (the window plus two passes fits in it), in segments.
      endOfHour[hour] = store.offsets.maxOffset;
      const windowSegments = Math.ceil((endOfHour[hour] - (endOfHour[hour - WINDOW_HOURS - 1] ?? 0)) / SEGMENT_BYTES) + 2;
      assert.ok(segments.length <= windowSegments, `hour ${hour}: ${segments.length} segments, the window holds ${windowSegments}`);
      assert.ok(stats.consumeQueueFiles <= windowSegments + 4 * QUEUES * TOPICS.length, `hour ${hour}: ${stats.consumeQueueFiles} consume-queue files`);
      assert.ok(stats.indexFiles <= windowSegments, `hour ${hour}: ${stats.indexFiles} index files`);
      // The commit log's handle pool (8), the consume queues' shared pool (256), the newest index file, the checkpoint.
      assert.ok(w.fs.openHandles <= 8 + 256 + 2, `hour ${hour}: ${w.fs.openHandles} open files`);
      assert.ok(stats.cachedBlocks <= 16 + 2, `hour ${hour}: ${stats.cachedBlocks} cached blocks`);
      assert.ok(w.fs.usedBytes <= (windowSegments + 2) * SEGMENT_BYTES * 2.5, `hour ${hour}: ${w.fs.usedBytes} bytes on disk`);
      assert.ok(w.fs.paths().length <= 3 * windowSegments + 60, `hour ${hour}: ${w.fs.paths().length} files and directories`);

      while (window.length > 0 && window[0].storedAt <= now - WINDOW_HOURS * HOUR_MS - LATE_MS) window.shift();
      if (hour % 6 !== 0) return;
      // Every message stored inside the window is served (and found by its key).
      for (const m of window.filter((m) => m.storedAt > now - WINDOW_HOURS * HOUR_MS)) {
        const got = await store.get({ topic: m.topic, queueId: m.queueId, offset: m.queueOffset, maxMsgNums: 1 });
        assert.equal(got.status, "FOUND", `hour ${hour}: ${m.topic}/${m.queueId}@${m.queueOffset}, stored ${(now - m.storedAt) / HOUR_MS} h ago`);
        const record = decodeMessageRecord(got.messages[0].bytes, 0, { readBody: true });
        assert.equal(record.kind === "message" ? utf8Decode(record.body!) : "", m.body);
      }
      const recent = window[window.length - 1];
      assert.equal((await store.queryMessages(recent.topic, `k-${sent - 1}`, 4, 0, Number.MAX_SAFE_INTEGER)).records.length, 1);
      if (hour > WINDOW_HOURS) {
        assert.equal((await store.queryMessages("Orders", "k-0", 4, 0, Number.MAX_SAFE_INTEGER)).records.length, 0, "deleted with its segment");
        const old = await store.get({ topic: "Orders", queueId: 0, offset: 0, maxMsgNums: 1 });
        assert.deepEqual([old.status, old.nextBeginOffset], ["OFFSET_TOO_SMALL", store.minOffsetInQueue("Orders", 0)]);
      }
    };

    for (let hour = 1; hour <= DAYS * 24; hour++) {
      for (let ms = SEND_EVERY_MS; ms <= HOUR_MS; ms += SEND_EVERY_MS) {
        await send();
        await w.clock.advance(SEND_EVERY_MS);
        if (ms % PASS_MS === 0) await store.runRetentionPass();
      }
      await checkHour(hour);
    }
    const deletedSegments = store.offsets.minOffset / SEGMENT_BYTES;
    assert.ok(deletedSegments >= 2000, `${deletedSegments} segments created and deleted`);
    assert.ok(w.logs.filter((line) => line.startsWith("retention: deleted index file")).length >= 100);
    assert.ok(w.logs.filter((line) => line.startsWith("retention: deleted consume-queue file")).length >= 200);
    assert.ok(segmentsMax < deletedSegments / 5, `at most ${segmentsMax} segments at once`);
    await store.close();
    assert.equal(w.fs.openHandles, 0);
    console.log(`long run: ${sent} messages, ${deletedSegments} segments deleted, at most ${segmentsMax} held, at most ${handlesMax} files open`);
  });
});
