// parseCommandLine turns argv into a config file, key values and a help flag, and the env layers map
// NAMESRV_ADDR, SKIFF_<key> and SKIFF_NAMESRV_<key> to keys. Bad arguments fail with one CONFIG_INVALID listing all of them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { brokerEnvLayer, namesrvEnvLayer, parseCommandLine } from "../../src/config/sources.ts";
import { SkiffError } from "../../src/core/errors.ts";

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SkiffError);
    assert.equal(error.code, "CONFIG_INVALID");
    return error.message;
  }
  assert.fail("expected CONFIG_INVALID");
}

describe("parseCommandLine", () => {
  it("reads --key=value, --key value, -n and -c", () => {
    const parsed = parseCommandLine(["--listenPort=11911", "--brokerRole", "SLAVE", "-n", "127.0.0.1:9876", "-c", "b.conf"]);
    assert.deepEqual(parsed, {
      configFile: "b.conf",
      values: { listenPort: "11911", brokerRole: "SLAVE", namesrvAddr: "127.0.0.1:9876" },
      help: false,
    });
  });

  it("accepts -n=ADDR and -c=FILE, values containing = and empty values", () => {
    const parsed = parseCommandLine(["-n=a:1;b:2", "-c=x.conf", "--messageDelayLevel=1s 5s", "--brokerIP2="]);
    assert.equal(parsed.configFile, "x.conf");
    assert.deepEqual(parsed.values, { namesrvAddr: "a:1;b:2", messageDelayLevel: "1s 5s", brokerIP2: "" });
  });

  it("takes a negative number as a value, and lets a later repeat win", () => {
    assert.deepEqual(parseCommandLine(["--brokerId", "-1", "--brokerId=2"]).values, { brokerId: "2" });
  });

  it("reports -h and --help", () => {
    assert.equal(parseCommandLine(["-h"]).help, true);
    assert.equal(parseCommandLine(["--listenPort=1", "--help"]).help, true);
    assert.deepEqual(parseCommandLine([]), { values: {}, help: false });
  });

  it("lists every bad argument in one error", () => {
    const message = problemsOf(() => parseCommandLine(["--listenPort", "--brokerName", "x", "-x", "stray", "-n", "--=1"]));
    assert.match(message, /^Invalid command line \(5 problems\):/);
    assert.match(message, /--listenPort needs a value \(--listenPort VALUE or --listenPort=VALUE\)/);
    assert.match(message, /unknown option "-x"; expected -c FILE, -n ADDR, -h or --key=value/);
    assert.match(message, /unexpected argument "stray"/);
    assert.match(message, /-n needs a value/);
    assert.match(message, /"--=1" has no key/);
  });

  it("does not read -namesrvAddr as -n", () => {
    assert.match(problemsOf(() => parseCommandLine(["-namesrvAddr", "a:1"])), /unknown option "-namesrvAddr"/);
  });
});

describe("environment layers", () => {
  const env = {
    HOME: "/home/u",
    NAMESRV_ADDR: "10.0.0.1:9876",
    SKIFF_listenPort: "11911",
    SKIFF_brokerRole: "SLAVE",
    SKIFF_NAMESRV_listenPort: "9877",
    SKIFF_empty: "",
    SKIFF_: "ignored",
    PATH: "/usr/bin",
  };

  it("maps NAMESRV_ADDR and SKIFF_<key> for the broker, skipping SKIFF_NAMESRV_ and empty values", () => {
    const layer = brokerEnvLayer(env);
    assert.deepEqual(layer.values, { namesrvAddr: "10.0.0.1:9876", listenPort: "11911", brokerRole: "SLAVE" });
    assert.equal(layer.origin("listenPort"), "env SKIFF_listenPort");
    assert.equal(layer.origin("namesrvAddr"), "env NAMESRV_ADDR");
  });

  it("lets SKIFF_namesrvAddr win over NAMESRV_ADDR", () => {
    const layer = brokerEnvLayer({ NAMESRV_ADDR: "a:1", SKIFF_namesrvAddr: "b:2" });
    assert.deepEqual(layer.values, { namesrvAddr: "b:2" });
    assert.equal(layer.origin("namesrvAddr"), "env SKIFF_namesrvAddr");
  });

  it("maps SKIFF_NAMESRV_<key> for the name server only", () => {
    assert.deepEqual(namesrvEnvLayer(env).values, { listenPort: "9877" });
  });
});
