/**
 * The shared byte helpers read and write big-endian i64 values exactly across the whole safe range
 * (negatives included) and refuse unsafe ones with a SkiffError, never a wrong number. Hex, UTF-8
 * length/writing and DataViews over offset views agree with the web-standard reference behaviour.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SkiffError } from "../../src/core/errors.ts";
import { concatBytes, fromHex, readI64, toHex, tryReadI64, utf8Decode, utf8Encode, utf8Length, viewOf, writeI64, writeUtf8 } from "../../src/core/bytes.ts";

describe("i64 as number", () => {
  const values = [0, 1, -1, 255, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 32 + 1, -(2 ** 32) - 1, 1795271139139, -634317659, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];

  it("round-trips and matches DataView.setBigInt64", () => {
    const bytes = new Uint8Array(8);
    const view = viewOf(bytes);
    const reference = new DataView(new ArrayBuffer(8));
    for (const value of values) {
      writeI64(view, 0, value);
      reference.setBigInt64(0, BigInt(value));
      assert.deepEqual(bytes, new Uint8Array(reference.buffer), `bytes of ${value}`);
      assert.equal(readI64(view, 0), value);
      assert.equal(tryReadI64(view, 0), value);
    }
  });

  it("refuses values beyond the safe range on read, and asserts on write", () => {
    const view = new DataView(new ArrayBuffer(8));
    for (const big of [2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)]) {
      view.setBigInt64(0, big);
      assert.ok(Number.isNaN(tryReadI64(view, 0)));
      assert.throws(() => readI64(view, 0), (e: unknown) => e instanceof SkiffError && e.code === "INT64_UNSAFE");
    }
    assert.throws(() => writeI64(view, 0, 2 ** 53), /assertion failed/);
    assert.throws(() => writeI64(view, 0, 1.5), /assertion failed/);
  });

  it("builds views that respect byteOffset (pooled views)", () => {
    const backing = new Uint8Array(32).fill(0xff);
    const slice = backing.subarray(8, 16);
    writeI64(viewOf(slice), 0, 42);
    assert.equal(backing[7], 0xff);
    assert.equal(backing[15], 42);
    assert.equal(backing[16], 0xff);
  });
});

describe("hex", () => {
  it("encodes upper case and decodes either case", () => {
    assert.equal(toHex(Uint8Array.of(0x7f, 0, 0x2a, 0x9f, 0xab)), "7F002A9FAB");
    assert.deepEqual(fromHex("7f002A9fab"), Uint8Array.of(0x7f, 0, 0x2a, 0x9f, 0xab));
  });

  it("rejects odd lengths and bad digits with HEX_ILLEGAL", () => {
    for (const bad of ["abc", "zz", "0g"]) {
      assert.throws(() => fromHex(bad), (e: unknown) => e instanceof SkiffError && e.code === "HEX_ILLEGAL");
    }
  });
});

describe("utf8", () => {
  const samples = ["", "TopicTest", "é", "日本語", "😀", "a😀b", "\ud800", "x\udc00y", "\ud83d", "mixed é 😀 \u0001\u0002"];

  it("utf8Length agrees with TextEncoder, lone surrogates included", () => {
    for (const s of samples) assert.equal(utf8Length(s), new TextEncoder().encode(s).length, JSON.stringify(s));
  });

  it("writeUtf8 writes the same bytes as TextEncoder at an offset", () => {
    for (const s of samples) {
      const expected = utf8Encode(s);
      const target = new Uint8Array(expected.length + 3);
      assert.equal(writeUtf8(s, target, 2), expected.length);
      assert.deepEqual(target.subarray(2, 2 + expected.length), expected);
      assert.equal(target[target.length - 1], 0);
    }
    assert.equal(utf8Decode(utf8Encode("日本")), "日本");
  });

  it("concatBytes joins in order", () => {
    assert.deepEqual(concatBytes([Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)]), Uint8Array.of(1, 2, 3));
  });
});
