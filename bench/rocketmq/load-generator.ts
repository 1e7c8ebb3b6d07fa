/**
 * The Java load generator (bench/java/LoadGen.java) from TypeScript: compiled once per source
 * change against the cached 4.9.7 client jars (the interop tests' cache and javac step), run as
 * its own JVM (G1, 1 GiB heap, full JIT) against one name server, its one JSON line parsed.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileJava, ensureRocketMQ, jvmFlags, runToEnd } from "../../test/interop/rocketmq/harness.ts";
import type { Scenario, Settings } from "./settings.ts";

const VERSION = "4.9.7";
const SOURCE = join(dirname(fileURLToPath(import.meta.url)), "..", "java", "LoadGen.java");
const CLIENT_TUNING = ["-server", "-Xms1g", "-Xmx1g", "-XX:+UseG1GC"];
const ROUTE_WAIT_MS = 20_000;
const READY_WAIT_MS = 30_000;

export interface LoadResult {
  readonly ok: true;
  readonly sends: number;
  readonly messages: number;
  readonly msgsPerSec: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly p999: number; readonly max: number };
  readonly errors: number;
  readonly errorKinds: Record<string, number>;
  readonly statuses: Record<string, number>;
  readonly firstError?: string;
  /** CPU clock ticks the master and the slave used during the measured window (-1: unknown). */
  readonly cpuTicks?: readonly number[];
  /** CPU clock ticks the load generator itself used in the window: what the brokers could not have (-1: unknown). */
  readonly generatorCpuTicks?: number;
}

/** A row that produced no figures: which phase failed and why. */
export interface LoadFailure {
  readonly ok: false;
  readonly phase: string;
  readonly error: string;
}

/** Where a load generator sends: the name server (the Java producer) or the master's HTTP API (wrk, Skiff's client). */
export interface LoadTarget {
  /** `127.0.0.1:port` of the name server's RocketMQ remoting. */
  readonly namesrvAddr: string;
  /** `127.0.0.1:port` of the master's HTTP API; Skiff pairs only. */
  readonly masterHttp?: string;
}

export interface LoadGenerator {
  run(target: LoadTarget, scenario: Scenario, settings: Pick<Settings, "warmupMs" | "durationMs">, runDir: string, topic: string, cpuPids?: readonly number[]): Promise<LoadResult | LoadFailure>;
}

export async function prepareLoadGenerator(): Promise<LoadGenerator> {
  const paths = await ensureRocketMQ(VERSION);
  const classes = await compileJava(VERSION, paths.lib, [SOURCE]);
  return {
    async run(target, scenario, settings, runDir, topic, cpuPids = []) {
      const args = {
        ...(cpuPids.length > 0 ? { cpuPids: cpuPids.join(",") } : {}),
        namesrv: target.namesrvAddr, topic, threads: scenario.threads, batchSize: scenario.batchSize, bodyBytes: scenario.bodyBytes,
        warmupMs: settings.warmupMs, durationMs: settings.durationMs, routeWaitMs: ROUTE_WAIT_MS, readyWaitMs: READY_WAIT_MS,
        ...(scenario.ratePerSec === undefined ? {} : { rate: scenario.ratePerSec }),
      };
      const timeoutMs = settings.warmupMs + settings.durationMs + ROUTE_WAIT_MS + READY_WAIT_MS + 60_000;
      const r = await runToEnd("LoadGen", "java", [
        ...jvmFlags(VERSION, runDir, CLIENT_TUNING), "-cp", `${classes}:${paths.lib}/*`, "LoadGen",
        ...Object.entries(args).map(([k, v]) => `${k}=${v}`),
      ], timeoutMs, { ROCKETMQ_HOME: paths.home });
      const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
      if (line) return JSON.parse(line) as LoadResult | LoadFailure;
      return { ok: false, phase: "process", error: `LoadGen exited ${r.code ?? r.signal} without a result line: ${r.stderr.trim().split("\n").slice(-5).join(" | ")}` };
    },
  };
}
