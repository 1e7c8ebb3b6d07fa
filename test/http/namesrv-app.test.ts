// The name server's HTTP API, driven through app.request() with a manual clock, registers masters and slaves, answers
// routes and cluster info in RocketMQ's shapes and expires brokers after 120 s. Every kind of bad request gets a 4xx with an {"error":{"code","message"}} body, and an unexpected failure a 500 that tells the client nothing.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { namesrvApp } from "../../src/http/namesrv-app.ts";
import { RouteTable, type RouteTableOptions } from "../../src/namesrv/route-table.ts";
import type { BrokerRegistration } from "../../src/contract/namesrv-http.ts";
import {
  MASTER_ADDR, MASTER_HTTP_ADDR, MASTER_RESULT as MASTER, NO_MASTER, SLAVE_ADDR, SLAVE_HTTP_ADDR, TOPIC_TEST, master, registration, slave,
} from "../namesrv/registrations.ts";
import { lineLogger } from "../support/log.ts";

function setup(options: RouteTableOptions = {}, maxBodyBytes?: number) {
  const clock = new ManualClock();
  const routeTable = new RouteTable(options);
  const logged: string[] = [];
  const app = namesrvApp({ routeTable, clock, maxBodyBytes, log: lineLogger((line) => logged.push(line) )});
  const post = (body: unknown) => app.request("/brokers", { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });
  const register = async (registration: BrokerRegistration) => {
    const response = await post(registration);
    assert.equal(response.status, 200);
    return response.json();
  };
  const route = (topic: string) => app.request(`/routes/${encodeURIComponent(topic)}`);
  return { app, clock, routeTable, logged, post, register, route };
}

async function expectError(response: Response, status: number, code: string, messagePattern?: RegExp): Promise<string> {
  assert.equal(response.status, status);
  assert.match(response.headers.get("content-type") ?? "", /application\/json/);
  const body = (await response.json()) as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(body), ["error"]);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, "string");
  if (messagePattern) assert.match(body.error.message, messagePattern);
  return body.error.message;
}

describe("name server app: registration and routes", () => {
  it("answers a master with nulls and then its slave with the master's addresses", async () => {
    const { register } = setup();
    assert.deepEqual(await register(master()), NO_MASTER);
    assert.deepEqual(await register(slave()), MASTER);
  });

  it("answers masterHttpAddr null for a master that registered no HTTP address (a RocketMQ broker)", async () => {
    const { register } = setup();
    await register(registration());
    assert.deepEqual(await register(slave()), { ...MASTER, masterHttpAddr: null });
  });

  it("answers a slave that registers before its master with nulls, and with addresses once the master is there", async () => {
    const { register } = setup();
    assert.deepEqual(await register(slave()), NO_MASTER);
    await register(master());
    assert.deepEqual(await register(slave()), MASTER);
  });

  it("routes each topic with brokerAddrs and brokerHttpAddrs keyed \"0\"/\"1\" and queue data from the master only", async () => {
    const { register, route } = setup();
    await register(master({ topics: { TopicTest: TOPIC_TEST, "Topic%|A": { readQueueNums: 2, writeQueueNums: 1, perm: 4 } } }));
    await register(slave({ topics: { TopicTest: { ...TOPIC_TEST, writeQueueNums: 16 }, SlaveOnly: TOPIC_TEST }, counter: 9 }));
    const response = await route("TopicTest");
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /"brokerAddrs":\{"0":"127\.0\.0\.1:10911","1":"127\.0\.0\.1:11911"\}/);
    assert.deepEqual(JSON.parse(text), {
      brokerDatas: [{
        cluster: "DefaultCluster", brokerName: "broker-a",
        brokerAddrs: { "0": MASTER_ADDR, "1": SLAVE_ADDR }, brokerHttpAddrs: { "0": MASTER_HTTP_ADDR, "1": SLAVE_HTTP_ADDR },
      }],
      queueDatas: [{ brokerName: "broker-a", readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 }],
    });
    const odd = (await (await route("Topic%|A")).json()) as { queueDatas: { readQueueNums: number; topicSysFlag: number }[] };
    assert.deepEqual([odd.queueDatas[0].readQueueNums, odd.queueDatas[0].topicSysFlag], [2, 0]);
    await expectError(await route("SlaveOnly"), 404, "TOPIC_NOT_EXIST", /SlaveOnly/);
  });

  it("describes the cluster and its health", async () => {
    const { app, clock, register } = setup();
    await register(master());
    await clock.advance(5);
    await register(slave());
    const cluster = (await (await app.request("/cluster")).json()) as { clusters: { clusterName: string; brokerGroups: { brokerName: string; brokers: { brokerId: number; lastUpdateTimestamp: number }[] }[] }[] };
    assert.equal(cluster.clusters[0].clusterName, "DefaultCluster");
    const brokers = cluster.clusters[0].brokerGroups[0].brokers;
    assert.deepEqual(brokers.map((b) => [b.brokerId, b.lastUpdateTimestamp - clock.now()]), [[0, -5], [1, 0]]);
    assert.deepEqual(await (await app.request("/health")).json(), { status: "UP", brokers: 2, topics: 1 });
  });
});

