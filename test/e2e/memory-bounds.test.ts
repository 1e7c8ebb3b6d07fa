/**
 * Hostile peers cannot make a broker process (on the runtime running this test) hold unbounded
 * memory: 300 fake HA slaves that report offset 0 and never read, and four concurrent 4 MiB batches
 * of empty messages (binary and JSON), raise its resident set (VmRSS) by less than
 * RSS_GROWTH_BOUND_BYTES over its level before them, while they run and after they leave, in each
 * of two waves; normal sends and pulls are answered meanwhile. Before the bounds, 300 such slaves
 * held about 700 MB more (2.3 MB each), and four such binary batches at once 2.5 GB.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { Producer, PullConsumer } from "../../src/client/index.ts";
import { encodeBatch } from "../../src/codec/batch.ts";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { startSkiff, type SkiffProcess } from "../support/skiff-process.ts";

/**
 * haMaxConnections (64) × 8 MiB. A stalled slave holds one framed read-ahead (1 MiB) live; the
 * buffers of the writes the kernel took before the stall are garbage until the engine's next major
 * collection (Bun showed about 4.7 MB per stalled slave until then, Node and Deno about 2.5 MB).
 * Without the bounds, 300 such slaves added 780 MB (Bun) to 1,000 MB (Deno).
 */
const RSS_GROWTH_BOUND_BYTES = 64 * 8 * 1024 * 1024;
const FAKE_SLAVES = 300;
const HOUSEKEEPING_MS = 5000;
const LOG_MIB = 24;

function rssBytes(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  assert.ok(kib, `no VmRSS for pid ${pid}`);
  return Number(kib[1]) * 1024;
}

const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function getJson(address: string, path: string): Promise<any> {
  return (await fetch(`http://${address}${path}`)).json();
}

/** Samples the broker's RSS every 250 ms until `stop` resolves; returns the peak. */
async function peakRssWhile(pid: number, work: Promise<unknown>): Promise<number> {
  let peak = rssBytes(pid);
  let done = false;
  const finished = work.finally(() => (done = true));
  while (!done) {
    peak = Math.max(peak, rssBytes(pid));
    await Promise.race([sleep(250), finished]);
  }
  await finished;
  return Math.max(peak, rssBytes(pid));
}

/** A normal send and pull still work, and answer within a few seconds. */
async function assertServes(address: string, tag: string): Promise<void> {
  const started = Date.now();
  const producer = new Producer({ broker: address });
  const sent = await producer.send("Normal", { body: `normal-${tag}`, queueId: 0 });
  assert.equal(sent.status, "SEND_OK");
  const consumer = new PullConsumer({ group: "memory_group", broker: address });
  const page = await consumer.pull("Normal", 0, sent.queueOffset, { max: 1 });
  assert.equal(new TextDecoder().decode(page.messages[0]?.body), `normal-${tag}`);
  assert.ok(Date.now() - started < 10_000, `send + pull took ${Date.now() - started} ms`);
}

/**
 * `count` fake slaves: each connects, reports offset 0 and then again every second (so the
 * master's read-side housekeeping sees a live slave), and never reads a byte.
 */
async function fakeSlaves(haAddress: string, count: number, forMs: number): Promise<{ refused: number }> {
  const colon = haAddress.lastIndexOf(":");
  const [host, port] = [haAddress.slice(0, colon), Number(haAddress.slice(colon + 1))];
  const report = new Uint8Array(8);
  const sockets: Socket[] = [];
  let closedEarly = 0;
  for (let i = 0; i < count; i++) {
    const socket = connect({ host, port });
    socket.pause(); // never read: the kernel's receive buffer fills, then the master's writes wait
    socket.on("error", () => {});
    socket.on("connect", () => socket.write(report));
    socket.on("close", () => closedEarly++);
    sockets.push(socket);
  }
  const reporter = setInterval(() => {
    for (const socket of sockets) if (!socket.destroyed && socket.writable) socket.write(report);
  }, 1000);
  await sleep(forMs);
  clearInterval(reporter);
  const refused = closedEarly;
  for (const socket of sockets) socket.destroy();
  return { refused };
}

