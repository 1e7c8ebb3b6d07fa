/**
 * What the RocketMQ benchmark prints: the machine facts at the top (CPUs, memory, kernel,
 * `java -version`, runtime versions), one line per row as it finishes, and the summary: per
 * scenario and role, each system's mean msgs/s and p99 over the rounds, Skiff's ratios to
 * RocketMQ's, and whether each Skiff row meets its target (settings.ts); with each figure, the CPU
 * the master and the slave spent per message during the measured window (the first thing to look
 * at where a target is missed: a broker at one full core per JavaScript thread is CPU-bound).
 */
import { spawnSync } from "node:child_process";
import { cpus, loadavg, release, totalmem } from "node:os";
import type { LoadFailure, LoadResult } from "./load-generator.ts";
import { systemName, targetOf, type Role, type Scenario, type System } from "./settings.ts";

export interface Row {
  readonly round: number;
  readonly scenario: Scenario;
  readonly role: Role;
  readonly system: System;
  readonly result: LoadResult | LoadFailure;
  /** Wall time of the row's phases: starting the pair, the load generator's JVM, stopping the pair. */
  readonly phasesMs: { readonly start: number; readonly load: number; readonly stop: number };
  /** The machine's 1-minute load average when the row began (other work on the machine skews figures). */
  readonly loadAverage: number;
}

/** The output of a version command (stdout, or stderr where it prints there, as `java -version` does), on one line. */
function versionOf(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: "utf8", timeout: 20_000 });
  if (r.error) return `(${command} not runnable: ${r.error.message})`;
  return `${r.stdout}\n${r.stderr}`.trim().split("\n").map((l) => l.trim()).filter((l) => l.length > 0).join(" | ");
}

