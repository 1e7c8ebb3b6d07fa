/**
 * Bad input on the RocketMQ remoting ports of a real broker process (on the runtime running this
 * test; issue 11 item 5), while a well-behaved producer sends through Skiff's HTTP client the whole
 * time and every message it got acknowledged is read back at the end, once, with equal bytes:
 *
 * - a readable frame that is wrong (unknown code, missing or non-numeric header field, a body not
 *   valid for its code) is answered — REQUEST_CODE_NOT_SUPPORTED or SYSTEM_ERROR with a remark —
 *   and its connection stays open; a stream that cannot be read (garbage, HTTP, TLS, a length
 *   beyond 16 MiB, a header that is not JSON, a binary header whose lengths lie) is closed; a
 *   peer that announces more than it sends and goes silent is closed by the idle timeout
 *   (`serverChannelMaxIdleTimeSeconds`); random frames (fast-check, captured real requests mutated)
 *   get exactly the answers the frames they hold ask for, on listenPort and the fast channel;
 * - a client that sends and never reads is closed once its waiting answers pass the cap, and the
 *   broker's resident memory stays bounded;
 * - thousands of idle connections, and more than maxConnections (4096): the extra ones are closed
 *   at once, and a fresh client is answered promptly throughout;
 * - the log has one line per kind of problem (rate-limited) and no stack trace.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { concatBytes, utf8Encode } from "../../src/core/bytes.ts";
import { ResponseCode, RequestCode } from "../../src/remoting/codes.ts";
import { encodeRemotingCommand, requestCommand, type RemotingCommand } from "../../src/remoting/remoting-command.ts";
import { platform, removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { freeListenPort } from "../support/ports.ts";
import { rssBytes } from "../support/proc.ts";
import { chunking } from "../support/property.ts";
import { binaryFrame, jsonHeaderFrame, lengthPrefix, TLS_CLIENT_HELLO } from "../support/remoting-frames.ts";
import { checkRandomStream, idleSockets, neverReads, randomFrame, type NeverReadsResult } from "../support/remoting-streams.ts";
import { capturedFrames, RawRemotingClient } from "../support/remoting.ts";
import { startSkiff, type SkiffProcess } from "../support/skiff-process.ts";
import { SteadyProducer } from "../support/steady-producer.ts";

const IDLE_TIMEOUT_S = 2;
const QUEUES = 2;
/** RemotingServer's defaults (src/remoting/remoting-server.ts), which RocketMQ has no key for. */
const MAX_CONNECTIONS = 4096;
const MAX_QUEUED_ANSWER_BYTES = 32 * 1024 * 1024;
/** A fresh client is answered within this, whatever the others do (generous: a loaded 2-core box). */
const PROMPT_MS = 3000;
/** Random streams per port. */
const RANDOM_RUNS = 100;
/**
 * What the never-reading client sends at most: 64 MiB of 29-byte requests ask for about 330 MB of
 * answers, so a broker without the cap would pass RSS_GROWTH_BOUND_BYTES many times over.
 */
const NEVER_READS_MAX_BYTES = 64 * 1024 * 1024;
const RSS_GROWTH_BOUND_BYTES = 256 * 1024 * 1024;
const IDLE_CONNECTIONS = 2000;
const EXTRA_CONNECTIONS = 100;
/**
 * An idle connection costs a socket, a few small objects and a waiting read: measured 5–16 KiB
 * each (Bun, Node, Deno); 40 KiB each is allowed. Deno's adapter held 64 KiB per waiting read
 * before (+274 MiB for 4096).
 */
const IDLE_RSS_BOUND_BYTES = 160 * 1024 * 1024;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const HEARTBEAT = capturedFrames("remoting/v4.9.7/v4.9.7-push-first-concurrent-02-broker.c2s.bin").find((f) => f.command.code === RequestCode.HEART_BEAT)!;

async function startBroker(label: string, flags: string[]): Promise<{ broker: SkiffProcess; ports: { main: number; fast: number }; alive: () => boolean; cleanup: () => Promise<void> }> {
  const store = await tempDir(`e2e-remoting-${label}`);
  const listenPort = await freeListenPort();
  const broker = await startSkiff(runtimeName, "broker", [
    `--storePathRootDir=${store}`, `--listenPort=${listenPort}`, "--mappedFileSizeCommitLog=16777216", `--defaultTopicQueueNums=${QUEUES}`, ...flags,
  ]);
  let exited = false;
  void broker.exited.then(() => (exited = true));
  return { broker, ports: { main: listenPort, fast: listenPort - 2 }, alive: () => !exited, cleanup: async () => {
    await broker.kill();
    await removeDir(store);
  } };
}