describe("name server app: expiry and unregistration", () => {
  it("expires a broker 120 s after its last registration, not before", async () => {
    const { clock, routeTable, register, route } = setup();
    await register(master());
    await clock.advance(120_000);
    assert.deepEqual(routeTable.scanExpired(clock.now()).brokers, []);
    assert.equal((await route("TopicTest")).status, 200);
    await clock.advance(1);
    assert.equal(routeTable.scanExpired(clock.now()).brokers.length, 1);
    await expectError(await route("TopicTest"), 404, "TOPIC_NOT_EXIST");
  });

  it("keeps a broker that re-registers alive past 120 s from its first registration", async () => {
    const { clock, routeTable, register, route } = setup();
    await register(master());
    await register(slave());
    for (let i = 0; i < 10; i++) {
      await clock.advance(30_000);
      await register(master());
      routeTable.scanExpired(clock.now());
    }
    const body = (await (await route("TopicTest")).json()) as { brokerDatas: { brokerAddrs: Record<string, string> }[] };
    assert.deepEqual(body.brokerDatas[0].brokerAddrs, { "0": MASTER_ADDR }, "the silent slave expired, the master did not");
  });

  it("unregisters by cluster, broker name and id, idempotently", async () => {
    const { app, register, route } = setup();
    await register(master());
    await register(slave());
    const remove = (path: string) => app.request(`/brokers/${path}`, { method: "DELETE" });
    assert.deepEqual(await (await remove("DefaultCluster/broker-a/1")).json(), { removed: true });
    assert.deepEqual(await (await remove("DefaultCluster/broker-a/1")).json(), { removed: false });
    assert.deepEqual(await (await remove("OtherCluster/broker-a/0")).json(), { removed: false });
    const body = (await (await route("TopicTest")).json()) as { brokerDatas: { brokerAddrs: Record<string, string> }[] };
    assert.deepEqual(body.brokerDatas[0].brokerAddrs, { "0": MASTER_ADDR });
    assert.deepEqual(await (await remove("DefaultCluster/broker-a/0")).json(), { removed: true });
    await expectError(await route("TopicTest"), 404, "TOPIC_NOT_EXIST");
  });
});

