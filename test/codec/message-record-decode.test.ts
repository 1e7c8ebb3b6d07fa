/**
 * The record decoder turns every kind of bad or incomplete input into a typed result — partial,
 * invalid with a stable reason, or blank — and never throws, even on random bytes. It reads at an
 * offset inside pooled views, skips the body on request, and checks BODYCRC only when asked.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { viewOf } from "../../src/core/bytes.ts";
import { encodeBlankRecord } from "../../src/codec/blank-record.ts";
import { decodeMessageRecord, decodeRecordMeta, type DecodedRecord } from "../../src/codec/message-record-decode.ts";
import { fixtureBytes } from "../support/fixtures.ts";

// Provenance: the first record a real 4.9.7 broker stored (fixtures/rocketmq/v4.9.7-golden-record.*).
const golden = () => fixtureBytes("v4.9.7-golden-record.bin");

function expectInvalid(result: DecodedRecord | ReturnType<typeof decodeRecordMeta>, reason: string): void {
  assert.equal(result.kind, "invalid", JSON.stringify(result));
  assert.equal((result as { reason: string }).reason, reason);
  assert.ok((result as { detail: string }).detail.length > 0);
}

function mutated(at: number, write: (view: DataView) => void): Uint8Array {
  const bytes = golden();
  write(viewOf(bytes.subarray(at)));
  return bytes;
}

/** The golden record with `topic` (9 UTF-8 bytes, as "TopicTest") in place of its topic. */
function withTopic(topic: string): Uint8Array {
  const bytes = golden();
  const encoded = new TextEncoder().encode(topic);
  assert.equal(encoded.byteLength, 9, "a topic of TopicTest's length");
  const at = Buffer.from(bytes).indexOf("TopicTest");
  assert.ok(at > 0, "the golden record's topic is TopicTest");
  bytes.set(encoded, at);
  return bytes;
}

describe("decodeMessageRecord on bad input", () => {
  it("every truncation of a record is partial, with the bytes it needs", () => {
    const bytes = golden();
    for (let n = 0; n < bytes.length; n++) {
      const result = decodeMessageRecord(bytes.subarray(0, n));
      assert.equal(result.kind, "partial", `prefix ${n}`);
      assert.equal((result as { neededBytes: number }).neededBytes, n < 8 ? 8 : 220);
    }
    assert.equal(decodeMessageRecord(bytes).kind, "message");
  });

  it("a wrong magic, or zeros after the last record, is ILLEGAL_MAGIC", () => {
    expectInvalid(decodeMessageRecord(mutated(4, (v) => v.setInt32(0, 0x12345678))), "ILLEGAL_MAGIC");
    expectInvalid(decodeMessageRecord(new Uint8Array(64)), "ILLEGAL_MAGIC");
  });

  it("TOTALSIZE that disagrees with the field lengths is TOTAL_SIZE_MISMATCH", () => {
    const longer = new Uint8Array(230);
    longer.set(golden());
    viewOf(longer).setInt32(0, 221);
    expectInvalid(decodeMessageRecord(longer), "TOTAL_SIZE_MISMATCH");
    expectInvalid(decodeMessageRecord(mutated(0, (v) => v.setInt32(0, 219))), "TOTAL_SIZE_MISMATCH");
    expectInvalid(decodeMessageRecord(mutated(84, (v) => v.setInt32(0, 15))), "TOTAL_SIZE_MISMATCH"); // body length
    expectInvalid(decodeMessageRecord(mutated(84, (v) => v.setInt32(0, 0x7fffffff))), "TOTAL_SIZE_MISMATCH");
    expectInvalid(decodeMessageRecord(mutated(102, (v) => v.setInt8(0, 100))), "TOTAL_SIZE_MISMATCH"); // topic length
    expectInvalid(decodeMessageRecord(mutated(112, (v) => v.setInt16(0, 107))), "TOTAL_SIZE_MISMATCH"); // props length
    expectInvalid(decodeMessageRecord(mutated(36, (v) => v.setInt32(0, 0x10))), "TOTAL_SIZE_MISMATCH"); // claims IPv6
  });

  it("negative lengths and sizes are LENGTH_ILLEGAL / TOTAL_SIZE_ILLEGAL", () => {
    expectInvalid(decodeMessageRecord(mutated(84, (v) => v.setInt32(0, -1))), "LENGTH_ILLEGAL");
    expectInvalid(decodeMessageRecord(mutated(102, (v) => v.setInt8(0, -9))), "LENGTH_ILLEGAL");
    expectInvalid(decodeMessageRecord(mutated(112, (v) => v.setInt16(0, -1))), "LENGTH_ILLEGAL");
    expectInvalid(decodeMessageRecord(mutated(0, (v) => v.setInt32(0, -220))), "TOTAL_SIZE_ILLEGAL");
    expectInvalid(decodeMessageRecord(mutated(0, (v) => v.setInt32(0, 90))), "TOTAL_SIZE_ILLEGAL");
    const blank = encodeBlankRecord(8);
    viewOf(blank).setInt32(0, 7);
    expectInvalid(decodeMessageRecord(blank), "TOTAL_SIZE_ILLEGAL");
  });

  it("a corrupted body fails BODY_CRC_MISMATCH only when checkCrc is on", () => {
    const bytes = mutated(88, (v) => v.setUint8(0, 0x68)); // 'H' -> 'h'
    expectInvalid(decodeMessageRecord(bytes, 0, { checkCrc: true }), "BODY_CRC_MISMATCH");
    assert.equal(decodeMessageRecord(bytes).kind, "message");
  });

  it("an i64 beyond the safe range is INT64_UNSAFE", () => {
    expectInvalid(decodeMessageRecord(mutated(28, (v) => v.setBigInt64(0, 2n ** 60n))), "INT64_UNSAFE");
  });

  it("never throws on random bytes or random corruption", () => {
    let seed = 12345;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let round = 0; round < 2000; round++) {
      const bytes = golden();
      for (let k = 0; k < 1 + (round % 6); k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      if (round % 3 === 0) viewOf(bytes).setInt32(4, 0xdaa320a7 | 0);
      const cut = round % 2 === 0 ? bytes.length : Math.floor(random() * bytes.length);
      const result = decodeMessageRecord(bytes.subarray(0, cut), 0, { checkCrc: true });
      assert.ok(["message", "invalid", "partial", "blank"].includes(result.kind));
    }
  });
});

