/**
 * Property-based bad input for commit-log records (V1/V2 messages and the BLANK end-of-segment
 * record): arbitrary and mutated bytes, including the real 4.9.7/5.3.3 golden records, always
 * decode to a well-defined result (message, blank, partial or invalid with a stable reason) and
 * never throw. Valid records built from random fields round-trip exactly, and whatever a mutated
 * record decodes to re-encodes to the very bytes it was read from.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeBlankRecord } from "../../src/codec/blank-record.ts";
import { type HostAddress } from "../../src/codec/host-address.ts";
import { type DecodedRecord, decodeMessageRecord, decodeRecordMeta, RecordProblem } from "../../src/codec/message-record-decode.ts";
import { encodeMessageRecord, MESSAGE_MAGIC_V1, MESSAGE_MAGIC_V2, messageRecordLength, type MessageRecordFields } from "../../src/codec/message-record.ts";
import { encodeProperties } from "../../src/codec/properties.ts";
import { QUEUE_ID_MAX } from "../../src/codec/message-limits.ts";
import { utf8Encode } from "../../src/core/bytes.ts";
import { fixtureBytes } from "../support/fixtures.ts";
import { mutate, mutations, pooledView, RUNS } from "../support/property.ts";

const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const host: fc.Arbitrary<HostAddress> = fc.record({
  address: fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })),
  port: fc.integer({ min: 0, max: 0x7fffffff }),
}).map((h) => ({ ...h })); // fc.record gives null-prototype objects; decoders give plain ones
const propertyPart = fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }).filter((s) => !/[\u0001\u0002]/.test(s));
const propertiesText = fc.tuple(fc.dictionary(propertyPart, propertyPart, { maxKeys: 6 }), fc.boolean())
  .map(([map, trailingSeparator]) => encodeProperties(map, { trailingSeparator }));

export const recordFields: fc.Arbitrary<MessageRecordFields> = fc.record({
  magic: fc.constantFrom(MESSAGE_MAGIC_V1, MESSAGE_MAGIC_V2),
  queueId: fc.integer({ min: 0, max: QUEUE_ID_MAX }),
  flag: i32,
  queueOffset: fc.maxSafeNat(),
  physicalOffset: fc.maxSafeNat(),
  sysFlag: i32,
  bornTimestamp: fc.maxSafeInteger(),
  bornHost: host,
  storeTimestamp: fc.maxSafeInteger(),
  storeHost: host,
  reconsumeTimes: i32,
  preparedTransactionOffset: fc.maxSafeInteger(),
  body: fc.uint8Array({ maxLength: 300 }),
  topic: fc.stringMatching(/^[%|a-zA-Z0-9_-]{1,127}$/),
  properties: propertiesText,
});

const GOLDEN = [
  "v4.9.7-golden-record.bin", "v5.3.3-golden-record.bin", "v4.9.7-single-userprops-record.bin",
  "v5.3.3-single-userprops-record.bin", "v4.9.7-batch-3records.bin", "v5.3.3-batch-3records.bin", "v4.9.7-seg0-tail-blank.bin",
].map(fixtureBytes);

const PROBLEMS = new Set<string>(Object.values(RecordProblem));

/**
 * Decodes without throwing, and checks the result is one of the four documented shapes, and that
 * `decodeRecordMeta` (with and without a view given) answers the same but the hosts and the body.
 */
function decodeChecked(bytes: Uint8Array, at = 0): DecodedRecord {
  const result = decodeMessageRecord(bytes, at, { checkCrc: true });
  const { bornHost: _b, storeHost: _s, body: _body, ...meta } = result.kind === "message" ? result : { ...result, bornHost: null, storeHost: null, body: null };
  assert.deepEqual(decodeRecordMeta(bytes, at, { checkCrc: true }), meta, "decodeRecordMeta agrees");
  assert.deepEqual(decodeRecordMeta(bytes, at, { checkCrc: true, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) }), meta, "also with the caller's view");
  const available = bytes.length - at;
  switch (result.kind) {
    case "message":
      assert.ok(result.totalSize <= available, "a message never claims bytes that are not there");
      assert.ok(result.body !== null && result.body.length === result.bodyLength);
      assert.equal(result.body.buffer, bytes.buffer, "the body is a view into the input");
      assert.ok(result.body.byteOffset >= bytes.byteOffset + at && result.body.byteOffset + result.bodyLength <= bytes.byteOffset + at + result.totalSize);
      for (const v of [result.queueOffset, result.physicalOffset, result.bornTimestamp, result.storeTimestamp, result.preparedTransactionOffset]) {
        assert.ok(Number.isSafeInteger(v));
      }
      break;
    case "blank":
      assert.ok(result.totalSize >= 8);
      break;
    case "partial":
      assert.ok(result.neededBytes > available, "partial only when bytes are really missing");
      break;
    case "invalid":
      assert.ok(PROBLEMS.has(result.reason), `unknown reason ${result.reason}`);
      assert.ok(result.detail.length > 0);
      break;
    default:
      assert.fail(`unknown result kind ${JSON.stringify(result)}`);
  }
  return result;
}

/**
 * A decoded message re-encoded from its fields: it must give back exactly the bytes it was read
 * from (BODYCRC aside when no CRC check ran), when its fields are ones the encoder accepts.
 */
