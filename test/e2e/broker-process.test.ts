/**
 * The broker as a real process on the runtime running this test: 10,000 messages sent with the
 * client (SYNC_FLUSH), all pulled back, then the process is killed with SIGKILL and restarted on
 * the same store, and every acknowledged message is still there, byte for byte. A delayed message
 * is delivered to its real topic after its level's delay, and the process answers `/healthz`,
 * `/readyz` and `/metrics` (Prometheus text, with this runtime's memory and event-loop delay).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Producer, PullConsumer } from "../../src/client/index.ts";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { startSkiff, type SkiffProcess } from "../support/skiff-process.ts";
import { sampleValue, scrape } from "../support/prometheus.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

const MESSAGES = 10_000;
const QUEUES = 4;

describe(`broker process on ${runtimeName}`, () => {
  const { defer } = cleanupAfterSuite();

  async function broker(store: string, extra: string[] = []): Promise<SkiffProcess> {
    const started = await startSkiff(runtimeName, "broker", [
      `--storePathRootDir=${store}`, "--listenPort=0", "--flushDiskType=SYNC_FLUSH", "--mappedFileSizeCommitLog=4194304",
      `--defaultTopicQueueNums=${QUEUES}`, "--messageDelayLevel=1s 2s", ...extra,
    ]);
    defer(() => started.kill());
    return started;
  }

  it("keeps every acknowledged message across SIGKILL, byte for byte", async () => {
    const store = await tempDir("e2e-broker");
    defer(() => removeDir(store));
    let process = await broker(store);
    await assert.rejects(broker(store), /in use by process/, "a second broker on the same store is refused");
    const producer = new Producer({ broker: process.address });
    const acked: Array<{ queueId: number; queueOffset: number; body: string; tags: string }> = [];
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < MESSAGES) {
        const i = next++;
        const body = `message-${i}-${"x".repeat(i % 200)}`;
        const result = await producer.send("E2E", { body, tags: `Tag${i % 3}`, keys: `key-${i}`, properties: { seq: String(i) }, queueId: i % QUEUES });
        assert.equal(result.status, "SEND_OK");
        acked.push({ queueId: result.queueId, queueOffset: result.queueOffset, body, tags: `Tag${i % 3}` });
      }
    }));
    assert.equal(acked.length, MESSAGES);

    // A message is pullable a moment after its SEND_OK (the dispatcher builds its consume-queue and
    // index entries), and after a restart once recovery dispatched it: wait until every one is.
    const dispatched = async (address: string) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const status = (await (await fetch(`http://${address}/topics/E2E/status`)).json()) as { queues: Array<{ maxOffset: number }> };
        const held = status.queues.reduce((sum, q) => sum + q.maxOffset, 0);
        if (held >= MESSAGES) return;
        assert.ok(Date.now() < deadline, `only ${held} of ${MESSAGES} messages dispatched after 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const readAll = async (address: string) => {
      await dispatched(address);
      const consumer = new PullConsumer({ group: "e2e_group", broker: address });
      const found = new Map<string, { body: string; tags?: string; raw: string }>();
      for (let queueId = 0; queueId < QUEUES; queueId++) {
        let offset = 0;
        for (;;) {
          const page = await consumer.pull("E2E", queueId, offset, { max: 256 });
          if (page.messages.length === 0) break;
          for (const m of page.messages) {
            found.set(`${queueId}/${m.queueOffset}`, { body: new TextDecoder().decode(m.body), tags: m.tags, raw: `${m.commitLogOffset}:${m.msgId}:${m.properties.seq}` });
          }
          offset = page.nextBeginOffset;
        }
      }
      return found;
    };
    const before = await readAll(process.address);
    assert.equal(before.size, MESSAGES);
    for (const m of acked) {
      const got = before.get(`${m.queueId}/${m.queueOffset}`);
      assert.equal(got?.body, m.body);
      assert.equal(got?.tags, m.tags);
    }
    const rawBefore = await (await fetch(`http://${process.address}/topics/E2E/queues/0/messages?offset=0&max=1024`, { headers: { accept: "application/x-rocketmq-messages" } })).arrayBuffer();

    await process.kill();
    process = await broker(store);
    const afterKill = await readAll(process.address);
    assert.equal(afterKill.size, MESSAGES, "every acknowledged message survives SIGKILL");
    assert.deepEqual([...afterKill.entries()].sort(), [...before.entries()].sort());
    const rawAfter = await (await fetch(`http://${process.address}/topics/E2E/queues/0/messages?offset=0&max=1024`, { headers: { accept: "application/x-rocketmq-messages" } })).arrayBuffer();
    assert.deepEqual(new Uint8Array(rawAfter), new Uint8Array(rawBefore), "stored records are byte-identical after recovery");
    const more = await new Producer({ broker: process.address }).send("E2E", { body: "after restart", queueId: 0 });
    assert.equal(more.queueOffset, MESSAGES / QUEUES, "queue offsets continue after recovery");
    const stopped = await process.stop();
    assert.ok(stopped.clean, "SIGTERM stops cleanly");
    if (runtimeName !== "deno") assert.equal(stopped.code, 0);
  });

  it("delivers a delayed message to its real topic after its level's delay, and answers /healthz, /readyz and /metrics", async () => {
    const store = await tempDir("e2e-delay");
    defer(() => removeDir(store));
    const process = await broker(store);
    const producer = new Producer({ broker: process.address });
    await producer.send("Later", { body: "now", queueId: 0 });
    const sentAt = Date.now();
    const delayed = await producer.send("Later", { body: "after one second", queueId: 0, delayLevel: 1 });
    assert.equal(delayed.status, "SEND_OK");
    const consumer = new PullConsumer({ group: "delay_group", broker: process.address });
    const first = await consumer.pull("Later", 0, 1, { waitMs: 200 });
    assert.equal(first.messages.length, 0, "not delivered before its time");
    const page = await consumer.pull("Later", 0, 1, { waitMs: 10_000 });
    const waited = Date.now() - sentAt;
    assert.equal(new TextDecoder().decode(page.messages[0].body), "after one second");
    assert.ok(waited >= 900, `delivered after ${waited} ms`);
    assert.equal(page.messages[0].properties.DELAY, "1", "kept in the delivered record, as RocketMQ 4.9 stores it (it is not delayed again)");
    assert.equal(page.messages[0].properties.REAL_TOPIC, "Later");

    const get = (path: string) => fetch(`http://${process.address}${path}`, { signal: AbortSignal.timeout(10_000) });
    const alive = await get("/healthz");
    assert.deepEqual([alive.status, (await alive.json()).status], [200, "ok"]);
    const ready = await get("/readyz");
    assert.deepEqual([ready.status, (await ready.json()).reasons], [200, []]);
    const metrics = await scrape(get);
    assert.equal(sampleValue(metrics, "skiff_send_messages_total", { topic: "Later", status: "SEND_OK" }), 2);
    assert.equal(sampleValue(metrics, "skiff_pull_messages_total", { topic: "Later" }), 1);
    assert.equal(sampleValue(metrics, "skiff_schedule_backlog_messages", { level: "1", delay: "1s" }), 0);
    assert.ok(sampleValue(metrics, "skiff_commitlog_flush_duration_seconds", {}, "skiff_commitlog_flush_duration_seconds_count") >= 1, "SYNC_FLUSH fsyncs timed");
    assert.equal(sampleValue(metrics, "skiff_runtime_info", { runtime: runtimeName }), 1);
    assert.ok(sampleValue(metrics, "process_resident_memory_bytes") > 10 * 1024 * 1024);
    assert.ok(sampleValue(metrics, "skiff_event_loop_delay_seconds", {}, "skiff_event_loop_delay_seconds_count") >= 3, "sampled every 200 ms");
    assert.ok(sampleValue(metrics, "skiff_store_disk_usable_bytes", { dir: "commitlog" }) > 0, "statfs of the real disk");
    assert.ok((await process.stop()).clean);
  });
});
