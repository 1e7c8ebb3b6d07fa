// Stores exchanged at rest with Apache RocketMQ 4.9.7 and 5.3.3: a Java broker started on a store directory written by a Skiff broker process serves every message to the Java consumer and keeps the consumer offsets, and a Skiff broker started on a store written by a Java broker (5.3.3's timer files and all) serves every message through its pull API and keeps the offsets.
// Both ways the writer is stopped cleanly once and killed with SIGKILL once (abort left behind, so the reader recovers abnormally), with several 1 MiB segment rolls, tags, keys, user properties, batches and a delivered delayed message.
// The message index travels too: the Java broker answers mqadmin queryMsgByKey from the index files Skiff wrote, and Skiff answers GET /messages?key= from the ones the Java broker wrote (or, after a SIGKILL, rebuilt).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { encodeBatch } from "../../src/codec/batch.ts";
import { decodeIndexHeader } from "../../src/codec/index-file.ts";
import { tempDir } from "../support/platform.ts";
import { mqadmin } from "./rocketmq/mqadmin-once.ts";
import { parseQueryMsgByKey } from "./rocketmq/mqadmin.ts";
import {
  Cleanup, INTEROP_SKIP, finishRun, ROCKETMQ_VERSIONS, brokerConf, commitLogEnd, comparableAll, consume, copyStore, fileExists, freePortBlock, listDir,
  produce, segmentStarts, skiffJson, skiffPullTopic, startJavaBroker, startNamesrv, startSkiff, waitUntil,
  type JavaServer, type RocketMQVersion, type SkiffProcess,
} from "./rocketmq/harness.ts";

const SEGMENT_BYTES = 1 << 20;
const TOPIC = "TopicAtRest";
const GROUP = "skiff_interop_at_rest";
const QUEUES = 4;

