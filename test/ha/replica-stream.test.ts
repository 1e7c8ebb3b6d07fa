/**
 * The slave's record verifier passes every byte stream a real RocketMQ 4.9.7 or 5.3.3 master sent
 * (and Skiff's own multi-segment logs, blanks included), however the frames split the records, and
 * hands back exactly the whole records — never a partial one. It refuses random bytes, a bad CRC,
 * a record that lies about its offset, a blank that does not close its segment, topics and queue
 * ids that could name a path outside the store, and an empty slave's implausible first offset.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SkiffError } from "../../src/core/errors.ts";
import { viewOf } from "../../src/core/bytes.ts";
import { ReplicaStream, type VerifiedRecords } from "../../src/ha/replica-stream.ts";
import { encodeBlankRecord } from "../../src/codec/blank-record.ts";
import { fixtureBytes } from "../support/fixtures.ts";
import { craftedRecord, craftedRun } from "../support/hostile-records.ts";
import { memoryStoreWorld } from "../support/store.ts";
import { fill, SEGMENT_BYTES } from "./ha-world.ts";

const MIB = 1024 * 1024;
const MAX_RECORD = 4 * MIB + 64 * 1024;

function stream(logEnd: number | null, segmentSizeBytes = MIB): ReplicaStream {
  return new ReplicaStream({ segmentSizeBytes, maxRecordBytes: MAX_RECORD, logEnd });
}

/** Feeds `bytes` (starting at `offset`) as frames of the given sizes; returns what was verified. */
function feed(target: ReplicaStream, offset: number, bytes: Uint8Array, pieceBytes: (i: number) => number): { whole: Uint8Array; refused: SkiffError | null } {
  const runs: VerifiedRecords[] = [];
  let refused: SkiffError | null = bytes.length === 0 ? target.push(offset, bytes).refused : null;
  for (let at = 0, i = 0; at < bytes.length && refused === null; i++) {
    const n = Math.max(1, Math.min(pieceBytes(i), bytes.length - at));
    const result = target.push(offset + at, bytes.subarray(at, at + n));
    runs.push(...result.records);
    refused = result.refused;
    at += n;
  }
  let next = offset;
  for (const run of runs) {
    assert.equal(run.offset, next, "runs follow each other without gaps");
    next += run.bytes.length;
  }
  const whole = new Uint8Array(next - offset);
  for (const run of runs) whole.set(run.bytes, run.offset - offset);
  return { whole, refused };
}

/** Deterministic pseudo-random sizes 1..max. */
function randomSizes(seed: number, max: number): (i: number) => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) % max) + 1;
  };
}

const SPLITS: Array<[string, (i: number) => number]> = [
  ["whole", () => Number.MAX_SAFE_INTEGER],
  ["one byte per frame", () => 1],
  ["random frames of 1..700 bytes", randomSizes(7, 700)],
  ["32 KiB frames", () => 32768],
];

/** The commit-log bytes inside a captured master->slave stream: [offset, body] of its data frames. */
function capturedData(name: string): { offset: number; bytes: Uint8Array } {
  const raw = fixtureBytes(name);
  const view = viewOf(raw);
  const parts: Uint8Array[] = [];
  let offset = -1;
  for (let i = 0; i + 12 <= raw.length;) {
    const size = view.getInt32(i + 8);
    if (size > 0 && offset < 0) offset = Number(view.getBigInt64(i));
    parts.push(raw.subarray(i + 12, Math.min(raw.length, i + 12 + size)));
    i += 12 + size;
  }
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (bytes.set(p, at), at + p.length), 0);
  return { offset, bytes };
}

