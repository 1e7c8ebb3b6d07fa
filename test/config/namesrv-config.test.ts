// The name server's configuration has its defaults (remoting 9876, HTTP listenPort + 1, 127.0.0.1, 120 s expiry, 10 s scan, 120 s idle close) and reads the
// same sources as the broker, with SKIFF_NAMESRV_<key> in the environment. Its errors and warnings follow the broker's rules.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { resolveNamesrvConfig } from "../../src/config/namesrv-config.ts";
import { SkiffError } from "../../src/core/errors.ts";

describe("name server config", () => {
  it("has its defaults", () => {
    assert.deepEqual(resolveNamesrvConfig({}), {
      config: { listenPort: 9876, httpListenPort: 9877, host: "127.0.0.1", brokerExpiryMs: 120000, scanIntervalMs: 10000, serverChannelMaxIdleTimeSeconds: 120, logLevel: "info", logFormat: "auto", tlsConfigFile: undefined, tlsMode: "disabled", tlsServerCertPath: undefined, tlsServerKeyPath: undefined, aclEnable: false, plainAclFile: undefined },
      warnings: [],
      notices: [],
    });
  });

  it("merges file < env < command line and ignores the broker's variables", () => {
    const config = resolveNamesrvConfig({
      fileText: "listenPort=1000\nhost=0.0.0.0\nscanIntervalMs=500",
      env: { SKIFF_NAMESRV_listenPort: "2000", SKIFF_NAMESRV_scanIntervalMs: "700", SKIFF_brokerName: "b", NAMESRV_ADDR: "x" },
      cliValues: { listenPort: "0" },
    }).config;
    assert.deepEqual(config, { listenPort: 0, httpListenPort: 0, host: "0.0.0.0", brokerExpiryMs: 120000, scanIntervalMs: 700, serverChannelMaxIdleTimeSeconds: 120, logLevel: "info", logFormat: "auto", tlsConfigFile: undefined, tlsMode: "disabled", tlsServerCertPath: undefined, tlsServerKeyPath: undefined, aclEnable: false, plainAclFile: undefined });
  });

  it("puts the HTTP API on listenPort + 1 unless httpListenPort is given, and refuses it on listenPort", () => {
    assert.equal(resolveNamesrvConfig({ cliValues: { listenPort: "20000" } }).config.httpListenPort, 20001);
    assert.equal(resolveNamesrvConfig({ cliValues: { listenPort: "20000", httpListenPort: "8080" } }).config.httpListenPort, 8080);
    assert.equal(resolveNamesrvConfig({ cliValues: { listenPort: "0", httpListenPort: "0" } }).config.httpListenPort, 0);
    assert.throws(() => resolveNamesrvConfig({ cliValues: { listenPort: "20000", httpListenPort: "20000" } }), {
      message: `Invalid name server configuration (1 problem):\n  - httpListenPort: "20000" is already used by listenPort; set httpListenPort to a port of its own (from the command line)`,
    });
    assert.throws(() => resolveNamesrvConfig({ cliValues: { listenPort: "65535" } }), /httpListenPort: not set, and its default listenPort \+ 1 = 65536 is out of range; set httpListenPort/);
  });

  it("reads RocketMQ's serverChannelMaxIdleTimeSeconds (no warning) and refuses a value below 1 s", () => {
    const resolved = resolveNamesrvConfig({ fileText: "serverChannelMaxIdleTimeSeconds=5", env: { SKIFF_NAMESRV_serverChannelMaxIdleTimeSeconds: "7" } });
    assert.equal(resolved.config.serverChannelMaxIdleTimeSeconds, 7);
    assert.deepEqual(resolved.warnings, []);
    assert.throws(() => resolveNamesrvConfig({ cliValues: { serverChannelMaxIdleTimeSeconds: "0" } }), /serverChannelMaxIdleTimeSeconds: "0" is out of range/);
  });

  it("accepts RocketMQ name server keys with one warning", () => {
    const resolved = resolveNamesrvConfig({ fileText: "orderMessageEnable=true\nbindAddress=0.0.0.0\nrocketmqHome=/opt/rmq" });
    assert.deepEqual(resolved.warnings, [
      "Ignored 3 Apache RocketMQ name server keys that Skiff does not use: bindAddress, orderMessageEnable, rocketmqHome",
    ]);
  });

  it("lists every problem in one CONFIG_INVALID", () => {
    assert.throws(
      () => resolveNamesrvConfig({ env: { SKIFF_NAMESRV_listenPort: "99999" }, cliValues: { brokerExpiry: "1", host: "" } }),
      (error: unknown) => {
        assert.ok(error instanceof SkiffError);
        assert.equal(error.code, "CONFIG_INVALID");
        assert.equal(error.message, [
          "Invalid name server configuration (3 problems):",
          `  - listenPort: "99999" is out of range; expected an integer from 0 to 65535, where 0 picks a free port (from env SKIFF_NAMESRV_listenPort)`,
          `  - host: "" is empty; expected a non-empty value (from the command line)`,
          `  - brokerExpiry: unknown key (value "1"); did you mean brokerExpiryMs? (from the command line)`,
        ].join("\n"));
        return true;
      },
    );
  });
});
