/**
 * Property-based bad input for the store's smaller codecs: client batch bodies, message properties,
 * offsetMsgIds, tags codes, host addresses, consume-queue entries and the checkpoint (codec and
 * file). Arbitrary and mutated inputs (the golden RocketMQ batch, queue and checkpoint bytes among
 * the seeds) give a value or a `SkiffError` with the codec's stable code, never another throw, and
 * valid encodings built from random fields round-trip exactly.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { CheckpointFile } from "../../src/store/checkpoint-file.ts";
import { decodeBatch, encodeBatch, type BatchMessageInput } from "../../src/codec/batch.ts";
import { CHECKPOINT_FILE_SIZE, decodeCheckpoint, encodeCheckpoint, type StoreCheckpoint } from "../../src/codec/checkpoint.ts";
import { CQ_STORE_UNIT_SIZE, decodeConsumeQueueEntry, encodeConsumeQueueEntry } from "../../src/codec/consume-queue-entry.ts";
import { formatHostAddress, type HostAddress, parseHostAddress } from "../../src/codec/host-address.ts";
import { javaStringHash, tagsCode } from "../../src/codec/java-hash.ts";
import { decodeOffsetMsgId, encodeOffsetMsgId } from "../../src/codec/message-id.ts";
import { decodeProperties, decodePropertiesBytes, encodeProperties } from "../../src/codec/properties.ts";
import { fixtureBytes } from "../support/fixtures.ts";
import { mutate, mutations, pooledView, RUNS, valueOrRefusal, valueOrRefusalAsync } from "../support/property.ts";

const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const propertyPart = fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }).filter((s) => !/[\u0001\u0002]/.test(s));
const batchMessage: fc.Arbitrary<BatchMessageInput> = fc.record({
  flag: i32,
  body: fc.uint8Array({ maxLength: 200 }),
  properties: fc.dictionary(propertyPart, propertyPart, { maxKeys: 4 }).map((m) => encodeProperties(m, { trailingSeparator: false })),
});
const ipv4Host = fc.record({ address: fc.uint8Array({ minLength: 4, maxLength: 4 }), port: fc.integer({ min: 0, max: 65535 }) });
const ipv6Host = fc.record({ address: fc.uint8Array({ minLength: 16, maxLength: 16 }), port: fc.integer({ min: 0, max: 65535 }) });
const hostAddress: fc.Arbitrary<HostAddress> = fc.oneof(ipv4Host, ipv6Host).map((h) => ({ ...h }));

/** The batch as its messages describe it: re-encoding the decoded messages gives the input back (magic and CRC are 0 on the wire). */
function assertBatchConsistent(bytes: Uint8Array): void {
  const decoded = valueOrRefusal(["BATCH_ILLEGAL"], () => decodeBatch(pooledView(bytes)));
  if (decoded === undefined) return;
  const again = encodeBatch(decoded);
  const expected = bytes.slice();
  let at = 0;
  for (const m of decoded) {
    expected.fill(0, at + 4, at + 12); // MAGICCODE and BODYCRC: written 0 by clients, ignored by the broker
    at += 22 + m.body.length + m.properties.length;
  }
  assert.equal(at, bytes.length, "the messages cover the whole body");
  assert.deepEqual(again, expected);
}

describe("batch body, property-based", () => {
  it("splits arbitrary bytes into messages that cover them exactly, or refuses with BATCH_ILLEGAL", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), assertBatchConsistent), { numRuns: RUNS });
  });

  it("round-trips batches of random messages", () => {
    fc.assert(fc.property(fc.array(batchMessage, { maxLength: 6 }), (messages) => {
      const decoded = decodeBatch(pooledView(encodeBatch(messages)));
      assert.deepEqual(decoded.map((m) => [m.flag, m.body.slice(), new TextDecoder().decode(m.properties)]), messages.map((m) => [m.flag, m.body, m.properties]));
    }), { numRuns: RUNS });
  });

  it("reads mutated batches (random and golden records) consistently or refuses them", () => {
    const golden = [fixtureBytes("v4.9.7-batch-3records.bin"), fixtureBytes("v5.3.3-batch-3records.bin")];
    const seeds = fc.oneof(fc.array(batchMessage, { minLength: 1, maxLength: 4 }).map(encodeBatch), fc.constantFrom(...golden));
    fc.assert(fc.property(seeds, mutations, (valid, steps) => assertBatchConsistent(mutate(valid, steps))), { numRuns: RUNS });
  });
});

