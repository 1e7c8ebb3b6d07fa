/**
 * The dashboard on a name server (http/dashboard/cluster-poll.ts and the name server's routes):
 * every registered broker's snapshot, fetched from the broker's own `/dashboard/data` (in-memory
 * brokers here), and each bound holding — brokers past the cap listed but not asked, an answer
 * that does not come (headers or body) cut at the timeout, a body over the cap cut, a wrong status,
 * non-JSON or a wrong shape named in one line — and refreshes asked for together, or within 250 ms,
 * sharing one poll.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { createMemoryPlatform } from "../../adapters/memory/platform.ts";
import { ClusterDashboard, DASHBOARD_REUSE_MS } from "../../src/http/dashboard/cluster-poll.ts";
import { namesrvApp } from "../../src/http/namesrv-app.ts";
import { RouteTable } from "../../src/namesrv/route-table.ts";
import type { FetchLike } from "../../src/namesrv/namesrv-client.ts";
import { memoryBroker } from "../support/broker.ts";
import { master, registration, slave } from "../namesrv/registrations.ts";

const NOW = 1_700_000_000_000;

function tableOf(...registrations: ReturnType<typeof master>[]): RouteTable {
  const table = new RouteTable();
  for (const r of registrations) table.register(r, NOW);
  return table;
}

const brokersOf = (data: Awaited<ReturnType<ClusterDashboard["data"]>>) => data.clusters.flatMap((c) => c.brokerGroups.flatMap((g) => g.brokers));

/** A fetch that answers `respond(url)` and counts calls. */
function fakeFetch(respond: (url: string, init: RequestInit) => Response | Promise<Response>): FetchLike & { calls: string[] } {
  const calls: string[] = [];
  const f = (url: string, init: RequestInit) => {
    calls.push(url);
    return respond(url, init);
  };
  return Object.assign(f, { calls });
}

/** A fetch that never answers, until its signal aborts (as a real fetch does). */
const hangingFetch: FetchLike = (_url, init) =>
  new Promise((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(init.signal!.reason), { once: true }));

