// The in-memory route table keeps RocketMQ's RouteInfoManager rules: queue data only from masters, a slave told its
// master's addresses only while that master is live, expiry strictly after 120 s, and one broker per address. It also refuses, changing nothing, what would break those rules or its limits, and reports each change once.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SkiffError } from "../../src/core/errors.ts";
import { RouteTable, type RouteTableEvent } from "../../src/namesrv/route-table.ts";
import {
  MASTER_ADDR, MASTER_HA_ADDR, MASTER_HTTP_ADDR, MASTER_RESULT, NO_MASTER, SLAVE_ADDR, SLAVE_HTTP_ADDR, TOPIC_TEST, master, registration, slave,
} from "./registrations.ts";

const T0 = 1_700_000_000_000;

function table(options: ConstructorParameters<typeof RouteTable>[0] = {}): { routes: RouteTable; events: RouteTableEvent[] } {
  const events: RouteTableEvent[] = [];
  return { routes: new RouteTable({ ...options, onChange: (event) => events.push(event) }), events };
}

function throwsCode(action: () => unknown, code: string): void {
  assert.throws(action, (error: unknown) => error instanceof SkiffError && error.code === code);
}

describe("RouteTable registration", () => {
  it("gives a slave its master's addresses only once the master is registered", () => {
    const { routes } = table();
    assert.deepEqual(routes.register(slave(), T0), NO_MASTER);
    assert.deepEqual(routes.register(master(), T0), NO_MASTER);
    assert.deepEqual(routes.register(slave(), T0 + 1), MASTER_RESULT);
  });

  it("does not hand out a master that is past its expiry, even before a scan removed it", () => {
    const { routes } = table();
    routes.register(master(), T0);
    assert.equal(routes.register(slave(), T0 + 120_000).masterAddr, MASTER_ADDR);
    assert.deepEqual(routes.register(slave(), T0 + 120_001), NO_MASTER);
  });

  it("takes queue data from the master only, and only when its dataVersion changes", () => {
    const { routes } = table();
    routes.register(slave({ topics: { SlaveOnly: TOPIC_TEST } }), T0);
    assert.equal(routes.route("SlaveOnly"), null);
    routes.register(master({ topics: { TopicTest: TOPIC_TEST, Old: TOPIC_TEST } }), T0);
    routes.register(slave({ topics: { TopicTest: { ...TOPIC_TEST, readQueueNums: 99 } }, counter: 7 }), T0);
    assert.equal(routes.route("TopicTest")?.queueDatas[0].readQueueNums, 4);

    const changed = { TopicTest: { readQueueNums: 8, writeQueueNums: 2, perm: 4 } };
    routes.register(master({ topics: changed }), T0 + 1); // same dataVersion: ignored, as RocketMQ does
    assert.equal(routes.route("TopicTest")?.queueDatas[0].readQueueNums, 4);
    routes.register(master({ topics: changed, counter: 2 }), T0 + 2);
    assert.deepEqual(routes.route("TopicTest")?.queueDatas, [{ brokerName: "broker-a", readQueueNums: 8, writeQueueNums: 2, perm: 4, topicSysFlag: 0 }]);
    assert.equal(routes.route("Old"), null, "a topic the master no longer has leaves the route");
  });

  it("reports new, moved and re-configured brokers once, and stays silent on plain refreshes", () => {
    const { routes, events } = table();
    routes.register(master(), T0);
    routes.register(master(), T0 + 30_000);
    routes.register(master({ counter: 2 }), T0 + 60_000);
    // Moving needs the old registration gone: here it expires (last refresh + 120 s).
    routes.register(master({ brokerAddr: "10.0.0.1:10911", counter: 2 }), T0 + 60_000 + 120_001);
    routes.register(master({ brokerAddr: "10.0.0.1:10911", httpAddr: "10.0.0.1:10913", counter: 2 }), T0 + 200_000);
    assert.deepEqual(events.map((e) => (e.kind === "registered" ? e.change : e.kind)), ["new", "topics", "address", "address"]);
    assert.deepEqual(routes.route("TopicTest")?.brokerDatas[0].brokerHttpAddrs, { "0": "10.0.0.1:10913" });
    assert.deepEqual(routes.route("TopicTest")?.brokerDatas[0].brokerAddrs, { "0": "10.0.0.1:10911" });
  });

  it("does not let another address take a live broker's id (a forged registration), only a member of the group or after the holder left", () => {
    const { routes, events } = table();
    routes.register(master(), T0);
    routes.register(slave(), T0);
    assert.throws(() => routes.register(master({ brokerAddr: "10.6.6.6:10911", httpAddr: "10.6.6.6:10913", haServerAddr: "10.6.6.6:10912" }), T0 + 5_000),
      (error: SkiffError) => error.code === "BROKER_ID_TAKEN" && new RegExp(`/broker-a/0 is registered from ${MASTER_ADDR} \\(refreshed 5 s ago\\); a registration from 10\\.6\\.6\\.6:10911 is refused`).test(error.message));
    const refused = events.at(-1);
    assert.ok(refused?.kind === "refused" && refused.fromAddr === "10.6.6.6:10911" && refused.broker.brokerAddr === MASTER_ADDR, JSON.stringify(refused));
    assert.deepEqual(routes.route("TopicTest")?.brokerDatas[0].brokerAddrs, { "0": MASTER_ADDR, "1": SLAVE_ADDR }, "the route is unchanged");
    assert.equal(routes.register(slave(), T0 + 6_000).haServerAddr, MASTER_HA_ADDR, "the slave still learns the real master");

    routes.unregister(master().clusterName, "broker-a", 0); // an operator's DELETE, or the master's clean stop
    routes.register(master({ brokerAddr: "10.0.0.2:10911", httpAddr: "10.0.0.2:10913" }), T0 + 7_000);
    assert.equal(routes.route("TopicTest")?.brokerDatas[0].brokerAddrs["0"], "10.0.0.2:10911", "a free id is taken");
  });

  it("moves an address from one id to another within a group (slave promoted to master and back)", () => {
    const { routes, events } = table();
    routes.register(slave(), T0);
    routes.register(master({ brokerAddr: SLAVE_ADDR, httpAddr: SLAVE_HTTP_ADDR }), T0 + 1);
    assert.deepEqual(routes.route("TopicTest")?.brokerDatas[0].brokerAddrs, { "0": SLAVE_ADDR });
    const last = events.at(-1);
    assert.ok(last?.kind === "registered" && last.replaced[0].brokerId === 1);

    routes.register(slave(), T0 + 2); // demoted again: no master left, no queue data
    assert.equal(routes.route("TopicTest"), null);
    assert.equal(routes.counts().brokerCount, 1);
  });

  it("refuses an address held by another broker group, and a broker name held by another cluster", () => {
    const { routes } = table();
    routes.register(master(), T0);
    routes.register(slave(), T0);
    throwsCode(() => routes.register(master({ brokerName: "broker-b" }), T0), "BROKER_ADDRESS_IN_USE");
    throwsCode(() => routes.register(slave({ clusterName: "OtherCluster" }), T0), "BROKER_NAME_CONFLICT");
    assert.equal(routes.counts().brokerCount, 2);

    const alone = table().routes; // a group of one broker may move to another cluster
    alone.register(master(), T0);
    alone.register(master({ clusterName: "OtherCluster" }), T0 + 1);
    assert.equal(alone.route("TopicTest")?.brokerDatas[0].cluster, "OtherCluster");
  });

  it("bounds brokers and topics, still accepting refreshes of known brokers at the limit", () => {
    const { routes } = table({ limits: { maxBrokers: 2, maxTopics: 2 } });
    routes.register(master({ topics: { A: TOPIC_TEST, B: TOPIC_TEST } }), T0);
    routes.register(slave(), T0);
    throwsCode(() => routes.register(registration({ brokerName: "broker-b", brokerAddr: "127.0.0.1:12911" }), T0), "BROKER_LIMIT_EXCEEDED");
    routes.register(slave(), T0 + 1);
    throwsCode(() => routes.register(master({ topics: { A: TOPIC_TEST, B: TOPIC_TEST, C: TOPIC_TEST }, counter: 2 }), T0), "TOPIC_LIMIT_EXCEEDED");
    routes.register(master({ topics: { C: TOPIC_TEST, D: TOPIC_TEST }, counter: 3 }), T0 + 2); // replaces A and B
    assert.equal(routes.route("A"), null);
    assert.equal(routes.counts().topicCount, 2);
  });
});

