/**
 * The RocketMQ benchmark's results as files: `<dir>/<date>.md` (the machine, the settings, per
 * scenario and role a table of every system's medians with their spread and Skiff's ratios, the
 * processes' memory and start-up, every target PASS or FALLS SHORT, and the raw row lines) and
 * `<dir>/<date>.svg`, a bar chart of Skiff's msgs/s as a ratio of RocketMQ's per scenario and
 * role, with RocketMQ's 1× and the target marked. A `--quick` run writes `<date>-quick.*`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { figuresOf, processFiguresOf, type Row } from "./figures.ts";
import { fmt, rowLine, spreadText } from "./report.ts";
import { brokersName, systemName, type Role, type Scenario, type Settings, type System } from "./settings.ts";
import type { Verdict } from "./targets.ts";

export interface RunRecord {
  readonly date: string;
  readonly command: string;
  readonly facts: readonly string[];
  readonly settings: Settings;
  readonly systems: readonly System[];
  readonly rows: readonly Row[];
  readonly verdicts: readonly Verdict[];
  readonly wallSeconds: number;
  /** The slave catch-up rows: the table (catch-up.ts) and each row as it ran; absent or empty when not run. */
  readonly catchUp?: { readonly table: readonly string[]; readonly lines: readonly string[] };
}

