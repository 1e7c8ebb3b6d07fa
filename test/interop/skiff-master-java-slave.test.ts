// A Skiff SYNC_MASTER (a real process) replicates to a real Apache RocketMQ slave: 4.9.7 pointed at Skiff's HA port by `haMasterAddress`, 5.3.3 told Skiff's HA address by a real RocketMQ name server in which Skiff registered itself over RocketMQ remoting; thousands of messages sent with Skiff's client (tags, keys, properties, binary bodies, JSON and binary batches, a delayed message) roll several 1 MiB segments.
// Proved: the Java slave pulls topics, consumer offsets, delay offsets and subscription groups from Skiff over remoting (SlaveSynchronize; nothing copied by hand), a Java consumer told by the Skiff master (suggestWhichBrokerId=1) to read from the Java slave does so; the Java slave's commit log equals Skiff's byte for byte up to Skiff's max offset (zeros beyond) and the consume queues it builds equal Skiff's, its acks reach that offset and answer sends SEND_OK, a paused slave gives FLUSH_SLAVE_TIMEOUT and a stopped one SLAVE_NOT_AVAILABLE, it recovers without truncation after a clean stop and after SIGKILL (checkpoint removed, so Java's own recovery checks every record's CRC and length from the first segment), and a Java consumer reading from it gets every message with the body, tags, keys and properties sent, and the Java slave's log has no failed sync (5.3.3's timer checkpoint every 3 s, timer metrics, request modes).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Producer, type SendResult } from "../../src/client/index.ts";
import type { TopicConfigWrapper } from "../../src/contract/namesrv-http.ts";
import { tempDir } from "../support/platform.ts";
import { brokerHaAddress, brokerHttpAddress } from "../support/ports.ts";
import { mqadmin, parseBrokerStatus } from "./rocketmq/mqadmin-once.ts";
import {
  Cleanup, INTEROP_SKIP, finishRun, ROCKETMQ_VERSIONS, commitLogBytesEqual, comparableAll, consume, freePortBlock, readRecords, segmentStarts, skiffJson,
  skiffPullTopic, startJavaBroker, startNamesrv, startSkiff, waitUntil,
  type JavaMessage, type JavaServer, type RocketMQVersion, type SkiffProcess,
} from "./rocketmq/harness.ts";
import {
  consumeQueueDifferences, javaLogText, javaPorts, javaRecovery, javaSlaveConf, nonZeroAfter, pause, redispatchedOffsets, registerRoute, resume, routeText,
} from "./rocketmq/skiff-master-harness.ts";

const SEGMENT_BYTES = 1 << 20;
const TOPIC = "TopicSkiffMaster";
const GROUP = "skiff_master_java_slave";
/** A group whose committed offset only the master knows before the slave's metadata sync. */
const SYNCED_GROUP = "skiff_synced_offsets";
const QUEUES = 4;
const SLAVE_TIMEOUT_MS = 3000;
const SINGLES = 2800;
const JSON_BATCHES = 20;
const BINARY_BATCHES = 10;
const BATCH_SIZE = 10;
/** SlaveSynchronize's and the scheduler's ERROR lines when a sync with the master fails (`syncTimerCheckPoint Exception, <addr>`, `SyncTopicConfig Exception`…). */
const SYNC_ERROR = / ERROR .*(sync\w* Exception|Failed to sync)/i;

/** What a message was sent with, by its `seq` property (the test's own truth, independent of Skiff's reads). */
interface Sent {
  readonly bodyBase64: string;
  readonly tags: string | null;
  readonly keys: string | null;
  readonly properties: Record<string, string>;
}

function text(head: string, bytes: number): string {
  let s = `${head} `;
  while (s.length < bytes) s += String.fromCharCode(97 + (s.length % 26));
  return s;
}

/** Deterministic bytes covering 0x00–0xff (not UTF-8). */
function binary(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = i % 64 === 0 ? i & 0xff : x >>> 24;
  }
  return out;
}

const base64 = (bytes: Uint8Array) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));

function single(i: number) {
  const body = i % 13 === 12 ? binary(i, 700 + (i % 200)) : text(`s-${i}`, 1000);
  return {
    body,
    queueId: i % QUEUES,
    ...(i % 7 === 6 ? {} : { tags: `Tag${"ABC"[i % 3]}` }),
    ...(i % 5 === 4 ? {} : { keys: [`s-key-${i}`, `s-alt-${i}`] }),
    properties: { seq: `s-${i}`, ...(i % 2 === 0 ? { userProp: `v${i}` } : {}), ...(i % 11 === 0 ? { unicode: `héllo-消息-${i}` } : {}) },
  };
}

