/**
 * The targets Skiff is held to in the RocketMQ benchmark (issue 11 item 6, issue 13 item 2), each
 * a ratio measured in the same run, judged PASS or FALLS SHORT from the figures' medians:
 *
 * | target | where |
 * |---|---|
 * | msgs/s ≥ 2× RocketMQ's with p99 ≤ 1× on Bun; on Deno and Node ≥ 1× under the Java producer, ≥ 1.5× with p99 ≤ 1× over HTTP (wrk, client); no errors | sync-32, each role |
 * | batched send ≥ 3× RocketMQ's msgs/s | batch-8x32, each role |
 * | CPU per message, master + slave, ≤ 0.5× RocketMQ's on Bun, ≤ 0.7× on Deno and Node | sync-32, SYNC_MASTER |
 * | SYNC_MASTER msgs/s ≥ 0.9× ASYNC_MASTER's | each scenario, each runtime |
 * | one-producer p99 ≤ RocketMQ's | one-1, each role |
 * | Deno and Node msgs/s ≥ 0.7× Bun's | each scenario and role |
 * | idle RSS of each broker ≤ 80 MB | each runtime |
 * | master ready ≤ 0.5 s after its process starts | each runtime |
 *
 * Each Skiff target is judged per driver (the Java producer, wrk, Skiff's client), a driver's
 * figures against RocketMQ's under the Java producer; memory and start-up per runtime. A target
 * whose scenario or role was not run is left out; one whose rows produced no figures is
 * NO FIGURES (and so not met).
 */
import type { RuntimeName } from "../../test/support/platform.ts";
import { figuresOf, processFiguresOf, type Figures, type Row, type Spread } from "./figures.ts";
import { brokersName, systemName, type Driver, type Role, type Scenario, type System } from "./settings.ts";

export type Outcome = "PASS" | "FALLS SHORT" | "NO FIGURES";

export interface Verdict {
  readonly target: string;
  /** What was measured: system, scenario, role. */
  readonly subject: string;
  /** The figures behind the outcome, e.g. `1.18× (5,855 / 4,944 msgs/s)`. */
  readonly measured: string;
  readonly outcome: Outcome;
}

const ROCKETMQ: System = { kind: "rocketmq" };
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const x = (ratio: number) => `${ratio.toFixed(2)}×`;

function throughputTarget(runtime: RuntimeName, driver: Driver): { minRatio: number; maxP99Ratio: number | null } {
  if (runtime === "bun") return { minRatio: 2, maxP99Ratio: 1 };
  return driver === "java" ? { minRatio: 1, maxP99Ratio: null } : { minRatio: 1.5, maxP99Ratio: 1 };
}

/** The runs' verdicts, in the table's order. */
export function verdicts(rows: readonly Row[], scenarios: readonly Scenario[], roles: readonly Role[], runtimes: readonly RuntimeName[], drivers: readonly Driver[]): Verdict[] {
  const out: Verdict[] = [];
  for (const driver of drivers) out.push(...driverVerdicts(rows, scenarios, roles, runtimes, driver));
  const rocketmq = processFiguresOf(rows, ROCKETMQ);
  for (const runtime of rows.length === 0 ? [] : runtimes) { // memory and start-up come from the load rows
    const system: System = { kind: "skiff", runtime, driver: drivers[0] ?? "java" };
    const brokers = brokersName(system);
    const p = processFiguresOf(rows, system);
    push(out, "idle RSS of each broker ≤ 80 MB", brokers,
      p.idleRssMB === null ? null : `${fmt(p.idleRssMB.median)} MB, loaded ${fmtOr(p.loadedRssMB)} MB (RocketMQ ${fmtOr(rocketmq.idleRssMB)}, loaded ${fmtOr(rocketmq.loadedRssMB)} MB)`,
      p.idleRssMB !== null && p.idleRssMB.median <= 80);
    push(out, "master ready ≤ 0.5 s after its process starts", brokers,
      p.masterReadyMs === null ? null : `${seconds(p.masterReadyMs)} s (RocketMQ ${rocketmq.masterReadyMs === null ? "–" : seconds(rocketmq.masterReadyMs)} s)`,
      p.masterReadyMs !== null && p.masterReadyMs.median <= 500);
  }
  return out;
}

function push(out: Verdict[], target: string, subject: string, measured: string | null, pass: boolean): void {
  out.push({ target, subject, measured: measured ?? "no figures", outcome: measured === null ? "NO FIGURES" : pass ? "PASS" : "FALLS SHORT" });
}