describe("name server app: errors", () => {
  const valid = master();

  it("answers malformed JSON, an empty body and non-object JSON with 400", async () => {
    const { post } = setup();
    await expectError(await post("{\"clusterName\":"), 400, "BAD_REQUEST", /not valid JSON/);
    await expectError(await post(""), 400, "BAD_REQUEST", /not valid JSON/);
    await expectError(await post("[]"), 400, "BAD_REQUEST");
    await expectError(await post("null"), 400, "BAD_REQUEST");
  });

  it("names every missing field and wrong type", async () => {
    const { post } = setup();
    const { brokerAddr: _a, topicConfig: _t, ...missing } = valid;
    const message = await expectError(await post(missing), 400, "BAD_REQUEST");
    assert.match(message, /brokerAddr/);
    assert.match(message, /topicConfig/);
    await expectError(await post({ ...valid, brokerId: "0" }), 400, "BAD_REQUEST", /brokerId/);
    await expectError(await post({ ...valid, brokerId: 1.5 }), 400, "BAD_REQUEST", /brokerId/);
    await expectError(await post({ ...valid, clusterName: "" }), 400, "BAD_REQUEST", /clusterName/);
    await expectError(await post({ ...valid, brokerName: "x".repeat(256) }), 400, "BAD_REQUEST", /brokerName/);
    await expectError(await post({ ...valid, brokerAddr: "localhost" }), 400, "BAD_REQUEST", /brokerAddr: must be host:port/);
    await expectError(await post({ ...valid, haServerAddr: "127.0.0.1:70000" }), 400, "BAD_REQUEST", /haServerAddr/);
    const badTopic = { ...valid.topicConfig, topicConfigTable: { TopicTest: { ...TOPIC_TEST, readQueueNums: "4" } } };
    await expectError(await post({ ...valid, topicConfig: badTopic }), 400, "BAD_REQUEST", /topicConfig\.topicConfigTable\.TopicTest\.readQueueNums/);
    await expectError(await post({ ...valid, topicConfig: { topicConfigTable: {} } }), 400, "BAD_REQUEST", /dataVersion/);
  });

  it("refuses a negative brokerId in the body and a malformed one in the path", async () => {
    const { app, post } = setup();
    await expectError(await post({ ...valid, brokerId: -1 }), 400, "BAD_REQUEST", /brokerId: must be at least 0/);
    await expectError(await app.request("/brokers/DefaultCluster/broker-a/-1", { method: "DELETE" }), 400, "BAD_REQUEST", /brokerId/);
    await expectError(await app.request("/brokers/DefaultCluster/broker-a/one", { method: "DELETE" }), 400, "BAD_REQUEST", /brokerId/);
  });

  it("answers unknown paths with 404 and a known path asked with another method with 405 and Allow, in the same shape", async () => {
    const { app, route } = setup();
    await expectError(await route("NoSuchTopic"), 404, "TOPIC_NOT_EXIST", /NoSuchTopic/);
    await expectError(await app.request("/nope"), 404, "NOT_FOUND", /GET \/nope/);
    await expectError(await app.request("/brokers/DefaultCluster/broker-a/x/y", { method: "DELETE" }), 404, "NOT_FOUND");
    const wrong = await app.request("/brokers");
    assert.equal(wrong.headers.get("allow"), "POST");
    await expectError(wrong, 405, "METHOD_NOT_ALLOWED", /^GET is not allowed on \/brokers; use POST$/);
  });

  it("answers conflicts and full tables with 409 and an oversized body with 413", async () => {
    const { post } = setup({ limits: { maxBrokers: 2 } }, 4096);
    assert.equal((await post(valid)).status, 200);
    await expectError(await post(master({ brokerName: "broker-b" })), 409, "BROKER_ADDRESS_IN_USE", /127\.0\.0\.1:10911/);
    await expectError(await post(slave({ clusterName: "Other" })), 409, "BROKER_NAME_CONFLICT");
    assert.equal((await post(slave())).status, 200);
    const forged = { brokerAddr: "10.6.6.6:10911", haServerAddr: "10.6.6.6:10912", httpAddr: "10.6.6.6:10913" };
    await expectError(await post(master(forged)), 409, "BROKER_ID_TAKEN", /broker-a\/0 is registered from 127\.0\.0\.1:10911 .* DELETE \/brokers\/DefaultCluster\/broker-a\/0$/);
    await expectError(await post(master({ brokerName: "broker-c", brokerAddr: "127.0.0.1:12911" })), 409, "BROKER_ADDRESS_IN_USE", /HTTP address 127\.0\.0\.1:10913 .*httpListenPort/);
    await expectError(await post(master({ brokerName: "broker-c", brokerAddr: "127.0.0.1:12911", httpAddr: "127.0.0.1:12913" })), 409, "BROKER_LIMIT_EXCEEDED");
    await expectError(await post({ ...valid, brokerName: "b".repeat(5000) }), 413, "PAYLOAD_TOO_LARGE");
  });

  it("answers an unexpected failure with a generic 500 and logs the details", async () => {
    const { post, logged } = setup({ onChange: () => { throw new Error("disk on fire"); } });
    const message = await expectError(await post(valid), 500, "INTERNAL_ERROR");
    assert.doesNotMatch(message, /disk on fire/);
    assert.match(logged.join("\n"), /disk on fire/);
  });
});