describe("ReplicaStream (the slave's record verifier)", () => {
  const real: Array<[string, number | null, number, Uint8Array, number]> = [];
  for (const name of ["v4.9.7-ha-m2s-first4096.bin", "x-5.3.3master-4.9.7slave-ha-m2s-first4096.bin"]) {
    const { offset, bytes } = capturedData(name);
    real.push([`${name} (empty slave, cut mid-record)`, null, offset, bytes, 3 * (name.startsWith("v4") ? 1226 : 1276)]);
  }
  for (const name of ["v4.9.7-ha-m2s-after-catchup.bin", "x-5.3.3master-4.9.7slave-ha-m2s-after-catchup.bin"]) {
    const { offset, bytes } = capturedData(name);
    real.push([`${name} (live records)`, offset, offset, bytes, bytes.length]);
  }
  for (const [name, at] of [
    ["v4.9.7-golden-record.bin", 0], ["v5.3.3-golden-record.bin", 0], ["v4.9.7-single-userprops-record.bin", 220],
    ["v5.3.3-single-userprops-record.bin", 270], ["v4.9.7-batch-3records.bin", 50864], ["v5.3.3-batch-3records.bin", 60914],
    ["v4.9.7-seg0-tail-blank.bin", 1047952],
  ] as const) {
    const bytes = fixtureBytes(name);
    real.push([name, at === 0 ? null : at, at, bytes, bytes.length]);
  }

  for (const [name, logEnd, offset, bytes, wholeBytes] of real) {
    it(`accepts real RocketMQ bytes: ${name}, however frames split them`, () => {
      for (const [how, sizes] of SPLITS) {
        const target = stream(logEnd);
        const { whole, refused } = feed(target, offset, bytes, sizes);
        assert.equal(refused, null, `${how}: ${refused?.message}`);
        assert.deepEqual(whole, bytes.subarray(0, wholeBytes), how);
        assert.equal(target.carriedBytes, bytes.length - wholeBytes, `${how}: the unfinished record is carried, not returned`);
        assert.equal(target.expectedOffset, offset + bytes.length, how);
      }
    });
  }

  it("accepts a Skiff log of several segments with their blanks, from its first byte, in any split", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    const end = await fill(store, 300, 700, 3);
    assert.ok(end > 3 * SEGMENT_BYTES);
    const log = new Uint8Array(end);
    for (let at = 0; at < end; at += SEGMENT_BYTES) log.set(await store.readCommitLog(at, Math.min(SEGMENT_BYTES, end - at)), at);
    for (const [how, sizes] of SPLITS) {
      const { whole, refused } = feed(stream(null, SEGMENT_BYTES), 0, log, sizes);
      assert.equal(refused, null, `${how}: ${refused?.message}`);
      assert.deepEqual(whole, log, how);
    }
    await store.close();
  });

  const hostile: Array<[string, number | null, number, () => Uint8Array, RegExp]> = [
    ["8 KiB of random bytes at the right offset", 4096, 4096, () => new Uint8Array(8192).map((_, i) => (i * 131 + 17) & 0xff), /HA_RECORD_INVALID/],
    ["a record whose topic is ../../../../outside", 4096, 4096, () => craftedRecord({ physicalOffset: 4096, topic: "../../../../outside" }), /outside.*illegal characters/],
    ["a record of queue id -1", 4096, 4096, () => craftedRecord({ physicalOffset: 4096, queueId: -1 }), /queue id -1 is outside/],
    ["a record of queue id 2^31-1", 4096, 4096, () => craftedRecord({ physicalOffset: 4096, queueId: 0x7fffffff }), /queue id 2147483647 is outside/],
    ["a record that claims another offset", 4096, 4096, () => craftedRecord({ physicalOffset: 0 }), /PHYSICALOFFSET says 0/],
    ["a record with a bad BODYCRC", 4096, 4096, () => flip(craftedRecord({ physicalOffset: 4096 }), 8), /BODY_CRC_MISMATCH/],
    ["a record whose body was changed", 4096, 4096, () => flip(craftedRecord({ physicalOffset: 4096 }), 92), /BODY_CRC_MISMATCH/],
    ["a negative QUEUEOFFSET", 4096, 4096, () => negativeQueueOffset(craftedRecord({ physicalOffset: 4096 })), /QUEUEOFFSET -1/],
    ["a blank that does not close its segment", 4096, 4096, () => encodeBlankRecord(100), /does not end its segment/],
    ["a record that leaves no room for the blank", MIB - 100, MIB - 100, () => craftedRecord({ physicalOffset: MIB - 100, body: new Uint8Array(20) }), /does not fit/],
    ["a TOTALSIZE larger than any message", 4096, 4096, () => sized(craftedRecord({ physicalOffset: 4096 }), MAX_RECORD + 1), /TOTALSIZE 4259841 is outside/],
    ["an empty slave's first offset that is not a segment start", null, 4096, () => craftedRecord({ physicalOffset: 4096 }), /not a segment start/],
    ["an empty slave's first offset 2^52 with random bytes", null, 2 ** 52, () => new Uint8Array(8192).fill(0x5a), /HA_RECORD_INVALID/],
    ["an empty slave's first offset 2^52 with a record of offset 0", null, 2 ** 52, () => craftedRecord({ physicalOffset: 0 }), /PHYSICALOFFSET says 0/],
    ["an empty slave's first offset whose segment ends past 2^53", null, Math.floor(Number.MAX_SAFE_INTEGER / MIB) * MIB, () => new Uint8Array(0), /beyond 2\^53/],
  ];
  for (const [name, logEnd, offset, bytes, reason] of hostile) {
    it(`refuses ${name}, returning nothing of it`, () => {
      for (const [how, sizes] of SPLITS) {
        const { whole, refused } = feed(stream(logEnd), offset, bytes(), sizes);
        assert.ok(refused instanceof SkiffError, `${how}: refused`);
        assert.match(refused.message + refused.code, reason, how);
        assert.equal(whole.length, 0, how);
      }
    });
  }

  it("returns the whole valid records before a bad one, and nothing after it", () => {
    const good = craftedRun(0, 3);
    const bad = craftedRecord({ physicalOffset: good.length, topic: "../x" });
    const after = craftedRecord({ physicalOffset: good.length + bad.length });
    const bytes = new Uint8Array([...good, ...bad, ...after]);
    for (const [how, sizes] of SPLITS) {
      const { whole, refused } = feed(stream(null), 0, bytes, sizes);
      assert.match(refused?.message ?? "", /"\.\.\/x" is empty or contains illegal characters/, how);
      assert.deepEqual(whole, good, how);
    }
  });

  it("checks a frame's offset against the log end plus the carried record, and pins an empty slave to its first heartbeat", () => {
    const target = stream(1000);
    assert.throws(() => target.checkOffset(999), /master pushed offset 999, not equal to the slave's max offset 1000/);
    const run = craftedRun(1000, 2);
    const first = craftedRecord({ physicalOffset: 1000 }).length;
    assert.equal(target.push(1000, run.subarray(0, 50)).records.length, 0);
    assert.equal(target.expectedOffset, 1050);
    assert.throws(() => target.checkOffset(1000), /not equal to the slave's max offset 1050/);
    const rest = target.push(1050, run.subarray(50));
    assert.deepEqual(rest.records.map((r) => [r.offset, r.bytes.length]), [[1000, first], [1000 + first, run.length - first]]);

    const empty = stream(null);
    assert.equal(empty.push(MIB, new Uint8Array(0)).refused, null, "a heartbeat at a segment start");
    assert.match(empty.push(2 * MIB, craftedRecord({ physicalOffset: 2 * MIB })).refused?.message ?? "", /master pushed offset 2097152, not equal to the slave's max offset 1048576/);
  });
});

function flip(record: Uint8Array, at: number): Uint8Array {
  record[at] ^= 0x40;
  return record;
}

function negativeQueueOffset(record: Uint8Array): Uint8Array {
  viewOf(record).setBigInt64(20, -1n);
  return record;
}

function sized(record: Uint8Array, totalSize: number): Uint8Array {
  viewOf(record).setInt32(0, totalSize);
  return record;
}
