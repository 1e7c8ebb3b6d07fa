/**
 * What one run of the RocketMQ benchmark measures: the scenarios (the load generator's thread and
 * batch shapes), the broker roles, the Skiff runtimes, the time per row and the rounds, read from
 * the command line (`--runtimes=bun,deno,node`, `--drivers=java,wrk,client`, `--scenarios=…`, `--roles=…`, `--quick`,
 * `--out=DIR`) and the environment (SKIFF_BENCH_*). The targets are in targets.ts.
 */
import type { RuntimeName } from "../../test/support/platform.ts";

export type Role = "SYNC_MASTER" | "ASYNC_MASTER";
export const ROLES: readonly Role[] = ["SYNC_MASTER", "ASYNC_MASTER"];
export const RUNTIMES: readonly RuntimeName[] = ["bun", "deno", "node"];

export interface Scenario {
  readonly name: string;
  /** Threads of the one producer, each with one synchronous send call in flight. */
  readonly threads: number;
  /** Messages per send call: 1 sends a Message, more send a Collection (one MessageBatch). */
  readonly batchSize: number;
  readonly bodyBytes: number;
  /** Send calls per second of the whole producer (paced); absent: as fast as the threads go. */
  readonly ratePerSec?: number;
}

export const SCENARIOS: readonly Scenario[] = [
  { name: "sync-32", threads: 32, batchSize: 1, bodyBytes: 1024 },
  { name: "batch-8x32", threads: 8, batchSize: 32, bodyBytes: 1024 },
  { name: "one-1", threads: 1, batchSize: 1, bodyBytes: 1024 },
];

/**
 * What drives a Skiff pair: `java`, the Java producer that drives RocketMQ too (RocketMQ remoting
 * through the name server); `wrk`, Debian's wrk over keep-alive HTTP to the master (wrk.ts);
 * `client`, Skiff's own client under Bun over HTTP (client-driver.ts). RocketMQ is always driven
 * by the Java producer.
 */
export type Driver = "java" | "wrk" | "client";
export const DRIVERS: readonly Driver[] = ["java", "wrk", "client"];

/**
 * A system under test: Apache RocketMQ, or Skiff on one runtime under one driver; `baseline` is
 * Skiff run from the `--baseline=DIR` checkout (another commit), beside this one in the same run.
 */
export type System =
  | { readonly kind: "rocketmq" }
  | { readonly kind: "skiff"; readonly runtime: RuntimeName; readonly driver: Driver; readonly baseline?: string };

/** `RocketMQ 4.9.7`, `Skiff Bun` (the Java producer), `Skiff Bun (wrk)`, `Skiff Bun (client)`. */
export function systemName(system: System): string {
  if (system.kind === "rocketmq") return "RocketMQ 4.9.7";
  return `${brokersName(system)}${system.driver === "java" ? "" : ` (${system.driver})`}`;
}

/** The brokers of a system whatever drives them: `RocketMQ 4.9.7`, `Skiff Bun`. */
export function brokersName(system: System): string {
  if (system.kind === "rocketmq") return "RocketMQ 4.9.7";
  return `Skiff ${system.runtime[0].toUpperCase()}${system.runtime.slice(1)}${system.baseline === undefined ? "" : " base"}`;
}

export interface Settings {
  readonly scenarios: readonly Scenario[];
  readonly roles: readonly Role[];
  readonly runtimes: readonly RuntimeName[];
  readonly drivers: readonly Driver[];
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly rounds: number;
  /** MiB an empty slave copies in the catch-up rows (`catch-up` among the scenarios); null: not run. */
  readonly catchUpMiB: number | null;
  /** Heap of each RocketMQ broker JVM (-Xms = -Xmx), e.g. `2g`. */
  readonly javaHeap: string;
  /** `--quick`: one short round of sync-32 under SYNC_MASTER with 512 MiB broker heaps, to prove the benchmark works (CI runs it). */
  readonly quick: boolean;
  /** Where the results file and chart go (`--out=DIR`, default bench/results). */
  readonly outDir: string;
  /**
   * `--baseline=DIR`: a checkout of another commit (`git worktree add DIR <commit>`) whose Skiff
   * runs beside this one on the same runtimes and drivers, named `Skiff Bun base` etc.: a change's
   * effect measured in the same run. Its rows are reported but not judged against the targets.
   */
  readonly baseline: string | null;
}

