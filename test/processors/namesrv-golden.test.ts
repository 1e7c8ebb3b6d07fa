// Every name-server conversation captured between stock 4.9.7 and 5.3.3 Java clients and a real name server of the same version (GET_ROUTEINFO_BY_TOPIC, GET_BROKER_CLUSTER_INFO, GET_ALL_TOPIC_LIST_FROM_NAMESERVER; JSON and ROCKETMQ binary headers) is replayed byte for byte against Skiff's processors in a RemotingServer over a real Skiff name server.
// Each answer must equal the real one in code, opaque, flag, language, remark, header fields and body bytes; what differs legitimately is listed in DIFFERENCES below and is the only thing not compared.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fixtureBytes } from "../support/fixtures.ts";
import { platform } from "../support/platform.ts";
import { utf8Decode, viewOf } from "../../src/core/bytes.ts";
import type { TopicQueueConfig } from "../../src/contract/namesrv-http.ts";
import { registerBrokerRemoting } from "../../src/namesrv/register-broker-remoting.ts";
import { RequestCode } from "../../src/remoting/codes.ts";
import { RemotingClient } from "../../src/remoting/remoting-client.ts";
import { RemotingFrameDecoder, type RemotingCommand } from "../../src/remoting/remoting-command.ts";
import { RawClient, startNamesrvFront, type NamesrvFront } from "./namesrv-harness.ts";

// DIFFERENCES (not compared, and why):
// - the answer's header serialization: a 4.9.7 name server answers a ROCKETMQ (binary) request in
//   binary, Skiff always in JSON — the 5.3.3 behaviour, read by both client versions (spec §1.5);
// - the answer's `version` field: the server's own MQVersion (407 / 479), Skiff's is 409;
// - absent versus empty header fields in an answer the real server wrote in binary: that header
//   cannot tell them apart (Java writes an empty field table for none), so its `{}` is compared as
//   the absent `extFields` it stands for (the JSON answers show which it is);
// - the order of `topicList` in 206: Java's HashSet order, which carries no meaning; Skiff lists
//   topics by name, so both lists are compared sorted (every other byte of the body is compared).
// Addresses need no normalizing: the name server only repeats what brokers registered, so the test
// registers broker-a at the captured 127.0.0.1:50911.
//
// The broker's topics: the system topics a fresh 4.9.7 / 5.3.3 broker registers (captured from
// real brokers, see namesrv-register.test.ts) and the topics the capture scenarios created, with
// the queue counts and perm their routes show. Which of them exist at a conversation is read from
// the conversation itself, as the real broker's registrations changed them: a topic answered
// TOPIC_NOT_EXIST and later found (a %RETRY% topic created by a consumer's heartbeat, an
// auto-created topic) is registered at the moment between (the real broker re-registers at once);
// for a topic list, the topics the real answer lists.
const SYSTEM_TOPICS_497: Record<string, [number, number]> = {
  SCHEDULE_TOPIC_XXXX: [18, 6], SELF_TEST_TOPIC: [1, 6], DefaultCluster: [16, 7], DefaultCluster_REPLY_TOPIC: [1, 6],
  "broker-a": [1, 7], TBW102: [8, 7], BenchmarkTest: [1024, 6], OFFSET_MOVED_EVENT: [1, 6],
};
const SYSTEM_TOPICS_533: Record<string, [number, number]> = {
  ...SYSTEM_TOPICS_497, RMQ_SYS_TRANS_HALF_TOPIC: [1, 6], RMQ_SYS_TRANS_OP_HALF_TOPIC: [1, 6], rmq_sys_REVIVE_LOG_DefaultCluster: [8, 6],
  rmq_sys_wheel_timer: [1, 6], "rmq_sys_SYNC_BROKER_MEMBER_broker-a": [1, 1],
};
const SCENARIO_TOPICS: Record<string, [number, number]> = {
  TopicTest: [4, 6], TopicAuto: [4, 6], RMQ_SYS_TRANS_HALF_TOPIC: [1, 6], "%DLQ%cg_dlq": [1, 6],
  ...Object.fromEntries(["cg_push", "cg_orderly", "cg_retry", "cg_dlq", "cg_lite", "cg_ser"].map((g) => [`%RETRY%${g}`, [1, 6]])),
};

function topicConfig(version: string, topic: string): TopicQueueConfig {
  const entry = { ...(version === "4.9.7" ? SYSTEM_TOPICS_497 : SYSTEM_TOPICS_533), ...SCENARIO_TOPICS }[topic];
  assert.ok(entry, `the test has no queue counts for topic ${topic}`);
  return { readQueueNums: entry[0], writeQueueNums: entry[0], perm: entry[1], topicSysFlag: 0 };
}

interface Frame {
  readonly bytes: Uint8Array;
  readonly command: RemotingCommand;
  /** The header was ROCKETMQ binary (serialize type 1). */
  readonly binary: boolean;
}

interface Exchange {
  readonly bytes: Uint8Array;
  readonly request: RemotingCommand;
  readonly answer: RemotingCommand;
}