const open = (port: number) => RawRemotingClient.open(platform.net, { host: "127.0.0.1", port });

/** A fresh connection's HEART_BEAT (a captured real one) is answered SUCCESS; returns how long it took. */
async function heartbeatMs(port: number): Promise<number> {
  const started = Date.now();
  const client = await open(port);
  try {
    const answer = await client.call(HEARTBEAT.bytes);
    assert.equal(answer.code, ResponseCode.SUCCESS, answer.remark);
  } finally {
    client.close();
  }
  const ms = Date.now() - started;
  assert.ok(ms < PROMPT_MS, `a fresh client waited ${ms} ms for its heartbeat answer`);
  return ms;
}

/** Kinds of client problems as the broker logs them (src/remoting/problem-log.ts), by line. */
const PROBLEM_LINES = {
  unreadable: /^remoting( \(fast channel\))?: \S+: remoting frame: /,
  refused: /^remoting( \(fast channel\))?: \S+: refused: \d+ connections are open already/,
  "not-reading": /^remoting( \(fast channel\))?: \S+: (\d+ bytes of answers wait for a client that does not read|the peer did not take a write)/,
  idle: /^remoting( \(fast channel\))?: \S+: silent for \d+ ms; connection closed/,
} as const;

function assertLogHealthy(broker: SkiffProcess, elapsedMs: number, kinds: readonly (keyof typeof PROBLEM_LINES)[]): void {
  const output = broker.output;
  assert.deepEqual(output.filter((l) => /^\s+at\s|request code \d+ failed/.test(l)), [], "no stack traces, no processor bugs");
  for (const kind of kinds) {
    for (const server of ["remoting: ", "remoting (fast channel): "]) {
      const lines = output.filter((l) => PROBLEM_LINES[kind].test(l) && l.startsWith(server));
      assert.ok(lines.length <= 2 + elapsedMs / 10_000, `${server}${kind}: at most one line per 10 s, got ${lines.length}:\n${lines.join("\n")}`);
    }
    assert.ok(output.some((l) => PROBLEM_LINES[kind].test(l)), `a ${kind} line is logged:\n${output.slice(-20).join("\n")}`);
  }
}

