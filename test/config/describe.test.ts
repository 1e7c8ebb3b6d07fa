// describeConfig prints a few start-up lines naming the role, ids, ports, store and name servers, and the
// usage text lists every key with its default. Both are pure: they only read the config they are given.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { brokerKeyHelp, brokerUsage, describeConfig, describeNamesrvConfig, namesrvKeyHelp, namesrvUsage } from "../../src/config/describe.ts";
import { brokerShape } from "../../src/config/broker-config.ts";
import { allowedOf } from "../../src/config/fields.ts";
import { namesrvShape, resolveNamesrvConfig } from "../../src/config/namesrv-config.ts";
import { resolveBrokerConfig } from "../../src/config/sources.ts";

describe("describeConfig", () => {
  it("describes a default master", () => {
    const config = resolveBrokerConfig({ env: { HOME: "/home/ann" } }).config;
    assert.deepEqual(describeConfig(config), [
      "broker broker-a (cluster DefaultCluster), ASYNC_MASTER, brokerId 0",
      "remoting 127.0.0.1:10911 (and :10909), HTTP 127.0.0.1:10913, HA 127.0.0.1:10912",
      "store /home/ann/.skiff/store (commit log /home/ann/.skiff/store/commitlog, segments of 1 GiB, ASYNC_FLUSH)",
      "name servers none (not registering)",
      "retention: segments kept 72 h after their last write, deleted at hour(s) 04 (local time) or when the disk is over 75%; sends refused over 90%",
    ]);
  });

  it("describes a slave with free ports and its master", () => {
    const config = resolveBrokerConfig({
      cliValues: { brokerRole: "SLAVE", brokerId: "1", listenPort: "0", namesrvAddr: "a:1;b:2", mappedFileSizeCommitLog: "1048576", maxMessageSize: "1024" },
    }).config;
    const lines = describeConfig(config);
    assert.equal(lines[0], "broker broker-a (cluster DefaultCluster), SLAVE, brokerId 1");
    assert.equal(lines[1], "remoting 127.0.0.1:<free port>, HTTP 127.0.0.1:<free port>, no HA listener (a slave)");
    assert.match(lines[2], /segments of 1 MiB/);
    assert.equal(lines[3], "name servers a:1;b:2 (remoting)");
    assert.equal(lines[4], "master ha learned from the name server");
  });

  it("describes the name server", () => {
    assert.deepEqual(describeNamesrvConfig(resolveNamesrvConfig({}).config), [
      "name server remoting 127.0.0.1:9876, HTTP 127.0.0.1:9877",
      "brokers expire 120000 ms after their last registration (scan every 10000 ms)",
    ]);
  });
});

describe("usage", () => {
  it("lists every broker key with its default", () => {
    const lines = brokerUsage();
    assert.match(lines[0], /^Usage: skiff broker /);
    for (const key of Object.keys(brokerShape)) assert.ok(lines.some((line) => line.startsWith(`  ${key}`)), key);
    assert.ok(lines.includes("  listenPort (default 10911)"));
    assert.ok(lines.includes("  haListenPort (default listenPort + 1)"));
    assert.ok(lines.includes("  httpListenPort (default listenPort + 2)"));
  });

  it("lists the name server's keys without -n", () => {
    const lines = namesrvUsage("bun run namesrv");
    assert.match(lines[0], /^Usage: bun run namesrv /);
    assert.ok(lines.includes("  brokerExpiryMs (default 120000)"));
    assert.ok(lines.includes("  listenPort (default 9876)"));
    assert.ok(lines.includes("  httpListenPort (default listenPort + 1)"));
    assert.ok(!lines.some((line) => line.includes("-n ADDR")));
  });
});

describe("per-key help", () => {
  it("gives every broker and name-server key a meaning and the values it accepts", () => {
    for (const [key, schema] of [...Object.entries(brokerShape), ...Object.entries(namesrvShape)]) {
      assert.ok((schema.description ?? "").length >= 10, `${key} has a description`);
      assert.ok(allowedOf(schema), `${key} says what it accepts`);
    }
  });

  it("prints a key's default, meaning with its unit, and allowed values, wrapped under it", () => {
    assert.deepEqual(brokerKeyHelp("syncFlushTimeout"), [
      "  syncFlushTimeout (default 5000)",
      "      Milliseconds a SYNC_FLUSH send waits for fsync before answering FLUSH_DISK_TIMEOUT. Allowed:",
      "      an integer from 1 to 2147483647.",
    ]);
    const role = brokerKeyHelp("brokerRole").map((l) => l.trim()).join(" ");
    assert.match(role, /Allowed: one of ASYNC_MASTER, SYNC_MASTER, SLAVE\./);
    assert.ok(brokerUsage().every((line) => line.length <= 100), "lines fit 100 columns");
  });

  it("--help <word> shows only the keys whose name holds it (any case), or says none does", () => {
    const lines = brokerKeyHelp("FLUSH");
    const keys = lines.filter((l) => /^  \S/.test(l)).map((l) => l.trim().split(" ")[0]);
    assert.deepEqual(keys, ["flushDiskType", "flushIntervalCommitLog", "flushIntervalConsumeQueue", "syncFlushTimeout"]);
    assert.deepEqual(namesrvKeyHelp("nothing"), ['no name server key has "nothing" in its name; --help lists them all']);
  });
});
