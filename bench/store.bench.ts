/**
 * Store benchmark: append and read throughput of 1 KiB messages, each printed beside the raw
 * speed of the same bytes written to (and read from) a plain file in the same run, as a ratio.
 *
 *   bash bench/run.sh store          # all three runtimes
 *   node bench/store.bench.ts        # one runtime (also: bun …, deno run -A …)
 *
 * Sizes: SKIFF_BENCH_MB (default 256) of messages per phase; writers: 16 concurrent producers.
 */
import { platform, runtimeName, tempDir, removeDir } from "../test/support/platform.ts";
import { MessageStore } from "../src/store/message-store.ts";
import { defaultStoreOptions } from "../src/store/store-options.ts";
import { message } from "../test/support/store.ts";

const totalMb = Number(globalThis.process?.env?.SKIFF_BENCH_MB ?? 256);
const messageBytes = 1024;
const count = Math.floor((totalMb * 1024 * 1024) / (messageBytes + 120));
const writers = Number(globalThis.process?.env?.SKIFF_BENCH_WRITERS ?? 64);

function rate(bytes: number, ms: number): string {
  return `${((bytes / 1024 / 1024) / (ms / 1000)).toFixed(1)} MiB/s`;
}

let rawFiles = 0;

/** Sequential 1 MiB writes of `bytes` to a new plain file, then one fsync. */
async function rawWrite(dir: string, bytes: number): Promise<number> {
  const file = await platform.fs.open(`${dir}/raw-${++rawFiles}`, { create: true });
  const chunk = new Uint8Array(1 << 20).fill(7);
  const start = performance.now();
  for (let at = 0; at < bytes; at += chunk.byteLength) await file.write(chunk, at);
  await file.sync();
  const ms = performance.now() - start;
  await file.close();
  return ms;
}

async function rawRead(dir: string, bytes: number): Promise<number> {
  const file = await platform.fs.open(`${dir}/raw-1`, { readOnly: true });
  const chunk = new Uint8Array(1 << 20);
  const start = performance.now();
  for (let at = 0; at < bytes; at += chunk.byteLength) await file.read(chunk, at);
  const ms = performance.now() - start;
  await file.close();
  return ms;
}

async function append(dir: string, flushDiskType: "ASYNC_FLUSH" | "SYNC_FLUSH", n: number) {
  const store = await MessageStore.open(platform, defaultStoreOptions(dir, { flushDiskType }));
  const body = new Uint8Array(messageBytes).fill(1);
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    while (next < n) {
      next++;
      const t0 = performance.now();
      await store.put([message("BenchTopic", body, { queueId: w % 8, tags: "TagA" })]);
      latencies.push(performance.now() - t0);
    }
  }));
  await store.flushAll();
  const ms = performance.now() - start;
  const bytes = store.offsets.maxOffset;
  latencies.sort((a, b) => a - b);
  return { store, ms, bytes, p50: latencies[Math.floor(latencies.length / 2)], p99: latencies[Math.floor(latencies.length * 0.99)] };
}

async function readAll(store: MessageStore): Promise<{ ms: number; bytes: number; messages: number }> {
  const start = performance.now();
  let bytes = 0;
  let messages = 0;
  for (let queueId = 0; queueId < 8; queueId++) {
    let offset = 0;
    for (;;) {
      const got = await store.get({ topic: "BenchTopic", queueId, offset, maxMsgNums: 32 });
      if (got.status !== "FOUND") break;
      for (const m of got.messages) bytes += m.bytes.byteLength;
      messages += got.messages.length;
      offset = got.nextBeginOffset;
    }
  }
  return { ms: performance.now() - start, bytes, messages };
}

const dir = await tempDir("bench-store");
try {
  console.log(`# store benchmark on ${runtimeName}: ${count} messages of ${messageBytes} B per phase, ${writers} writers`);
  const asyncRun = await append(`${dir}/async`, "ASYNC_FLUSH", count);
  const rawMs = await rawWrite(dir, asyncRun.bytes);
  console.log(`raw sequential write   ${rate(asyncRun.bytes, rawMs)}`);
  console.log(`ASYNC_FLUSH append     ${rate(asyncRun.bytes, asyncRun.ms)}  ${Math.round(count / (asyncRun.ms / 1000))} msg/s  p50 ${asyncRun.p50.toFixed(2)} ms  p99 ${asyncRun.p99.toFixed(2)} ms  ratio to raw ${(rawMs / asyncRun.ms).toFixed(2)}`);
  const read = await readAll(asyncRun.store);
  const rawReadMs = await rawRead(dir, read.bytes);
  console.log(`raw sequential read    ${rate(read.bytes, rawReadMs)}`);
  console.log(`store read (pull path) ${rate(read.bytes, read.ms)}  ${Math.round(read.messages / (read.ms / 1000))} msg/s  ratio to raw ${(rawReadMs / read.ms).toFixed(2)}`);
  await asyncRun.store.close();
  const syncCount = Math.floor(count / 4);
  const syncRun = await append(`${dir}/sync`, "SYNC_FLUSH", syncCount);
  const rawSyncMs = await rawWrite(dir, syncRun.bytes);
  console.log(`SYNC_FLUSH append      ${rate(syncRun.bytes, syncRun.ms)}  ${Math.round(syncCount / (syncRun.ms / 1000))} msg/s  p50 ${syncRun.p50.toFixed(2)} ms  p99 ${syncRun.p99.toFixed(2)} ms  ratio to raw ${(rawSyncMs / syncRun.ms).toFixed(2)}`);
  await syncRun.store.close();
} finally {
  await removeDir(dir);
}
