// Every invalid broker setting fails with SkiffError CONFIG_INVALID whose message names the key, the value
// given, what is allowed and where it came from. Several problems are listed together in one error, never one at a time.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { resolveBrokerConfig, type ConfigSources } from "../../src/config/sources.ts";
import { SkiffError } from "../../src/core/errors.ts";

function failure(sources: ConfigSources): string[] {
  try {
    resolveBrokerConfig(sources);
  } catch (error) {
    assert.ok(error instanceof SkiffError);
    assert.equal(error.code, "CONFIG_INVALID");
    assert.equal(error.retriable, false);
    const [header, ...lines] = error.message.split("\n");
    assert.match(header, /^Invalid broker configuration \(\d+ problems?\):$/);
    return lines.map((line) => line.replace(/^ {2}- /, ""));
  }
  assert.fail("expected CONFIG_INVALID");
}

const cli = (cliValues: Record<string, unknown>) => failure({ cliValues });

describe("broker config errors", () => {
  it("names a bad enum value and the allowed ones", () => {
    assert.deepEqual(cli({ brokerRole: "MASTER" }), [
      `brokerRole: "MASTER" is not allowed; expected one of ASYNC_MASTER, SYNC_MASTER, SLAVE (from the command line)`,
    ]);
    assert.deepEqual(cli({ flushDiskType: "sync_flush" }), [
      `flushDiskType: "sync_flush" is not allowed; expected one of ASYNC_FLUSH, SYNC_FLUSH (from the command line)`,
    ]);
  });

  it("names a value that is not a number, not an integer or not a boolean", () => {
    assert.deepEqual(cli({ listenPort: "abc" }), [`listenPort: "abc" is not a number (from the command line)`]);
    assert.deepEqual(cli({ maxMessageSize: "1e6" }), [`maxMessageSize: "1e6" is not a number (from the command line)`]);
    assert.deepEqual(cli({ brokerId: "1.5" }), [`brokerId: "1.5" is not an integer (from the command line)`]);
    assert.deepEqual(cli({ slaveReadEnable: "yes" }), [
      `slaveReadEnable: "yes" is not a boolean; expected true or false (from the command line)`,
    ]);
    assert.deepEqual(cli({ accessMessageInMemoryMaxRatio: "40%" }), [
      `accessMessageInMemoryMaxRatio: "40%" is not a number (from the command line)`,
    ]);
  });

  it("names an out-of-range port and other ranges", () => {
    assert.deepEqual(cli({ listenPort: "65536" }), [
      `listenPort: "65536" is out of range; expected an integer from 0 to 65535, where 0 picks a free port (from the command line)`,
    ]);
    assert.deepEqual(cli({ haListenPort: -1 }), [
      `haListenPort: -1 is out of range; expected an integer from 0 to 65535, where 0 picks a free port (from the command line)`,
    ]);
    assert.match(cli({ mappedFileSizeCommitLog: "4095" })[0], /^mappedFileSizeCommitLog: "4095" is out of range; expected an integer from 4096 to 2147483647/);
    assert.match(cli({ accessMessageInMemoryMaxRatio: "100.5" })[0], /expected a number from 0 to 100/);
    assert.match(cli({ flushIntervalCommitLog: "0" })[0], /^flushIntervalCommitLog: "0" is out of range; expected an integer from 1/);
  });

  it("refuses default ports beyond 65535", () => {
    assert.deepEqual(cli({ listenPort: "65535" }), [
      "haListenPort: not set, and its default listenPort + 1 = 65536 is out of range; set haListenPort",
      "httpListenPort: not set, and its default listenPort + 2 = 65537 is out of range; set httpListenPort",
    ]);
    assert.deepEqual(cli({ listenPort: "65534", haListenPort: "20000" }), [
      "httpListenPort: not set, and its default listenPort + 2 = 65536 is out of range; set httpListenPort",
    ]);
  });

  it("refuses ports that collide, one line each naming both keys and the fix", () => {
    const fix = (key: string) => `set ${key} to a port of its own`;
    assert.deepEqual(cli({ listenPort: "10911", haListenPort: "10911" }), [
      `haListenPort: "10911" is already used by listenPort; ${fix("haListenPort")} (from the command line)`,
    ]);
    assert.deepEqual(cli({ listenPort: "10911", httpListenPort: "10911" }), [
      `httpListenPort: "10911" is already used by listenPort; ${fix("httpListenPort")} (from the command line)`,
    ]);
    assert.deepEqual(cli({ listenPort: "10911", httpListenPort: "10912" }), [
      `httpListenPort: "10912" is already used by haListenPort; ${fix("httpListenPort")} (from the command line)`,
    ]);
    assert.deepEqual(cli({ listenPort: "10911", httpListenPort: "10909" }), [
      `httpListenPort: "10909" is already used by listenPort - 2 (the fast remoting channel); ${fix("httpListenPort")} (from the command line)`,
    ]);
    assert.deepEqual(cli({ listenPort: "10911", haListenPort: "10909" }), [
      `haListenPort: "10909" is already used by listenPort - 2 (the fast remoting channel); ${fix("haListenPort")} (from the command line)`,
    ]);
    // A default that lands on a port another key took.
    assert.deepEqual(failure({ fileText: "listenPort=10911\nhaListenPort=10913" }), [
      `httpListenPort: 10913 (its default listenPort + 2) is already used by haListenPort; ${fix("httpListenPort")}`,
    ]);
    // 0 asks for a free port: never a collision.
    assert.equal(resolveBrokerConfig({ cliValues: { listenPort: "0", haListenPort: "0", httpListenPort: "0" } }).config.httpListenPort, 0);
  });

  it("gives RocketMQ's message for a malformed namesrvAddr", () => {
    for (const addr of ["127.0.0.1", "127.0.0.1:abc", "a:1;;b:2", ":9876", "h:99999", "h:1 ;x"]) {
      assert.deepEqual(failure({ env: { NAMESRV_ADDR: addr } }), [
        `namesrvAddr: The Name Server Address[${addr}] illegal, please set it as follows, ` +
          `"127.0.0.1:9876;192.168.0.1:9876" (from env NAMESRV_ADDR)`,
      ]);
    }
  });

  it("names a malformed haMasterAddress and messageDelayLevel", () => {
    assert.deepEqual(cli({ haMasterAddress: "10.0.0.1" }), [
      `haMasterAddress: "10.0.0.1" is not host:port (for example 127.0.0.1:10912) (from the command line)`,
    ]);
    assert.deepEqual(cli({ messageDelayLevel: "1s 5 10s" }), [
      `messageDelayLevel: "1s 5 10s" is not a list of delays like "1s 5s 10s 1m 2h" (from the command line)`,
    ]);
  });

  it("refuses a slave with brokerId 0, given or by default, with RocketMQ's words", () => {
    const master = { haMasterAddress: "10.0.0.1:10912" };
    assert.deepEqual(cli({ brokerRole: "SLAVE", brokerId: "0", ...master }), [
      `brokerId: "0" is not allowed with brokerRole SLAVE: Slave's brokerId must be > 0 (from the command line)`,
    ]);
    assert.deepEqual(failure({ fileText: "brokerRole=SLAVE\nnamesrvAddr=10.0.0.1:9876", fileName: "s.conf" }), [
      "brokerId: 0 (the default) is not allowed with brokerRole SLAVE: Slave's brokerId must be > 0",
    ]);
    assert.match(cli({ brokerRole: "SLAVE", brokerId: -1, ...master })[0], /^brokerId: -1 is not allowed/);
  });

  it("refuses a short haAuthSecret without showing it", () => {
    assert.deepEqual(cli({ haAuthSecret: "hunter2" }), [
      "haAuthSecret: is too short (the value is not shown); expected at least 16 characters (from the command line)",
    ]);
  });

  it("refuses a slave that has no way to find its master, naming both ways", () => {
    assert.deepEqual(cli({ brokerRole: "SLAVE", brokerId: "1" }), [
      "brokerRole: SLAVE has no way to find its master: set haMasterAddress (the master's host:haListenPort) or namesrvAddr (name servers the master registers with) (from the command line)",
    ]);
    assert.equal(cli({ brokerRole: "SLAVE", brokerId: "1", namesrvAddr: "" }).length, 1, "an empty namesrvAddr is not set");
    assert.equal(resolveBrokerConfig({ cliValues: { brokerRole: "SLAVE", brokerId: "1", namesrvAddr: "10.0.0.1:9876" } }).config.brokerRole, "SLAVE");
    assert.equal(resolveBrokerConfig({ cliValues: { brokerRole: "SLAVE", brokerId: "1", haMasterAddress: "10.0.0.1:10912" } }).config.brokerRole, "SLAVE");
  });

  it("names an unknown key and suggests the closest known one", () => {
    assert.deepEqual(cli({ lisenPort: "10911" }), [
      `lisenPort: unknown key (value "10911"); did you mean listenPort? (from the command line)`,
    ]);
    assert.match(cli({ brokerrole: "SLAVE" })[0], /did you mean brokerRole\?/);
    assert.match(cli({ deleteWhn: "04" })[0], /did you mean deleteWhen\?/);
    assert.deepEqual(cli({ colour: "blue" }), [
      `colour: unknown key (value "blue"); not a Skiff or Apache RocketMQ broker key (from the command line)`,
    ]);
    assert.deepEqual(failure({ fileText: "__proto__=x\nconstructor=y" }).map((line) => line.split(";")[0]), [
      `__proto__: unknown key (value "x")`,
      `constructor: unknown key (value "y")`,
    ]);
  });

  it("lists several problems from several sources together, naming each source", () => {
    const lines = failure({
      fileText: "brokerRole=MASTER\nlisenPort=1\ndeleteWhen=04",
      fileName: "broker.conf",
      env: { SKIFF_listenPort: "abc", NAMESRV_ADDR: "nowhere" },
      cliValues: { flushDiskType: "SOMETIMES", slaveReadEnable: "maybe" },
    });
    assert.deepEqual(lines, [
      `brokerRole: "MASTER" is not allowed; expected one of ASYNC_MASTER, SYNC_MASTER, SLAVE (from broker.conf)`,
      `listenPort: "abc" is not a number (from env SKIFF_listenPort)`,
      `namesrvAddr: The Name Server Address[nowhere] illegal, please set it as follows, "127.0.0.1:9876;192.168.0.1:9876" (from env NAMESRV_ADDR)`,
      `flushDiskType: "SOMETIMES" is not allowed; expected one of ASYNC_FLUSH, SYNC_FLUSH (from the command line)`,
      `slaveReadEnable: "maybe" is not a boolean; expected true or false (from the command line)`,
      `lisenPort: unknown key (value "1"); did you mean listenPort? (from broker.conf)`,
    ]);
  });

  it("reports a bad value from the source that won, not one it replaced", () => {
    assert.deepEqual(failure({ fileText: "listenPort=abc", env: { SKIFF_listenPort: "x1" } }), [
      `listenPort: "x1" is not a number (from env SKIFF_listenPort)`,
    ]);
    assert.equal(resolveBrokerConfig({ fileText: "listenPort=abc", cliValues: { listenPort: "1" } }).config.listenPort, 1);
  });
});
