/**
 * A slave's catch-up at full speed on real files: a master's commit log arrives as 32 KiB HA frames
 * faster than the writer can hand them to the OS, while the dispatcher, an HA reader and pulls read
 * the log around the written offset. Every byte any of them reads must be the byte appended, every
 * record must come back whole (CRC, offsets), and every queue must end complete and in order.
 *
 * Quick mode (CI): 48 MiB once. `SKIFF_STRESS_FULL=1`: 1 GiB, 10 times (`SKIFF_STRESS_RUNS=n` to
 * change the count), e.g. `SKIFF_STRESS_FULL=1 node --test --test-timeout=0 test/store/catch-up-stress.test.ts`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { recordFits, writeBlankRecord } from "../../src/codec/blank-record.ts";
import { bodyCrc } from "../../src/codec/crc32.ts";
import { parseHostAddress } from "../../src/codec/host-address.ts";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { encodeMessageRecord, patchMessageRecord } from "../../src/codec/message-record.ts";
import { MessageStore } from "../../src/store/message-store.ts";
import { defaultStoreOptions } from "../../src/store/store-options.ts";
import { platform, removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { silentLogger } from "../../src/core/log.ts";

const FULL = process.env.SKIFF_STRESS_FULL === "1";
const TOTAL_BYTES = FULL ? 1 << 30 : 48 << 20;
const RUNS = Number(process.env.SKIFF_STRESS_RUNS ?? (FULL ? 10 : 1));
const SEGMENT_BYTES = FULL ? 128 << 20 : 16 << 20;
/** Bytes generated ahead and then pushed in one go: more than the writer's 16 cached blocks. */
const BURST_BYTES = FULL ? 96 << 20 : 32 << 20;
const FRAME_BYTES = 32 * 1024;
const PIECE_BYTES = 1 << 20;
const QUEUES = 8;
const TOPIC = "CatchUp";

/** Record templates: bodies of several sizes; a record is a template with its offsets patched in. */
const TEMPLATES = [180, 1000, 2900, 4096, 7000].map((size, i) =>
  encodeMessageRecord({
    queueId: 0, flag: 0, queueOffset: 0, physicalOffset: 0, sysFlag: 0, bornTimestamp: 1_700_000_000_000 + i,
    bornHost: parseHostAddress("127.0.0.1:50000"), storeTimestamp: 1_700_000_000_000 + i, storeHost: parseHostAddress("127.0.0.1:10911"),
    reconsumeTimes: 0, preparedTransactionOffset: 0, topic: TOPIC, properties: `TAGS\u0001T${i}`,
    body: Uint8Array.from({ length: size }, (_, k) => (k * 7 + i * 13) & 0xff),
  }),
);

/** The master's log, generated piece by piece (≤ 1 MiB, never across a segment end), the last few kept. */
class MasterLog {
  offset = 0;
  records = 0;
  readonly queueOffsets = new Array<number>(QUEUES).fill(0);
  readonly recent: Array<{ start: number; bytes: Uint8Array }> = [];

  nextPiece(): { start: number; bytes: Uint8Array } {
    const start = this.offset;
    const segmentLeft = SEGMENT_BYTES - (start % SEGMENT_BYTES);
    const piece = new Uint8Array(Math.min(PIECE_BYTES, segmentLeft));
    let at = 0;
    for (;;) {
      const template = TEMPLATES[this.records % TEMPLATES.length];
      const queueId = this.records % QUEUES;
      if (!recordFits(template.byteLength, (start + at) % SEGMENT_BYTES, SEGMENT_BYTES)) {
        // The segment's end: a blank record fills the rest (once this piece reaches that end).
        if (piece.byteLength === segmentLeft) {
          writeBlankRecord(piece, at, segmentLeft - at);
          at = segmentLeft;
        }
        break;
      }
      if (at + template.byteLength > piece.byteLength) break;
      piece.set(template, at);
      const view = new DataView(piece.buffer, piece.byteOffset, piece.byteLength);
      view.setInt32(at + 12, queueId);
      patchMessageRecord(piece, at, { queueOffset: this.queueOffsets[queueId]++, physicalOffset: start + at }, view);
      this.records++;
      at += template.byteLength;
    }
    const bytes = piece.subarray(0, at);
    this.offset = start + at;
    this.recent.push({ start, bytes });
    if (this.recent.length > (2 * BURST_BYTES) / PIECE_BYTES + 4) this.recent.shift();
    return { start, bytes };
  }
}

function checkRecord(bytes: Uint8Array, physicalOffset: number, queueId: number, queueOffset: number): void {
  const record = decodeMessageRecord(bytes, 0, { readBody: true });
  assert.equal(record.kind, "message", `record at ${physicalOffset}`);
  if (record.kind !== "message") return;
  assert.deepEqual([record.physicalOffset, record.queueId, record.queueOffset, record.topic], [physicalOffset, queueId, queueOffset, TOPIC]);
  assert.equal(bodyCrc(record.body!), record.bodyCrc, `body CRC of the record at ${physicalOffset}`);
}

const random = (n: number) => Math.floor(Math.random() * n);

async function catchUpOnce(run: number): Promise<{ ms: number; reads: number; maxLagBytes: number }> {
  const root = await tempDir(`stress-${run}`);
  try {
    return await catchUpIn(root);
  } finally {
    await removeDir(root);
  }
}