/** The throughput, CPU and latency targets of Skiff driven by `driver`. */
function driverVerdicts(rows: readonly Row[], scenarios: readonly Scenario[], roles: readonly Role[], runtimes: readonly RuntimeName[], driver: Driver): Verdict[] {
  const out: Verdict[] = [];
  const skiff = (runtime: RuntimeName): System => ({ kind: "skiff", runtime, driver });
  const of = (scenario: Scenario, role: Role, system: System) => figuresOf(rows, scenario, role, system);
  const scenario = (name: string) => scenarios.find((s) => s.name === name);
  const judge = (target: string, subject: string, measured: string | null, pass: boolean) => push(out, target, subject, measured, pass);
  /** `skiff ÷ base` of two medians, or null when either has none. */
  const ratio = (a: Spread | null, b: Spread | null) => (a === null || b === null || b.median === 0 ? null : a.median / b.median);
  const clean = (f: Figures) => f.errors === 0 && f.notOk === 0;
  const dirt = (f: Figures) => (clean(f) ? "" : `; errors ${f.errors}, not SEND_OK ${f.notOk}`);
  /** For each role and runtime of scenario `name` (when it was run): Skiff's figures beside RocketMQ's. */
  const vsRocketMQ = (name: string, each: (runtime: RuntimeName, role: Role, f: Figures, base: Figures) => void) => {
    const s = scenario(name);
    if (!s) return;
    for (const role of roles) {
      const base = of(s, role, ROCKETMQ);
      for (const runtime of runtimes) each(runtime, role, of(s, role, skiff(runtime)), base);
    }
  };

  vsRocketMQ("sync-32", (runtime, role, f, base) => {
    const t = throughputTarget(runtime, driver);
    const r = ratio(f.msgsPerSec, base.msgsPerSec);
    const p99 = ratio(f.p99Ms, base.p99Ms);
    const measured = r === null || p99 === null ? null : `${x(r)} (${fmt(f.msgsPerSec!.median)} / ${fmt(base.msgsPerSec!.median)} msgs/s), p99 ${x(p99)}${dirt(f)}`;
    judge(`msgs/s ≥ ${t.minRatio}× RocketMQ's${t.maxP99Ratio === null ? "" : `, p99 ≤ ${t.maxP99Ratio}×`}`, `${systemName(skiff(runtime))}, sync-32, ${role}`, measured,
      r !== null && r >= t.minRatio && (t.maxP99Ratio === null || (p99 !== null && p99 <= t.maxP99Ratio)) && clean(f));
  });

  vsRocketMQ("sync-32", (runtime, role, f, base) => {
    if (role !== "SYNC_MASTER") return;
    const limit = runtime === "bun" ? 0.5 : 0.7;
    const r = ratio(f.cpuUs.both, base.cpuUs.both);
    judge(`CPU per message (master + slave) ≤ ${limit}× RocketMQ's`, `${systemName(skiff(runtime))}, sync-32, SYNC_MASTER`,
      r === null ? null : `${x(r)} (${fmt(f.cpuUs.both!.median)} / ${fmt(base.cpuUs.both!.median)} µs)`, r !== null && r <= limit);
  });

  vsRocketMQ("batch-8x32", (runtime, role, f, base) => {
    const r = ratio(f.msgsPerSec, base.msgsPerSec);
    judge("batched msgs/s ≥ 3× RocketMQ's", `${systemName(skiff(runtime))}, batch-8x32, ${role}`,
      r === null ? null : `${x(r)} (${fmt(f.msgsPerSec!.median)} / ${fmt(base.msgsPerSec!.median)} msgs/s)${dirt(f)}`, r !== null && r >= 3 && clean(f));
  });

  vsRocketMQ("one-1", (runtime, role, f, base) => {
    const r = ratio(f.p99Ms, base.p99Ms);
    judge("one-producer p99 ≤ RocketMQ's", `${systemName(skiff(runtime))}, one-1, ${role}`,
      r === null ? null : `${x(r)} (${f.p99Ms!.median.toFixed(2)} / ${base.p99Ms!.median.toFixed(2)} ms; p999 ${f.p999Ms?.median.toFixed(2)} / ${base.p999Ms?.median.toFixed(2)} ms)`, r !== null && r <= 1);
  });

  if (roles.includes("SYNC_MASTER") && roles.includes("ASYNC_MASTER")) {
    for (const s of scenarios) {
      for (const runtime of runtimes) {
        const r = ratio(of(s, "SYNC_MASTER", skiff(runtime)).msgsPerSec, of(s, "ASYNC_MASTER", skiff(runtime)).msgsPerSec);
        judge("SYNC_MASTER msgs/s ≥ 0.9× ASYNC_MASTER's", `${systemName(skiff(runtime))}, ${s.name}`, r === null ? null : x(r), r !== null && r >= 0.9);
      }
    }
  }

  if (runtimes.includes("bun")) {
    for (const s of scenarios) {
      for (const role of roles) {
        const bun = of(s, role, skiff("bun"));
        for (const runtime of runtimes.filter((r) => r !== "bun")) {
          const r = ratio(of(s, role, skiff(runtime)).msgsPerSec, bun.msgsPerSec);
          judge("msgs/s ≥ 0.7× Bun's", `${systemName(skiff(runtime))}, ${s.name}, ${role}`, r === null ? null : x(r), r !== null && r >= 0.7);
        }
      }
    }
  }

  return out;
}

const fmtOr = (s: Spread | null) => (s === null ? "–" : fmt(s.median));
const seconds = (s: Spread) => (s.median / 1000).toFixed(2);
