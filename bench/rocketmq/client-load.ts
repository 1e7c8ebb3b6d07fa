/**
 * Skiff's own client as a load generator of the RocketMQ benchmark (client-driver.ts starts it
 * under Bun, as its own process): `threads` loops on one event loop, each with one send in flight
 * through one `Producer` to the master's HTTP API (a message as JSON, a batch as RocketMQ's
 * binary batch: http-load.ts), after the Java producer's phases (topic, first SEND_OK, warm-up).
 *
 *   bun bench/rocketmq/client-load.ts '{"masterHttp","topic","threads","batchSize","bodyBytes","warmupMs","durationMs","cpuPids":[…]}'
 *
 * Prints one JSON line, LoadGen's shape (load-generator.ts LoadResult, or {"ok":false,…}). As
 * LoadGen counts them: latency per send call (a batch once), of the calls that started inside
 * the measured window and ended inside it; messages are those calls' acknowledged messages.
 * Latencies are kept in a fixed array (MAX_SAMPLES; past it, calls are counted, not sampled).
 */
import { Producer, SkiffClientError, type BatchMessage } from "../../src/client/index.ts";
import { benchBody, BENCH_TAG, prepareTopic } from "./http-load.ts";
import { cpuTicks, cpuTicksSince } from "./process-stats.ts";

const MAX_SAMPLES = 2_000_000;
const READY_WAIT_MS = 30_000;

interface Args {
  readonly masterHttp: string;
  readonly topic: string;
  readonly threads: number;
  readonly batchSize: number;
  readonly bodyBytes: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly cpuPids: readonly number[];
}

const print = (value: unknown) => console.log(JSON.stringify(value));
const args = JSON.parse(process.argv[2] ?? "{}") as Args;

try {
  await prepareTopic(args.masterHttp, args.topic, READY_WAIT_MS);
} catch (error) {
  print({ ok: false, phase: "firstSendOk", error: (error as Error).message });
  process.exit(3);
}

const producer = new Producer({ broker: args.masterHttp }, { timeoutMs: 3000, retries: 0 });
const body = benchBody(args.bodyBytes);
const batch: BatchMessage[] = Array.from({ length: args.batchSize }, () => ({ body, tags: BENCH_TAG }));
const send = args.batchSize === 1
  ? async () => [(await producer.send(args.topic, { body, tags: BENCH_TAG })).status]
  : async () => (await producer.sendBatch(args.topic, batch)).map((r) => r.status);

const start = performance.now();
const measureFrom = start + args.warmupMs;
const measureTo = measureFrom + args.durationMs;
const latencies = new Float64Array(MAX_SAMPLES);
let samples = 0;
let sends = 0;
let messages = 0;
let errors = 0;
let firstError: string | undefined;
const statuses: Record<string, number> = {};
const errorKinds: Record<string, number> = {};

async function loop(): Promise<void> {
  while (performance.now() < measureTo) {
    const t = performance.now();
    try {
      const answer = await send();
      const end = performance.now();
      if (t < measureFrom || end > measureTo) continue;
      sends++;
      messages += answer.length;
      for (const status of answer) statuses[status] = (statuses[status] ?? 0) + 1;
      if (samples < MAX_SAMPLES) latencies[samples++] = end - t;
    } catch (error) {
      if (t < measureFrom) continue;
      errors++;
      const kind = error instanceof SkiffClientError ? `SkiffClientError(${error.code})` : (error as Error).name;
      errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
      firstError ??= `${kind}: ${(error as Error).message}`;
    }
  }
}

const cpuWindow = (async () => {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, measureFrom - performance.now())));
  const pids = [...args.cpuPids, process.pid]; // the brokers', then this process's own
  const before = await Promise.all(pids.map(cpuTicks));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, measureTo - performance.now())));
  return cpuTicksSince(pids, before);
})();
await Promise.all(Array.from({ length: args.threads }, loop));
const ticks = await cpuWindow;

const sorted = latencies.subarray(0, samples).sort();
const at = (q: number) => (samples === 0 ? 0 : sorted[Math.min(samples - 1, Math.floor(q * samples))]);
print({
  ok: true, sends, messages, msgsPerSec: messages / (args.durationMs / 1000),
  latencyMs: { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: samples === 0 ? 0 : sorted[samples - 1] },
  errors, errorKinds, statuses, ...(firstError === undefined ? {} : { firstError }),
  ...(args.cpuPids.length > 0 ? { cpuTicks: ticks.slice(0, -1), generatorCpuTicks: ticks.at(-1)! } : {}),
});
process.exit(0);