/** `--name=a,b` as a subset of `allowed` (all when absent); `--runtimes=none` measures RocketMQ alone. */
function listFlag<T extends string>(args: readonly string[], name: string, allowed: readonly T[]): T[] {
  const flag = args.find((a) => a.startsWith(`--${name}=`));
  if (!flag) return [...allowed];
  const values = flag.slice(name.length + 3).split(",").filter((v) => v.length > 0);
  if (name === "runtimes" && values.length === 1 && values[0] === "none") return [];
  for (const v of values) if (!allowed.includes(v as T)) throw new Error(`--${name}: ${JSON.stringify(v)} is not one of ${allowed.join(", ")}`);
  if (values.length === 0) throw new Error(`--${name}: give at least one of ${allowed.join(", ")}`);
  return values as T[];
}

function numberEnv(env: Record<string, string | undefined>, name: string, fallback: number, min: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name}=${text}: a number ≥ ${min} is needed`);
  return value;
}

/** The scenario name of the slave catch-up rows (catch-up.ts), beside the load generator's. */
export const CATCH_UP = "catch-up";

/** What `--quick` changes where neither a flag nor SKIFF_BENCH_* says otherwise (lean JVMs: CI runs it). */
const QUICK = { scenarios: ["sync-32", CATCH_UP], catchUpMiB: 256, roles: ["SYNC_MASTER"] as Role[], warmupSeconds: 1, seconds: 2, rounds: 1, javaHeap: "512m" };

export function readSettings(args: readonly string[], env: Record<string, string | undefined>): Settings {
  const known = ["--runtimes=", "--scenarios=", "--roles=", "--drivers=", "--out=", "--baseline=", "--quick"];
  for (const a of args) if (!known.some((k) => (k.endsWith("=") ? a.startsWith(k) : a === k))) throw new Error(`unknown argument ${a} (known: ${known.map((k) => (k.endsWith("=") ? `${k}…` : k)).join(" ")})`);
  const quick = args.includes("--quick");
  const given = (name: string) => args.some((a) => a.startsWith(`--${name}=`));
  const scenarioNames: string[] = quick && !given("scenarios") ? QUICK.scenarios : listFlag(args, "scenarios", [...SCENARIOS.map((s) => s.name), CATCH_UP]);
  const catchUpMiB = numberEnv(env, "SKIFF_BENCH_CATCHUP_MB", quick ? QUICK.catchUpMiB : 1000, 16);
  if (catchUpMiB > 1000) throw new Error(`SKIFF_BENCH_CATCHUP_MB=${catchUpMiB}: at most 1000 (the bytes must fit in one 1 GiB segment: a master starts an empty slave at its last one)`);
  const javaHeap = env.SKIFF_BENCH_JAVA_HEAP ?? (quick ? QUICK.javaHeap : "2g");
  if (!/^\d+[mg]$/.test(javaHeap)) throw new Error(`SKIFF_BENCH_JAVA_HEAP=${javaHeap}: e.g. 2g or 512m`);
  const outDir = args.find((a) => a.startsWith("--out="))?.slice("--out=".length) ?? "bench/results";
  if (outDir === "") throw new Error("--out=: give a directory for the results");
  const baseline = args.find((a) => a.startsWith("--baseline="))?.slice("--baseline=".length) ?? null;
  if (baseline === "") throw new Error("--baseline=: give the directory of another checkout (git worktree add DIR <commit>)");
  return {
    scenarios: SCENARIOS.filter((s) => scenarioNames.includes(s.name)),
    catchUpMiB: scenarioNames.includes(CATCH_UP) ? Math.round(catchUpMiB) : null,
    roles: quick && !given("roles") ? QUICK.roles : listFlag(args, "roles", ROLES),
    runtimes: listFlag(args, "runtimes", RUNTIMES),
    drivers: listFlag(args, "drivers", DRIVERS),
    warmupMs: Math.round(numberEnv(env, "SKIFF_BENCH_WARMUP_SECONDS", quick ? QUICK.warmupSeconds : 5, 0) * 1000),
    durationMs: Math.round(numberEnv(env, "SKIFF_BENCH_SECONDS", quick ? QUICK.seconds : 10, 1) * 1000),
    rounds: Math.round(numberEnv(env, "SKIFF_BENCH_ROUNDS", quick ? QUICK.rounds : 2, 1)),
    javaHeap,
    quick,
    outDir,
    baseline,
  };
}

/** The systems of one (scenario, role) in round `round` (1-based): RocketMQ first in odd rounds, last in even ones. */
export function systemsInOrder(settings: Pick<Settings, "runtimes" | "drivers" | "baseline">, round: number): System[] {
  const skiffs = settings.runtimes.flatMap((runtime) => settings.drivers.flatMap((driver) => [
    { kind: "skiff" as const, runtime, driver },
    ...(settings.baseline === null ? [] : [{ kind: "skiff" as const, runtime, driver, baseline: settings.baseline }]),
  ]));
  const systems: System[] = [{ kind: "rocketmq" }, ...skiffs];
  return round % 2 === 1 ? systems : systems.reverse();
}
