/**
 * Broker benchmark over real HTTP on loopback: send throughput of 1 KiB messages one at a time,
 * as JSON batches and as binary batches, and pull throughput (JSON and raw records), with p50/p99
 * latency, each beside the store's own append speed measured in the same run (ratio = HTTP / store).
 *
 *   bash bench/run.sh broker          # all three runtimes
 *   SKIFF_BENCH_MESSAGES=20000 node bench/broker.bench.ts
 */
import { platform, runtimeName, tempDir, removeDir } from "../test/support/platform.ts";
import { resolveBrokerConfig } from "../src/config/sources.ts";
import { startBroker } from "../src/app/start-broker.ts";
import { encodeBatch } from "../src/codec/batch.ts";
import { MessageStore } from "../src/store/message-store.ts";
import { defaultStoreOptions } from "../src/store/store-options.ts";
import { message } from "../test/support/store.ts";
import { silentLogger } from "../src/core/log.ts";

const total = Number(globalThis.process?.env?.SKIFF_BENCH_MESSAGES ?? 20000);
const concurrency = 32;
const batchSize = 32;
const body = "x".repeat(1024);

interface Run { label: string; messages: number; ms: number; latencies: number[] }

function report(run: Run, baselinePerSec?: number): void {
  const perSec = run.messages / (run.ms / 1000);
  run.latencies.sort((a, b) => a - b);
  const p = (q: number) => run.latencies[Math.min(run.latencies.length - 1, Math.floor(run.latencies.length * q))]?.toFixed(2);
  const ratio = baselinePerSec ? `  ratio to store append ${(perSec / baselinePerSec).toFixed(2)}` : "";
  console.log(`${run.label.padEnd(26)} ${Math.round(perSec).toString().padStart(8)} msg/s  p50 ${p(0.5)} ms  p99 ${p(0.99)} ms${ratio}`);
}

async function drive(label: string, requests: number, perRequest: number, call: (i: number) => Promise<void>): Promise<Run> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < requests) {
      const i = next++;
      const t0 = performance.now();
      await call(i);
      latencies.push(performance.now() - t0);
    }
  }));
  return { label, messages: requests * perRequest, ms: performance.now() - start, latencies };
}

async function storeBaseline(dir: string): Promise<Run> {
  const store = await MessageStore.open(platform, defaultStoreOptions(dir));
  const bytes = new TextEncoder().encode(body);
  const run = await drive("store append (no HTTP)", total, 1, async (i) => {
    await store.put([message("Base", bytes, { queueId: i % 8 })]);
  });
  await store.close();
  return run;
}

const dir = await tempDir("bench-broker");
try {
  console.log(`# broker benchmark on ${runtimeName}: ${total} messages of 1 KiB, ${concurrency} concurrent requests, batches of ${batchSize}`);
  const baseline = await storeBaseline(`${dir}/baseline`);
  const basePerSec = baseline.messages / (baseline.ms / 1000);
  report(baseline);
  const config = resolveBrokerConfig({ env: {}, cliValues: { storePathRootDir: `${dir}/broker`, listenPort: 0, defaultTopicQueueNums: 8 } }).config;
  const broker = await startBroker(config, platform, { log: silentLogger });
  const url = `http://${broker.httpAddress}`;
  const post = async (path: string, init: RequestInit) => {
    const response = await fetch(`${url}${path}`, { method: "POST", ...init });
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  };
  const json = { "content-type": "application/json" };
  report(await drive("send one at a time", total, 1, (i) => post("/topics/Single/messages", { headers: json, body: JSON.stringify({ body, queueId: i % 8 }) })), basePerSec);
  const jsonBatch = JSON.stringify({ messages: Array.from({ length: batchSize }, () => ({ body })) });
  report(await drive("send JSON batch", Math.ceil(total / batchSize), batchSize, () => post("/topics/JsonBatch/messages", { headers: json, body: jsonBatch })), basePerSec);
  const binary = encodeBatch(Array.from({ length: batchSize }, () => ({ flag: 0, body: new TextEncoder().encode(body), properties: "" })));
  report(await drive("send binary batch", Math.ceil(total / batchSize), batchSize, (i) =>
    post(`/topics/BinBatch/messages?queueId=${i % 8}`, { headers: { "content-type": "application/x-rocketmq-batch" }, body: binary as Uint8Array<ArrayBuffer> })), basePerSec);
  await broker.store.waitDispatched(broker.store.offsets.maxOffset);
  for (const [label, accept] of [["pull raw records", "application/x-rocketmq-messages"], ["pull JSON", "application/json"]] as const) {
    const offsets = new Array(8).fill(0);
    let pulled = 0;
    const latencies: number[] = [];
    const start = performance.now();
    await Promise.all(offsets.map(async (_, queueId) => {
      for (;;) {
        const t0 = performance.now();
        const response = await fetch(`${url}/topics/Single/queues/${queueId}/messages?offset=${offsets[queueId]}&max=32`, { headers: { accept } });
        let count: number;
        if (accept === "application/json") {
          const page = (await response.json()) as { messages: unknown[]; nextBeginOffset: number };
          count = page.messages.length;
          offsets[queueId] = page.nextBeginOffset;
        } else {
          await response.arrayBuffer();
          count = Number(response.headers.get("x-rocketmq-message-count"));
          offsets[queueId] = Number(response.headers.get("x-rocketmq-next-begin-offset"));
        }
        latencies.push(performance.now() - t0);
        if (count === 0) break;
        pulled += count;
      }
    }));
    report({ label, messages: pulled, ms: performance.now() - start, latencies }, basePerSec);
  }
  await broker.stop();
} finally {
  await removeDir(dir);
}
