/**
 * offsetMsgId is the upper-case hex of store address, port and physical offset: the spec's example
 * and the real records' ids come out exactly, IPv6 ids are 56 chars, and decoding inverts encoding.
 * Malformed ids fail with MESSAGE_ID_ILLEGAL.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SkiffError } from "../../src/core/errors.ts";
import { parseHostAddress, formatHostAddress } from "../../src/codec/host-address.ts";
import { decodeOffsetMsgId, encodeOffsetMsgId } from "../../src/codec/message-id.ts";

describe("offsetMsgId", () => {
  it("matches spec §1.9 and the real batch record at 50864 (4.9.7 fixture)", () => {
    const store = parseHostAddress("127.0.0.1:10911");
    assert.equal(encodeOffsetMsgId(store, 0), "7F00000100002A9F0000000000000000");
    assert.equal(encodeOffsetMsgId(store, 50864), "7F00000100002A9F000000000000C6B0");
    assert.equal(encodeOffsetMsgId(store, 2 ** 40 + 1), "7F00000100002A9F0000010000000001");
  });

  it("decodes back, IPv4 and IPv6", () => {
    for (const [host, offset] of [["127.0.0.1:10911", 0], ["10.1.2.3:1", 1351808], ["[fd00::2]:10911", Number.MAX_SAFE_INTEGER]] as const) {
      const id = encodeOffsetMsgId(parseHostAddress(host), offset);
      assert.equal(id.length, host.startsWith("[") ? 56 : 32);
      const decoded = decodeOffsetMsgId(id);
      assert.equal(formatHostAddress(decoded.storeHost), host);
      assert.equal(decoded.physicalOffset, offset);
      assert.deepEqual(decodeOffsetMsgId(id.toLowerCase()), decoded);
    }
  });

  it("rejects malformed ids with MESSAGE_ID_ILLEGAL", () => {
    const bad = ["", "7F00000100002A9F00000000000000", "7F00000100002A9F000000000000000G", "7F00000100002A9FFFFFFFFFFFFFFFFF",
      "7F00000100002A9F7FFFFFFFFFFFFFFF"];
    for (const id of bad) {
      assert.throws(() => decodeOffsetMsgId(id), (e: unknown) => e instanceof SkiffError && e.code === "MESSAGE_ID_ILLEGAL", id);
    }
  });
});
