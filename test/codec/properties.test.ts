/**
 * Properties encode with or without the final 0x02 as the caller chooses, and decode exactly like
 * Java's string2messageProperties: short or empty-key/empty-value segments dropped, the value runs
 * to the segment end, the last duplicate wins, a missing trailing separator is fine. The real
 * records' properties (4.9.7 without, 5.3.3 with the trailing separator; batches with repeated keys)
 * decode to the listed values.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SkiffError } from "../../src/core/errors.ts";
import { utf8Encode } from "../../src/core/bytes.ts";
import {
  DEFAULT_TRAILING_SEPARATOR, MessageConst, decodeProperties, decodePropertiesBytes, encodeProperties, pickProperties,
} from "../../src/codec/properties.ts";
import fc from "fast-check";
import { RUNS } from "../support/property.ts";
import { listedProperties, listedRecords } from "../support/fixtures.ts";

const S = "\u0001";
const P = "\u0002";

describe("encodeProperties", () => {
  it("writes key 0x01 value 0x02 with the trailing separator the caller chose", () => {
    const props = new Map([["KEYS", "k1"], ["TAGS", "TagA"], ["WAIT", "true"]]);
    assert.equal(encodeProperties(props, { trailingSeparator: true }), `KEYS${S}k1${P}TAGS${S}TagA${P}WAIT${S}true${P}`);
    assert.equal(encodeProperties(props, { trailingSeparator: false }), `KEYS${S}k1${P}TAGS${S}TagA${P}WAIT${S}true`);
    assert.equal(DEFAULT_TRAILING_SEPARATOR, false);
  });

  it("accepts records, skips null/undefined values, writes nothing for no entries", () => {
    assert.equal(encodeProperties({ a: "1", b: null, c: undefined, d: "4" }, { trailingSeparator: true }), `a${S}1${P}d${S}4${P}`);
    assert.equal(encodeProperties({}, { trailingSeparator: true }), "");
  });

  it("refuses what would not read back: empty parts or separators inside", () => {
    for (const bad of [{ "": "v" }, { k: "" }, { [`k${S}`]: "v" }, { k: `v${P}w` }]) {
      assert.throws(() => encodeProperties(bad, { trailingSeparator: false }), (e: unknown) => e instanceof SkiffError && e.code === "PROPERTIES_ILLEGAL");
    }
  });

  it("round-trips through decodeProperties", () => {
    const props = new Map([[MessageConst.TAGS, "TagA"], [MessageConst.KEYS, "a b"], ["userProp", "v=1;é"], [MessageConst.UNIQ_KEY, "X"]]);
    for (const trailingSeparator of [true, false]) {
      assert.deepEqual(decodeProperties(encodeProperties(props, { trailingSeparator })), props);
    }
  });
});

describe("decodeProperties (Java string2messageProperties)", () => {
  it("keeps only segments of >= 3 chars with a 0x01 inside", () => {
    const text = `a${S}b${P}${S}v${P}k${S}${P}ab${P}${P}x${S}y${S}z${P}kk${S}vv`;
    assert.deepEqual(decodeProperties(text), new Map([["a", "b"], ["x", `y${S}z`], ["kk", "vv"]]));
  });

  it("lets the last duplicate win and tolerates a missing trailing separator", () => {
    assert.deepEqual(decodeProperties(`WAIT${S}false${P}WAIT${S}true`), new Map([["WAIT", "true"]]));
    assert.deepEqual(decodeProperties(`A${S}1${P}A${S}2${P}`), new Map([["A", "2"]]));
    assert.deepEqual(decodeProperties(""), new Map());
  });

  it("decodes the real records' properties to the listed values (fixtures: real 4.9.7/5.3.3 brokers)", () => {
    for (const name of ["v4.9.7-golden-record.txt", "v5.3.3-golden-record.txt", "v4.9.7-single-userprops-record.txt", "v5.3.3-batch-3records.txt", "v4.9.7-batch-3records.txt"]) {
      for (const record of listedRecords(name)) {
        const text = listedProperties(record.fields.props as string);
        const expected = new Map<string, string>();
        for (const pair of (record.fields.props as string).split(";").filter((p) => p.length > 0)) {
          const [key, value] = pair.split("=");
          expected.set(key, value);
        }
        assert.deepEqual(decodePropertiesBytes(utf8Encode(text)), expected, name);
      }
    }
  });

  it("sees the batch's second UNIQ_KEY win on 5.3.3 (spec §0.1)", () => {
    const record = listedRecords("v5.3.3-batch-3records.txt")[0];
    const map = decodeProperties(listedProperties(record.fields.props as string));
    assert.equal(map.get(MessageConst.UNIQ_KEY), "FD000000000000000000000000000002700130946E096A31271600CB");
    assert.equal(map.get(MessageConst.TAGS), "TagBatch");
  });
});

describe("pickProperties", () => {
  it("gives for each name what decodeProperties gives, for any text of names, values and separators", () => {
    const part = fc.constantFrom("", "A", "AB", "KEYS", "TAGS", "UNIQ_KEY", "DELAY", "x", `K${S}`, S, P);
    const text = fc.array(part, { maxLength: 24 }).map((parts) => parts.join(""));
    const names = ["UNIQ_KEY", "KEYS", "TAGS", "DELAY", "A", "AB"];
    fc.assert(fc.property(text, (t) => {
      const map = decodeProperties(t);
      assert.deepEqual(pickProperties(t, names), names.map((n) => map.get(n)));
    }), { numRuns: RUNS });
  });

  it("answers in the order of the names asked; a duplicate's last value wins; a missing one is undefined", () => {
    const t = `UNIQ_KEY${S}7F00000100002A9F0000000000000000${P}KEYS${S}k1 k2${P}TAGS${S}TagA${P}WAIT${S}true${P}TAGS${S}TagB`;
    assert.deepEqual(pickProperties(t, ["TAGS", "KEYS", "DELAY", "UNIQ_KEY"]), ["TagB", "k1 k2", undefined, "7F00000100002A9F0000000000000000"]);
  });
});
