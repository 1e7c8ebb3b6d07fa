/**
 * Replication benchmark, each figure beside its baseline measured in the same run:
 *
 * 1. catch-up: an empty slave copies a master holding SKIFF_BENCH_MB (default 1024) MiB over
 *    loopback TCP (the HA protocol, both ends in this process), as a ratio of raw loopback TCP
 *    throughput (one connection, 1 MiB writes, both ends in this process);
 * 2. SYNC_MASTER vs ASYNC_MASTER append throughput with 64 concurrent writers (1 KiB messages);
 * 3. p50/p99 latency of one-at-a-time SYNC_MASTER appends (each waits for the slave's ack).
 *
 *   bash bench/run.sh replication
 *   SKIFF_BENCH_MB=256 node bench/replication.bench.ts
 */
import { platform, runtimeName, tempDir, removeDir } from "../test/support/platform.ts";
import { HaClient, HaMaster, haOptions } from "../src/ha/index.ts";
import { MessageStore } from "../src/store/message-store.ts";
import { defaultStoreOptions } from "../src/store/store-options.ts";
import { message } from "../test/support/store.ts";
import { silentLogger } from "../src/core/log.ts";

const totalMb = Number(globalThis.process?.env?.SKIFF_BENCH_MB ?? 1024);
const SEGMENT = 256 * 1024 * 1024;
const mibPerSec = (bytes: number, ms: number) => (bytes / 1024 / 1024) / (ms / 1000);

async function rawTcp(bytes: number): Promise<number> {
  let received = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const listener = await platform.net.listen({ host: "127.0.0.1", port: 0 }, async (connection) => {
    try {
      for await (const chunk of connection.readable) {
        received += chunk.byteLength;
        if (received >= bytes) done();
      }
    } catch {
      // the client closed first: all bytes were counted already
    }
    connection.close();
  });
  const client = await platform.net.connect(listener.address);
  const chunk = new Uint8Array(1 << 20).fill(3);
  const start = performance.now();
  for (let sent = 0; sent < bytes; sent += chunk.byteLength) await client.write(chunk);
  await finished;
  const ms = performance.now() - start;
  client.close();
  await listener.close();
  return ms;
}

async function fillMaster(store: MessageStore, bytes: number): Promise<void> {
  const body = new Uint8Array(4096).fill(5);
  const batch = Array.from({ length: 64 }, (_, i) => message("Fill", body, { queueId: i % 8 }));
  while (store.offsets.maxOffset < bytes) {
    await Promise.all(Array.from({ length: 8 }, (_, q) => store.put(batch.map((m) => ({ ...m, queueId: q })))));
  }
  await store.flushAll();
}

async function appendRate(store: MessageStore, master: HaMaster | null, writers: number, count: number) {
  const body = new Uint8Array(1024).fill(1);
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: writers }, async () => {
    while (next < count) {
      next++;
      const t0 = performance.now();
      const put = await store.put([message("Sync", body, { queueId: next % 8 })]);
      if (master) {
        const status = await master.waitForReplication(put.endOffset, 3000);
        if (status !== "PUT_OK") throw new Error(`replication ${status}`);
      }
      latencies.push(performance.now() - t0);
    }
  }));
  const ms = performance.now() - start;
  latencies.sort((a, b) => a - b);
  return { perSec: count / (ms / 1000), p50: latencies[Math.floor(latencies.length / 2)], p99: latencies[Math.floor(latencies.length * 0.99)] };
}

const dir = await tempDir("bench-replication");
const log = silentLogger;
try {
  console.log(`# replication benchmark on ${runtimeName}: master holds ${totalMb} MiB, segments of ${SEGMENT / 1024 / 1024} MiB`);
  const masterStore = await MessageStore.open(platform, defaultStoreOptions(`${dir}/master`, { segmentSizeCommitLogBytes: SEGMENT }));
  await fillMaster(masterStore, totalMb * 1024 * 1024);
  const bytes = masterStore.offsets.maxOffset;
  const rawMs = await rawTcp(bytes);
  console.log(`raw loopback TCP          ${mibPerSec(bytes, rawMs).toFixed(1)} MiB/s`);

  const options = haOptions({ haListenHost: "127.0.0.1", haListenPort: 0, log });
  const master = await HaMaster.start({ net: platform.net, clock: platform.clock, source: masterStore.replicationSource, options });
  const slaveStore = await MessageStore.open(platform, defaultStoreOptions(`${dir}/slave`, { segmentSizeCommitLogBytes: SEGMENT }));
  const address = `127.0.0.1:${master.address.port}`;
  const client = new HaClient({ net: platform.net, clock: platform.clock, replica: slaveStore.replica, masterAddress: () => address, options });
  const start = performance.now();
  client.start();
  while (slaveStore.offsets.writtenOffset < bytes) await new Promise((resolve) => setTimeout(resolve, 5));
  const catchUpMs = performance.now() - start;
  console.log(`HA catch-up (empty slave) ${mibPerSec(bytes, catchUpMs).toFixed(1)} MiB/s  ratio to raw TCP ${(rawMs / catchUpMs).toFixed(2)}`);

  const count = 20_000;
  const asyncRate = await appendRate(masterStore, null, 64, count);
  const syncRate = await appendRate(masterStore, master, 64, count);
  console.log(`ASYNC_MASTER append       ${Math.round(asyncRate.perSec)} msg/s (64 writers)`);
  console.log(`SYNC_MASTER append        ${Math.round(syncRate.perSec)} msg/s (64 writers)  ratio to ASYNC ${(syncRate.perSec / asyncRate.perSec).toFixed(2)}`);
  const single = await appendRate(masterStore, master, 1, 2000);
  console.log(`SYNC_MASTER one at a time p50 ${single.p50.toFixed(3)} ms  p99 ${single.p99.toFixed(3)} ms  (${Math.round(single.perSec)} msg/s)`);

  await client.stop();
  await master.close();
  await slaveStore.close();
  await masterStore.close();
} finally {
  await removeDir(dir);
}
