import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { addressMatcher, expandIp } from "../../src/acl/remote-address.ts";

function table(pattern: string, yes: string[], no: string[]) {
  const matches = addressMatcher(pattern);
  for (const ip of yes) assert.ok(matches(ip), `${pattern} matches ${ip}`);
  for (const ip of no) assert.ok(!matches(ip), `${pattern} does not match ${ip}`);
}

describe("RocketMQ's remote-address patterns", () => {
  it("blank matches nothing; *, *.*.*.* and the IPv6 wildcard match everything", () => {
    table("", [], ["127.0.0.1", "::1"]);
    table("*", ["127.0.0.1", "::1"], []);
    table("*.*.*.*", ["10.1.2.3"], []);
    table("*:*:*:*:*:*:*:*", ["::1"], []);
  });

  it("a single address, IPv6 compared expanded", () => {
    table("192.168.0.1", ["192.168.0.1"], ["192.168.0.10", "192.168.0.2"]);
    table("::1", ["0:0:0:0:0:0:0:1", "::1"], ["::2"]);
  });

  it("ranges: the first ranged part counts, later parts are not looked at", () => {
    table("192.168.1.1-5", ["192.168.1.1", "192.168.1.5"], ["192.168.1.6", "192.168.2.3"]);
    table("10.10.103.*", ["10.10.103.0", "10.10.103.255"], ["10.10.104.1"]);
    table("192.168.*.*", ["192.168.0.1", "192.168.250.9"], ["192.169.0.1"]);
    table("192.168.2-3.*", ["192.168.2.77", "192.168.3.1"], ["192.168.4.1"]);
  });

  it("lists: {a,b} after a prefix, or full addresses separated by commas", () => {
    table("192.168.1.{1,2,3}", ["192.168.1.2"], ["192.168.1.4"]);
    table("192.168.1.1,10.0.0.1", ["10.0.0.1", "192.168.1.1"], ["10.0.0.2"]);
  });

  it("refuses what RocketMQ refuses to load, naming the pattern", () => {
    for (const bad of ["*.168.1.1", "192.168.1.300-400", "192.168.1.5-2", "192.168.1.1,nope", "nope"]) {
      assert.throws(() => addressMatcher(bad), new RegExp(`remote address pattern "${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`));
    }
  });

  it("expands IPv6 and keeps IPv4", () => {
    assert.equal(expandIp("fe80::1:2"), "FE80:0000:0000:0000:0000:0000:0001:0002");
    assert.equal(expandIp("10.0.0.1"), "10.0.0.1");
    assert.equal(expandIp("10.0.0.256"), null);
    assert.equal(expandIp("1::2::3"), null);
  });
});
