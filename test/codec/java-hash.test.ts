/**
 * `javaStringHash` reproduces Java's String.hashCode over UTF-16 code units, i32 overflow included,
 * and `tagsCode` sign-extends it as the consume queue stores it. The values are the spec's and the
 * real consume-queue fixtures' (TagA = 2598919, TagB = 2598920).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { javaStringHash, tagsCode } from "../../src/codec/java-hash.ts";

describe("Java String.hashCode", () => {
  it("matches known Java values", () => {
    assert.equal(javaStringHash(""), 0);
    assert.equal(javaStringHash("TagA"), 2598919);
    assert.equal(javaStringHash("TagB"), 2598920);
    assert.equal(javaStringHash("abcdefghij"), -634317659);
    assert.equal(javaStringHash("é"), 233);
    assert.equal(javaStringHash("日本"), 835047);
    assert.equal(javaStringHash("😀"), 1772899); // surrogate pair: two code units
  });

  it("tagsCode: none -> 0, otherwise the hash sign-extended", () => {
    assert.equal(tagsCode(), 0);
    assert.equal(tagsCode(null), 0);
    assert.equal(tagsCode(""), 0);
    assert.equal(tagsCode("TagA"), 0x27a807);
    const view = new DataView(new ArrayBuffer(8));
    view.setBigInt64(0, BigInt(tagsCode("abcdefghij")));
    assert.deepEqual(new Uint8Array(view.buffer), Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xda, 0x31, 0x14, 0xa5));
  });
});
