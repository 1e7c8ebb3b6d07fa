// The broker-side client registers with every name server in parallel and reports each one's outcome, so a name server
// that is down, slow or refusing never hides the others' answers. getRoute asks name servers in turn until one answers, through an injected fetch backed by in-process apps.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { namesrvApp } from "../../src/http/namesrv-app.ts";
import { getRoute, registerBroker, unregisterBroker, type FetchLike } from "../../src/namesrv/namesrv-client.ts";
import { RouteTable } from "../../src/namesrv/route-table.ts";
import { MASTER_ADDR, MASTER_HTTP_ADDR, MASTER_RESULT, NO_MASTER, master, slave } from "./registrations.ts";

const DOWN = "10.255.0.1:9876";

/** Name servers at `addresses`, each an app with its own table; `DOWN` refuses connections. */
function nameServers(...addresses: string[]) {
  const tables = new Map<string, RouteTable>();
  const apps = new Map<string, ReturnType<typeof namesrvApp>>();
  for (const address of addresses) {
    const routeTable = new RouteTable();
    tables.set(address, routeTable);
    apps.set(address, namesrvApp({ routeTable, clock: new ManualClock() }));
  }
  const requested: string[] = [];
  const fetch: FetchLike = (url, init) => {
    const { host } = new URL(url);
    requested.push(`${init.method} ${host}`);
    const app = apps.get(host);
    if (!app) return Promise.reject(new TypeError(`fetch failed: connect ECONNREFUSED ${host}`));
    return app.request(url, init);
  };
  return { tables, fetch, requested };
}

describe("registerBroker", () => {
  it("registers with every name server and returns each one's RegisterBrokerResult", async () => {
    const { fetch, tables } = nameServers("127.0.0.1:9876", "127.0.0.2:9876");
    const addresses = ["127.0.0.1:9876", "127.0.0.2:9876"];
    const first = await registerBroker(addresses, master(), fetch);
    assert.deepEqual(first, addresses.map((address) => ({ address, ok: true, value: NO_MASTER })));
    const second = await registerBroker(addresses, slave(), fetch);
    for (const outcome of second) assert.deepEqual(outcome.ok && outcome.value, MASTER_RESULT);
    for (const table of tables.values()) assert.equal(table.counts().brokerCount, 2);
  });

  it("still registers with the others when one name server is unreachable", async () => {
    const { fetch, tables } = nameServers("127.0.0.1:9876");
    const outcomes = await registerBroker([DOWN, "127.0.0.1:9876"], master(), fetch);
    const [down, up] = outcomes;
    assert.ok(!down.ok);
    assert.equal(down.address, DOWN);
    assert.equal(down.error.code, "NAMESRV_UNREACHABLE");
    assert.equal(down.error.retriable, true);
    assert.ok(up.ok);
    assert.equal(tables.get("127.0.0.1:9876")!.route("TopicTest")?.brokerDatas[0].brokerAddrs["0"], MASTER_ADDR);
  });

  it("gives up on a name server that does not answer within the timeout", async () => {
    const hanging: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => init.signal!.addEventListener("abort", () => reject(init.signal!.reason)));
    const [outcome] = await registerBroker(["127.0.0.1:9876"], master(), hanging, { timeoutMs: 20 });
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.code, "NAMESRV_TIMEOUT");
    assert.match(outcome.error.message, /within 20 ms/);
  });

  it("reports a name server's refusal with its error code, and a body that is not the API's as NAMESRV_BAD_ANSWER", async () => {
    const { fetch } = nameServers("127.0.0.1:9876");
    const [refused] = await registerBroker(["127.0.0.1:9876"], master({ brokerId: -1 }), fetch);
    assert.ok(!refused.ok);
    assert.equal(refused.error.code, "BAD_REQUEST");
    assert.equal(refused.error.retriable, false);
    assert.match(refused.error.message, /^name server 127\.0\.0\.1:9876: brokerId/);

    const teapot: FetchLike = () => new Response("<html>hello</html>", { status: 200 });
    const [odd] = await registerBroker(["127.0.0.1:9876"], master(), teapot);
    assert.ok(!odd.ok);
    assert.equal(odd.error.code, "NAMESRV_BAD_ANSWER");
    const broken: FetchLike = () => new Response("oops", { status: 502 });
    const [gateway] = await registerBroker(["127.0.0.1:9876"], master(), broken);
    assert.ok(!gateway.ok);
    assert.deepEqual([gateway.error.code, gateway.error.retriable], ["HTTP_502", true]);
  });
});

describe("unregisterBroker and getRoute", () => {
  it("unregisters from every name server, telling which ones knew the broker", async () => {
    const { fetch, tables } = nameServers("127.0.0.1:9876", "127.0.0.2:9876");
    await registerBroker(["127.0.0.1:9876"], slave(), fetch);
    const outcomes = await unregisterBroker(["127.0.0.1:9876", "127.0.0.2:9876", DOWN], slave(), fetch);
    assert.deepEqual(outcomes.map((o) => (o.ok ? o.value : o.error.code)), [true, false, "NAMESRV_UNREACHABLE"]);
    assert.equal(tables.get("127.0.0.1:9876")!.counts().brokerCount, 0);
  });

  it("asks name servers in turn until one answers with a route", async () => {
    const { fetch, requested } = nameServers("127.0.0.1:9876", "127.0.0.2:9876");
    await registerBroker(["127.0.0.2:9876"], master({ topics: { "Topic%|A": { readQueueNums: 1, writeQueueNums: 1, perm: 6 } } }), fetch);
    requested.length = 0;
    const route = await getRoute([DOWN, "127.0.0.1:9876", "127.0.0.2:9876"], "Topic%|A", fetch);
    assert.deepEqual(route?.brokerDatas, [{ cluster: "DefaultCluster", brokerName: "broker-a", brokerAddrs: { "0": MASTER_ADDR }, brokerHttpAddrs: { "0": MASTER_HTTP_ADDR } }]);
    assert.deepEqual(requested, [`GET ${DOWN}`, "GET 127.0.0.1:9876", "GET 127.0.0.2:9876"]);
  });

  it("returns null for a topic no name server knows, and throws when none answers", async () => {
    const { fetch } = nameServers("127.0.0.1:9876");
    assert.equal(await getRoute([DOWN, "127.0.0.1:9876"], "Unknown", fetch), null);
    await assert.rejects(getRoute([DOWN], "Unknown", fetch), (error: Error & { code?: string; retriable?: boolean }) => {
      assert.equal(error.code, "NAMESRV_UNAVAILABLE");
      assert.equal(error.retriable, true);
      assert.match(error.message, /10\.255\.0\.1:9876/);
      return true;
    });
    await assert.rejects(getRoute([], "Unknown", fetch), /no name server address given/);
  });
});