describe(`bad frames on the remoting ports of a ${runtimeName} broker process`, () => {
  let broker: SkiffProcess;
  let ports: { main: number; fast: number };
  let producer: SteadyProducer;
  let started: number;
  let alive: () => boolean;
  const cleanups: Array<() => Promise<unknown>> = [];

  before(async () => {
    const launched = await startBroker("frames", [`--serverChannelMaxIdleTimeSeconds=${IDLE_TIMEOUT_S}`]);
    ({ broker, ports, alive } = launched);
    cleanups.push(launched.cleanup);
    started = Date.now();
    producer = new SteadyProducer(broker.address, "BadInputTopic");
    producer.start();
    cleanups.push(() => producer.stop());
    await producer.progress(5);
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  for (const port of ["main", "fast"] as const) {
    it(`answers readable but wrong requests with a code and a remark, and keeps the connection (${port} port)`, async () => {
      const client = await open(ports[port]);
      const expectations: Array<[string, RemotingCommand | Uint8Array, number, RegExp]> = [
        ["unknown code, JSON header", requestCommand(29999, 1), ResponseCode.REQUEST_CODE_NOT_SUPPORTED, /^ request type 29999 not supported$/],
        ["unknown code, binary header", binaryFrame(30001, 2, { a: "b" }), ResponseCode.REQUEST_CODE_NOT_SUPPORTED, /^ request type 30001 not supported$/],
        ["negative code", requestCommand(-7, 3), ResponseCode.REQUEST_CODE_NOT_SUPPORTED, /^ request type -7 not supported$/],
        ["missing header field", requestCommand(RequestCode.GET_CONSUMER_LIST_BY_GROUP, 4, {}), ResponseCode.SYSTEM_ERROR, /^the custom field <consumerGroup> is null$/],
        ["missing header field, binary", binaryFrame(RequestCode.GET_CONSUMER_CONNECTION_LIST, 5, {}), ResponseCode.SYSTEM_ERROR, /<consumerGroup> is null/],
        ["non-numeric header field", requestCommand(RequestCode.CONSUMER_SEND_MSG_BACK, 6, { offset: "12x", group: "g", delayLevel: "0" }), ResponseCode.SYSTEM_ERROR, /^the custom field <offset> is not a long: "12x"$/],
        ["int field beyond an int", requestCommand(RequestCode.CONSUMER_SEND_MSG_BACK, 7, { offset: "1", group: "g", delayLevel: "2147483648" }), ResponseCode.SYSTEM_ERROR, /<delayLevel> is not an int/],
        ["HEART_BEAT body not JSON", requestCommand(RequestCode.HEART_BEAT, 8, {}, utf8Encode("{not json")), ResponseCode.SYSTEM_ERROR, /^the body of request code 34 is not a /],
        ["HEART_BEAT body of another shape", requestCommand(RequestCode.HEART_BEAT, 9, {}, utf8Encode(`{"clientID":5,"consumerDataSet":"x"}`)), ResponseCode.SYSTEM_ERROR, /^the body of request code 34 is not a /],
        ["a negative binary extFields length (none, as Java reads it)", binaryFrame(RequestCode.HEART_BEAT, 11, { k: "v" }, new Uint8Array(0), { lie: { field: "extLength", value: -5 } }), ResponseCode.SYSTEM_ERROR, /^the body of request code 34 is not a /],
        ["LOCK_BATCH_MQ body not UTF-8", requestCommand(RequestCode.LOCK_BATCH_MQ, 10, {}, new Uint8Array([0xff, 0xfe, 0x7b])), ResponseCode.SYSTEM_ERROR, /^the body of request code 41 is not a /],
      ];
      for (const [what, request, code, remark] of expectations) {
        const answer = await client.call(request);
        assert.equal(answer.code, code, `${what}: ${answer.remark}`);
        assert.match(answer.remark ?? "", remark, what);
        assert.equal(answer.flag & 1, 1, `${what}: an answer`);
      }
      assert.equal((await client.call(HEARTBEAT.bytes)).code, ResponseCode.SUCCESS, "the same connection still serves");
      assert.equal(client.ended, false);
      client.close();
    });

    it(`closes a connection whose stream cannot be read, and serves the next one (${port} port)`, async () => {
      // Random bytes, but never the start of a frame that is merely incomplete: a first byte of 0
      // or 1 announces a plausible length (under 32 MiB) and leaves the broker waiting for the rest,
      // which is the idle timeout's case (the next test), not this one. So the length is beyond 1 GiB.
      const garbage = crypto.getRandomValues(new Uint8Array(300));
      garbage[0] |= 0x40;
      const cases: Array<[string, Uint8Array]> = [
        ["garbage", garbage],
        ["HTTP text", utf8Encode("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")],
        ["TLS ClientHello", TLS_CLIENT_HELLO],
        ["a length prefix beyond 16 MiB", lengthPrefix(16 * 1024 * 1024 + 1)],
        ["a negative length prefix", lengthPrefix(-1)],
        ["a header that is not JSON", jsonHeaderFrame("{not json")],
        ["a JSON header that is not an object", jsonHeaderFrame("[1,2]")],
        ["a JSON header without a code", jsonHeaderFrame(`{"opaque":1,"flag":0}`)],
        ["an unknown serialize type", jsonHeaderFrame(`{"code":34}`, new Uint8Array(0), 7)],
        ["a header length beyond the frame", binaryFrame(34, 1, {}, new Uint8Array(0), { lie: { field: "headerLength", value: 5000 } })],
        ["a binary remark length beyond the header", binaryFrame(34, 1, { k: "v" }, new Uint8Array(0), { remark: "r", lie: { field: "remarkLength", value: 1_000_000 } })],
        ["a negative binary key length", binaryFrame(34, 1, { k: "v" }, new Uint8Array(0), { lie: { field: "keyLength", value: -3 } })],
        ["a binary key length beyond the extFields", binaryFrame(34, 1, { k: "v" }, new Uint8Array(0), { lie: { field: "keyLength", value: 300 } })],
        ["a good frame, then garbage", concatBytes([encodeRemotingCommand(requestCommand(29999, 1)), utf8Encode("garbage!")])],
      ];
      for (const [what, bytes] of cases) {
        const client = await open(ports[port]);
        const startedMs = Date.now();
        await client.connection.write(bytes).catch(() => undefined);
        await client.until(`the broker to close the connection after ${what}`, () => client.ended, 5000);
        assert.ok(Date.now() - startedMs < (IDLE_TIMEOUT_S * 1000) / 2 + 500, `${what}: closed at once, not by the idle timeout (${Date.now() - startedMs} ms)`);
        for (const frame of client.frames) assert.equal(frame.code, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, `${what}: no answer but to the good frame`);
        client.close();
      }
      await heartbeatMs(ports[port]);
    });
  }

  it("closes a peer that announces more than it sends and goes silent, after serverChannelMaxIdleTimeSeconds", async () => {
    const silent = await Promise.all([open(ports.main), open(ports.fast)]);
    const startedMs = Date.now();
    for (const client of silent) await client.connection.write(concatBytes([lengthPrefix(4096), utf8Encode("{\"code\":34")]));
    await sleep(IDLE_TIMEOUT_S * 500);
    assert.deepEqual(silent.map((c) => c.ended), [false, false], "open while the frame may still come");
    await heartbeatMs(ports.main);
    for (const client of silent) await client.until("the idle close", () => client.ended, IDLE_TIMEOUT_S * 1000 + 5000);
    const ms = Date.now() - startedMs;
    assert.ok(ms >= IDLE_TIMEOUT_S * 1000 - 100, `closed after ${ms} ms of silence, not before ${IDLE_TIMEOUT_S} s`);
    for (const client of silent) client.close();
  });

  for (const port of ["main", "fast"] as const) {
    it(`answers every readable frame of random streams exactly once, closes unreadable ones, and keeps serving (${port} port)`, async () => {
      await fc.assert(fc.asyncProperty(fc.array(randomFrame, { minLength: 1, maxLength: 4 }), chunking, async (frames, cuts) => {
        await checkRandomStream(ports[port], concatBytes(frames), cuts);
      }), { numRuns: RANDOM_RUNS, endOnFailure: true });
      await heartbeatMs(ports[port]);
    });
  }

  it(`closes a client that sends and never reads once its answers pass ${mib(MAX_QUEUED_ANSWER_BYTES)}, with bounded memory, serving others meanwhile`, async () => {
    const baseline = rssBytes(broker.pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(broker.pid))), 100);
    const others: number[] = [];
    let done = false;
    const probes = (async () => {
      while (!done) {
        others.push(await heartbeatMs(ports.main));
        await sleep(100);
      }
    })();
    const ackedBefore = producer.acked.length;
    let result: NeverReadsResult;
    try {
      result = await neverReads(ports.main, NEVER_READS_MAX_BYTES);
    } finally {
      done = true;
      await probes.catch(() => undefined);
      clearInterval(sampler);
    }
    await probes;
    await sleep(1000);
    const level = rssBytes(broker.pid);
    console.log(`${runtimeName} never-reading client: sent ${mib(result.sentBytes)} of requests in ${result.ms} ms before the broker closed it; ` +
      `broker RSS before ${mib(baseline)}, peak ${mib(peak)} (+${mib(peak - baseline)}), 1 s after ${mib(level)}; ` +
      `fresh heartbeats meanwhile: ${others.length}, slowest ${Math.max(...others)} ms; producer acks meanwhile: ${producer.acked.length - ackedBefore}`);
    assert.ok(result.closed, `the broker did not close a client that never reads after ${mib(result.sentBytes)} of requests`);
    assert.ok(peak - baseline < RSS_GROWTH_BOUND_BYTES, `peak RSS ${mib(peak)} is ${mib(peak - baseline)} over ${mib(baseline)}`);
    assert.ok(broker.output.some((l) => PROBLEM_LINES["not-reading"].test(l)), "the close is logged as a client that does not read");
    await producer.progress(5);
  });

  it("lost nothing it acknowledged, and logged each kind of problem on one line, rate-limited, without stack traces", async () => {
    assert.ok(alive(), "the broker process is still running");
    await producer.stop();
    assert.deepEqual(producer.failures, [], "every send of the well-behaved producer was acknowledged");
    const { messages } = await producer.readBack(QUEUES);
    assert.ok(messages >= 20, `${messages} messages read back`);
    assertLogHealthy(broker, Date.now() - started, ["unreadable", "not-reading", "idle"]);
    console.log(`${runtimeName} frames broker: ${messages} acknowledged messages read back, once each, bytes equal; ` +
      `${broker.output.filter((l) => Object.values(PROBLEM_LINES).some((p) => p.test(l))).length} problem lines in ${Math.round((Date.now() - started) / 1000)} s`);
  });
});

