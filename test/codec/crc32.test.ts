/**
 * CRC-32 gives the IEEE/zlib values (check value, RocketMQ's documented bodies) and equals a
 * bit-by-bit reference on every length and alignment, both the slicing-by-8 table and the runtime's
 * native one (which `crc32` uses for long ranges; Bun, Deno and Node all have it). BODYCRC is that
 * CRC masked to 31 bits, as RocketMQ's `UtilAll.crc32`, and matches the real records' BODYCRC fields.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { bodyCrc, crc32, crc32IsNative, crc32Table } from "../../src/codec/crc32.ts";
import { utf8Encode } from "../../src/core/bytes.ts";
import { listedRecords } from "../support/fixtures.ts";

function referenceCrc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe("crc32", () => {
  it("gives the known values", () => {
    assert.equal(crc32(utf8Encode("123456789")), 0xcbf43926);
    assert.equal(bodyCrc(utf8Encode("hello")), 907060870);
    assert.equal(bodyCrc(utf8Encode("Hello RocketMQ")), 0x69c865ed);
    assert.equal(crc32(new Uint8Array(0)), 0);
    assert.equal(bodyCrc(new Uint8Array(0)), 0);
  });

  it("uses the runtime's native CRC-32 on Bun, Deno and Node", () => {
    assert.equal(crc32IsNative, true);
  });

  it("equals the bitwise reference for every length 0..300 at every alignment 0..8, native and table alike", () => {
    const data = new Uint8Array(320);
    for (let i = 0; i < data.length; i++) data[i] = (i * 151 + 7) & 0xff;
    for (let start = 0; start <= 8; start++) {
      for (let length = 0; length <= 300; length++) {
        const part = data.subarray(start, start + length);
        const expected = referenceCrc32(part);
        assert.equal(crc32(data, start, start + length), expected);
        assert.equal(crc32(part), expected);
        assert.equal(crc32Table(data, start, start + length), expected);
      }
    }
  });

  it("continues a CRC across pieces, whichever of the two computes each piece", () => {
    const data = utf8Encode("Hello RocketMQ, a longer body split in pieces: ".repeat(6));
    for (let cut = 0; cut <= data.length; cut++) {
      assert.equal(crc32(data, cut, data.length, crc32(data, 0, cut)), crc32(data));
      assert.equal(crc32Table(data, cut, data.length, crc32(data, 0, cut)), crc32(data));
      assert.equal(crc32(data, cut, data.length, crc32Table(data, 0, cut)), crc32(data));
    }
  });

  it("bodyCrc masks the top bit", () => {
    const data = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    for (let n = 0; n < 256; n++) {
      data[0] = n;
      assert.equal(bodyCrc(data), crc32(data) & 0x7fffffff);
      assert.ok(bodyCrc(data) >= 0);
    }
  });

  it("matches BODYCRC of every real 4.9.7 / 5.3.3 record (provenance: fixtures README)", () => {
    for (const name of ["v4.9.7-golden-record.txt", "v5.3.3-batch-3records.txt", "v4.9.7-single-userprops-record.txt"]) {
      for (const record of listedRecords(name)) {
        assert.equal(bodyCrc(record.fields.body as Uint8Array), record.fields.bodyCRC, name);
      }
    }
  });
});
