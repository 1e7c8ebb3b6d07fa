/**
 * Consume-queue entries are 20 bytes `[i64 phys][i32 size][i64 tagsCode]`: the first three entries
 * of real 4.9.7 and 5.3.3 queues decode to the records they index and re-encode identically. The
 * placeholder, negative tagsCodes and short input behave as RocketMQ's.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SkiffError } from "../../src/core/errors.ts";
import { tagsCode } from "../../src/codec/java-hash.ts";
import {
  CQ_STORE_UNIT_SIZE, PLACEHOLDER_ENTRY, decodeConsumeQueueEntry, encodeConsumeQueueEntry, isEntryPresent, isPlaceholderEntry,
  writeConsumeQueueEntry,
} from "../../src/codec/consume-queue-entry.ts";
import { fixtureBytes, listedRecords } from "../support/fixtures.ts";

describe("consume-queue entry", () => {
  // Provenance: first 60 bytes of consumequeue/TopicTest/0/00000000000000000000 from the same runs as the record fixtures.
  for (const version of ["v4.9.7", "v5.3.3"]) {
    it(`${version}: decodes to the golden and user-props records, then a TagB record; re-encodes identically`, () => {
      const bin = fixtureBytes(`${version}-cq-TopicTest-0-first3.bin`);
      const golden = listedRecords(`${version}-golden-record.txt`)[0].fields;
      const second = listedRecords(`${version}-single-userprops-record.txt`)[0].fields;
      const entries = [0, 1, 2].map((n) => decodeConsumeQueueEntry(bin, n * CQ_STORE_UNIT_SIZE));
      assert.deepEqual(entries[0], { physicalOffset: golden.physOffset, size: golden.total, tagsCode: tagsCode("TagA") });
      assert.deepEqual(entries[1], { physicalOffset: second.physOffset, size: second.total, tagsCode: 2598919 });
      assert.equal(entries[2].tagsCode, tagsCode("TagB"));
      assert.ok(entries[2].physicalOffset > entries[1].physicalOffset);
      const rebuilt = new Uint8Array(60);
      entries.forEach((e, n) => writeConsumeQueueEntry(rebuilt, n * 20, e));
      assert.deepEqual(rebuilt, bin);
    });
  }

  it("stores a negative tagsCode sign-extended", () => {
    const bytes = encodeConsumeQueueEntry({ physicalOffset: 5, size: 100, tagsCode: tagsCode("abcdefghij") });
    assert.deepEqual(bytes.subarray(12), Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xda, 0x31, 0x14, 0xa5));
    assert.equal(decodeConsumeQueueEntry(bytes).tagsCode, -634317659);
  });

  it("placeholder is (0, 0x7FFFFFFF, 0) and counts as present; zeros do not", () => {
    const bytes = encodeConsumeQueueEntry(PLACEHOLDER_ENTRY);
    assert.deepEqual(bytes, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0));
    const decoded = decodeConsumeQueueEntry(bytes);
    assert.ok(isPlaceholderEntry(decoded) && isEntryPresent(decoded));
    const zeros = decodeConsumeQueueEntry(new Uint8Array(20));
    assert.ok(!isEntryPresent(zeros) && !isPlaceholderEntry(zeros));
  });

  it("short or unsafe input fails with CONSUME_QUEUE_ENTRY_ILLEGAL", () => {
    const isCode = (e: unknown) => e instanceof SkiffError && e.code === "CONSUME_QUEUE_ENTRY_ILLEGAL";
    assert.throws(() => decodeConsumeQueueEntry(new Uint8Array(19)), isCode);
    assert.throws(() => decodeConsumeQueueEntry(new Uint8Array(40), 21), isCode);
    assert.throws(() => decodeConsumeQueueEntry(new Uint8Array(20).fill(0x7f)), isCode);
  });
});
