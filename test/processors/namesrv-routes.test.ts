// The route and cluster answers beyond what the captures show: clients older than V4_9_4 get fastjson's unquoted broker ids unless they ask acceptStandardJsonOnly, standard JSON escapes strings the BrowserCompatible way, several broker groups and ids come in name and id order, 5.x clients get enableActingMaster in 105 and 106, and Skiff's HTTP addresses never reach a RocketMQ client.
// The topic list is every topic of the table by name; a broker name that loses its master leaves the routes.
// DELETE_TOPIC_IN_NAMESRV (216) removes a topic's route: of one cluster's brokers when 5.x names it, else of all; SUCCESS also for an unknown topic.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { platform } from "../support/platform.ts";
import { utf8Decode } from "../../src/core/bytes.ts";
import { RequestCode } from "../../src/remoting/codes.ts";
import { master, registration, slave } from "../namesrv/registrations.ts";
import { RawClient, startNamesrvFront, type NamesrvFront } from "./namesrv-harness.ts";

const QUEUE = { readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 };

describe(`routes and cluster info by client version (${platform.system.runtime})`, () => {
  let front: NamesrvFront;
  let client: RawClient;
  before(async () => {
    front = await startNamesrvFront();
    client = await RawClient.open(front);
    const now = platform.clock.now();
    front.namesrv.routeTable.register(master({ topics: { T: QUEUE } }), now);
    front.namesrv.routeTable.register(slave({ topics: {} }), now);
    front.namesrv.routeTable.register(registration({ brokerName: "a/é", brokerId: 0, brokerAddr: "127.0.0.1:20911", haServerAddr: "127.0.0.1:20912", topics: { T: QUEUE, U: QUEUE } }), now);
  });
  after(async () => {
    client.close();
    await front.close();
  });

  const body = async (code: number, extFields: Record<string, string> | undefined, version: number) => utf8Decode((await client.call(code, extFields, undefined, version)).body);
  const queueData = (name: string) => `{"brokerName":"${name}","perm":6,"readQueueNums":2,"topicSysFlag":0,"writeQueueNums":2}`;

  it("a client before V4_9_4 gets unquoted broker ids and plain strings", async () => {
    assert.equal(await body(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "T" }, 400),
      '{"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:20911"},"brokerName":"a/é","cluster":"DefaultCluster"},' +
      '{"brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:11911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],' +
      `"filterServerTable":{},"queueDatas":[${queueData("a/é")},${queueData("broker-a")}]}`);
  });

  it("standard JSON for V4_9_4 on, or for acceptStandardJsonOnly: quoted ids, BrowserCompatible strings", async () => {
    const standard = '{"brokerDatas":[{"brokerAddrs":{"0":"127.0.0.1:20911"},"brokerName":"a\\/\\u00E9","cluster":"DefaultCluster"},' +
      '{"brokerAddrs":{"0":"127.0.0.1:10911","1":"127.0.0.1:11911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],' +
      `"filterServerTable":{},"queueDatas":[${queueData("a\\/\\u00E9")},${queueData("broker-a")}]}`;
    assert.equal(await body(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "T" }, 401), standard);
    assert.equal(await body(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "T", acceptStandardJsonOnly: "true" }, 121), standard);
    assert.deepEqual(JSON.parse(standard).brokerDatas[0].brokerName, "a/é");
  });

  it("5.x clients get enableActingMaster:false in routes and cluster info; nobody gets brokerHttpAddrs", async () => {
    const route = await body(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "U" }, 479);
    assert.equal(route, `{"brokerDatas":[{"brokerAddrs":{"0":"127.0.0.1:20911"},"brokerName":"a\\/\\u00E9","cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},"queueDatas":[${queueData("a\\/\\u00E9")}]}`);
    assert.equal(await body(RequestCode.GET_BROKER_CLUSTER_INFO, undefined, 479),
      '{"brokerAddrTable":{"a/é":{"brokerAddrs":{0:"127.0.0.1:20911"},"brokerName":"a/é","cluster":"DefaultCluster","enableActingMaster":false},' +
      '"broker-a":{"brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:11911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}},' +
      '"clusterAddrTable":{"DefaultCluster":["a/é","broker-a"]}}');
    assert.ok(!(await body(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "T" }, 479)).includes("Http"));
  });

  it("lists every topic by name, and a broker name without its master leaves the routes", async () => {
    assert.equal(await body(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, undefined, 407), '{"topicList":["T","U"]}');
    front.namesrv.routeTable.unregister("DefaultCluster", "a/é", 0);
    assert.equal(await body(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, undefined, 407), '{"topicList":["T"]}');
    const gone = await client.call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "U" }, undefined, 479);
    assert.deepEqual([gone.code, gone.remark, gone.extFields], [17, "No topic route info in name server for the topic: U\nSee https://rocketmq.apache.org/docs/bestPractice/06FAQ for further details.", undefined]);
  });

  it("DELETE_TOPIC_IN_NAMESRV drops a topic's route, of the named cluster only (5.x) or of every broker (4.9)", async () => {
    const now = platform.clock.now();
    const table = front.namesrv.routeTable;
    table.register(registration({ clusterName: "OtherCluster", brokerName: "broker-z", brokerAddr: "127.0.0.1:30911", haServerAddr: "127.0.0.1:30912", topics: { T: QUEUE, V: QUEUE } }), now);
    table.register(master({ topics: { T: QUEUE, V: QUEUE }, counter: 2 }), now);
    const brokersOf = (topic: string) => table.route(topic)?.queueDatas.map((q) => q.brokerName) ?? [];
    assert.deepEqual(brokersOf("T"), ["broker-a", "broker-z"]);

    const inCluster = await client.call(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: "T", clusterName: "DefaultCluster" }, undefined, 479);
    assert.deepEqual([inCluster.code, inCluster.remark, inCluster.extFields], [0, undefined, undefined]);
    assert.deepEqual(brokersOf("T"), ["broker-z"], "the other cluster keeps its queues of T");
    assert.ok(front.logs.some((line) => line === "topic T deleted in cluster DefaultCluster: its route leaves broker(s) broker-a"), front.logs.join("\n"));

    assert.equal((await client.call(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: "V" }, undefined, 401)).code, 0);
    assert.equal(table.route("V"), null, "without a cluster name every broker's queues of V go");
    assert.equal((await client.call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "V" }, undefined, 401)).code, 17);
    assert.equal((await client.call(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: "NeverThere" }, undefined, 401)).code, 0);
    assert.equal((await client.call(RequestCode.DELETE_TOPIC_IN_NAMESRV, {}, undefined, 401)).code, 1, "topic is required");
    assert.deepEqual(brokersOf("T"), ["broker-z"]);
  });
});