describe("decodeMessageRecord options and positions", () => {
  it("reads at an offset inside a pooled view", () => {
    const backing = new Uint8Array(300);
    backing.set(golden(), 40);
    const view = backing.subarray(15, 280);
    const result = decodeMessageRecord(view, 25, { checkCrc: true });
    assert.equal(result.kind, "message");
    assert.equal(result.kind === "message" && result.topic, "TopicTest");
  });

  it("gives each record its own topic when records of equal-length topics alternate (the last topic is remembered)", () => {
    const record = (topic: string) => decodeMessageRecord(withTopic(topic));
    const topics = ["TopicTest", "TopicTesu", "TopicTest", "Topic\u00e9Te", "TopicTest", "TopicTest"];
    const read = topics.map((t) => record(t)).map((r) => (r.kind === "message" ? r.topic : r.kind));
    assert.deepEqual(read, topics);
    const same = [record("TopicTest"), record("TopicTest")].map((r) => (r.kind === "message" ? r.topic : ""));
    assert.ok(same[0] === same[1]);
  });

  it("readProperties: false leaves the properties out and reads every other field the same", () => {
    const whole = decodeRecordMeta(golden(), 0, { checkCrc: true });
    const lean = decodeRecordMeta(golden(), 0, { checkCrc: true, readProperties: false });
    assert.ok(whole.kind === "message" && lean.kind === "message");
    assert.ok(whole.properties.length > 0);
    assert.deepEqual(lean, { ...whole, properties: "" });
    expectInvalid(decodeRecordMeta(mutated(0, (v) => v.setInt32(0, 219)), 0, { readProperties: false }), "TOTAL_SIZE_MISMATCH");
  });

  it("readBody: false skips the body but keeps its length", () => {
    const result = decodeMessageRecord(golden(), 0, { readBody: false });
    assert.ok(result.kind === "message");
    assert.equal(result.body, null);
    assert.equal(result.bodyLength, 14);
  });

  it("a blank header is a blank record of its TOTALSIZE, even when its padding is not there yet", () => {
    assert.deepEqual(decodeMessageRecord(encodeBlankRecord(624)), { kind: "blank", totalSize: 624 });
  });

  it("asserts on a position outside the buffer (a programmer error)", () => {
    assert.throws(() => decodeMessageRecord(golden(), 221), /assertion failed/);
    assert.throws(() => decodeMessageRecord(golden(), -1), /assertion failed/);
  });
});
