// The remoting client talks to a fake RocketMQ server on the in-memory network: REGISTER_BROKER carries RocketMQ's header fields and a body whose bodyCrc32 checks, answers are matched by opaque even out of order, and one connection is kept across calls (a name server forgets a broker whose channel closes).
// Timeouts, a server that closes the connection, non-SUCCESS codes, and the slave's metadata sync over remoting (GET_ALL_* bodies) behave as documented.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, settle } from "../../adapters/memory/clock.ts";
import { MemoryNetwork } from "../../adapters/memory/net.ts";
import { utf8Decode, utf8Encode } from "../../src/core/bytes.ts";
import type { Connection } from "../../src/core/platform.ts";
import { remotingSyncSource } from "../../src/broker/slave-sync-remoting.ts";
import { registerBrokerRemoting, unregisterBrokerRemoting } from "../../src/namesrv/register-broker-remoting.ts";
import { RemotingClient, RemotingClientPool } from "../../src/remoting/remoting-client.ts";
import { FLAG_RESPONSE, RemotingFrameDecoder, encodeRemotingCommand, type RemotingCommand } from "../../src/remoting/remoting-command.ts";
import { RequestCode } from "../../src/remoting/codes.ts";
import { bodyCrc } from "../../src/codec/crc32.ts";
import type { BrokerRegistration } from "../../src/contract/namesrv-http.ts";

type Handler = (request: RemotingCommand, connection: Connection) => RemotingCommand | null;

/** A RocketMQ-like server: decodes requests, answers with `handler` (null: no answer). */
async function fakeServer(net: MemoryNetwork, port: number, handler: Handler) {
  const requests: RemotingCommand[] = [];
  const connections: Connection[] = [];
  await net.listen({ host: "127.0.0.1", port }, (connection) => {
    connections.push(connection);
    void (async () => {
      const decoder = new RemotingFrameDecoder();
      try {
        for await (const chunk of connection.readable) {
          for (const request of decoder.push(chunk)) {
            requests.push(request);
            const answer = handler(request, connection);
            if (answer) await connection.write(encodeRemotingCommand(answer));
          }
        }
      } catch {
        // reset by the client
      }
    })();
  });
  return { requests, connections };
}

function answer(request: RemotingCommand, code: number, extFields?: Record<string, string>, body: Uint8Array = new Uint8Array(0), remark?: string): RemotingCommand {
  return { code, language: "JAVA", version: 407, opaque: request.opaque, flag: FLAG_RESPONSE, extFields, body, ...(remark ? { remark } : {}) };
}

const registration: BrokerRegistration = {
  clusterName: "DefaultCluster",
  brokerName: "broker-a",
  brokerId: 1,
  brokerAddr: "127.0.0.1:11911",
  haServerAddr: "127.0.0.1:11912",
  topicConfig: { dataVersion: { counter: 2, timestamp: 1700000000000 }, topicConfigTable: { TopicTest: { readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 } } },
};