/** Writes the two files; answers their paths. */
export async function writeResults(record: RunRecord): Promise<{ markdown: string; chart: string }> {
  const base = `${record.date}${record.settings.quick ? "-quick" : ""}`;
  await mkdir(record.settings.outDir, { recursive: true });
  const markdown = join(record.settings.outDir, `${base}.md`);
  const chart = join(record.settings.outDir, `${base}.svg`);
  await writeFile(chart, resultsChart(record));
  await writeFile(markdown, resultsMarkdown(record, `${base}.svg`));
  return { markdown, chart };
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

export function resultsMarkdown(record: RunRecord, chartFile: string): string {
  const { settings, rows, systems } = record;
  const out: string[] = [
    `# Skiff vs Apache RocketMQ 4.9.7 — ${record.date}${settings.quick ? " (quick mode: proves the benchmark runs, figures not meaningful)" : ""}`,
    "",
    `\`${record.command}\` — ${rows.length} rows in ${fmt(record.wallSeconds)} s; ${settings.durationMs / 1000} s measured per row after ${settings.warmupMs / 1000} s of warm-up, ${settings.rounds} round(s), systems interleaved (RocketMQ first in odd rounds, last in even ones), fresh stores each row. Every pair is a name server + master + one slave, each its own process, ASYNC_FLUSH. The Java producer (bench/java/LoadGen.java, client 4.9.7) drives RocketMQ and the Skiff rows named by runtime alone; \`(wrk)\` rows are driven by Debian's wrk over keep-alive HTTP to the master, \`(client)\` rows by Skiff's own client under Bun, both with the same bodies, threads and batches (a batch as RocketMQ's binary batch).`,
    "",
    ...record.facts.map((f) => `- ${cell(f)}`),
    "",
    `![Skiff msgs/s as a ratio of RocketMQ's](${chartFile})`,
    "",
    "Medians over the rounds, lowest–highest in brackets; ratios are Skiff's median over RocketMQ's. CPU per message is each broker process's user + system time over the measured window (/proc/<pid>/stat) divided by the messages acknowledged in it; the load generator's is its own process's, the same way (the machine's cores are shared: what the load generator uses, the brokers cannot).",
  ];
  for (const scenario of settings.scenarios) {
    for (const role of settings.roles) out.push("", ...scenarioTable(rows, scenario, role, systems));
  }
  if (record.catchUp !== undefined && record.catchUp.table.length > 0) out.push("", ...record.catchUp.table);
  out.push("", "## Memory and start-up", "", "| system | idle RSS, MB (larger of master and slave) | peak RSS under load, MB | master start to ready, s |", "|---|---|---|---|");
  for (const system of systems.filter((s) => s.kind === "rocketmq" || s.driver === systems.find((t) => t.kind === "skiff")?.driver)) {
    const p = processFiguresOf(rows, system);
    out.push(`| ${brokersName(system)} | ${spreadText(p.idleRssMB)} | ${spreadText(p.loadedRssMB)} | ${p.masterReadyMs === null ? "–" : spreadText({ ...p.masterReadyMs, median: p.masterReadyMs.median / 1000, min: p.masterReadyMs.min / 1000, max: p.masterReadyMs.max / 1000 }, 2)} |`);
  }
  out.push("", "## Targets", "", "| outcome | target | measured on | figures |", "|---|---|---|---|");
  for (const v of record.verdicts) out.push(`| ${v.outcome === "PASS" ? "PASS" : `**${v.outcome}**`} | ${cell(v.target)} | ${cell(v.subject)} | ${cell(v.measured)} |`);
  const passed = record.verdicts.filter((v) => v.outcome === "PASS").length;
  out.push("", `${passed} of ${record.verdicts.length} targets PASS.`, "", "## Rows as they ran", "", "```", ...rows.map(rowLine), ...(record.catchUp?.lines ?? []), "```", "");
  return out.join("\n");
}

function scenarioTable(rows: readonly Row[], scenario: Scenario, role: Role, systems: readonly System[]): string[] {
  const base = figuresOf(rows, scenario, role, { kind: "rocketmq" });
  const out = [
    `## ${scenario.name}, ${role} (${scenario.threads} producer thread${scenario.threads === 1 ? "" : "s"}, ${scenario.batchSize === 1 ? "one message per send" : `batches of ${scenario.batchSize}`}, ${scenario.bodyBytes} B)`,
    "",
    "| system | msgs/s | ÷ RocketMQ | p50 ms | p99 ms | p999 ms | CPU/msg master µs | CPU/msg slave µs | CPU/msg load generator µs | errors, not SEND_OK |",
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const system of systems) {
    const f = system.kind === "rocketmq" ? base : figuresOf(rows, scenario, role, system);
    if (f.runs === 0) {
      out.push(`| ${systemName(system)} | no result: ${cell(f.failures[0] ?? "not run")} | | | | | | | | |`);
      continue;
    }
    const ratio = system.kind === "rocketmq" || base.msgsPerSec === null ? "1×" : `${(f.msgsPerSec!.median / base.msgsPerSec.median).toFixed(2)}×`;
    out.push(`| ${systemName(system)} | ${spreadText(f.msgsPerSec)} | ${system.kind === "rocketmq" ? "" : ratio} | ${spreadText(f.p50Ms, 2)} | ${spreadText(f.p99Ms, 2)} | ${spreadText(f.p999Ms, 2)} | ${spreadText(f.cpuUs.master)} | ${spreadText(f.cpuUs.slave)} | ${spreadText(f.cpuUs.generator)} | ${f.errors}, ${f.notOk} |`);
  }
  return out;
}

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Horizontal bars, one group per scenario and role, one bar per Skiff runtime and driver; x = Skiff ÷ RocketMQ msgs/s. */
export function resultsChart(record: RunRecord): string {
  const skiffs = record.systems.filter((s): s is System & { kind: "skiff" } => s.kind === "skiff");
  const colours: Record<string, string> = { bun: "#f472b6", deno: "#34d399", node: "#60a5fa" };
  const opacity: Record<string, string> = { java: "1", wrk: "0.7", client: "0.45" };
  const groups = record.settings.scenarios.flatMap((scenario) => record.settings.roles.map((role) => ({ scenario, role })));
  const ratios = groups.map(({ scenario, role }) => {
    const base = figuresOf(record.rows, scenario, role, { kind: "rocketmq" }).msgsPerSec;
    return skiffs.map((system) => {
      const f = figuresOf(record.rows, scenario, role, system).msgsPerSec;
      return f === null || base === null || base.median === 0 ? null : { ratio: f.median / base.median, msgsPerSec: f.median };
    });
  });
  const scaleMax = Math.max(3, ...ratios.flat().map((r) => r?.ratio ?? 0)) * 1.05;
  const left = 190, width = 520, barH = 18, gap = 6, groupGap = 26, top = 44;
  const x = (ratio: number) => left + (ratio / scaleMax) * width;
  const height = top + groups.length * (skiffs.length * (barH + gap) + groupGap) + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 150}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(`Skiff msgs/s ÷ RocketMQ 4.9.7's (Java producer), Skiff by the same producer, wrk and its client, ${record.date}${record.settings.quick ? " (quick)" : ""}`)}</text>`,
  ];
  let y = top;
  groups.forEach(({ scenario, role }, g) => {
    parts.push(`<text x="10" y="${y + 12}" font-weight="bold">${escapeXml(`${scenario.name} ${role}`)}</text>`);
    skiffs.forEach((system, i) => {
      const r = ratios[g][i];
      const by = y + 18 + i * (barH + gap);
      parts.push(`<text x="${left - 8}" y="${by + 13}" text-anchor="end">${escapeXml(systemName(system))}</text>`);
      if (r === null) {
        parts.push(`<text x="${left + 4}" y="${by + 13}" fill="#888">no result</text>`);
        return;
      }
      parts.push(`<rect x="${left}" y="${by}" width="${(x(r.ratio) - left).toFixed(1)}" height="${barH}" fill="${colours[system.runtime]}" fill-opacity="${opacity[system.driver]}"/>`);
      parts.push(`<text x="${(x(r.ratio) + 4).toFixed(1)}" y="${by + 13}">${escapeXml(`${r.ratio.toFixed(2)}× (${fmt(r.msgsPerSec)} msgs/s)`)}</text>`);
    });
    y += 18 + skiffs.length * (barH + gap) + groupGap;
  });
  const axisBottom = y - groupGap + 6;
  for (const [ratio, label, dash] of [[1, "RocketMQ = 1×", "4 3"], [2, "2×", "2 4"], [3, "3×", "2 4"]] as const) {
    parts.push(`<line x1="${x(ratio).toFixed(1)}" y1="${top}" x2="${x(ratio).toFixed(1)}" y2="${axisBottom}" stroke="#333" stroke-dasharray="${dash}"/>`);
    parts.push(`<text x="${x(ratio).toFixed(1)}" y="${axisBottom + 14}" text-anchor="middle" fill="#333">${label}</text>`);
  }
  parts.push("</svg>", "");
  return parts.join("\n");
}
