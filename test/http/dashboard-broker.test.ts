/**
 * The dashboard on a broker (http/dashboard), through `app.request()` on the in-memory platform:
 * the page is HTML whose Content-Security-Policy names the SHA-256 of exactly its inline style and
 * script (which parses), and `/dashboard/data` is the broker's snapshot — role, traffic totals,
 * user topics and group lag as the store and the offsets say, in the shape the name server checks —
 * with its lists capped and the rest counted.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { memoryBroker } from "../support/broker.ts";
import { DASHBOARD_SCRIPT } from "../../src/http/dashboard/page-script.ts";
import { DASHBOARD_GROUPS_MAX, DASHBOARD_TOPICS_MAX } from "../../src/http/dashboard/broker-snapshot.ts";
import { brokerDashboardSchema } from "../../src/http/dashboard/snapshot-schema.ts";

const put = (body: unknown) => ({ method: "PUT", body: JSON.stringify(body) });
const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("base64");

describe("GET /dashboard", () => {
  it("serves the page as HTML, its inline style and script allowed by hash and nothing else", async () => {
    const t = await memoryBroker();
    const response = await t.request("/dashboard");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    const html = await response.text();
    assert.match(html, /^<!doctype html>/);
    const script = /<script>([\s\S]*)<\/script>/.exec(html)![1];
    const style = /<style>([\s\S]*)<\/style>/.exec(html)![1];
    assert.equal(script, DASHBOARD_SCRIPT);
    const csp = response.headers.get("content-security-policy")!;
    assert.ok(csp.includes(`script-src 'sha256-${sha256(script)}'`), csp);
    assert.ok(csp.includes(`style-src 'sha256-${sha256(style)}'`), csp);
    assert.ok(csp.includes("default-src 'none'") && csp.includes("connect-src 'self'"), csp);
    assert.equal(html.match(/<script/g)!.length, 1, "one script, inline");
    assert.doesNotThrow(() => new Function(DASHBOARD_SCRIPT), "the script parses");
    assert.ok(!/[`]|\$\{/.test(DASHBOARD_SCRIPT), "no template literal left in the page script");
    await t.broker.stop();
  });
});

describe("GET /dashboard/data on a broker", () => {
  it("answers the broker's role, traffic, user topics and group lag, uncached, in the checked shape", async () => {
    const t = await memoryBroker();
    assert.equal((await t.json("/topics/Orders", put({ readQueueNums: 2, writeQueueNums: 2 }))).status, 200);
    for (let i = 0; i < 5; i++) await t.send("Orders", { body: `m${i}`, queueId: i % 2 });
    assert.equal((await t.json("/consumer-offsets/billing/Orders/0", put({ offset: 1 }))).status, 200);
    await t.broker.store.waitDispatched(t.broker.store.offsets.maxOffset);
    assert.equal((await t.request("/topics/Orders/queues/0/messages?offset=0&max=2&group=billing")).status, 200);
    await t.memory.clock.advance(10_000); // the group's read rate counts whole 10-s buckets

    const response = await t.request("/dashboard/data");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "no-store");
    const body = await response.json() as any;
    assert.ok(brokerDashboardSchema.safeParse(body).success);
    const s = body.broker;
    assert.deepEqual([body.source, s.clusterName, s.brokerName, s.brokerId, s.role], ["broker", "DefaultCluster", "broker-a", 0, "ASYNC_MASTER"]);
    assert.equal(s.ha.maxPhyOffset, t.broker.store.offsets.maxOffset);
    assert.deepEqual([s.ha.masterAddress, s.ha.slaves, s.ha.divergence, s.problems], [null, [], null, []]);
    assert.deepEqual(s.traffic, { putMessages: 5, putBytes: t.broker.store.traffic.putBytes, getMessages: 2 });
    assert.equal(s.bootTimestamp, t.broker.store.traffic.bootTimestamp);
    assert.deepEqual(s.topics, [{ topic: "Orders", queues: 2, messages: 5, maxOffsetSum: 5 }], "system topics (TBW102, SCHEDULE_TOPIC_XXXX, …) left out");
    // billing: queue 0 at 1 of 3, queue 1 never committed (0) of 2.
    assert.deepEqual(s.groups, [{ group: "billing", lag: 4, consumeTps: s.groups[0].consumeTps, onlineConsumers: 0, topics: [{ topic: "Orders", lag: 4, consumerOffsetSum: 1 }], topicsOmitted: 0 }]);
    assert.equal(s.groups[0].consumeTps, 0.2, "2 messages read in one 10-s bucket");

    await t.memory.clock.advance(1500);
    const later = (await (await t.request("/dashboard/data")).json() as any).broker;
    assert.deepEqual([later.monotonicMs - s.monotonicMs, later.sampledAt - s.sampledAt], [1500, 1500], "sampled on the broker's clocks");
    await t.broker.stop();
  });

  it("caps topics and groups by name and counts the rest", async () => {
    const t = await memoryBroker();
    const extra = 3;
    const name = (i: number) => `T${String(i).padStart(3, "0")}`;
    for (let i = 0; i < DASHBOARD_TOPICS_MAX + extra; i++) {
      assert.equal((await t.json(`/topics/${name(i)}`, put({ readQueueNums: 1, writeQueueNums: 1 }))).status, 200);
    }
    for (let i = 0; i < DASHBOARD_GROUPS_MAX + extra; i++) {
      assert.equal((await t.json(`/consumer-offsets/g${String(i).padStart(3, "0")}/${name(0)}/0`, put({ offset: 0 }))).status, 200);
    }
    const s = (await (await t.request("/dashboard/data")).json() as any).broker;
    assert.equal(s.topics.length, DASHBOARD_TOPICS_MAX);
    assert.equal(s.topicsOmitted, extra);
    assert.deepEqual([s.topics[0].topic, s.topics.at(-1).topic], [name(0), name(DASHBOARD_TOPICS_MAX - 1)]);
    assert.equal(s.groups.length, DASHBOARD_GROUPS_MAX);
    assert.equal(s.groupsOmitted, extra);
    assert.equal(s.groups[0].group, "g000");
    await t.broker.stop();
  });

  it("follows the broker's role: a slave not connected to its master, then promoted at run time", async () => {
    const t = await memoryBroker({ brokerRole: "SLAVE", brokerId: 1, haMasterAddress: "127.0.0.1:1" });
    const data = async () => (await (await t.request("/dashboard/data")).json() as any).broker;
    const before = await data();
    assert.deepEqual([before.role, before.brokerId, before.ha.connectedToMaster, before.ha.slaves], ["SLAVE", 1, false, []]);
    const post = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ brokerRole: "SYNC_MASTER", brokerId: 0 }) };
    assert.equal((await t.request("/admin/role", post)).status, 200);
    const after = await data();
    assert.deepEqual([after.role, after.brokerId, after.ha.masterAddress], ["SYNC_MASTER", 0, null]);
    await t.broker.stop();
  });
});