describe("the name server's dashboard data", () => {
  it("holds each registered broker's own snapshot, fetched from its httpAddr", async () => {
    const memory = createMemoryPlatform();
    const a = await memoryBroker({}, memory);
    const b = await memoryBroker({ brokerRole: "SLAVE", brokerId: 1, listenPort: 11911, storePathRootDir: "/store-b", haMasterAddress: "127.0.0.1:1" }, memory);
    await a.json("/topics/Orders", { method: "PUT", body: JSON.stringify({ readQueueNums: 1, writeQueueNums: 1 }) });
    await a.send("Orders", { body: "x" });
    const table = tableOf(master({ httpAddr: a.broker.httpAddress }), slave({ httpAddr: b.broker.httpAddress }));
    const dashboard = new ClusterDashboard({ cluster: () => table.cluster(), now: () => NOW, fetch: memory.fetch });
    const data = await dashboard.data();
    assert.deepEqual([data.source, data.sampledAt, data.brokerCount, data.brokersNotPolled], ["namesrv", NOW, 2, 0]);
    const [first, second] = brokersOf(data);
    assert.deepEqual([first.brokerId, first.httpAddr, first.error, first.snapshot?.role, first.snapshot?.traffic.putMessages], [0, a.broker.httpAddress, null, "ASYNC_MASTER", 1]);
    assert.deepEqual(first.snapshot?.topics.map((t) => t.topic), ["Orders"]);
    assert.deepEqual([second.brokerId, second.error, second.snapshot?.role, second.snapshot?.brokerId], [1, null, "SLAVE", 1]);
    await a.broker.stop();
    await b.broker.stop();
  });

  it("lists a broker without an HTTP address and brokers past the cap, without asking them", async () => {
    const brokers = [0, 1, 2].map((id) => (id === 0 ? master() : slave({ brokerId: id, brokerAddr: `127.0.0.1:1${id}911`, httpAddr: `127.0.0.1:1${id}913` })));
    const rocketmq = registration({ brokerName: "broker-j", brokerAddr: "127.0.0.1:20911" });
    const table = tableOf(...brokers, rocketmq);
    const fetch = fakeFetch(() => new Response("{}", { status: 200 }));
    const data = await new ClusterDashboard({ cluster: () => table.cluster(), now: () => NOW, fetch, brokersMax: 2 }).data();
    assert.equal(fetch.calls.length, 2);
    assert.equal(data.brokersNotPolled, 1);
    const all = brokersOf(data);
    assert.match(all[2].error!, /^not asked: the dashboard polls at most 2 brokers$/);
    assert.equal(all[2].elapsedMs, null);
    const java = all.find((b) => b.httpAddr === null)!;
    assert.match(java.error!, /registered no HTTP address \(an Apache RocketMQ broker\)/);
  });

  it("names each failure in one line: no answer, a slow body, too large, a status, not JSON, a wrong shape, refused", async () => {
    const cases: Array<[FetchLike, RegExp]> = [
      [hangingFetch, /^no answer within 50 ms$/],
      [() => new Response(new ReadableStream({ pull: () => new Promise(() => undefined) })), /^no answer within 50 ms$/],
      [() => new Response("x".repeat(2048)), /answered more than 1024 bytes/],
      [() => new Response("no", { status: 404 }), /^answered HTTP 404 at \/dashboard\/data/],
      [() => new Response("<html>"), /not JSON/],
      [() => new Response(JSON.stringify({ source: "broker", broker: { brokerName: 7 } })), /^answered an unexpected shape: broker\.clusterName: /],
      [() => Promise.reject(Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:10913" } })), /^unreachable \(ECONNREFUSED\): connect ECONNREFUSED/],
    ];
    const table = tableOf(master());
    for (const [fetch, expected] of cases) {
      const started = Date.now();
      const data = await new ClusterDashboard({ cluster: () => table.cluster(), now: () => NOW, fetch, timeoutMs: 50, bodyBytesMax: 1024 }).data();
      const [only] = brokersOf(data);
      assert.match(only.error ?? "", expected);
      assert.equal(only.snapshot, null);
      assert.ok(Date.now() - started < 5000, "bounded by the timeout");
    }
  });

  it("gives refreshes asked for while one runs, or within 250 ms after it, that refresh's answer", async () => {
    const table = tableOf(master());
    let now = NOW;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fetch = fakeFetch(async () => {
      await gate;
      return new Response("no", { status: 503 });
    });
    const dashboard = new ClusterDashboard({ cluster: () => table.cluster(), now: () => now, fetch });
    const together = [dashboard.data(), dashboard.data(), dashboard.data()];
    release();
    const answers = await Promise.all(together);
    assert.equal(fetch.calls.length, 1);
    assert.ok(answers.every((a) => a === answers[0]));
    now += DASHBOARD_REUSE_MS - 1;
    assert.equal(await dashboard.data(), answers[0], "reused just before the limit");
    assert.equal(fetch.calls.length, 1);
    now += 1;
    await dashboard.data();
    assert.equal(fetch.calls.length, 2, "asked again once the answer is 250 ms old");
    now -= 60_000; // the wall clock set back: no reuse of an answer "from the future"
    await dashboard.data();
    assert.equal(fetch.calls.length, 3);
  });

  it("is mounted on the name server's app: the page, and the data of an empty cluster", async () => {
    const app = namesrvApp({ routeTable: new RouteTable(), clock: new ManualClock(NOW) });
    const page = await app.request("/dashboard");
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
    assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'sha256-/);
    const data = await app.request("/dashboard/data");
    assert.equal(data.headers.get("cache-control"), "no-store");
    assert.deepEqual(await data.json(), { source: "namesrv", sampledAt: NOW, clusters: [], brokerCount: 0, brokersNotPolled: 0 });
  });
});