describe(`thousands of idle connections to a ${runtimeName} broker process`, () => {
  let broker: SkiffProcess;
  let ports: { main: number; fast: number };
  let producer: SteadyProducer;
  let started: number;
  let alive: () => boolean;
  const cleanups: Array<() => Promise<unknown>> = [];

  before(async () => {
    const launched = await startBroker("idle", []);
    ({ broker, ports, alive } = launched);
    cleanups.push(launched.cleanup);
    started = Date.now();
    producer = new SteadyProducer(broker.address, "IdleFloodTopic");
    producer.start();
    cleanups.push(() => producer.stop());
    await producer.progress(5);
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it(`holds ${IDLE_CONNECTIONS} idle connections, closes those beyond ${MAX_CONNECTIONS} at once, and answers a fresh client promptly throughout`, async () => {
    const baseline = rssBytes(broker.pid);
    const first = await idleSockets(ports.main, IDLE_CONNECTIONS);
    cleanups.push(async () => first.destroy());
    await sleep(500);
    assert.equal(first.closedCount(), 0, "idle connections within the cap stay open");
    const withIdle = rssBytes(broker.pid);
    const prompt = [await heartbeatMs(ports.main), await heartbeatMs(ports.fast)];
    await producer.progress(10);

    const beyond = MAX_CONNECTIONS - IDLE_CONNECTIONS + EXTRA_CONNECTIONS;
    const second = await idleSockets(ports.main, beyond);
    cleanups.push(async () => second.destroy());
    const deadline = Date.now() + 10_000;
    while (first.closedCount() + second.closedCount() < EXTRA_CONNECTIONS && Date.now() < deadline) await sleep(50);
    await sleep(300);
    const refused = first.closedCount() + second.closedCount();
    const atCap = rssBytes(broker.pid);
    assert.ok(refused >= EXTRA_CONNECTIONS && refused <= EXTRA_CONNECTIONS + 5, `${refused} of ${IDLE_CONNECTIONS + beyond} closed at once, expected the ${EXTRA_CONNECTIONS} beyond ${MAX_CONNECTIONS}`);
    assert.equal(first.closedCount(), 0, "the connections accepted before the cap are kept");
    prompt.push(await heartbeatMs(ports.fast)); // the fast channel has a cap of its own
    await producer.progress(10);

    first.destroy();
    await sleep(500);
    prompt.push(await heartbeatMs(ports.main)); // room again once some leave
    second.destroy();
    console.log(`${runtimeName} idle connections: broker RSS ${mib(baseline)} before, ${mib(withIdle)} with ${IDLE_CONNECTIONS} ` +
      `(+${mib(withIdle - baseline)}), ${mib(atCap)} at the cap of ${MAX_CONNECTIONS} (+${mib(atCap - baseline)}); ${refused} closed at once; ` +
      `fresh heartbeats answered in ${prompt.join(", ")} ms`);
    assert.ok(atCap - baseline < IDLE_RSS_BOUND_BYTES, `RSS grew by ${mib(atCap - baseline)} for ${MAX_CONNECTIONS} idle connections`);
  });

  it("lost nothing it acknowledged, and logged the refusals on one line per 10 s", async () => {
    assert.ok(alive(), "the broker process is still running");
    await producer.stop();
    assert.deepEqual(producer.failures, [], "every send of the well-behaved producer was acknowledged");
    const { messages } = await producer.readBack(QUEUES);
    assert.ok(messages >= 20, `${messages} messages read back`);
    assertLogHealthy(broker, Date.now() - started, ["refused"]);
    assert.ok(broker.output.some((l) => l.includes(`refused: ${MAX_CONNECTIONS} connections are open already`)), "the refusal names the cap");
  });
});