describe(`memory bounds of a ${runtimeName} broker process`, () => {
  let broker: SkiffProcess;
  let store: string;
  let haAddress: string;
  const cleanups: Array<() => Promise<unknown>> = [];

  before(async () => {
    store = await tempDir("e2e-memory");
    cleanups.push(() => removeDir(store));
    broker = await startSkiff(runtimeName, "broker", [
      `--storePathRootDir=${store}`, "--listenPort=0", "--mappedFileSizeCommitLog=67108864", "--defaultTopicQueueNums=1",
      `--haHousekeepingInterval=${HOUSEKEEPING_MS}`, "--haMaxConnectionsPerAddress=64", // all fake slaves come from 127.0.0.1
    ]);
    cleanups.push(() => broker.kill());
    haAddress = (await getJson(broker.address, "/ha/status")).haListenAddress;
    const producer = new Producer({ broker: broker.address });
    const body = new Uint8Array(1_000_000).fill(0x61);
    for (let i = 0; i < LOG_MIB / 4; i++) await producer.sendBatch("Log", [{ body }, { body }, { body }, { body }]);
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it(`grows by less than ${mb(RSS_GROWTH_BOUND_BYTES)} with ${FAKE_SLAVES} HA slaves that never read, closes them, and still serves`, async () => {
    const baseline = rssBytes(broker.pid);
    const started = Date.now();
    const seenBefore = broker.output.length;
    for (const wave of [1, 2]) {
      const seen = broker.output.length;
      const hostile = fakeSlaves(haAddress, FAKE_SLAVES, HOUSEKEEPING_MS + 5000);
      const probes = (async () => {
        await sleep(1500);
        const status = await getJson(broker.address, "/ha/status");
        assert.ok(status.slaves.length <= 64, `${status.slaves.length} slaves connected, more than haMaxConnections`);
        await assertServes(broker.address, `slaves-${wave}`);
      })();
      const peak = await peakRssWhile(broker.pid, Promise.all([hostile, probes]));
      const { refused } = await hostile;
      await sleep(1000);
      const level = rssBytes(broker.pid);
      console.log(`${runtimeName} HA wave ${wave}: RSS before ${mb(baseline)}, peak ${mb(peak)}, after ${mb(level)}; ${refused} of ${FAKE_SLAVES} closed by the master before the end`);
      assert.ok(peak - baseline < RSS_GROWTH_BOUND_BYTES, `peak RSS ${mb(peak)} with ${FAKE_SLAVES} fake slaves, ${mb(peak - baseline)} over ${mb(baseline)}`);
      assert.ok(level - baseline < RSS_GROWTH_BOUND_BYTES, `RSS after ${mb(level)}`);
      assert.ok(refused >= FAKE_SLAVES - 64, `${refused} closed: those beyond haMaxConnections, and the stalled ones`);
      const lines = broker.output.slice(seen);
      assert.ok(lines.some((l) => /disconnected: write failed: HA_WRITE_STALLED/.test(l)), `stalled slaves are closed:\n${lines.slice(-5).join("\n")}`);
      assert.equal((await getJson(broker.address, "/ha/status")).slaves.length, 0, "every fake slave is gone");
      await assertServes(broker.address, `after-${wave}`);
    }
    const refusalLines = broker.output.slice(seenBefore).filter((l) => /HA connection refused and closed/.test(l));
    assert.ok(refusalLines.some((l) => /haMaxConnections\) is 64/.test(l)), "refusals are logged with the limit");
    assert.ok(refusalLines.length <= 1 + (Date.now() - started) / 10_000, `at most one refusal line per 10 s:\n${refusalLines.join("\n")}`);
  });

  it(`grows by less than ${mb(RSS_GROWTH_BOUND_BYTES)} with four concurrent 4 MiB batches of empty messages, refused with 413`, async () => {
    const empty = { flag: 0, body: new Uint8Array(0), properties: "" };
    const binary = encodeBatch(Array.from({ length: 190_650 }, () => empty)); // 4 MiB of 22-byte messages
    const json = new TextEncoder().encode(JSON.stringify({ messages: Array.from({ length: 600_000 }, () => ({ body: "" })) })); // ~8 MiB
    const post = (body: Uint8Array, type: string) =>
      fetch(`http://${broker.address}/topics/Empty/messages`, { method: "POST", headers: { "content-type": type }, body: body as Uint8Array<ArrayBuffer> })
        .then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const baseline = rssBytes(broker.pid);
    for (const wave of [1, 2]) {
      const answers = Promise.all([
        ...Array.from({ length: 4 }, () => post(binary, "application/x-rocketmq-batch")),
        ...Array.from({ length: 4 }, () => post(json, "application/json")),
      ]);
      const peak = await peakRssWhile(broker.pid, Promise.all([answers, assertServes(broker.address, `batches-${wave}`)]));
      for (const answer of await answers) {
        assert.equal(answer.status, 413);
        assert.equal(answer.body.error.code, "BATCH_TOO_LARGE");
      }
      await sleep(1000);
      const level = rssBytes(broker.pid);
      console.log(`${runtimeName} batch wave ${wave}: RSS before ${mb(baseline)}, peak ${mb(peak)}, after ${mb(level)}`);
      assert.ok(peak - baseline < RSS_GROWTH_BOUND_BYTES, `peak RSS ${mb(peak)} under four 4 MiB binary and four 8 MiB JSON batches, ${mb(peak - baseline)} over ${mb(baseline)}`);
      assert.ok(level - baseline < RSS_GROWTH_BOUND_BYTES, `RSS after ${mb(level)}`);
    }
    const atCap = await post(encodeBatch(Array.from({ length: 1024 }, () => empty)), "application/x-rocketmq-batch");
    assert.equal(atCap.status, 200, "1024 messages are accepted");
    assert.equal(atCap.body.results.length, 1024);
  });
});
