/**
 * A RocketMQ batch's messages are stored as a 4.9 broker stores them: each one's own properties,
 * 0x02, then the batch-level string with CLUSTER (spec §0.1). The map each message carries (what
 * the send checks and the store read: UNIQ_KEY, DELAY, TRAN_MSG, …) is exactly what decoding that
 * stored string gives — for any properties a producer may send, separators and repeats included.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { utf8Encode } from "../../src/core/bytes.ts";
import { parseHostAddress } from "../../src/codec/host-address.ts";
import { decodePropertiesBytes, MessageConst } from "../../src/codec/properties.ts";
import { buildFromRemotingBatch, type BuildContext, type RemotingSendFields } from "../../src/broker/message-build.ts";
import { RUNS } from "../support/property.ts";

const S = "\u0001";
const P = "\u0002";
const host = parseHostAddress("127.0.0.1:10911");

function context(): BuildContext {
  let n = 0;
  return { clusterName: "DefaultCluster", storeHost: host, bornHost: host, now: 1_700_000_000_000, nextUniqueId: () => `ID${n++}` };
}

function fields(properties: string): RemotingSendFields {
  return { properties, flag: 0, sysFlag: 0, bornTimestamp: 1_700_000_000_000, reconsumeTimes: 0, queueId: undefined };
}

describe("buildFromRemotingBatch", () => {
  it("stores inner 0x02 batch-level, and each map is the stored string decoded, for any properties", () => {
    // A message's own properties: any text of names, values and separators (the producer's bytes, verbatim).
    const part = fc.constantFrom("", "A", "KEYS", "TAGS", "UNIQ_KEY", "WAIT", "CLUSTER", "DELAY", "x", "é", "true", S, P);
    const text = fc.array(part, { maxLength: 16 }).map((parts) => parts.join(""));
    // The batch-level header: entries the broker can re-encode (a value holding 0x01 is refused, PROPERTIES_ILLEGAL).
    const name = fc.constantFrom("A", "KEYS", "TAGS", "UNIQ_KEY", "WAIT", "CLUSTER", "DELAY");
    const value = fc.constantFrom("x", "é", "true", "false", "2");
    const header = fc.tuple(fc.array(fc.tuple(name, value), { maxLength: 5 }), fc.boolean())
      .map(([entries, trailing]) => entries.map(([k, v]) => `${k}${S}${v}`).join(P) + (trailing && entries.length > 0 ? P : ""));
    fc.assert(fc.property(fc.array(text, { minLength: 1, maxLength: 4 }), header, (inners, batchLevel) => {
      const built = buildFromRemotingBatch(inners.map((p) => ({ flag: 0, body: new Uint8Array(1), properties: utf8Encode(p) })), fields(batchLevel), context());
      built.forEach((message, i) => {
        const stored = message.input.storedProperties!;
        assert.deepEqual([...message.input.properties], [...decodePropertiesBytes(stored)], `message ${i}: the map is the stored string decoded`);
        assert.equal(message.uniqueId, message.input.properties.get(MessageConst.UNIQ_KEY));
        assert.ok(message.uniqueId !== undefined && message.uniqueId !== "", "every message has a UNIQ_KEY");
        const inner = utf8Encode(inners[i]);
        assert.deepEqual(stored.subarray(0, inner.length), inner, "the message's own properties come first, verbatim");
      });
    }), { numRuns: RUNS });
  });

  it("lets the batch-level value win, adds CLUSTER (the batch-level string in Java's HashMap order), and gives a message without UNIQ_KEY one at the end", () => {
    const [own, generated] = buildFromRemotingBatch([
      { flag: 0, body: new Uint8Array(1), properties: utf8Encode(`UNIQ_KEY${S}U1${P}WAIT${S}false${P}TAGS${S}A`) },
      { flag: 0, body: new Uint8Array(1), properties: utf8Encode(`TAGS${S}B${P}`) },
    ], fields(`WAIT${S}true`), context());
    assert.deepEqual([...own.input.properties], [["UNIQ_KEY", "U1"], ["WAIT", "true"], ["TAGS", "A"], ["CLUSTER", "DefaultCluster"]]);
    assert.equal(new TextDecoder().decode(own.input.storedProperties), `UNIQ_KEY${S}U1${P}WAIT${S}false${P}TAGS${S}A${P}CLUSTER${S}DefaultCluster${P}WAIT${S}true`);
    assert.equal(new TextDecoder().decode(generated.input.storedProperties), `TAGS${S}B${P}CLUSTER${S}DefaultCluster${P}WAIT${S}true${P}UNIQ_KEY${S}ID0`);
    assert.deepEqual([generated.uniqueId, [...generated.input.properties.keys()]], ["ID0", ["TAGS", "CLUSTER", "WAIT", "UNIQ_KEY"]]);
  });
});