function record(sent: Map<string, Sent>, m: { body: string | Uint8Array; tags?: string; keys?: string | string[]; properties: Record<string, string> }): void {
  const body = typeof m.body === "string" ? new TextEncoder().encode(m.body) : m.body;
  sent.set(m.properties.seq, {
    bodyBase64: base64(body),
    tags: m.tags ?? null,
    keys: m.keys === undefined ? null : Array.isArray(m.keys) ? m.keys.join(" ") : (m.keys as string),
    properties: m.properties,
  });
}

async function postJson(address: string, path: string, body: unknown): Promise<any> {
  const response = await fetch(`http://${address}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const json = await response.json();
  if (response.status !== 200) throw new Error(`POST ${path}: HTTP ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * Sends every kind of message with Skiff's client (the JSON batch, which the client does not
 * offer, over plain HTTP), 16 at a time; returns the statuses seen and records what was sent.
 */
async function sendAll(skiff: SkiffProcess, producer: Producer, sent: Map<string, Sent>): Promise<string[]> {
  const statuses: string[] = [];
  const singles = Array.from({ length: SINGLES }, (_, i) => single(i));
  for (let i = 0; i < singles.length; i += 16) {
    const results = await Promise.all(singles.slice(i, i + 16).map((m) => producer.send(TOPIC, m)));
    statuses.push(...results.map((r) => r.status));
  }
  singles.forEach((m) => record(sent, m));
  for (let b = 0; b < JSON_BATCHES; b++) {
    const messages = Array.from({ length: BATCH_SIZE }, (_, j) => ({
      body: text(`jb-${b}-${j}`, 500), tags: "TagJsonBatch", keys: `jb-${b}-${j}`, queueId: b % QUEUES, properties: { seq: `jb-${b}-${j}`, batchIdx: String(j) },
    }));
    const answer = await postJson(skiff.httpAddress, `/topics/${TOPIC}/messages`, { messages });
    statuses.push(...answer.results.map((r: SendResult) => r.status));
    messages.forEach((m) => record(sent, m));
  }
  for (let b = 0; b < BINARY_BATCHES; b++) {
    const messages = Array.from({ length: BATCH_SIZE }, (_, j) => ({
      body: j % 2 === 0 ? binary(1000 * b + j, 500) : text(`bb-${b}-${j}`, 500), tags: "TagBinaryBatch", keys: [`bb-${b}-${j}`, "shared"],
      properties: { seq: `bb-${b}-${j}`, binIdx: String(j) },
    }));
    const results = await producer.sendBatch(TOPIC, messages, { queueId: (b + 1) % QUEUES });
    statuses.push(...results.map((r) => r.status));
    messages.forEach((m) => record(sent, m));
  }
  const delayed = { body: "delayed through a Java slave", tags: "TagDelay", keys: "delayed", delayLevel: 1, properties: { seq: "delayed", kind: "delayed" } };
  statuses.push((await producer.send(TOPIC, delayed)).status);
  record(sent, delayed);
  return statuses;
}

/** One probe message and how long its answer took. */
async function probe(producer: Producer, sent: Map<string, Sent>, name: string): Promise<{ status: string; elapsedMs: number }> {
  const m = { body: `probe ${name}`, tags: "TagProbe", keys: name, properties: { seq: name } };
  const started = Date.now();
  const result = await producer.send(TOPIC, m);
  record(sent, m);
  return { status: result.status, elapsedMs: Date.now() - started };
}

/** The Java slave's config files hold what Skiff's master has: topics, offsets, delay offsets and groups, pulled over remoting. */
async function slaveSynced(slaveStore: string, skiff: SkiffProcess): Promise<void> {
  const read = async (name: string) => (await readFile(join(slaveStore, "config", name), "utf8").catch(() => ""));
  const masterDelay = JSON.stringify((await skiffJson(skiff.httpAddress, "/sync/delay-offset")).body.offsetTable);
  // 4.9.7 syncs 10 s after it starts, 5.3.3 60 s after (then every 60 s).
  await waitUntil("the Java slave's metadata sync from Skiff over remoting", 90_000, async () => {
    const [topics, offsets, delay, groups] = await Promise.all(["topics.json", "consumerOffset.json", "delayOffset.json", "subscriptionGroup.json"].map(read));
    return topics.includes(`"${TOPIC}"`) && offsets.includes(`"${TOPIC}@${SYNCED_GROUP}"`) && /\{\s*0\s*:\s*7\s*\}/.test(offsets) &&
      groups.includes('"skiff_synced_group"') && delay.length > 0 && masterDelay.includes(":1") && /"offsetTable"\s*:\s*\{\s*"?1"?\s*:\s*1/.test(delay.replace(/\s+/g, ""));
  });
}

async function haStatus(skiff: SkiffProcess): Promise<any> {
  return (await skiffJson(skiff.httpAddress, "/ha/status")).body;
}

/** Waits until exactly one slave is connected and its ack (Skiff's /ha/status) is at least `offset`. */
async function ackReaches(skiff: SkiffProcess, offset: number, timeoutMs = 30_000): Promise<number> {
  return waitUntil(`the Java slave's ack to reach ${offset}`, timeoutMs, async () => {
    const { slaves } = await haStatus(skiff);
    return slaves.length === 1 && slaves[0].ackOffset >= offset ? slaves[0].ackOffset : null;
  });
}

async function noSlave(skiff: SkiffProcess): Promise<void> {
  await waitUntil("Skiff to see the Java slave go", 30_000, async () => (await haStatus(skiff)).slaves.length === 0);
}

/** The Java slave's commit log equals Skiff's over [0, end), and holds only zeros beyond. */
function assertSameBytes(skiffLog: string, javaLog: string, end: number, when: string): Promise<void> {
  return commitLogBytesEqual(skiffLog, javaLog, end, 0).then((cmp) => {
    assert.ok(cmp.equal, `${when}: ${cmp.firstDifference}`);
    assert.equal(nonZeroAfter(javaLog, end), null, `${when}: the Java slave holds only zeros after ${end}`);
  });
}

/** What the consumer read, checked against what was sent (seq property) and against Skiff's own reads. */
function assertConsumed(java: JavaMessage[], sent: Map<string, Sent>, skiffView: any[]): void {
  assert.equal(java.length, sent.size, "the Java consumer reads every message");
  const bySeq = new Map(java.map((m) => [m.properties.seq, m]));
  assert.equal(bySeq.size, sent.size, "each message once");
  for (const [seq, expected] of sent) {
    const m = bySeq.get(seq);
    assert.ok(m, `message ${seq} read`);
    assert.equal(m.topic, TOPIC);
    assert.equal(m.bodyBase64, expected.bodyBase64, `${seq}: body`);
    assert.equal(m.tags, expected.tags, `${seq}: tags`);
    assert.equal(m.keys, expected.keys, `${seq}: keys`);
    for (const [key, value] of Object.entries(expected.properties)) assert.equal(m.properties[key], value, `${seq}: property ${key}`);
    assert.equal(m.properties.CLUSTER, "DefaultCluster", `${seq}: CLUSTER`);
    assert.match(m.properties.UNIQ_KEY, /^[0-9A-F]{32}$/, `${seq}: UNIQ_KEY`);
  }
  assert.equal(bySeq.get("delayed")!.properties.REAL_TOPIC, TOPIC, "the delayed message was delivered by Skiff's schedule service");
  assert.deepEqual(comparableAll(java), comparableAll(skiffView), "the Java consumer on the slave and Skiff's pull API on the master agree on every field");
}

/** A Java JVM's log text once it holds a line matching `pattern` (log appenders may write late). */
function logShows(runDir: string, pattern: RegExp): Promise<string> {
  return waitUntil(`${pattern} in the logs of ${runDir}`, 10_000, async () => {
    const text = javaLogText(runDir);
    return pattern.test(text) ? text : null;
  });
}

async function scenario(version: RocketMQVersion): Promise<void> {
  const run = await tempDir(`interop-skiff-master-${version}`);
  const cleanup = new Cleanup();
  let passed = false;
  try {
    // Name server 1: Skiff and the Java slave register there (the slave learns its master).
    // Name server 2: the consumer's, whose route lists the Java slave (see registerRoute).
    const [ns1, ns2] = await Promise.all([
      freePortBlock(1).then((port) => startNamesrv(version, port, join(run, "namesrv-1"))),
      freePortBlock(1).then((port) => startNamesrv(version, port, join(run, "namesrv-2"))),
    ]);
    cleanup.add(ns1);
    cleanup.add(ns2);

    // Skiff's layout: listenPort (remoting) and listenPort - 2, HA + 1, HTTP + 2 (test/support/ports.ts).
    const skiffListenPort = (await freePortBlock(5)) + 2;
    const skiffHa = brokerHaAddress(skiffListenPort);
    const skiffStore = join(run, "skiff");
    const skiff = cleanup.add(await startSkiff({
      brokerRole: "SYNC_MASTER", listenPort: skiffListenPort, storePathRootDir: skiffStore,
      mappedFileSizeCommitLog: SEGMENT_BYTES, slaveTimeout: SLAVE_TIMEOUT_MS,
      // A pull further behind the log end than a few hundred bytes is sent to the slave (suggestWhichBrokerId=1).
      slaveReadEnable: true, accessMessageInMemoryMaxRatio: 0.000001,
      namesrvAddr: ns1.address, namesrvProtocol: "rocketmq", registerNameServerPeriod: 10_000,
    }));
    assert.equal(skiff.httpAddress, brokerHttpAddress(skiffListenPort));
    const producer = new Producer({ broker: skiff.httpAddress }, { timeoutMs: 20_000 });
    const sent = new Map<string, Sent>();
    assert.equal((await skiffJson(skiff.httpAddress, `/topics/${TOPIC}`, { method: "PUT", body: { readQueueNums: QUEUES, writeQueueNums: QUEUES } })).status, 200);
    const route = await waitUntil("Skiff's registration (with the topic) in the RocketMQ name server", 20_000, () => routeText(ns1.address, TOPIC));
    // Registered over remoting with its remoting address (what RocketMQ clients dial), not its HTTP one.
    assert.ok(route.includes(`"${skiff.remotingAddress}"`) && route.includes(`"brokerName":"broker-a"`), `route: ${route}`);
    assert.ok(!route.includes(skiff.httpAddress), `route: ${route}`);

    // No slave yet: a SYNC_MASTER answers SLAVE_NOT_AVAILABLE at once (the message is stored).
    const lonely = await probe(producer, sent, "probe-no-slave-yet");
    assert.equal(lonely.status, "SLAVE_NOT_AVAILABLE");

    // Metadata the Java slave must pull from Skiff over remoting (SlaveSynchronize: GET_ALL_TOPIC_CONFIG,
    // GET_ALL_CONSUMER_OFFSET, GET_ALL_DELAY_OFFSET, GET_ALL_SUBSCRIPTIONGROUP_CONFIG) — nothing is copied by hand.
    assert.equal((await skiffJson(skiff.httpAddress, `/consumer-offsets/${SYNCED_GROUP}/${TOPIC}/0`, { method: "PUT", body: { offset: 7 } })).status, 200);
    assert.equal((await skiffJson(skiff.httpAddress, "/subscription-groups/skiff_synced_group", { method: "PUT", body: { retryMaxTimes: 5 } })).status, 200);
    const delayedBeforeSlave = { body: "delayed before the slave", tags: "TagDelay", keys: "delayed-early", delayLevel: 1, properties: { seq: "delayed-early", kind: "delayed" } };
    await producer.send(TOPIC, delayedBeforeSlave);
    record(sent, delayedBeforeSlave);
    await waitUntil("the early delayed message to be delivered", 20_000, async () => (await skiffPullTopic(skiff.httpAddress, TOPIC)).some((m: any) => m.properties.seq === "delayed-early"));
    const slaveStore = join(run, "java-slave");
    const { listenPort: slaveListenPort } = javaPorts(await freePortBlock(4));
    const slaveConf = javaSlaveConf({
      storeDir: slaveStore, listenPort: slaveListenPort, namesrvAddr: ns1.address, segmentSizeBytes: SEGMENT_BYTES,
      ...(version === "4.9.7" ? { haMasterAddress: skiffHa } : {}),
    });
    let slave = await startJavaBroker(version, slaveConf, join(run, "slave-jvm-1"));
    let slaveStopped = false;
    cleanup.defer(async () => {
      resume(slave.pid);
      if (!slaveStopped) await slave.kill();
    });
    const skiffLog = join(skiffStore, "commitlog");
    const javaLog = join(slaveStore, "commitlog");
    await ackReaches(skiff, (await haStatus(skiff)).maxPhyOffset, 45_000);
    // Skiff's HA address: 4.9.7 from haMasterAddress, 5.3.3 from the name server's answer to its
    // REGISTER_BROKER (4.9.7 logs "update master address", 5.3.3 "update master ha address").
    await logShows(join(run, "slave-jvm-1"), new RegExp(`update master (ha )?address, OLD: null NEW: ${skiffHa.replaceAll(".", "\\.")}\\b`));
    await slaveSynced(slaveStore, skiff);

    // Thousands of messages: every one answered SEND_OK, so every one was acked by the Java slave.
    const statuses = await sendAll(skiff, producer, sent);
    assert.equal(statuses.length, sent.size - 2, "every message but the two sent before the slave (probe-no-slave-yet, delayed-early)");
    assert.deepEqual([...new Set(statuses)], ["SEND_OK"], "SYNC_MASTER sends are acknowledged by the Java slave");
    await waitUntil("the delayed message to be delivered", 20_000, async () => (await skiffPullTopic(skiff.httpAddress, TOPIC)).length === sent.size);
    const end1 = (await haStatus(skiff)).maxPhyOffset;
    assert.ok(end1 > 3 * SEGMENT_BYTES, `several segment rolls (max offset ${end1})`);
    assert.equal(await ackReaches(skiff, end1), end1, "the Java slave's ack is Skiff's max offset");
    await assertSameBytes(skiffLog, javaLog, end1, "after the sends");
    assert.ok(segmentStarts(javaLog).at(-1)! >= end1 - (end1 % SEGMENT_BYTES), "the Java slave holds every segment");

    // A silent slave (paused, its socket open): FLUSH_SLAVE_TIMEOUT after slaveTimeout.
    pause(slave.pid);
    let silent: { status: string; elapsedMs: number };
    try {
      silent = await probe(producer, sent, "probe-slave-paused");
    } finally {
      resume(slave.pid);
    }
    assert.equal(silent.status, "FLUSH_SLAVE_TIMEOUT");
    assert.ok(silent.elapsedMs >= SLAVE_TIMEOUT_MS - 100 && silent.elapsedMs < SLAVE_TIMEOUT_MS + 5000, `answered after ${silent.elapsedMs} ms`);
    await ackReaches(skiff, (await haStatus(skiff)).maxPhyOffset);
    assert.equal((await probe(producer, sent, "probe-slave-resumed")).status, "SEND_OK");

    // A stopped slave: SLAVE_NOT_AVAILABLE at once.
    const endBeforeStop = await ackReaches(skiff, (await haStatus(skiff)).maxPhyOffset);
    await slave.stop();
    slaveStopped = true;
    await noSlave(skiff);
    const gone = await probe(producer, sent, "probe-slave-stopped");
    assert.equal(gone.status, "SLAVE_NOT_AVAILABLE");
    assert.ok(gone.elapsedMs < SLAVE_TIMEOUT_MS, `answered at once (${gone.elapsedMs} ms)`);
    const end2 = (await haStatus(skiff)).maxPhyOffset;

    // Started again after a clean stop: normal recovery keeps everything, then it catches up.
    slave = await startJavaBroker(version, slaveConf, join(run, "slave-jvm-2"));
    slaveStopped = false;
    assert.equal(await ackReaches(skiff, end2, 45_000), end2);
    const clean = javaRecovery(await logShows(join(run, "slave-jvm-2"), /load over/));
    assert.deepEqual({ lastShutdown: clean.lastShutdown, maxPhyOffset: clean.maxPhyOffset, problems: clean.problems },
      { lastShutdown: "normally", maxPhyOffset: endBeforeStop, problems: [] }, "recovery after a clean stop kept every byte");
    await assertSameBytes(skiffLog, javaLog, end2, "after a clean restart");

    // Killed, and its checkpoint removed: Java's abnormal recovery then starts at the first segment
    // and checks every record's length and CRC (checkCRCOnRecover) before the slave reports.
    await slave.kill();
    slaveStopped = true;
    await noSlave(skiff);
    await rm(join(slaveStore, "checkpoint"));
    slave = await startJavaBroker(version, slaveConf, join(run, "slave-jvm-3"));
    slaveStopped = false;
    assert.equal(await ackReaches(skiff, end2, 45_000), end2);
    const killed = javaRecovery(await logShows(join(run, "slave-jvm-3"), /load over/));
    assert.deepEqual({ ...killed, problems: killed.problems.length }, { lastShutdown: "abnormally", maxPhyOffset: end2, recoveredFrom: null, problems: 0 },
      `recovery after SIGKILL scanned from the first segment and kept every byte${killed.problems.length ? `:\n${killed.problems.slice(0, 5).join("\n")}` : ""}`);
    assert.equal((await haStatus(skiff)).maxPhyOffset, end2);
    const everyRecord = readRecords(javaLog, 0, end2).map((r) => r.physicalOffset);
    const redispatched = await waitUntil("the recovery's log lines", 10_000, async () => {
      const offsets = redispatchedOffsets(javaLogText(join(run, "slave-jvm-3")));
      return offsets.size >= everyRecord.length ? offsets : null;
    }).catch(() => redispatchedOffsets(javaLogText(join(run, "slave-jvm-3"))));
    const missed = everyRecord.filter((offset) => !redispatched.has(offset));
    assert.deepEqual({ records: everyRecord.length, read: redispatched.size, missed: missed.slice(0, 10) }, { records: everyRecord.length, read: everyRecord.length, missed: [] },
      "the abnormal recovery read every record from offset 0 (and dispatched it again)");
    await assertSameBytes(skiffLog, javaLog, end2, "after SIGKILL and recovery");

    // A Java consumer reads everything from the Java slave.
    const topicConfig = (await skiffJson(skiff.httpAddress, "/sync/topic-config")).body as TopicConfigWrapper;
    const registered = await registerRoute(ns2.address, { brokerName: "broker-a", brokerAddr: `127.0.0.1:${slaveListenPort}`, topicConfig });
    cleanup.defer(async () => registered.close());
    const java = await consume(version, join(run, "consumer"), { namesrv: ns2.address, topic: TOPIC, group: GROUP, expected: sent.size, timeoutMs: 60_000 });
    assertConsumed(java.messages, sent, await skiffPullTopic(skiff.httpAddress, TOPIC));
    // The consume queues the Java slave built from the replicated bytes are Skiff's, byte for byte
    // (tagsCode included: a tag's hash, and for the delayed message its delivery time).
    assert.deepEqual(consumeQueueDifferences(skiffStore, slaveStore), []);

    // Through the name server both registered in, a Java consumer of a new group is told by the
    // Skiff master (suggestWhichBrokerId=1: its pulls lag) to read from the Java slave, and does.
    const slaveAddress = `127.0.0.1:${slaveListenPort}`;
    const slaveGets = async () => Number(parseBrokerStatus((await mqadmin(version, join(run, "mqadmin"), ["brokerStatus", "-n", ns1.address, "-b", slaveAddress])).stdout).get("msgGetTotalTodayNow") ?? "NaN");
    const slaveGetsBefore = await slaveGets();
    const suggested = await consume(version, join(run, "consumer-suggested"), { namesrv: ns1.address, topic: TOPIC, group: "skiff_suggested_group", expected: sent.size, timeoutMs: 60_000 });
    assertConsumed(suggested.messages, sent, await skiffPullTopic(skiff.httpAddress, TOPIC));
    const slaveGetsAfter = await slaveGets();
    assert.ok(slaveGetsAfter - slaveGetsBefore >= sent.size / 2, `the Java slave served the redirected pulls (msgGetTotalTodayNow ${slaveGetsBefore} → ${slaveGetsAfter}, ${sent.size} messages)`);

    // Neither side refused the other's HA bytes at any point, and every sync the Java slave asked for was
    // answered: 5.3.3's timer checkpoint every 3 s (before Skiff answered it: an ERROR each time), its
    // timer metrics and message request modes, 4.9.7's and 5.3.3's metadata.
    for (const jvm of ["slave-jvm-1", "slave-jvm-2", "slave-jvm-3"]) {
      const log = javaLogText(join(run, jvm));
      assert.doesNotMatch(log, /master pushed offset not equal/, `${jvm}: the Java slave accepted every frame`);
      assert.deepEqual(log.split("\n").filter((line) => SYNC_ERROR.test(line)).slice(0, 3), [], `${jvm}: no failed sync with the Skiff master`);
    }
    assert.doesNotMatch(skiff.process.stdout, /refused report/, "Skiff accepted every report of the Java slave");
    passed = true;
  } finally {
    await cleanup.run();
    await finishRun(run, passed);
  }
}

for (const version of ROCKETMQ_VERSIONS) {
  describe(`a Skiff master with an Apache RocketMQ ${version} slave`, { skip: INTEROP_SKIP }, () => {
    it("replicates byte for byte, is acknowledged (SEND_OK, FLUSH_SLAVE_TIMEOUT, SLAVE_NOT_AVAILABLE), survives the slave's restarts and serves a Java consumer", { timeout: 420_000 }, () =>
      scenario(version));
  });
}