async function catchUpIn(root: string): Promise<{ ms: number; reads: number; maxLagBytes: number }> {
  const store = await MessageStore.open(platform, defaultStoreOptions(root, {
    segmentSizeCommitLogBytes: SEGMENT_BYTES,
    segmentSizeConsumeQueueBytes: 300_000 * 20,
    log: silentLogger,
  }));
  const log = store.replica; // the slave's face of its store
  const master = new MasterLog();
  let feeding = true;
  let reads = 0;
  const started = performance.now();

  let maxLagBytes = 0;
  // An HA reader: ranges straddling the written offset, compared with what the master sent.
  const haReader = (async () => {
    while (feeding) {
      const written = log.writtenOffset;
      maxLagBytes = Math.max(maxLagBytes, log.maxOffset - written);
      const piece = master.recent.find((p) => p.start <= written && written < p.start + p.bytes.byteLength && p.start + p.bytes.byteLength <= log.maxOffset);
      if (piece && piece.start >= log.minOffset) {
        const from = Math.max(0, written - piece.start - random(64 * 1024));
        const length = 1 + random(piece.bytes.byteLength - from);
        const got = await log.read(piece.start + from, length); // straddles the written offset on purpose
        assert.equal(got.byteLength, length);
        for (let i = 0; i < length; i += 97) assert.equal(got[i], piece.bytes[from + i], `HA read byte ${piece.start + from + i}`);
        assert.equal(got[length - 1], piece.bytes[from + length - 1]);
        reads++;
        if (reads % 8 !== 0) continue; // several reads per turn, but never starve the writer's I/O
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  })();
  // Pulls at the tail of random queues: whole records, in order.
  const puller = (async () => {
    while (feeding) {
      const queueId = random(QUEUES);
      const offset = Math.max(0, store.maxOffsetInQueue(TOPIC, queueId) - 1 - random(8));
      const got = await store.get({ topic: TOPIC, queueId, offset, maxMsgNums: 8 });
      got.messages.forEach((m, i) => checkRecord(m.bytes, m.physicalOffset, queueId, offset + i));
      reads += got.messages.length;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  })();

  try {
    while (master.offset < TOTAL_BYTES) {
      const burst: Array<{ start: number; bytes: Uint8Array }> = [];
      for (let bytes = 0; bytes < BURST_BYTES && master.offset < TOTAL_BYTES; ) {
        const piece = master.nextPiece();
        burst.push(piece);
        bytes += piece.bytes.byteLength;
      }
      for (const { start, bytes } of burst) {
        for (let at = 0; at < bytes.byteLength; at += FRAME_BYTES) {
          await store.replica.appendReplicated(start + at, bytes.subarray(at, Math.min(at + FRAME_BYTES, bytes.byteLength)), { waitWritten: false });
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 0)); // the next burst arrives from the network
    }
    await log.waitWritten(log.maxOffset);
    await store.waitDispatched(log.maxOffset);
  } finally {
    feeding = false;
    await Promise.allSettled([haReader, puller]);
  }
  await haReader;
  await puller;
  const ms = performance.now() - started;

  // Every queue complete and in order; every record read back as written.
  let records = 0;
  for (let queueId = 0; queueId < QUEUES; queueId++) {
    assert.equal(store.maxOffsetInQueue(TOPIC, queueId), master.queueOffsets[queueId], `queue ${queueId} length`);
    let previousPhysical = -1;
    for (let offset = 0; offset < master.queueOffsets[queueId]; ) {
      const got = await store.get({ topic: TOPIC, queueId, offset, maxMsgNums: 32 });
      assert.ok(got.messages.length > 0, `queue ${queueId} offset ${offset} readable`);
      for (const [i, m] of got.messages.entries()) {
        assert.ok(m.physicalOffset > previousPhysical, "physical offsets grow along a queue");
        previousPhysical = m.physicalOffset;
        checkRecord(m.bytes, m.physicalOffset, queueId, offset + i);
      }
      offset += got.messages.length;
      records += got.messages.length;
    }
  }
  assert.equal(records, master.records);
  assert.equal(log.maxOffset, master.offset);
  await store.close();
  return { ms, reads, maxLagBytes };
}

describe(`catch-up stress on ${runtimeName} (${FULL ? "full" : "quick"} mode)`, () => {
  it(`replicates ${TOTAL_BYTES >> 20} MiB at full speed with readers racing the writer, ${RUNS} time(s), without a wrong byte`, async () => {
    for (let run = 1; run <= RUNS; run++) {
      const { ms, reads, maxLagBytes } = await catchUpOnce(run);
      const mibPerS = (TOTAL_BYTES / (1 << 20)) / (ms / 1000);
      console.log(`catch-up run ${run}/${RUNS} on ${runtimeName}: ${TOTAL_BYTES >> 20} MiB in ${Math.round(ms)} ms (${mibPerS.toFixed(0)} MiB/s), writer up to ${(maxLagBytes / (1 << 20)).toFixed(1)} MiB behind, ${reads} racing reads checked`);
      assert.ok(maxLagBytes > 16 << 20, "the writer lagged more than its 16 cached blocks: the race was exercised");
    }
  });
});
