/**
 * What the RocketMQ benchmark prints: the machine facts at the top (CPUs, memory, kernel,
 * `java -version`, runtime versions), one line per row as it finishes, and the summary: per
 * scenario and role, each system's median msgs/s, p99 and CPU per message over the rounds with
 * their spread, Skiff's ratios to RocketMQ's, then every target (targets.ts) PASS or FALLS SHORT.
 * CPU per message is the first thing to look at where a target is missed: a broker at one full
 * core per JavaScript thread is CPU-bound, and it is the figure a busy machine disturbs least.
 */
import { spawnSync } from "node:child_process";
import { cpus, loadavg, release, totalmem } from "node:os";
import { cpuPerMessageUs, figuresOf, type Figures, type Row, type Spread } from "./figures.ts";
import { systemName, type Role, type Scenario, type System } from "./settings.ts";
import type { Verdict } from "./targets.ts";

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

/** Above this share of the machine busy before a row (with none of the benchmark's processes running), its figures are marked unreliable. */
export const BUSY_SHARE = 0.25;

export const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** `median (min–max)`, or the median alone when there was one value. */
export function spreadText(s: Spread | null, digits = 0): string {
  if (s === null) return "–";
  return s.n === 1 || s.min === s.max ? fmt(s.median, digits) : `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

/** One finished row, as a line. */
export function rowLine(row: Row): string {
  const head = `round ${row.round}  ${row.scenario.name.padEnd(10)} ${row.role.padEnd(12)} ${systemName(row.system).padEnd(20)}`;
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const other = row.busyBefore ?? null;
  const busy = other !== null && other > BUSY_SHARE ? " — the machine was busy with other work, figures unreliable" : "";
  const otherText = other === null ? "" : `, CPU busy before ${(other * 100).toFixed(0)}%`;
  const tail = `(start ${s(row.phasesMs.start)} s, load ${s(row.phasesMs.load)} s, stop ${s(row.phasesMs.stop)} s; load average ${row.loadAverage.toFixed(2)}${otherText}${busy})`;
  const r = row.result;
  if (!r.ok) return `${head} NO RESULT (${r.phase}): ${r.error} ${tail}`;
  const statuses = Object.entries(r.statuses).map(([s, n]) => `${s} ${n}`).join(", ") || "none";
  const errors = r.errors === 0 ? "errors 0" : `errors ${r.errors} ${JSON.stringify(r.errorKinds)} first: ${r.firstError}`;
  const cpu = cpuPerMessageUs(r);
  const generator = cpu?.generator == null ? "" : `, load generator ${cpu.generator.toFixed(0)} µs`;
  const cpuText = cpu === null ? "" : `  CPU/msg master ${cpu.master.toFixed(0)} µs, slave ${cpu.slave.toFixed(0)} µs${generator}`;
  const mb = (bytes: number | null) => (bytes === null ? "–" : fmt(bytes / 1e6));
  const rss = row.rss === undefined ? "" : `  RSS MB master ${mb(row.rss.idle.master)}→${mb(row.rss.loaded.master)}, slave ${mb(row.rss.idle.slave)}→${mb(row.rss.loaded.slave)}`;
  const ready = row.readyMs === undefined ? "" : `  ready ${(row.readyMs.master / 1000).toFixed(2)} s`;
  return `${head} ${fmt(r.msgsPerSec).padStart(9)} msgs/s  p50 ${r.latencyMs.p50.toFixed(2)} ms  p99 ${r.latencyMs.p99.toFixed(2)} ms  p999 ${r.latencyMs.p999.toFixed(2)} ms  max ${r.latencyMs.max.toFixed(1)} ms${cpuText}${rss}${ready}  [${statuses}; ${errors}] ${tail}`;
}

function figuresText(f: Figures): string {
  const generator = f.cpuUs.generator === null ? "" : `, load generator ${spreadText(f.cpuUs.generator)} µs`;
  const cpu = f.cpuUs.master === null ? "" : `  CPU/msg master ${spreadText(f.cpuUs.master)} µs, slave ${spreadText(f.cpuUs.slave)} µs${generator}`;
  return `${spreadText(f.msgsPerSec).padStart(9)} msgs/s  p99 ${spreadText(f.p99Ms, 2)} ms  p999 ${spreadText(f.p999Ms, 2)} ms${cpu}  (${f.runs} runs, errors ${f.errors}, not SEND_OK ${f.notOk})`;
}

/** `; ÷ base …`: a Skiff system's medians over its `--baseline` twin's (same runtime and driver), when that ran. */
function versusBaseline(rows: readonly Row[], scenario: Scenario, role: Role, system: System, f: Figures): string {
  if (system.kind !== "skiff" || system.baseline !== undefined) return "";
  const twin = rows.find((r) => r.system.kind === "skiff" && r.system.baseline !== undefined && r.system.runtime === system.runtime && r.system.driver === system.driver);
  if (twin === undefined) return "";
  const b = figuresOf(rows, scenario, role, twin.system);
  if (b.msgsPerSec === null || f.msgsPerSec === null) return "";
  const [mine, theirs] = [f.cpuUs.both, b.cpuUs.both];
  const cpuText = mine === null || theirs === null ? "" : `, CPU/msg ${(mine.median / theirs.median).toFixed(2)}×`;
  return `; ÷ base ${(f.msgsPerSec.median / b.msgsPerSec.median).toFixed(2)}× msgs/s${cpuText}`;
}

/** Per scenario and role: each system's medians (spread) and Skiff's ratios; then the targets. */
export function summary(rows: readonly Row[], scenarios: readonly Scenario[], roles: readonly Role[], systems: readonly System[], verdictList: readonly Verdict[], catchUp: readonly string[] = []): string[] {
  const out = ["", "summary (median over the rounds that produced figures, lowest–highest in brackets; ratio = Skiff / RocketMQ of the medians)"];
  for (const scenario of scenarios) {
    for (const role of roles) {
      const base = figuresOf(rows, scenario, role, { kind: "rocketmq" });
      out.push(`${scenario.name} (${scenario.threads} threads × ${scenario.batchSize} msg/call, ${scenario.bodyBytes} B), ${role}:`);
      for (const system of systems) {
        const f = system.kind === "rocketmq" ? base : figuresOf(rows, scenario, role, system);
        const name = systemName(system).padEnd(20);
        if (f.runs === 0) {
          out.push(`  ${name} no result: ${f.failures[0] ?? "not run"}`);
          continue;
        }
        const vs = system.kind === "rocketmq" || base.msgsPerSec === null || base.p99Ms === null
          ? ""
          : `  = ${(f.msgsPerSec!.median / base.msgsPerSec.median).toFixed(2)}× msgs/s, p99 ${(f.p99Ms!.median / base.p99Ms.median).toFixed(2)}×`;
        out.push(`  ${name} ${figuresText(f)}${vs}${versusBaseline(rows, scenario, role, system, f)}`);
      }
    }
  }
  out.push(...catchUp);
  out.push("", "targets (same-run ratios):");
  for (const v of verdictList) out.push(`  ${v.outcome.padEnd(11)} ${v.target} — ${v.subject}: ${v.measured}`);
  const short = verdictList.filter((v) => v.outcome !== "PASS").length;
  out.push(`  ${verdictList.length - short} of ${verdictList.length} targets PASS`);
  return out;
}