export function machineFacts(): string[] {
  return [
    `machine: nproc ${cpus().length} (${cpus()[0]?.model ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${release()}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
    `java -version: ${versionOf("java", ["-version"])}`,
    `runtimes: bun ${versionOf("bun", ["--version"])}; ${versionOf("deno", ["--version"])}; node ${versionOf("node", ["--version"])}`,
  ];
}

/** Clock ticks per second of /proc/<pid>/stat (`getconf CLK_TCK`; 100 on Linux where it cannot be asked). */
const CLOCK_TICKS_PER_SECOND = (() => {
  const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8", timeout: 5000 });
  const ticks = Number.parseInt(r.stdout ?? "", 10);
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
})();

/**
 * CPU the master and the slave used per acknowledged message over the measured window, in µs
 * (user + system time from /proc, divided by the messages sent in the window); null if unknown.
 */
export function cpuPerMessageUs(result: LoadResult): { master: number; slave: number } | null {
  const ticks = result.cpuTicks;
  if (ticks === undefined || ticks.length < 2 || ticks[0] < 0 || ticks[1] < 0 || result.messages === 0) return null;
  const us = (t: number) => (t / CLOCK_TICKS_PER_SECOND) * 1e6 / result.messages;
  return { master: us(ticks[0]), slave: us(ticks[1]) };
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

function notOk(statuses: Record<string, number>): number {
  return Object.entries(statuses).filter(([s]) => s !== "SEND_OK").reduce((sum, [, n]) => sum + n, 0);
}

/** One finished row, as a line. */
export function rowLine(row: Row): string {
  const head = `round ${row.round}  ${row.scenario.name.padEnd(10)} ${row.role.padEnd(12)} ${systemName(row.system).padEnd(14)}`;
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const busy = row.loadAverage > cpus().length ? " — the machine was busy with other work, figures unreliable" : "";
  const tail = `(start ${s(row.phasesMs.start)} s, load ${s(row.phasesMs.load)} s, stop ${s(row.phasesMs.stop)} s; load average ${row.loadAverage.toFixed(2)}${busy})`;
  const r = row.result;
  if (!r.ok) return `${head} NO RESULT (${r.phase}): ${r.error} ${tail}`;
  const statuses = Object.entries(r.statuses).map(([s, n]) => `${s} ${n}`).join(", ") || "none";
  const errors = r.errors === 0 ? "errors 0" : `errors ${r.errors} ${JSON.stringify(r.errorKinds)} first: ${r.firstError}`;
  const cpu = cpuPerMessageUs(r);
  const cpuText = cpu === null ? "" : `  CPU/msg master ${cpu.master.toFixed(0)} µs, slave ${cpu.slave.toFixed(0)} µs`;
  return `${head} ${fmt(r.msgsPerSec).padStart(9)} msgs/s  p50 ${r.latencyMs.p50.toFixed(2)} ms  p99 ${r.latencyMs.p99.toFixed(2)} ms  max ${r.latencyMs.max.toFixed(1)} ms${cpuText}  [${statuses}; ${errors}] ${tail}`;
}

interface Mean {
  readonly msgsPerSec: number;
  readonly p99Ms: number;
  readonly runs: number;
  readonly errors: number;
  readonly notOk: number;
  readonly failures: string[];
  /** Mean CPU per message (µs) of the master and the slave, over the rows that measured it. */
  readonly cpuUs: { readonly master: number; readonly slave: number } | null;
}

function meanOf(rows: readonly Row[]): Mean {
  const done = rows.map((r) => r.result).filter((r): r is LoadResult => r.ok);
  const failures = rows.map((r) => r.result).filter((r): r is LoadFailure => !r.ok).map((r) => `${r.phase}: ${r.error.slice(0, 240)}`);
  const avg = (f: (r: LoadResult) => number) => (done.length === 0 ? NaN : done.reduce((s, r) => s + f(r), 0) / done.length);
  const cpus = done.map(cpuPerMessageUs).filter((c): c is { master: number; slave: number } => c !== null);
  const cpuUs = cpus.length === 0 ? null : {
    master: cpus.reduce((sum, c) => sum + c.master, 0) / cpus.length,
    slave: cpus.reduce((sum, c) => sum + c.slave, 0) / cpus.length,
  };
  return {
    cpuUs,
    msgsPerSec: avg((r) => r.msgsPerSec), p99Ms: avg((r) => r.latencyMs.p99), runs: done.length,
    errors: done.reduce((s, r) => s + r.errors, 0), notOk: done.reduce((s, r) => s + notOk(r.statuses), 0), failures,
  };
}

function cpuText(mean: Mean): string {
  return mean.cpuUs === null ? "" : `  CPU/msg master ${mean.cpuUs.master.toFixed(0)} µs, slave ${mean.cpuUs.slave.toFixed(0)} µs`;
}

/** The summary of every (scenario, role): means over the rounds, ratios to RocketMQ and targets. */
export function summary(rows: readonly Row[], scenarios: readonly Scenario[], roles: readonly Role[], systems: readonly System[]): string[] {
  const out = ["", `summary (mean over the rounds that produced figures; ratio = Skiff / RocketMQ; a row with send errors or statuses other than SEND_OK does not meet its target)`];
  for (const scenario of scenarios) {
    for (const role of roles) {
      const of = (system: System) => meanOf(rows.filter((r) => r.scenario === scenario && r.role === role && systemName(r.system) === systemName(system)));
      const base = of({ kind: "rocketmq" });
      out.push(`${scenario.name} (${scenario.threads} threads × ${scenario.batchSize} msg/call, ${scenario.bodyBytes} B), ${role}:`);
      out.push(`  ${"RocketMQ 4.9.7".padEnd(14)} ${base.runs === 0 ? `no result: ${base.failures[0] ?? "not run"}` : `${fmt(base.msgsPerSec).padStart(9)} msgs/s  p99 ${base.p99Ms.toFixed(2)} ms${cpuText(base)}  (${base.runs} runs, errors ${base.errors}, not SEND_OK ${base.notOk})`}`);
      for (const system of systems) {
        if (system.kind !== "skiff") continue;
        const skiff = of(system);
        const target = targetOf(system.runtime);
        const wanted = `target ≥ ${target.minThroughputRatio}× msgs/s${target.maxP99Ratio === null ? "" : `, p99 ≤ ${target.maxP99Ratio}×`}`;
        if (skiff.runs === 0 || base.runs === 0) {
          const why = skiff.runs === 0 ? (skiff.failures[0] ?? "not run") : "no RocketMQ figures to compare with";
          out.push(`  ${systemName(system).padEnd(14)} no result: ${why}  → ${wanted}: NOT MET`);
          continue;
        }
        const tput = skiff.msgsPerSec / base.msgsPerSec;
        const p99 = skiff.p99Ms / base.p99Ms;
        const met = tput >= target.minThroughputRatio && (target.maxP99Ratio === null || p99 <= target.maxP99Ratio) && skiff.errors === 0 && skiff.notOk === 0;
        out.push(`  ${systemName(system).padEnd(14)} ${fmt(skiff.msgsPerSec).padStart(9)} msgs/s  p99 ${skiff.p99Ms.toFixed(2)} ms${cpuText(skiff)}  ${systemName(system)} / RocketMQ = ${tput.toFixed(2)}× msgs/s, p99 ${p99.toFixed(2)}×  → ${wanted}: ${met ? "met" : "NOT MET"}${skiff.errors + skiff.notOk > 0 ? ` (errors ${skiff.errors}, not SEND_OK ${skiff.notOk})` : ""}`);
      }
    }
  }
  return out;
}