describe("RouteTable routes, expiry and unregistration", () => {
  it("routes a topic to every broker name that serves it, with addresses keyed by broker id (HTTP ones for brokers that have one)", () => {
    const { routes } = table();
    routes.register(master({ topics: { TopicTest: TOPIC_TEST, OnlyA: TOPIC_TEST } }), T0);
    routes.register(slave(), T0);
    routes.register(registration({ brokerName: "broker-b", brokerAddr: "127.0.0.1:12911", topics: { TopicTest: { ...TOPIC_TEST, perm: 2 } } }), T0);
    assert.deepEqual(routes.route("TopicTest"), {
      brokerDatas: [
        { cluster: "DefaultCluster", brokerName: "broker-a", brokerAddrs: { "0": MASTER_ADDR, "1": SLAVE_ADDR }, brokerHttpAddrs: { "0": MASTER_HTTP_ADDR, "1": SLAVE_HTTP_ADDR } },
        { cluster: "DefaultCluster", brokerName: "broker-b", brokerAddrs: { "0": "127.0.0.1:12911" }, brokerHttpAddrs: {} },
      ],
      queueDatas: [
        { brokerName: "broker-a", ...TOPIC_TEST },
        { brokerName: "broker-b", ...TOPIC_TEST, perm: 2 },
      ],
    });
    assert.equal(routes.route("OnlyA")?.brokerDatas.length, 1);
    assert.equal(routes.route("Unknown"), null);
  });

  it("expires brokers strictly after the expiry time, and drops the queue data of a name left without master", () => {
    const { routes, events } = table();
    routes.register(master(), T0);
    routes.register(slave(), T0 + 60_000);
    assert.deepEqual(routes.scanExpired(T0 + 120_000), { brokers: [], queueDataDropped: [] });
    const result = routes.scanExpired(T0 + 120_001);
    assert.deepEqual(result.brokers.map((b) => [b.brokerId, b.brokerAddr, b.lastUpdateTimestamp]), [[0, MASTER_ADDR, T0]]);
    assert.deepEqual(result.queueDataDropped, [{ brokerName: "broker-a", topics: ["TopicTest"] }]);
    assert.equal(routes.route("TopicTest"), null);
    assert.deepEqual(events.slice(-2).map((e) => e.kind), ["expired", "queue-data-dropped"]);

    assert.deepEqual(routes.scanExpired(T0 + 180_001).brokers.map((b) => b.brokerId), [1]);
    assert.deepEqual(routes.cluster(), { clusters: [], brokerCount: 0, topicCount: 0 });
  });

  it("unregisters one broker at a time; the master takes its name's queue data with it", () => {
    const { routes } = table();
    routes.register(master(), T0);
    routes.register(slave(), T0);
    assert.equal(routes.unregister("OtherCluster", "broker-a", 1), null);
    assert.equal(routes.unregister("DefaultCluster", "broker-a", 1)?.brokerAddr, SLAVE_ADDR);
    assert.equal(routes.unregister("DefaultCluster", "broker-a", 1), null);
    assert.deepEqual(routes.route("TopicTest")?.brokerDatas[0].brokerAddrs, { "0": MASTER_ADDR });
    routes.unregister("DefaultCluster", "broker-a", 0);
    assert.equal(routes.route("TopicTest"), null);
  });

  it("describes clusters, broker groups and brokers in a stable order", () => {
    const { routes } = table();
    routes.register(slave({ brokerName: "broker-b", brokerAddr: "127.0.0.1:13911", httpAddr: "127.0.0.1:13913", clusterName: "C2" }), T0 + 5);
    routes.register(slave(), T0 + 2);
    routes.register(master(), T0 + 1);
    const info = routes.cluster();
    assert.equal(info.brokerCount, 3);
    assert.equal(info.topicCount, 1);
    assert.deepEqual(info.clusters.map((c) => [c.clusterName, c.brokerGroups.map((g) => [g.brokerName, g.brokers.map((b) => b.brokerId)])]), [
      ["C2", [["broker-b", [1]]]],
      ["DefaultCluster", [["broker-a", [0, 1]]]],
    ]);
    assert.deepEqual(info.clusters[1].brokerGroups[0].brokers[0], {
      clusterName: "DefaultCluster", brokerName: "broker-a", brokerId: 0, brokerAddr: MASTER_ADDR, haServerAddr: MASTER_HA_ADDR, httpAddr: MASTER_HTTP_ADDR,
      lastUpdateTimestamp: T0 + 1, dataVersion: { counter: 1, timestamp: 1_700_000_000_000 },
    });
  });
});
