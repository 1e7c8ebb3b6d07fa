/**
 * Host addresses parse from and format to "a.b.c.d:port" and "[ipv6]:port" (RFC 5952 compression),
 * and bad text fails with HOST_ADDRESS_ILLEGAL. They are written and read as 4/16 address bytes
 * plus an i32 port, as in a record's BORNHOST/STOREHOST.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SkiffError } from "../../src/core/errors.ts";
import { viewOf } from "../../src/core/bytes.ts";
import { formatHostAddress, hostAddressLength, parseHostAddress, readHostAddress, writeHostAddress } from "../../src/codec/host-address.ts";

describe("host addresses", () => {
  it("parses and formats IPv4", () => {
    const host = parseHostAddress("127.0.0.1:10911");
    assert.deepEqual(host, { address: Uint8Array.of(127, 0, 0, 1), port: 10911 });
    assert.equal(formatHostAddress(host), "127.0.0.1:10911");
    assert.equal(hostAddressLength(host), 8);
  });

  it("parses and formats IPv6", () => {
    const cases: Array<[string, string]> = [
      ["[::1]:5678", "[::1]:5678"],
      ["[::]:1", "[::]:1"],
      ["[fe80:0:0:0:0:0:0:1]:80", "[fe80::1]:80"],
      ["[2001:DB8:0:0:1:0:0:1]:9", "[2001:db8::1:0:0:1]:9"],
      ["[2001:db8:0:1:1:1:1:1]:9", "[2001:db8:0:1:1:1:1:1]:9"],
      ["[::ffff:1.2.3.4]:10911", "[::ffff:102:304]:10911"],
      ["[fd00::2]:65535", "[fd00::2]:65535"],
    ];
    for (const [text, formatted] of cases) {
      const host = parseHostAddress(text);
      assert.equal(host.address.length, 16, text);
      assert.equal(hostAddressLength(host), 20);
      assert.equal(formatHostAddress(host), formatted);
      assert.deepEqual(parseHostAddress(formatted), host);
    }
    assert.deepEqual(parseHostAddress("[::1]:0").address, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
  });

  it("rejects bad text with HOST_ADDRESS_ILLEGAL", () => {
    const bad = ["", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.256:1", "1.2.3:4", "::1:80", "[::1]", "[1::2::3]:1",
      "[1:2:3:4:5:6:7:8:9]:1", "[1:2:3:4:5:6:7]:1", "[12345::]:1", "[::1]:-1", "host:80"];
    for (const text of bad) {
      assert.throws(() => parseHostAddress(text), (e: unknown) => e instanceof SkiffError && e.code === "HOST_ADDRESS_ILLEGAL", text);
    }
  });

  it("writes and reads address bytes + i32 port", () => {
    for (const text of ["127.0.0.1:10911", "[fd00::2]:10911"]) {
      const host = parseHostAddress(text);
      const bytes = new Uint8Array(24);
      const view = viewOf(bytes);
      assert.equal(writeHostAddress(view, bytes, 2, host), hostAddressLength(host));
      assert.deepEqual(readHostAddress(view, bytes, 2, host.address.length), host);
    }
    const v4 = new Uint8Array(8);
    writeHostAddress(viewOf(v4), v4, 0, parseHostAddress("127.0.0.1:10911"));
    assert.deepEqual(v4, Uint8Array.of(0x7f, 0, 0, 1, 0, 0, 0x2a, 0x9f));
  });
});
