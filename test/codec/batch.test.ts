/**
 * A client batch body splits into its messages and re-encodes identically; truncated or inconsistent
 * bodies fail with BATCH_ILLEGAL naming the message, never another error; a body of more than
 * BATCH_MESSAGES_MAX messages fails with BATCH_TOO_LARGE at the first message past the cap. Merging batch-level
 * properties as the broker does (spec §0.1) and encoding full records rebuilds the real 4.9.7 and
 * 5.3.3 batch records byte for byte, whether or not the client ended its properties with 0x02.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SkiffError } from "../../src/core/errors.ts";
import { fromHex, utf8Decode, utf8Encode, viewOf } from "../../src/core/bytes.ts";
import { BATCH_MESSAGES_MAX, decodeBatch, encodeBatch, mergeBatchProperties } from "../../src/codec/batch.ts";
import { encodeMessageRecord } from "../../src/codec/message-record.ts";
import { type DecodedMessage, decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { fixtureBytes } from "../support/fixtures.ts";

const S = "\u0001";
const P = "\u0002";
const isBatchIllegal = (e: unknown) => e instanceof SkiffError && e.code === "BATCH_ILLEGAL" && /batch message \d+ at byte \d+/.test(e.message);

describe("batch body codec", () => {
  // Provenance: layout of Java MessageDecoder.encodeMessage (spec §1.7 step 8), written out by hand.
  it("encodes one mini-record per message", () => {
    const bytes = encodeBatch([{ flag: 7, body: utf8Encode("ab"), properties: `k${S}v` }, { flag: 0, body: new Uint8Array(0), properties: "" }]);
    assert.deepEqual(bytes, fromHex("0000001b" + "00000000" + "00000000" + "00000007" + "00000002" + "6162" + "0003" + "6b0176" +
      "00000016" + "00000000" + "00000000" + "00000000" + "00000000" + "0000"));
    const messages = decodeBatch(bytes);
    assert.equal(messages.length, 2);
    assert.equal(messages[0].flag, 7);
    assert.equal(utf8Decode(messages[0].body), "ab");
    assert.equal(utf8Decode(messages[0].properties), `k${S}v`);
    assert.equal(messages[1].body.length + messages[1].properties.length, 0);
    assert.deepEqual(encodeBatch(messages), bytes);
    assert.deepEqual(decodeBatch(new Uint8Array(0)), []);
  });

  it("rejects truncated and inconsistent bodies with BATCH_ILLEGAL", () => {
    const good = encodeBatch([{ flag: 0, body: utf8Encode("body"), properties: `a${S}b` }, { flag: 0, body: utf8Encode("x"), properties: "" }]);
    const first = 22 + 4 + 3;
    for (let n = 1; n < good.length; n++) {
      if (n === first) continue;
      assert.throws(() => decodeBatch(good.subarray(0, n)), isBatchIllegal, `prefix ${n}`);
    }
    const corrupt = (at: number, write: (v: DataView) => void) => {
      const bytes = good.slice();
      write(viewOf(bytes.subarray(at)));
      return bytes;
    };
    assert.throws(() => decodeBatch(corrupt(16, (v) => v.setInt32(0, -1))), isBatchIllegal);
    assert.throws(() => decodeBatch(corrupt(16, (v) => v.setInt32(0, 1000))), isBatchIllegal);
    assert.throws(() => decodeBatch(corrupt(24, (v) => v.setInt16(0, -1))), isBatchIllegal);
    assert.throws(() => decodeBatch(corrupt(24, (v) => v.setInt16(0, 100))), isBatchIllegal);
    assert.throws(() => decodeBatch(corrupt(0, (v) => v.setInt32(0, 28))), isBatchIllegal);
    assert.throws(() => decodeBatch(corrupt(first + 16, (v) => v.setInt32(0, 2))), /batch message 1 at byte 29/);
  });

  it("decodes BATCH_MESSAGES_MAX empty messages and refuses one more with BATCH_TOO_LARGE", () => {
    assert.equal(BATCH_MESSAGES_MAX, 1024, "the JSON batch's limit");
    const empty = { flag: 0, body: new Uint8Array(0), properties: "" };
    const atCap = encodeBatch(Array.from({ length: BATCH_MESSAGES_MAX }, () => empty));
    assert.equal(decodeBatch(atCap).length, BATCH_MESSAGES_MAX);
    // 4 MiB of 22-byte empty messages: 190,650 of them; refused at message 1025, not after decoding all.
    const hostile = new Uint8Array(4 * 1024 * 1024 - (4 * 1024 * 1024) % 22);
    hostile.set(atCap.subarray(0, 22 * 16));
    for (let at = 22 * 16; at < hostile.length; at *= 2) hostile.copyWithin(at, 0, Math.min(at, hostile.length - at));
    assert.equal(hostile.length / 22, 190650);
    assert.throws(() => decodeBatch(hostile), (e: unknown) => e instanceof SkiffError && e.code === "BATCH_TOO_LARGE" &&
      /more than 1024 messages \(byte 22528 of 4194300 starts message 1025\)/.test(e.message));
    assert.throws(() => decodeBatch(atCap, 10), /more than 10 messages/);
  });

  it("never throws anything but BATCH_ILLEGAL on random corruption", () => {
    const good = encodeBatch([0, 1, 2].map((i) => ({ flag: i, body: utf8Encode(`body-${i}`), properties: `k${S}${i}` })));
    let seed = 7;
    for (let round = 0; round < 1000; round++) {
      const bytes = good.slice();
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      bytes[seed % bytes.length] = seed >>> 24;
      try {
        decodeBatch(bytes.subarray(0, round % 2 ? bytes.length : seed % bytes.length));
      } catch (e) {
        assert.ok(e instanceof SkiffError && e.code === "BATCH_ILLEGAL", String(e));
      }
    }
  });
});

describe("mergeBatchProperties", () => {
  const merge = (inner: string, batch: string) => utf8Decode(mergeBatchProperties(utf8Encode(inner), utf8Encode(batch)));

  it("adds 0x02 only between a non-empty inner string without one and non-empty batch properties", () => {
    assert.equal(merge(`a${S}1`, `W${S}t`), `a${S}1${P}W${S}t`);
    assert.equal(merge(`a${S}1${P}`, `W${S}t`), `a${S}1${P}W${S}t`);
    assert.equal(merge("", `W${S}t`), `W${S}t`);
    assert.equal(merge(`a${S}1`, ""), `a${S}1`);
  });
});

// Provenance: fixtures/rocketmq/v4.9.7-batch-3records.* and v5.3.3-batch-3records.*: one real
// send(Collection<Message>, mq) stored by each broker version.
const BATCH_FIXTURES = [
  { name: "v4.9.7-batch-3records.bin", batchProps: `CLUSTER${S}DefaultCluster${P}WAIT${S}true` },
  {
    name: "v5.3.3-batch-3records.bin",
    batchProps: `MSG_REGION${S}DefaultRegion${P}UNIQ_KEY${S}FD000000000000000000000000000002700130946E096A31271600CB${P}` +
      `CLUSTER${S}DefaultCluster${P}WAIT${S}true${P}TRACE_ON${S}true${P}`,
  },
];

describe("a client batch becomes the real stored records", () => {
  for (const { name, batchProps } of BATCH_FIXTURES) {
    it(`${name}: rebuilt byte for byte`, () => {
      const bin = fixtureBytes(name);
      const stored: DecodedMessage[] = [];
      for (let at = 0; at < bin.length; at += stored[stored.length - 1].totalSize) {
        stored.push(decodeMessageRecord(bin, at) as DecodedMessage);
      }
      assert.equal(stored.length, 3);
      for (const trailing of ["", P]) {
        const inner = stored.map((m) => {
          assert.ok(m.properties.endsWith(P + batchProps));
          return m.properties.slice(0, m.properties.length - batchProps.length - 1) + trailing;
        });
        const clientBody = encodeBatch(stored.map((m, i) => ({ flag: m.flag, body: m.body!, properties: inner[i] })));
        const rebuilt = decodeBatch(clientBody).map((message, i) =>
          encodeMessageRecord({ ...stored[i], body: message.body, properties: mergeBatchProperties(message.properties, utf8Encode(batchProps)) }),
        );
        const joined = new Uint8Array(bin.length);
        let at = 0;
        for (const record of rebuilt) (joined.set(record, at), (at += record.length));
        assert.deepEqual(joined, bin);
      }
    });
  }
});