/** One direction of a capture, frame by frame: the exact bytes and what they decode to. */
function frames(name: string): Frame[] {
  const all = fixtureBytes(name);
  const out: Frame[] = [];
  for (let at = 0; at < all.byteLength;) {
    const bytes = all.slice(at, at + 4 + viewOf(all).getInt32(at));
    at += bytes.byteLength;
    const [command] = new RemotingFrameDecoder().push(bytes);
    out.push({ bytes, command, binary: bytes[4] === 1 });
  }
  return out;
}

/** The client's frames as captured, each with the real server's answer (`{}` of a binary one as absent). */
function conversation(base: string): Exchange[] {
  const answers = frames(`remoting/${base}.s2c.bin`);
  return frames(`remoting/${base}.c2s.bin`).map(({ bytes, command: request }) => {
    const found = answers.find((a) => a.command.opaque === request.opaque);
    assert.ok(found, `${base}: the real server answered opaque ${request.opaque}`);
    const { extFields, ...answer } = found.command;
    const empty = found.binary && extFields !== undefined && Object.keys(extFields).length === 0;
    return { bytes, request, answer: empty ? answer : found.command };
  });
}

function topicOf(exchange: Exchange): string | undefined {
  return exchange.request.code === RequestCode.GET_ROUTEINFO_BY_TOPIC ? exchange.request.extFields?.topic : undefined;
}

/** The topics registered when the conversation starts (see the comment at the top). */
function initialTopics(version: string, exchanges: Exchange[]): Set<string> {
  const listed = exchanges.find((e) => e.request.code === RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER);
  if (listed) return new Set(JSON.parse(utf8Decode(listed.answer.body)).topicList as string[]);
  const topics = new Set(Object.keys(version === "4.9.7" ? SYSTEM_TOPICS_497 : SYSTEM_TOPICS_533));
  const missing = new Set(exchanges.filter((e) => topicOf(e) && e.answer.code !== 0).map((e) => topicOf(e)!));
  for (const e of exchanges) if (topicOf(e) && e.answer.code === 0 && !missing.has(topicOf(e)!)) topics.add(topicOf(e)!);
  return topics;
}

const FIXTURES = fileURLToPath(new URL("../../../shared/fixtures/rocketmq/remoting/", import.meta.url).href);

for (const version of ["4.9.7", "5.3.3"]) {
  const bases = readdirSync(`${FIXTURES}v${version}`).filter((n) => n.endsWith("-namesrv.c2s.bin")).map((n) => `v${version}/${n.slice(0, -".c2s.bin".length)}`);

  describe(`name-server conversations of ${version} clients with a ${version} name server, replayed against Skiff (${platform.system.runtime})`, () => {
    let front: NamesrvFront;
    let broker: RemotingClient;
    let counter = 0;
    const register = (topics: Set<string>) =>
      registerBrokerRemoting(broker, {
        clusterName: "DefaultCluster", brokerName: "broker-a", brokerId: 0, brokerAddr: "127.0.0.1:50911", haServerAddr: "127.0.0.1:50912",
        topicConfig: { dataVersion: { counter: ++counter, timestamp: 1_796_185_660_072 }, topicConfigTable: Object.fromEntries([...topics].map((t) => [t, topicConfig(version, t)])) },
      });

    before(async () => {
      front = await startNamesrvFront();
      broker = new RemotingClient({ net: platform.net, clock: platform.clock, address: front.address });
    });
    after(async () => {
      broker.close();
      await front.close();
    });

    it("finds the captured conversations", () => assert.ok(bases.length >= 18, `${bases.length} conversations`));

    for (const base of bases) {
      it(`answers ${base.split("/")[1]} as the real name server did`, async () => {
        const exchanges = conversation(base);
        const topics = initialTopics(version, exchanges);
        await register(topics);
        const client = await RawClient.open(front);
        try {
          for (const exchange of exchanges) {
            const topic = topicOf(exchange);
            if (topic && exchange.answer.code === 0 && !topics.has(topic)) await register(topics.add(topic)); // the real broker re-registered here
            const ours = await client.callRaw(exchange.bytes, exchange.request.opaque);
            assertSameAnswer(ours, exchange.answer, `${base} opaque ${exchange.request.opaque} (code ${exchange.request.code} ${topic ?? ""})`);
          }
        } finally {
          client.close();
        }
      });
    }
  });
}

function assertSameAnswer(ours: RemotingCommand, real: RemotingCommand, what: string): void {
  const header = (c: RemotingCommand) => ({ code: c.code, opaque: c.opaque, flag: c.flag, language: c.language, remark: c.remark, extFields: c.extFields });
  assert.deepEqual(header(ours), header(real), `${what}: header`);
  if (real.body.byteLength > 0 && utf8Decode(real.body).startsWith('{"topicList":')) {
    const sorted = (body: Uint8Array) => {
      const parsed = JSON.parse(utf8Decode(body));
      return { ...parsed, topicList: [...parsed.topicList].sort() };
    };
    assert.deepEqual(sorted(ours.body), sorted(real.body), `${what}: topic list`);
    assert.equal(ours.body.byteLength, real.body.byteLength, `${what}: topic list length in bytes`);
    return;
  }
  assert.equal(utf8Decode(ours.body), utf8Decode(real.body), `${what}: body`);
  assert.deepEqual(ours.body, real.body, `${what}: body bytes`);
}
