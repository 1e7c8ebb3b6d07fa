// REGISTER_BROKER as real 4.9.7 and 5.3.3 brokers sent it (captured frames: JSON, and both compressed forms) and as Skiff's own client sends it is accepted by Skiff's processors and shows in routes and the cluster; a slave learns its master's remoting, HA and (Skiff's extension) HTTP addresses; UNREGISTER_BROKER and QUERY_DATA_VERSION follow RocketMQ's rules.
// A broker leaves the table when the connection it registered on closes, unless a later registration over HTTP or another connection took it over; one broker registering over both HTTP and remoting stays one broker.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { platform } from "../support/platform.ts";
import { utf8Decode, utf8Encode } from "../../src/core/bytes.ts";
import { registerBrokerRemoting, unregisterBrokerRemoting } from "../../src/namesrv/register-broker-remoting.ts";
import { RequestCode, ResponseCode } from "../../src/remoting/codes.ts";
import { RemotingClient } from "../../src/remoting/remoting-client.ts";
import { MASTER_ADDR, MASTER_HTTP_ADDR, MASTER_RESULT, NO_MASTER, SLAVE_ADDR, master, slave } from "../namesrv/registrations.ts";
import { eventually, RawClient, startNamesrvFront, type NamesrvFront } from "./namesrv-harness.ts";
import { JAVA_497, JAVA_497_COMPRESSED, JAVA_533, JAVA_533_COMPRESSED, registrationFrame, type CapturedRegistration } from "./namesrv-register-captures.ts";

const V497 = 407;
const V533 = 479;

async function route(client: RawClient, topic: string, version = V497): Promise<any> {
  const answer = await client.call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }, undefined, version);
  return answer.code === ResponseCode.SUCCESS ? JSON.parse(utf8Decode(answer.body)) : { code: answer.code };
}

