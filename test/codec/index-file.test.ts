/**
 * The index file layout against a real RocketMQ 4.9.7 index file (fixture `remoting/index/`:
 * maxHashSlotNum 32, maxIndexNum 100, the 99 keys that produced it): decoding finds every key by
 * the broker's slot-chain walk (as tools/idxdump.py does), and writing the same 99 puts into a
 * fresh file (src/store/index-file.ts, on the runtime's real file system) gives the same bytes.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import {
  INDEX_ENTRY_BYTES, chainHead, chainStep, decodeIndexEntry, decodeIndexHeader, encodeIndexHeader, entryPosition,
  indexFileSizeBytes, indexKeyHash, messageIndexKeys, slotPosition,
} from "../../src/codec/index-file.ts";
import { IndexFile } from "../../src/store/index-file.ts";
import { fixtureBytes, fixtureText } from "../support/fixtures.ts";
import { platform, removeDir, tempDir } from "../support/platform.ts";

const FILE = "remoting/index/20261201190402881";
const LIMITS = { slots: 32, maxIndex: 100 };
const keys = fixtureText("remoting/index/keys.txt").trim().split("\n").map((line) => {
  const [key, offset] = line.split(" ");
  return { key, offset: Number(offset) };
});

/** The broker's walk (selectPhyOffset) over whole-file bytes, with the codec's rules. */
function hits(bytes: Uint8Array, key: string): number[] {
  const header = decodeIndexHeader(bytes);
  const keyHash = indexKeyHash(key);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  let next = chainHead(header, view.getInt32(slotPosition(keyHash % LIMITS.slots)));
  const found: number[] = [];
  while (next > 0) {
    const entry = decodeIndexEntry(bytes, entryPosition(LIMITS.slots, next));
    const step = chainStep(header, next, entry, keyHash, 0, Number.MAX_SAFE_INTEGER);
    if (step.hit) found.push(entry.phyOffset);
    next = step.next;
  }
  return found;
}

describe("index file (RocketMQ 4.9.7 golden file)", () => {
  const bytes = fixtureBytes(FILE);

  it("has the header idxdump.py shows", () => {
    assert.equal(bytes.byteLength, indexFileSizeBytes(32, 100));
    assert.deepEqual(decodeIndexHeader(bytes), {
      beginTimestamp: 1796151842854, endTimestamp: 1796151859651, beginPhyOffset: 0, endPhyOffset: 26060, hashSlotCount: 30, indexCount: 100,
    });
    const again = new Uint8Array(40);
    encodeIndexHeader(decodeIndexHeader(bytes), again);
    assert.deepEqual(again, bytes.subarray(0, 40));
  });

  it("finds all 99 keys by walking the slot chains", () => {
    assert.equal(keys.length, 99);
    for (const { key, offset } of keys) assert.ok(hits(bytes, key).includes(offset), `${key} → ${offset}`);
    // A key that is not in the file: no slot chain yields its hash.
    assert.deepEqual(hits(bytes, "RetTopic#no-such-key"), []);
  });

  it("names a message's keys as RocketMQ does: UNIQ_KEY first, then each KEYS word", () => {
    assert.deepEqual(messageIndexKeys("RetTopic", "FD01", "rk-0 alt-0"), ["RetTopic#FD01", "RetTopic#rk-0", "RetTopic#alt-0"]);
    assert.deepEqual(messageIndexKeys("T", undefined, " a  b "), ["T#a", "T#b"]);
    assert.deepEqual(messageIndexKeys("T", undefined, undefined), []);
    // Math.abs(Integer.MIN_VALUE) stays negative in Java: the index uses 0. "polygenelubricants" hashes to MIN_VALUE.
    assert.equal(indexKeyHash("polygenelubricants"), 0);
    assert.equal(indexKeyHash("RetTopic#rk-0"), 679012305);
  });

  it("is reproduced byte for byte by the same 99 puts into a fresh file", async () => {
    const dir = await tempDir("index-golden");
    try {
      const header = decodeIndexHeader(bytes);
      const index = await IndexFile.create(platform.fs, join(dir, "fresh"), LIMITS, undefined);
      for (const [i, { key, offset }] of keys.entries()) {
        // The store time is known to the second (timeDiff) and exactly for the last message (endTimestamp).
        const entry = decodeIndexEntry(bytes, entryPosition(LIMITS.slots, i + 1));
        const storeTimestamp = i === keys.length - 1 ? header.endTimestamp : header.beginTimestamp + entry.timeDiffSeconds * 1000;
        assert.equal(index.putKey(key, offset, storeTimestamp), true);
      }
      assert.equal(index.full, true);
      assert.equal(index.putKey("RetTopic#one-more", 26875, header.endTimestamp), false, "a full file takes no more keys");
      await index.close();
      assert.deepEqual(await platform.fs.readFile(join(dir, "fresh")), bytes);
    } finally {
      await removeDir(dir);
    }
  });

  it("is read by the store's index file, which finds every key (newest first per chain)", async () => {
    const dir = await tempDir("index-read");
    try {
      const path = join(dir, "20261201190402881");
      await writeFile(path, bytes);
      const index = await IndexFile.open(platform.fs, path, LIMITS, { readOnly: true });
      for (const { key, offset } of keys) {
        const found: number[] = [];
        await index.select(key, 64, 0, Number.MAX_SAFE_INTEGER, found);
        assert.ok(found.includes(offset), `${key}`);
      }
      const limited: number[] = [];
      await index.select("RetTopic#rk-0", 64, 1796151842854 + 16_000, Number.MAX_SAFE_INTEGER, limited);
      assert.deepEqual(limited, [], "rk-0 was stored in second 0: outside [begin+16s, ∞)");
      await index.close();
      // Opened with other limits, the file is refused (its size does not match).
      await assert.rejects(IndexFile.open(platform.fs, path, { slots: 64, maxIndex: 100 }, { readOnly: true }), /index file .* is 2168 bytes/);
      assert.equal(INDEX_ENTRY_BYTES, 20);
    } finally {
      await removeDir(dir);
    }
  });
});