async function post(address: string, path: string, body: Uint8Array | unknown, contentType = "application/json"): Promise<any> {
  const response = await fetch(`http://${address}${path}`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: body instanceof Uint8Array ? (body as Uint8Array<ArrayBuffer>) : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const json = await response.json();
  if (response.status !== 200) throw new Error(`POST ${path}: HTTP ${response.status} ${JSON.stringify(json)}`);
  return json;
}

function bodyOf(head: string, bytes: number): string {
  let s = `${head} `;
  while (s.length < bytes) s += String.fromCharCode(97 + (s.length % 26));
  return s;
}

/**
 * Fills a Skiff store over HTTP: singles (tags, keys, user properties, a multi-byte value), JSON
 * batches, binary batches and one delayed message (delivered before this returns), about 3 MB in
 * all; commits consumer offsets. Returns Skiff's own view of the topic and the offsets committed.
 */
async function fillSkiff(skiff: SkiffProcess): Promise<{ messages: any[]; offsets: Map<number, number> }> {
  const { status } = await skiffJson(skiff.httpAddress, `/topics/${TOPIC}`, { method: "PUT", body: { readQueueNums: QUEUES, writeQueueNums: QUEUES } });
  assert.equal(status, 200);
  const singles = Array.from({ length: 2400 }, (_, i) => ({
    body: bodyOf(`s-${i}`, 1000),
    queueId: i % QUEUES,
    ...(i % 7 === 6 ? {} : { tags: `Tag${"ABC"[i % 3]}` }),
    ...(i % 5 === 4 ? {} : { keys: [`s-key-${i}`, `s-alt-${i}`] }),
    properties: { seq: String(i), ...(i % 2 === 0 ? { userProp: `v${i}` } : {}), ...(i % 11 === 0 ? { unicode: `héllo-消息-${i}` } : {}) },
  }));
  for (let i = 0; i < singles.length; i += 8) {
    await Promise.all(singles.slice(i, i + 8).map((m) => post(skiff.httpAddress, `/topics/${TOPIC}/messages`, m)));
  }
  for (let b = 0; b < 20; b++) {
    const messages = Array.from({ length: 10 }, (_, j) => ({ body: bodyOf(`jb-${b}-${j}`, 500), tags: "TagJsonBatch", keys: `jb-${b}-${j}`, queueId: b % QUEUES, properties: { batchIdx: String(j) } }));
    await post(skiff.httpAddress, `/topics/${TOPIC}/messages`, { messages });
  }
  for (let b = 0; b < 10; b++) {
    const batch = encodeBatch(Array.from({ length: 10 }, (_, j) => ({
      flag: j,
      body: new TextEncoder().encode(bodyOf(`bb-${b}-${j}`, 500)),
      properties: `TAGS\u0001TagBinaryBatch\u0002KEYS\u0001bb-${b}-${j}\u0002binIdx\u0001${j}`,
    })));
    await post(skiff.httpAddress, `/topics/${TOPIC}/messages?queueId=${b % QUEUES}`, batch, "application/x-rocketmq-batch");
  }
  await post(skiff.httpAddress, `/topics/${TOPIC}/messages`, { body: "delayed at rest", tags: "TagDelay", keys: "delayed", delayLevel: 1, properties: { kind: "delayed" } });
  const total = singles.length + 200 + 100 + 1;
  const messages = await waitUntil("the delayed message to be delivered", 20_000, async () => {
    const all = await skiffPullTopic(skiff.httpAddress, TOPIC);
    return all.length === total ? all : null;
  });
  const offsets = new Map<number, number>();
  for (let q = 0; q < QUEUES; q++) {
    const offset = 100 + q * 37;
    offsets.set(q, offset);
    assert.equal((await skiffJson(skiff.httpAddress, `/consumer-offsets/${GROUP}/${TOPIC}/${q}`, { method: "PUT", body: { offset } })).status, 200);
  }
  return { messages, offsets };
}

/** The messages with keys (`keys` holds them space-separated), in commit-log order. */
function keyedMessages<M extends { keys?: string | null; commitLogOffset: number }>(messages: readonly M[]): Array<M & { keys: string }> {
  return messages.filter((m): m is M & { keys: string } => typeof m.keys === "string" && m.keys.length > 0).sort((a, b) => a.commitLogOffset - b.commitLogOffset);
}

function skiffWriterFlags(storeDir: string) {
  return { brokerRole: "ASYNC_MASTER", listenPort: 0, haListenPort: 0, storePathRootDir: storeDir, mappedFileSizeCommitLog: SEGMENT_BYTES };
}

/** A Java broker on `storeDir` serves what Skiff wrote there, and knows Skiff's consumer offsets. */
async function javaServes(version: RocketMQVersion, run: string, namesrv: JavaServer, storeDir: string, written: { messages: any[]; offsets: Map<number, number> }, name: string) {
  const listenPort = (await freePortBlock(4)) + 2;
  const broker = await startJavaBroker(version, brokerConf({ storeDir, listenPort, namesrvAddr: namesrv.address, segmentSizeBytes: SEGMENT_BYTES }), join(run, `${name}-jvm`));
  try {
    const java = await consume(version, join(run, `${name}-consumer`), { namesrv: namesrv.address, topic: TOPIC, group: GROUP, expected: written.messages.length, timeoutMs: 60_000 });
    assert.deepEqual(comparableAll(java.messages), comparableAll(written.messages), `${name}: the Java consumer reads what Skiff stored`);
    assert.deepEqual(new Map([...java.offsetsBefore].sort()), written.offsets, `${name}: the Java broker keeps the consumer offsets Skiff committed`);
    if (name === "clean") {
      // A clean stop leaves Skiff's index files trusted as they are (a killed store's index is rebuilt by Java).
      const keyed = keyedMessages(written.messages);
      for (const m of [keyed[0], keyed[keyed.length - 1]]) {
        const key = m.keys.split(" ")[0];
        const found = parseQueryMsgByKey((await mqadmin(version, join(run, `${name}-admin`), ["queryMsgByKey", "-n", namesrv.address, "-t", TOPIC, "-k", key])).stdout);
        assert.deepEqual(found, [{ msgId: m.msgId, queueId: m.queueId, queueOffset: m.queueOffset }], `${name}: the Java broker finds ${key} in Skiff's index`);
      }
    }
  } finally {
    const stopped = await broker.stop();
    assert.equal(stopped.signal === "SIGKILL", false, `${name}: the Java broker stops on SIGTERM`);
  }
}

async function skiffToJava(version: RocketMQVersion): Promise<void> {
  const run = await tempDir(`interop-rest-s2j-${version}`);
  const cleanup = new Cleanup();
  let passed = false;
  try {
    // Two Skiff writers side by side: one stopped cleanly, one killed.
    const cleanStore = join(run, "skiff-clean");
    const killedStore = join(run, "skiff-killed");
    const [cleanWriter, killedWriter] = await Promise.all([startSkiff(skiffWriterFlags(cleanStore)), startSkiff(skiffWriterFlags(killedStore))]);
    cleanup.add(cleanWriter);
    cleanup.add(killedWriter);
    const [clean, killed] = await Promise.all([fillSkiff(cleanWriter), fillSkiff(killedWriter)]);
    await cleanWriter.stop();
    assert.equal(await fileExists(join(cleanStore, "abort")), false);
    // Offsets reach consumerOffset.json within Skiff's flush period (5 s), as in RocketMQ; then kill.
    await waitUntil("consumerOffset.json to hold the offsets", 15_000, async () =>
      (await fileExists(join(killedStore, "config", "consumerOffset.json"))) && readFileSync(join(killedStore, "config", "consumerOffset.json"), "utf8").includes(GROUP));
    await killedWriter.kill();
    assert.equal(await fileExists(join(killedStore, "abort")), true, "SIGKILL leaves abort behind");
    assert.ok(segmentStarts(join(cleanStore, "commitlog")).length >= 3, "several segment rolls");

    const namesrv = cleanup.add(await startNamesrv(version, await freePortBlock(1), join(run, "namesrv")));
    await javaServes(version, run, namesrv, cleanStore, clean, "clean");
    await javaServes(version, run, namesrv, killedStore, killed, "killed");
    passed = true;
  } finally {
    await cleanup.run();
    await finishRun(run, passed);
  }
}

/** A Skiff broker on `storeDir` serves what the Java broker stored, and keeps its consumer offsets. */
async function skiffServes(storeDir: string, expected: ReturnType<typeof comparableAll>, committed: Map<number, number>, name: string): Promise<void> {
  // A Java broker recovering from SIGKILL deletes index files newer than its checkpoint's
  // indexMsgTimestamp, which 5.3.3 writes only when an index file fills or at a clean stop, and does
  // not index again what its consume queues already hold: its store may then have no index at all,
  // or one that starts past the first messages (a CI run: beginPhyOffset 1048576 after recovery).
  // Skiff can only find keys in the commit-log range the index files the Java broker left cover.
  const covered = await Promise.all((await listDir(join(storeDir, "index"))).map(async (name) => decodeIndexHeader(await readFile(join(storeDir, "index", name)))));
  const javaIndexed = (commitLogOffset: number) => covered.some((h) => h.indexCount > 1 && h.beginPhyOffset <= commitLogOffset && commitLogOffset <= h.endPhyOffset);
  const skiff = await startSkiff(skiffWriterFlags(storeDir));
  try {
    // Long enough for a wrongly read delayOffset.json to deliver the (level 1) delayed message again.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.deepEqual(comparableAll(await skiffPullTopic(skiff.httpAddress, TOPIC)), expected, `${name}: Skiff serves what Java stored`);
    const keyed = keyedMessages(expected);
    for (const m of [keyed[0], keyed[keyed.length - 1]]) {
      const key = m.keys.split(" ")[0];
      const { status, body } = await skiffJson(skiff.httpAddress, `/messages?topic=${TOPIC}&key=${encodeURIComponent(key)}`);
      assert.equal(status, 200, `${name}: GET /messages?key=${key}`);
      const found = body.messages.map((f: { msgId: string; queueOffset: number }) => [f.msgId, f.queueOffset]);
      const indexed = javaIndexed(m.commitLogOffset);
      assert.deepEqual(found, indexed ? [[m.msgId, m.queueOffset]] : [], `${name}: Skiff finds ${key} in the index${indexed ? "" : " (no index file the Java broker left covers its offset)"}`);
    }
    for (const [queueId, offset] of committed) {
      assert.equal((await skiffJson(skiff.httpAddress, `/consumer-offsets/${GROUP}/${TOPIC}/${queueId}`)).body.offset, offset, `${name}: offset of queue ${queueId}`);
    }
  } finally {
    await skiff.stop();
  }
  assert.doesNotMatch(skiff.process.stdout + skiff.process.stderr, /truncated|dispatch stopped|failed|corrupt/i, `${name}: Skiff read the Java store without complaint`);
  assert.equal(await fileExists(join(storeDir, "abort")), false, `${name}: Skiff stopped cleanly`);
}

async function javaToSkiff(version: RocketMQVersion): Promise<void> {
  const run = await tempDir(`interop-rest-j2s-${version}`);
  const cleanup = new Cleanup();
  let passed = false;
  try {
    const namesrv = cleanup.add(await startNamesrv(version, await freePortBlock(1), join(run, "namesrv")));
    const listenPort = (await freePortBlock(4)) + 2;
    const store = join(run, "java-store");
    const conf = brokerConf({ storeDir: store, listenPort, namesrvAddr: namesrv.address, segmentSizeBytes: SEGMENT_BYTES });
    const broker = await startJavaBroker(version, conf, join(run, "jvm-1"));
    cleanup.defer(() => broker.stop());
    const sends = await produce(version, join(run, "producer"), { namesrv: namesrv.address, topic: TOPIC, singles: 2400, batches: 30, batchSize: 10, bodyBytes: 1000, delayLevel: 1 });
    const java = await consume(version, join(run, "consumer"), { namesrv: namesrv.address, topic: TOPIC, group: GROUP, expected: sends.length, timeoutMs: 60_000, commit: 1 });
    assert.equal(java.messages.length, sends.length);
    // Java flushes consumer offsets every 5 s and delay offsets every 10 s; kill once both are on disk.
    await waitUntil("the Java broker to persist offsets", 30_000, async () => {
      const offsets = await fileExists(join(store, "config", "consumerOffset.json")) && readFileSync(join(store, "config", "consumerOffset.json"), "utf8").includes(GROUP);
      const delay = await fileExists(join(store, "config", "delayOffset.json")) && /1\s*:\s*1\b|"1"\s*:\s*1\b/.test(readFileSync(join(store, "config", "delayOffset.json"), "utf8"));
      return offsets && delay;
    }, 500);
    await broker.kill();
    assert.equal(await fileExists(join(store, "abort")), true, "SIGKILL leaves abort behind");
    const killedCopy = join(run, "java-store-killed");
    await copyStore(store, killedCopy);
    // The same store, recovered by Java and stopped cleanly.
    const again = await startJavaBroker(version, conf, join(run, "jvm-2"));
    await again.stop();
    assert.equal(await fileExists(join(store, "abort")), false, "a clean Java stop removes abort");
    if (version === "5.3.3") {
      const entries = await listDir(store);
      assert.ok(entries.includes("timerwheel") && (await listDir(join(store, "config"))).includes("timercheck"), `5.3.3 store entries: ${entries.join(", ")}`);
    }
    assert.ok((await commitLogEnd(join(store, "commitlog"))) > 3 * SEGMENT_BYTES, "several segment rolls");

    const expected = comparableAll(java.messages);
    await skiffServes(killedCopy, expected, java.committed, "after SIGKILL");
    await skiffServes(store, expected, java.committed, "after a clean stop");
    passed = true;
  } finally {
    await cleanup.run();
    await finishRun(run, passed);
  }
}

for (const version of ROCKETMQ_VERSIONS) {
  describe(`stores exchanged at rest with Apache RocketMQ ${version}`, { skip: INTEROP_SKIP }, () => {
    it("a Java broker serves a store Skiff wrote (clean stop, SIGKILL), keeps its consumer offsets and answers queryMsgByKey from its index", { timeout: 420_000 }, () => skiffToJava(version));
    it("Skiff serves a store a Java broker wrote (SIGKILL, clean stop), keeps its consumer offsets and finds messages by key in its index", { timeout: 420_000 }, () => javaToSkiff(version));
  });
}