describe("RemotingClient", () => {
  it("registers with RocketMQ's header fields and a checked body, and learns the master from the answer", async () => {
    const clock = new ManualClock();
    const net = new MemoryNetwork();
    const server = await fakeServer(net, 9876, (r) => answer(r, 0, { haServerAddr: "127.0.0.1:10912", masterAddr: "127.0.0.1:10911" }));
    const client = new RemotingClient({ net, clock, address: "127.0.0.1:9876" });
    const result = await registerBrokerRemoting(client, registration);
    assert.deepEqual(result, { masterAddr: "127.0.0.1:10911", haServerAddr: "127.0.0.1:10912", masterHttpAddr: null });
    const [request] = server.requests;
    assert.equal(request.code, RequestCode.REGISTER_BROKER);
    assert.deepEqual(request.extFields, {
      brokerName: "broker-a", brokerAddr: "127.0.0.1:11911", clusterName: "DefaultCluster", haServerAddr: "127.0.0.1:11912",
      brokerId: "1", bodyCrc32: String(bodyCrc(request.body)), compressed: "false",
    });
    const body = JSON.parse(utf8Decode(request.body));
    assert.deepEqual(body, { filterServerList: [], topicConfigSerializeWrapper: registration.topicConfig });
    client.close();
  });

  it("answers a master's registration with nulls, keeps one connection for every call, and unregisters", async () => {
    const clock = new ManualClock();
    const net = new MemoryNetwork();
    const server = await fakeServer(net, 9876, (r) => answer(r, 0, r.code === RequestCode.REGISTER_BROKER ? {} : undefined));
    const client = new RemotingClient({ net, clock, address: "127.0.0.1:9876" });
    for (let i = 0; i < 3; i++) assert.deepEqual(await registerBrokerRemoting(client, { ...registration, brokerId: 0 }), { masterAddr: null, haServerAddr: null, masterHttpAddr: null });
    assert.equal(await unregisterBrokerRemoting(client, registration), true);
    assert.equal(server.connections.length, 1, "one connection for every call");
    assert.deepEqual(server.requests.at(-1)?.extFields, { brokerName: "broker-a", brokerAddr: "127.0.0.1:11911", clusterName: "DefaultCluster", brokerId: "1" });
    client.close();
  });

  it("matches answers to requests by opaque, also out of order", async () => {
    const clock = new ManualClock();
    const net = new MemoryNetwork();
    const held: RemotingCommand[] = [];
    const server = await fakeServer(net, 10911, (r, connection) => {
      held.push(r);
      if (held.length === 2) {
        for (const request of [...held].reverse()) void connection.write(encodeRemotingCommand(answer(request, 0, undefined, utf8Encode(`body of ${request.code}`))));
      }
      return null;
    });
    const client = new RemotingClient({ net, clock, address: "127.0.0.1:10911" });
    const [a, b] = await Promise.all([client.invoke(21, {}, new Uint8Array(0)), client.invoke(43, {}, new Uint8Array(0))]);
    assert.deepEqual([utf8Decode(a.body), utf8Decode(b.body)], ["body of 21", "body of 43"]);
    assert.notEqual(server.requests[0].opaque, server.requests[1].opaque);
    client.close();
  });

  it("fails a call that gets no answer within its timeout, with a retriable REMOTING_TIMEOUT", async () => {
    const clock = new ManualClock();
    const net = new MemoryNetwork();
    await fakeServer(net, 9876, () => null);
    const client = new RemotingClient({ net, clock, address: "127.0.0.1:9876" });
    const call = client.invoke(RequestCode.REGISTER_BROKER, {}, new Uint8Array(0), 6000);
    const outcome = call.then(() => "answered", (e: { code: string; retriable: boolean }) => `${e.code} ${e.retriable}`);
    await clock.advance(5999);
    await settle();
    await clock.advance(1);
    assert.equal(await outcome, "REMOTING_TIMEOUT true");
    client.close();
  });

  it("fails waiting calls when the server closes the connection, and reconnects on the next call", async () => {
    const clock = new ManualClock();
    const net = new MemoryNetwork();
    let first = true;
    const server = await fakeServer(net, 9876, (r, connection) => {
      if (first) {
        first = false;
        connection.close();
        return null;
      }
      return answer(r, 0);
    });
    const client = new RemotingClient({ net, clock, address: "127.0.0.1:9876" });
    await assert.rejects(client.invoke(RequestCode.UNREGISTER_BROKER, {}, new Uint8Array(0)), { code: "REMOTING_UNREACHABLE" });
    assert.equal((await client.invoke(RequestCode.UNREGISTER_BROKER, {}, new Uint8Array(0))).code, 0);
    assert.equal(server.connections.length, 2);
    client.close();
    await assert.rejects(client.invoke(RequestCode.UNREGISTER_BROKER, {}, new Uint8Array(0)), { code: "REMOTING_CLOSED" });
  });

  it("turns a non-SUCCESS answer into REMOTING_<code> with the server's remark", async () => {
    const clock = new ManualClock();
    const net = new MemoryNetwork();
    await fakeServer(net, 9876, (r) => answer(r, 1, undefined, new Uint8Array(0), "crc32 not match"));
    const client = new RemotingClient({ net, clock, address: "127.0.0.1:9876" });
    await assert.rejects(registerBrokerRemoting(client, registration), (e: Error & { code: string; retriable: boolean }) =>
      e.code === "REMOTING_1" && e.retriable && /crc32 not match/.test(e.message));
    client.close();
  });
});

describe("slave metadata sync from a RocketMQ master", () => {
  it("asks GET_ALL_TOPIC_CONFIG, GET_ALL_CONSUMER_OFFSET, GET_ALL_DELAY_OFFSET, GET_ALL_SUBSCRIPTIONGROUP_CONFIG and returns the bodies", async () => {
    const clock = new ManualClock();
    const net = new MemoryNetwork();
    const server = await fakeServer(net, 10911, (r) => answer(r, 0, undefined, utf8Encode(`{"code":${r.code}}`)));
    const pool = new RemotingClientPool(net, clock);
    const source = remotingSyncSource(pool);
    const bodies = [];
    for (const name of ["topic-config", "consumer-offsets", "delay-offset", "subscription-groups"] as const) bodies.push(await source("127.0.0.1:10911", name));
    assert.deepEqual(bodies, ['{"code":21}', '{"code":43}', '{"code":45}', '{"code":201}']);
    assert.deepEqual(server.requests.map((r) => r.code), [21, 43, 45, 201]);
    pool.closeAll();
  });
});