describe("message properties, property-based", () => {
  it("decodes any text (and any bytes) to well-formed entries, never a throw", () => {
    const text = fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.array(fc.constantFrom("\u0001", "\u0002", "a", "b", "="), { maxLength: 40 }).map((a) => a.join("")));
    fc.assert(fc.property(text, fc.uint8Array({ maxLength: 200 }), (s, bytes) => {
      for (const map of [decodeProperties(s), decodePropertiesBytes(bytes)]) {
        for (const [key, value] of map) {
          assert.ok(key.length > 0 && value.length > 0, "no empty key or value");
          assert.ok(!key.includes("\u0001") && !key.includes("\u0002") && !value.includes("\u0002"));
        }
      }
    }), { numRuns: RUNS });
  });

  it("round-trips random maps in both trailing-separator styles; keys or values holding a separator are refused", () => {
    const anyPart = fc.string({ unit: "grapheme", maxLength: 8 });
    fc.assert(fc.property(fc.dictionary(propertyPart, propertyPart, { maxKeys: 8 }), fc.boolean(), fc.dictionary(anyPart, anyPart, { maxKeys: 4 }), (map, trailing, risky) => {
      assert.deepEqual(Object.fromEntries(decodeProperties(encodeProperties(map, { trailingSeparator: trailing }))), { ...map });
      const text = valueOrRefusal(["PROPERTIES_ILLEGAL"], () => encodeProperties(risky, { trailingSeparator: trailing }));
      if (text !== undefined) assert.deepEqual(Object.fromEntries(decodeProperties(text)), { ...risky });
    }), { numRuns: RUNS });
  });
});

describe("offsetMsgId, host address and tags code, property-based", () => {
  it("decodes arbitrary and hex-like strings to an id that re-encodes to itself, or refuses with MESSAGE_ID_ILLEGAL", () => {
    // Address, any i32 port, and an offset whose top bytes are usually zero (else it is not a safe integer).
    const idBytes = fc.tuple(fc.constantFrom(4, 16), fc.uint8Array({ minLength: 28, maxLength: 28 }), fc.boolean()).map(([n, b, small]) => {
      const bytes = b.slice(0, n + 12);
      if (small) bytes.fill(0, n + 4, n + 6);
      return bytes;
    });
    const hexLike = fc.tuple(idBytes, fc.boolean()).map(([b, lower]) => {
      const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
      return lower ? hex : hex.toUpperCase();
    });
    fc.assert(fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 60 }), hexLike), (id) => {
      const decoded = valueOrRefusal(["MESSAGE_ID_ILLEGAL"], () => decodeOffsetMsgId(id));
      if (decoded !== undefined) assert.equal(encodeOffsetMsgId(decoded.storeHost, decoded.physicalOffset), id.toUpperCase());
    }), { numRuns: RUNS });
  });

  it("round-trips offsetMsgIds of random IPv4/IPv6 hosts and offsets", () => {
    fc.assert(fc.property(hostAddress, fc.maxSafeNat(), (host, offset) => {
      assert.deepEqual(decodeOffsetMsgId(encodeOffsetMsgId(host, offset)), { storeHost: host, physicalOffset: offset });
    }), { numRuns: RUNS });
  });

  it("parses any text as a host address or refuses with HOST_ADDRESS_ILLEGAL; formatted hosts parse back", () => {
    const addressLike = fc.array(fc.constantFrom(..."0123456789abcdef.:[]%"), { maxLength: 48 }).map((a) => a.join(""));
    fc.assert(fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 48 }), addressLike), hostAddress, (text, host) => {
      const parsed = valueOrRefusal(["HOST_ADDRESS_ILLEGAL"], () => parseHostAddress(text));
      if (parsed !== undefined) assert.deepEqual(parseHostAddress(formatHostAddress(parsed)), parsed);
      assert.deepEqual(parseHostAddress(formatHostAddress(host)), host);
    }), { numRuns: RUNS });
  });

  it("hashes any string to a signed i32 tags code (0 for no tags)", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 100 }), (tags) => {
      const code = tagsCode(tags);
      assert.equal(code, code | 0);
      assert.equal(code, tags === "" ? 0 : javaStringHash(tags));
    }), { numRuns: RUNS });
  });
});