function assertReencodes(bytes: Uint8Array, at: number, result: DecodedRecord): void {
  if (result.kind !== "message") return;
  // An ASCII topic passes the encoder's check and has as many bytes as chars; invalid UTF-8 in the
  // properties decodes to U+FFFD and cannot be re-encoded to the same bytes, so it is left out.
  if (!/^[%|a-zA-Z0-9_-]{1,127}$/.test(result.topic) || result.bornHost.port < 0 || result.storeHost.port < 0) return;
  if (result.queueId < 0 || result.queueId > QUEUE_ID_MAX) return; // read as found; the encoder refuses it (QUEUE_ID_ILLEGAL)
  if (result.queueOffset < 0 || result.physicalOffset < 0) return; // likewise: the encoder asserts these offsets are never negative
  const propertiesLength = result.totalSize - messageRecordLength(result.sysFlag, result.bodyLength, result.topic.length, 0, result.magic);
  const end = at + result.totalSize;
  if (!equalBytes(utf8Encode(result.properties), bytes.subarray(end - propertiesLength, end))) return;
  const again = encodeMessageRecord({ ...result, body: result.body! });
  if (result.bodyLength === 0) new DataView(again.buffer).setInt32(8, result.bodyCrc); // no CRC check on an empty body
  assert.deepEqual(again, bytes.slice(at, end), "the decoded fields describe exactly the bytes read");
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

describe("commit-log record decoder, property-based", () => {
  it("decodes arbitrary bytes at any position to a well-defined result, never a throw", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat(), (raw, seed) => {
      const bytes = pooledView(raw);
      const at = raw.length === 0 ? 0 : seed % (raw.length + 1);
      assertReencodes(bytes, at, decodeChecked(bytes, at));
    }), { numRuns: RUNS });
  });

  it("decodes arbitrary bytes behind a valid V1/V2 header prefix (magic, TOTALSIZE) without a throw", () => {
    const header = fc.tuple(fc.integer({ min: 0, max: 600 }), fc.constantFrom(MESSAGE_MAGIC_V1, MESSAGE_MAGIC_V2, 0xcbd43194 | 0), fc.uint8Array({ maxLength: 600 }));
    fc.assert(fc.property(header, ([totalSize, magic, rest]) => {
      const bytes = new Uint8Array(8 + rest.length);
      new DataView(bytes.buffer).setInt32(0, totalSize);
      new DataView(bytes.buffer).setInt32(4, magic);
      bytes.set(rest, 8);
      assertReencodes(bytes, 0, decodeChecked(bytes));
    }), { numRuns: RUNS });
  });

  it("round-trips records built from random fields exactly, V1 and V2, IPv4 and IPv6, at any offset of a pooled buffer", () => {
    fc.assert(fc.property(recordFields, fc.uint8Array({ maxLength: 16 }), (fields, prefix) => {
      const encoded = encodeMessageRecord(fields);
      const bytes = pooledView(new Uint8Array([...prefix, ...encoded, 1, 2, 3]));
      const decoded = decodeChecked(bytes, prefix.length);
      assert.equal(decoded.kind, "message");
      if (decoded.kind !== "message") return;
      assert.equal(decoded.totalSize, encoded.length);
      for (const key of ["magic", "queueId", "flag", "queueOffset", "physicalOffset", "bornTimestamp", "storeTimestamp", "reconsumeTimes", "preparedTransactionOffset", "topic", "properties"] as const) {
        assert.deepEqual(decoded[key], fields[key], key);
      }
      assert.deepEqual([decoded.bornHost, decoded.storeHost], [fields.bornHost, fields.storeHost]);
      assert.deepEqual(decoded.body, fields.body);
      assertReencodes(bytes, prefix.length, decoded);
    }), { numRuns: RUNS });
  });

  it("reads mutated valid records (random and golden) as errors or as records consistent with the bytes", () => {
    const seeds = fc.oneof(recordFields.map((f) => encodeMessageRecord(f)), fc.constantFrom(...GOLDEN));
    fc.assert(fc.property(seeds, mutations, (valid, steps) => {
      const bytes = mutate(valid, steps);
      const decoded = decodeChecked(bytes);
      assertReencodes(bytes, 0, decoded);
      if (decoded.kind === "message" && decoded.totalSize <= valid.length) {
        // Unchanged record bytes decode as before; changed ones are noticed (CRC) or re-encode as read.
        const same = bytes.subarray(0, decoded.totalSize).every((b, i) => b === valid[i]);
        if (same) assert.deepEqual(decoded, decodeMessageRecord(valid, 0, { checkCrc: true }));
      }
    }), { numRuns: RUNS });
  });

  it("round-trips BLANK records of any legal length, and refuses a blank shorter than 8", () => {
    fc.assert(fc.property(fc.integer({ min: 8, max: 0x7fffffff }), fc.integer({ min: -0x80000000, max: 7 }), (length, tooShort) => {
      assert.deepEqual(decodeMessageRecord(encodeBlankRecord(length)), { kind: "blank", totalSize: length });
      const bad = encodeBlankRecord(8);
      new DataView(bad.buffer).setInt32(0, tooShort);
      const result = decodeMessageRecord(bad);
      assert.equal(result.kind === "invalid" && result.reason, "TOTAL_SIZE_ILLEGAL");
    }), { numRuns: RUNS });
  });
});
