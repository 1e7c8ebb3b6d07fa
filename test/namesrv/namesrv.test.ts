// startNamesrv serves the name server app, runs the expiry scan on the platform clock (a broker goes 120 s after its last
// registration, at the next scan, and not before) and logs every change of its table. It also runs on the current runtime's real HTTP server, where a broker registers and a route is read back with the global fetch;
// its HTTP API is on httpListenPort (listenPort + 1 unless set), never on listenPort (RocketMQ's remoting).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { MemoryNetwork } from "../../adapters/memory/net.ts";
import { resolveNamesrvConfig } from "../../src/config/namesrv-config.ts";
import type { FetchHandler, HttpServing } from "../../src/core/platform.ts";
import { getRoute, registerBroker } from "../../src/namesrv/namesrv-client.ts";
import { startNamesrv } from "../../src/app/start-namesrv.ts";
import { platform } from "../support/platform.ts";
import { freeListenPort, namesrvHttpAddress } from "../support/ports.ts";
import { MASTER_ADDR, MASTER_HTTP_ADDR, master, slave } from "./registrations.ts";
import { lineLogger } from "../support/log.ts";

/** An HttpServing that keeps the handler instead of opening a socket. */
function fakeHttp(): { http: HttpServing; handler: () => FetchHandler; closed: () => boolean } {
  let handler: FetchHandler | undefined;
  let closed = false;
  const http: HttpServing = {
    serve: async (at, served) => {
      handler = served;
      return { address: { host: at.host, port: at.port === 0 ? 40000 : at.port }, close: async () => void (closed = true) };
    },
    fetcher: () => {
      throw new Error("the name server makes no HTTP requests");
    },
  };
  return { http, handler: () => handler!, closed: () => closed };
}

describe("startNamesrv with a manual clock", () => {
  it("expires an unrefreshed broker at the first scan after 120 s, logs each change, and stops its timer", async () => {
    const clock = new ManualClock();
    const { http, handler, closed } = fakeHttp();
    const lines: string[] = [];
    const { config } = resolveNamesrvConfig({});
    const namesrv = await startNamesrv(config, { clock, http, net: new MemoryNetwork() }, { log: lineLogger((line) => lines.push(line) )});
    assert.equal(namesrv.httpAddress, "127.0.0.1:9877");
    assert.equal(namesrv.remotingAddress, "127.0.0.1:9876");
    assert.equal(lines.shift(), "remoting 127.0.0.1:9876, HTTP 127.0.0.1:9877");
    const fetch = (url: string, init: RequestInit) => handler()(new Request(url, init));

    await registerBroker([namesrv.httpAddress], master(), fetch);
    await registerBroker([namesrv.httpAddress], slave(), fetch);
    await clock.advance(60_000);
    await registerBroker([namesrv.httpAddress], slave(), fetch); // refresh: silent
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^registered: DefaultCluster\/broker-a\/0 at 127\.0\.0\.1:10911 \(HA 127\.0\.0\.1:10912\)/);

    await clock.advance(60_000); // 120 s since the master's registration: scanned at 120 s, not yet expired
    assert.notEqual(await getRoute([namesrv.httpAddress], "TopicTest", fetch), null);
    await clock.advance(10_000); // the scan at 130 s removes it
    assert.equal(await getRoute([namesrv.httpAddress], "TopicTest", fetch), null);
    assert.deepEqual(lines.slice(2), [
      "expired: DefaultCluster/broker-a/0 at 127.0.0.1:10911, no registration for 130000 ms",
      "no master: broker broker-a leaves the routes of 1 topic(s)",
    ]);
    assert.equal(namesrv.routeTable.counts().brokerCount, 1, "the slave, refreshed at 60 s, is still there");

    const unregistered = await fetch(`http://${namesrv.httpAddress}/brokers/DefaultCluster/broker-a/1`, { method: "DELETE" });
    assert.equal(unregistered.status, 200);
    assert.match(lines.at(-1)!, /^unregistered: DefaultCluster\/broker-a\/1 at 127\.0\.0\.1:11911$/);

    await namesrv.stop();
    await namesrv.stop();
    assert.equal(clock.pendingTimers, 0);
    assert.ok(closed());
  });
});

describe(`startNamesrv on the real HTTP server (${platform.system.runtime})`, () => {
  it("accepts a registration and answers a route over real sockets", async () => {
    const { config } = resolveNamesrvConfig({ cliValues: { listenPort: "0" } });
    const namesrv = await startNamesrv(config, platform);
    try {
      assert.match(namesrv.httpAddress, /^127\.0\.0\.1:\d+$/);
      assert.notEqual(namesrv.httpAddress, namesrv.remotingAddress);
      const [outcome] = await registerBroker([namesrv.httpAddress], master(), fetch);
      assert.ok(outcome.ok, outcome.ok ? "" : outcome.error.message);
      const route = await getRoute([namesrv.httpAddress], "TopicTest", fetch);
      assert.deepEqual(route?.brokerDatas[0].brokerAddrs, { "0": MASTER_ADDR });
      assert.deepEqual(route?.brokerDatas[0].brokerHttpAddrs, { "0": MASTER_HTTP_ADDR });
      const health = await fetch(`http://${namesrv.httpAddress}/health`);
      assert.deepEqual(await health.json(), { status: "UP", brokers: 1, topics: 1 });
    } finally {
      await namesrv.stop();
    }
  });
});

describe(`the name server's ports (${platform.system.runtime})`, () => {
  it("with only listenPort=N serves HTTP on N + 1 and not on N", async () => {
    const listenPort = await freeListenPort();
    const { config } = resolveNamesrvConfig({ cliValues: { listenPort: String(listenPort) } });
    assert.equal(config.httpListenPort, listenPort + 1);
    const namesrv = await startNamesrv(config, platform);
    try {
      assert.equal(namesrv.httpAddress, namesrvHttpAddress(listenPort));
      assert.equal(namesrv.remotingAddress, `127.0.0.1:${listenPort}`);
      assert.equal((await fetch(`http://${namesrvHttpAddress(listenPort)}/health`)).status, 200);
      await assert.rejects(fetch(`http://127.0.0.1:${listenPort}/health`, { signal: AbortSignal.timeout(5000) }), "listenPort is RocketMQ's remoting, not HTTP");
    } finally {
      await namesrv.stop();
    }
  });
});