describe("consume-queue entry and checkpoint, property-based", () => {
  it("reads an entry anywhere in arbitrary bytes, or refuses with CONSUME_QUEUE_ENTRY_ILLEGAL", () => {
    const golden = [fixtureBytes("v4.9.7-cq-TopicTest-0-first3.bin"), fixtureBytes("v5.3.3-cq-TopicTest-0-first3.bin")];
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.tuple(fc.constantFrom(...golden), mutations).map(([g, m]) => mutate(g, m)));
    fc.assert(fc.property(bytes, fc.integer({ min: -4, max: 90 }), (raw, at) => {
      const view = pooledView(raw);
      const entry = valueOrRefusal(["CONSUME_QUEUE_ENTRY_ILLEGAL"], () => decodeConsumeQueueEntry(view, at));
      if (entry === undefined) return;
      assert.ok(at >= 0 && at + CQ_STORE_UNIT_SIZE <= raw.length);
      if (entry.physicalOffset >= 0) assert.deepEqual(encodeConsumeQueueEntry(entry), raw.slice(at, at + CQ_STORE_UNIT_SIZE));
    }), { numRuns: RUNS });
  });

  it("round-trips random entries", () => {
    const entry = fc.record({ physicalOffset: fc.maxSafeNat(), size: i32, tagsCode: fc.maxSafeInteger() }).map((e) => ({ ...e }));
    fc.assert(fc.property(entry, (e) => assert.deepEqual(decodeConsumeQueueEntry(encodeConsumeQueueEntry(e)), e)), { numRuns: RUNS });
  });

  const checkpoint: fc.Arbitrary<StoreCheckpoint> = fc.record({
    physicMsgTimestamp: fc.maxSafeInteger(), logicsMsgTimestamp: fc.maxSafeInteger(), indexMsgTimestamp: fc.maxSafeInteger(),
    masterFlushedOffset: fc.maxSafeInteger(), confirmPhyOffset: fc.maxSafeInteger(),
  }).map((c) => ({ ...c }));

  it("decodes arbitrary and mutated checkpoints to a value that re-encodes to the same fields, or refuses with CHECKPOINT_ILLEGAL", () => {
    const golden = fixtureBytes("v4.9.7-checkpoint-first40.bin");
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 60 }), mutations.map((m) => mutate(golden, m)), fc.tuple(checkpoint, mutations).map(([c, m]) => mutate(encodeCheckpoint(c), m)));
    fc.assert(fc.property(bytes, (raw) => {
      const decoded = valueOrRefusal(["CHECKPOINT_ILLEGAL"], () => decodeCheckpoint(pooledView(raw)));
      if (decoded !== undefined) assert.deepEqual(encodeCheckpoint(decoded).subarray(0, 40), raw.subarray(0, 40));
    }), { numRuns: RUNS });
  });

  it("round-trips random checkpoints through the 4096-byte file image", () => {
    fc.assert(fc.property(checkpoint, (c) => {
      const image = encodeCheckpoint(c);
      assert.equal(image.length, CHECKPOINT_FILE_SIZE);
      assert.deepEqual(decodeCheckpoint(image), c);
    }), { numRuns: RUNS });
  });

  it("opens a checkpoint file holding any bytes: the decoded value, or zeros when it does not decode", async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 100 }), async (raw) => {
      const fs = new MemoryFileSystem();
      await fs.writeFile("/checkpoint", raw);
      const file = await valueOrRefusalAsync([], () => CheckpointFile.open(fs, "/checkpoint"));
      const expected = raw.length >= 40 ? valueOrRefusal(["CHECKPOINT_ILLEGAL"], () => decodeCheckpoint(raw)) : undefined;
      assert.deepEqual(file!.value, expected ?? decodeCheckpoint(new Uint8Array(40)));
      await file!.close();
    }), { numRuns: RUNS });
  });
});