async function postHttp(front: NamesrvFront, body: unknown): Promise<any> {
  const response = await fetch(`http://${front.httpAddress}/brokers`, { method: "POST", body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  assert.equal(response.status, 200);
  return response.json();
}

function remotingClient(front: NamesrvFront): RemotingClient {
  return new RemotingClient({ net: platform.net, clock: platform.clock, address: front.address });
}

describe(`REGISTER_BROKER from real Java brokers (${platform.system.runtime})`, () => {
  let front: NamesrvFront;
  before(async () => (front = await startNamesrvFront()));
  after(() => front.close());

  const cases: Array<[string, CapturedRegistration, string, number]> = [
    ["4.9.7, JSON body", JAVA_497, "127.0.0.1:47294", 8],
    ["5.3.3, JSON body", JAVA_533, "127.0.0.1:30616", 13],
    ["4.9.7, compressed body", JAVA_497_COMPRESSED, "127.0.0.1:51194", 8],
    ["5.3.3, compressed body labelled uncompressed", JAVA_533_COMPRESSED, "127.0.0.1:20273", 13],
  ];
  for (const [what, capture, brokerAddr, topics] of cases) {
    it(`accepts ${what} as a real name server answers a master, and routes its topics`, async () => {
      const broker = await RawClient.open(front);
      const client = await RawClient.open(front);
      try {
        const answer = await broker.callRaw(registrationFrame(capture), 0);
        assert.deepEqual({ code: answer.code, remark: answer.remark, extFields: answer.extFields, body: answer.body.byteLength }, { code: 0, remark: undefined, extFields: {}, body: 0 });
        assert.deepEqual(await route(client, "TBW102"), {
          brokerDatas: [{ brokerAddrs: { 0: brokerAddr }, brokerName: "broker-a", cluster: "DefaultCluster" }],
          filterServerTable: {},
          queueDatas: [{ brokerName: "broker-a", perm: 7, readQueueNums: 8, topicSysFlag: 0, writeQueueNums: 8 }],
        });
        assert.equal(front.namesrv.routeTable.counts().topicCount, topics);
        const cluster = await client.call(RequestCode.GET_BROKER_CLUSTER_INFO, undefined);
        assert.equal(utf8Decode(cluster.body), `{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"${brokerAddr}"},"brokerName":"broker-a","cluster":"DefaultCluster"}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}`);
      } finally {
        broker.close();
        client.close();
      }
      await eventually("the broker to leave with its connection", () => front.namesrv.routeTable.counts().brokerCount === 0);
    });
  }
});

describe(`REGISTER_BROKER from Skiff's own client, UNREGISTER_BROKER, QUERY_DATA_VERSION (${platform.system.runtime})`, () => {
  let front: NamesrvFront;
  before(async () => (front = await startNamesrvFront()));
  after(() => front.close());

  it("stores httpAddr and answers a slave its master's remoting, HA and HTTP addresses; a master gets none", async () => {
    const client = remotingClient(front);
    const reader = await RawClient.open(front);
    try {
      assert.deepEqual(await registerBrokerRemoting(client, slave()), NO_MASTER, "a slave before its master");
      assert.deepEqual(await registerBrokerRemoting(client, master()), NO_MASTER);
      assert.deepEqual(await registerBrokerRemoting(client, slave()), MASTER_RESULT);
      assert.equal(front.namesrv.routeTable.find("broker-a", 0)?.httpAddr, MASTER_HTTP_ADDR);
      const routed = await route(reader, "TopicTest", V533);
      assert.deepEqual(routed.brokerDatas, [{ brokerAddrs: { 0: MASTER_ADDR, 1: SLAVE_ADDR }, brokerName: "broker-a", cluster: "DefaultCluster", enableActingMaster: false }]);
      const withoutHttp = await registerBrokerRemoting(client, master({ httpAddr: undefined, counter: 2 }));
      assert.deepEqual(withoutHttp, NO_MASTER);
      assert.deepEqual(await registerBrokerRemoting(client, slave()), { ...MASTER_RESULT, masterHttpAddr: null }, "a master without httpAddr: no masterHttpAddr");
    } finally {
      await unregisterBrokerRemoting(client, slave()).catch(() => undefined);
      await unregisterBrokerRemoting(client, master()).catch(() => undefined);
      client.close();
      reader.close();
    }
  });

  it("UNREGISTER_BROKER removes the broker registered at that address only, and answers SUCCESS without header fields either way", async () => {
    const client = remotingClient(front);
    const raw = await RawClient.open(front);
    try {
      await registerBrokerRemoting(client, master());
      const fields = { brokerName: "broker-a", clusterName: "DefaultCluster", brokerId: "0" };
      const elsewhere = await raw.call(RequestCode.UNREGISTER_BROKER, { ...fields, brokerAddr: "127.0.0.1:1" });
      assert.deepEqual([elsewhere.code, elsewhere.extFields], [0, undefined]);
      assert.ok(front.namesrv.routeTable.find("broker-a", 0), "another address does not remove it");
      const right = await raw.call(RequestCode.UNREGISTER_BROKER, { ...fields, brokerAddr: MASTER_ADDR });
      assert.deepEqual([right.code, right.extFields], [0, undefined]);
      assert.equal(front.namesrv.routeTable.find("broker-a", 0), null);
      assert.deepEqual(await route(raw, "TopicTest"), { code: ResponseCode.TOPIC_NOT_EXIST });
    } finally {
      client.close();
      raw.close();
    }
  });

  it("QUERY_DATA_VERSION: changed unless registered with that version, the name server's version as the body, and an unchanged one refreshes the broker", async () => {
    const client = remotingClient(front);
    const raw = await RawClient.open(front);
    const fields = { brokerName: "broker-a", brokerAddr: MASTER_ADDR, clusterName: "DefaultCluster", brokerId: "0" };
    const query = (dataVersion: object) => raw.call(RequestCode.QUERY_DATA_VERSION, fields, utf8Encode(JSON.stringify(dataVersion)));
    try {
      const unknown = await query({ counter: 1, timestamp: 1_700_000_000_000 });
      assert.deepEqual([unknown.code, unknown.extFields, unknown.body.byteLength], [0, { changed: "true" }, 0]);
      await registerBrokerRemoting(client, master({ counter: 5 }));
      const before = front.namesrv.routeTable.find("broker-a", 0)!.lastUpdateTimestamp;
      await platform.clock.sleep(5);
      const same = await query({ counter: 5, timestamp: 1_700_000_000_000 });
      assert.deepEqual([same.code, same.extFields, utf8Decode(same.body)], [0, { changed: "false" }, '{"counter":5,"timestamp":1700000000000}']);
      assert.ok(front.namesrv.routeTable.find("broker-a", 0)!.lastUpdateTimestamp > before, "an unchanged version refreshes the broker");
      const other = await query({ counter: 6, stateVersion: 0, timestamp: 1_700_000_000_000 });
      assert.deepEqual([other.extFields, utf8Decode(other.body)], [{ changed: "true" }, '{"counter":5,"timestamp":1700000000000}']);
    } finally {
      await unregisterBrokerRemoting(client, master()).catch(() => undefined);
      client.close();
      raw.close();
    }
  });
});

describe(`a broker registered over remoting leaves with its connection (${platform.system.runtime})`, () => {
  let front: NamesrvFront;
  before(async () => (front = await startNamesrvFront()));
  after(() => front.close());

  it("removes every broker whose latest registration came over the closed connection, and says so in the log", async () => {
    const client = remotingClient(front);
    const reader = await RawClient.open(front);
    await registerBrokerRemoting(client, master());
    await registerBrokerRemoting(client, slave());
    assert.equal((await route(reader, "TopicTest")).queueDatas.length, 1);
    client.close();
    await eventually("both brokers to leave", () => front.namesrv.routeTable.counts().brokerCount === 0);
    assert.deepEqual(await route(reader, "TopicTest"), { code: ResponseCode.TOPIC_NOT_EXIST });
    assert.ok(front.logs.some((l) => /unregistered: DefaultCluster\/broker-a\/0 at .*the connection it registered on closed/.test(l)), front.logs.join("\n"));
    reader.close();
  });

  it("keeps a broker that registered again over another connection, and drops it when that one closes", async () => {
    const first = remotingClient(front);
    const second = remotingClient(front);
    await registerBrokerRemoting(first, master());
    await registerBrokerRemoting(second, master());
    first.close();
    await platform.clock.sleep(100);
    assert.ok(front.namesrv.routeTable.find("broker-a", 0), "the second connection holds it");
    second.close();
    await eventually("the broker to leave with the second connection", () => front.namesrv.routeTable.find("broker-a", 0) === null);
  });

  it("one broker over HTTP and remoting: one entry; the latest registration decides whether a closing connection takes it along", async () => {
    const client = remotingClient(front);
    await registerBrokerRemoting(client, master());
    assert.deepEqual(await postHttp(front, master()), NO_MASTER);
    assert.deepEqual(await postHttp(front, slave()), MASTER_RESULT);
    assert.equal(front.namesrv.routeTable.counts().brokerCount, 2);
    client.close();
    await platform.clock.sleep(100);
    assert.ok(front.namesrv.routeTable.find("broker-a", 0), "registered over HTTP last: it lives by expiry");

    const again = remotingClient(front);
    assert.deepEqual(await registerBrokerRemoting(again, slave()), MASTER_RESULT, "the HTTP master, seen from a remoting slave");
    assert.equal(front.namesrv.routeTable.counts().brokerCount, 2);
    again.close();
    await eventually("the slave to leave with its connection", () => front.namesrv.routeTable.find("broker-a", 1) === null);
    assert.ok(front.namesrv.routeTable.find("broker-a", 0), "the master registered over HTTP stays");
  });
});
