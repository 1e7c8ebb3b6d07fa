/**
 * Soak benchmark (issue 13 item 2): each Skiff runtime's pair (name server, SYNC_MASTER master,
 * one slave, each its own process) under the same Java producer as the RocketMQ benchmark, paced
 * to a fixed rate (by default 2,500 msgs/s: half of what a Bun pair sustains with 32 producers on
 * a 2-core machine) for SKIFF_BENCH_SOAK_SECONDS (600). The master's and the slave's resident sets
 * are sampled every 5 s; the verdicts (rocketmq/soak.ts): idle RSS ≤ 80 MB, RSS flat within ±10 %
 * after the first minute. Writes bench/results/<date>-soak.md.
 *
 *   npm run bench -- soak [--runtimes=bun,deno,node] [--out=DIR]
 *   SKIFF_BENCH_SOAK_SECONDS=600 SKIFF_BENCH_SOAK_RATE=2500 (the defaults; a whole run is ~31 minutes)
 *
 * Runs under Node; every process is stopped by PID, also on SIGINT/SIGTERM; loopback only.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LoadResult } from "./rocketmq/load-generator.ts";
import { prepareLoadGenerator } from "./rocketmq/load-generator.ts";
import { pairPorts, type Pair } from "./rocketmq/pair.ts";
import { rssBytes } from "./rocketmq/process-stats.ts";
import { fmt, machineFacts } from "./rocketmq/report.ts";
import { brokersName, RUNTIMES, type Scenario } from "./rocketmq/settings.ts";
import { startSkiffPair } from "./rocketmq/skiff-pair.ts";
import { soakVerdict, SOAK_WARMUP_SECONDS, type RssSample, type SoakVerdict } from "./rocketmq/soak.ts";
import type { RuntimeName } from "../test/support/platform.ts";

const SAMPLE_EVERY_MS = 5000;

function numberEnv(name: string, fallback: number, min: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) {
    console.error(`${name}=${text}: a number ≥ ${min} is needed`);
    process.exit(2);
  }
  return value;
}

const args = process.argv.slice(2);
for (const a of args) {
  if (!a.startsWith("--runtimes=") && !a.startsWith("--out=")) {
    console.error(`unknown argument ${a} (known: --runtimes=… --out=…)`);
    process.exit(2);
  }
}
const runtimes = (args.find((a) => a.startsWith("--runtimes="))?.slice(11).split(",") ?? [...RUNTIMES]) as RuntimeName[];
for (const r of runtimes) if (!RUNTIMES.includes(r)) { console.error(`--runtimes: ${JSON.stringify(r)} is not one of ${RUNTIMES.join(", ")}`); process.exit(2); }
const outDir = args.find((a) => a.startsWith("--out="))?.slice(6) || "bench/results";
const seconds = numberEnv("SKIFF_BENCH_SOAK_SECONDS", 600, 1);
const rate = Math.round(numberEnv("SKIFF_BENCH_SOAK_RATE", 2500, 1));
const scenario: Scenario = { name: "soak", threads: 32, batchSize: 1, bodyBytes: 1024, ratePerSec: rate };

let current: Pair | null = null;
const dir = await mkdtemp(join(tmpdir(), "skiff-bench-soak-"));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void (current?.stop() ?? Promise.resolve()).catch(() => undefined).then(() => rm(dir, { recursive: true, force: true })).finally(() => process.exit(130));
  });
}

interface SoakRow {
  readonly runtime: RuntimeName;
  readonly result: LoadResult | { ok: false; phase: string; error: string };
  readonly master: SoakVerdict | null;
  readonly slave: SoakVerdict | null;
  readonly samples: ReadonlyArray<{ atSeconds: number; master: number | null; slave: number | null }>;
}

async function soak(runtime: RuntimeName, load: Awaited<ReturnType<typeof prepareLoadGenerator>>): Promise<SoakRow> {
  const rowDir = join(dir, runtime);
  await mkdir(join(rowDir, "producer"), { recursive: true });
  current = await startSkiffPair(runtime, "SYNC_MASTER", rowDir, await pairPorts());
  const pair = current;
  try {
    const [idleMaster, idleSlave] = await Promise.all([rssBytes(pair.brokerPids.master), rssBytes(pair.brokerPids.slave)]);
    const samples: Array<{ atSeconds: number; master: number | null; slave: number | null }> = [];
    const started = performance.now();
    const timer = setInterval(() => {
      void Promise.all([rssBytes(pair.brokerPids.master), rssBytes(pair.brokerPids.slave)]).then(([master, slave]) => {
        samples.push({ atSeconds: (performance.now() - started) / 1000, master, slave });
      });
    }, SAMPLE_EVERY_MS);
    let result: SoakRow["result"];
    try {
      result = await load.run(pair, scenario, { warmupMs: 0, durationMs: seconds * 1000 }, join(rowDir, "producer"), "bench_soak", [pair.brokerPids.master, pair.brokerPids.slave]);
    } finally {
      clearInterval(timer);
    }
    const series = (pick: (s: (typeof samples)[number]) => number | null): RssSample[] =>
      samples.flatMap((s) => (pick(s) === null ? [] : [{ atSeconds: s.atSeconds, bytes: pick(s)! }]));
    return { runtime, result, samples, master: soakVerdict(idleMaster, series((s) => s.master)), slave: soakVerdict(idleSlave, series((s) => s.slave)) };
  } finally {
    await pair.stop().catch((error: Error) => console.error(`stopping Skiff ${runtime}: ${error.message}`));
    current = null;
    await rm(rowDir, { recursive: true, force: true });
  }
}

function verdictText(what: string, v: SoakVerdict | null): string {
  if (v === null) return `${what}: no verdict (the soak must run at least ${SOAK_WARMUP_SECONDS + 60} s)`;
  return `${what}: idle ${fmt(v.idleMB)} MB (${v.idle}); after the first minute median ${fmt(v.medianMB)} MB, ${fmt(v.minMB)}–${fmt(v.maxMB)}, first minute ${fmt(v.firstMinuteMB)} → last minute ${fmt(v.lastMinuteMB)} MB (flat ±10%: ${v.flat})`;
}

try {
  const facts = machineFacts();
  const header = `# Soak: Skiff pairs (SYNC_MASTER + one slave) under the Java producer paced to ${fmt(rate)} msgs/s (32 threads, 1 KiB) for ${seconds} s each; RSS sampled every ${SAMPLE_EVERY_MS / 1000} s`;
  console.log(header);
  for (const line of facts) console.log(line);
  const load = await prepareLoadGenerator();
  const rows: SoakRow[] = [];
  for (const runtime of runtimes) {
    const row = await soak(runtime, load);
    rows.push(row);
    const r = row.result;
    console.log(`${brokersName({ kind: "skiff", runtime, driver: "java" })}: ${r.ok ? `${fmt(r.msgsPerSec)} msgs/s, p99 ${r.latencyMs.p99.toFixed(2)} ms, errors ${r.errors}, statuses ${JSON.stringify(r.statuses)}` : `NO RESULT (${r.phase}): ${r.error}`}`);
    console.log(`  ${verdictText("master", row.master)}`);
    console.log(`  ${verdictText("slave", row.slave)}`);
  }
  const date = new Date().toISOString().slice(0, 10);
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, `${date}-soak.md`);
  const md = [
    `# Skiff soak — ${date}`, "", header.slice(2), "", ...facts.map((f) => `- ${f.replace(/\|/g, "\\|")}`), "",
    "| system | msgs/s | p99 ms | errors | broker | idle RSS MB | median after 1 min | min–max | first → last minute | idle ≤ 80 MB | flat ±10% |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows.flatMap((row) => (["master", "slave"] as const).map((which) => {
      const v = row[which];
      const r = row.result;
      const load = r.ok ? `${fmt(r.msgsPerSec)} | ${r.latencyMs.p99.toFixed(2)} | ${r.errors}` : `no result: ${r.error.replace(/\|/g, "\\|")} | | `;
      return v === null
        ? `| ${brokersName({ kind: "skiff", runtime: row.runtime, driver: "java" })} | ${load} | ${which} | | | | | NO FIGURES | NO FIGURES |`
        : `| ${brokersName({ kind: "skiff", runtime: row.runtime, driver: "java" })} | ${load} | ${which} | ${fmt(v.idleMB)} | ${fmt(v.medianMB)} | ${fmt(v.minMB)}–${fmt(v.maxMB)} | ${fmt(v.firstMinuteMB)} → ${fmt(v.lastMinuteMB)} | ${v.idle} | ${v.flat} |`;
    })),
    "", "## RSS samples (s: master MB / slave MB)", "",
    ...rows.map((row) => `- ${brokersName({ kind: "skiff", runtime: row.runtime, driver: "java" })}: ${row.samples.map((s) => `${s.atSeconds.toFixed(0)}: ${s.master === null ? "–" : fmt(s.master / 1e6)}/${s.slave === null ? "–" : fmt(s.slave / 1e6)}`).join(", ")}`),
    "",
  ].join("\n");
  await writeFile(file, md);
  console.log(`results: ${file}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
