/**
 * The RocketMQ benchmark's verdicts (bench/rocketmq/): its settings from flags and environment,
 * the interleaving of systems between rounds, the medians and spreads over rounds, every target
 * judged PASS / FALLS SHORT from same-run ratios, and the results file and chart.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import type { LoadFailure, LoadResult } from "../../bench/rocketmq/load-generator.ts";
import { childCpuTicks, machineBusyShare, WITH_CHILD_CPU } from "../../bench/rocketmq/process-stats.ts";
import { cpuPerMessageUs, figuresOf, spreadOf, type Row } from "../../bench/rocketmq/figures.ts";
import { rowLine, summary } from "../../bench/rocketmq/report.ts";
import { resultsChart, resultsMarkdown, type RunRecord } from "../../bench/rocketmq/results-file.ts";
import { SCENARIOS, brokersName, readSettings, systemName, systemsInOrder, type Role, type Scenario, type System } from "../../bench/rocketmq/settings.ts";
import { verdicts, type Verdict } from "../../bench/rocketmq/targets.ts";
import { sendRequest } from "../../bench/rocketmq/http-load.ts";
import { resultOf as wrkResult } from "../../bench/rocketmq/wrk.ts";
import { catchUpLine, catchUpSummary, catchUpTable, catchUpVerdicts, type CatchUpRow } from "../../bench/rocketmq/catch-up.ts";
import { decodeBatch } from "../../src/codec/batch.ts";
import { decodePropertiesBytes } from "../../src/codec/properties.ts";

const [SYNC_32, BATCH, ONE] = SCENARIOS;
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

function result(msgsPerSec: number, p99: number, extra: Partial<LoadResult> = {}): LoadResult {
  return { ok: true, sends: msgsPerSec * 10, messages: msgsPerSec * 10, msgsPerSec, latencyMs: { p50: p99 / 4, p99, p999: p99 * 2, max: p99 * 3 }, errors: 0, errorKinds: {}, statuses: { SEND_OK: msgsPerSec * 10 }, ...extra };
}

/** A result whose master and slave used `masterUs` and `slaveUs` of CPU per message. */
function withCpu(r: LoadResult, masterUs: number, slaveUs: number): LoadResult {
  return { ...r, cpuTicks: [(masterUs * r.messages * CLOCK_TICKS) / 1e6, (slaveUs * r.messages * CLOCK_TICKS) / 1e6] };
}

function row(system: System, round: number, r: LoadResult | LoadFailure, scenario: Scenario = SYNC_32, role: Role = "SYNC_MASTER", extra: Partial<Row> = {}): Row {
  return { round, scenario, role, system, result: r, phasesMs: { start: 1, load: 1, stop: 1 }, loadAverage: 0.5, ...extra };
}

const rocketmq: System = { kind: "rocketmq" };
const bun: System = { kind: "skiff", runtime: "bun", driver: "java" };
const deno: System = { kind: "skiff", runtime: "deno", driver: "java" };
const node: System = { kind: "skiff", runtime: "node", driver: "java" };

function verdictOf(list: readonly Verdict[], target: RegExp, subject: string): Verdict {
  const found = list.filter((v) => target.test(v.target) && v.subject === subject);
  assert.equal(found.length, 1, `one verdict ${target} for ${subject} in:\n${list.map((v) => `${v.target} — ${v.subject}`).join("\n")}`);
  return found[0];
}

describe("RocketMQ benchmark settings", () => {
  it("defaults to every scenario, role and runtime, 10 s after 5 s of warm-up, 2 rounds, results in bench/results", () => {
    const s = readSettings([], {});
    assert.deepEqual(s.scenarios.map((x) => x.name), ["sync-32", "batch-8x32", "one-1"]);
    assert.deepEqual(s.roles, ["SYNC_MASTER", "ASYNC_MASTER"]);
    assert.deepEqual(s.runtimes, ["bun", "deno", "node"]);
    assert.deepEqual(s.drivers, ["java", "wrk", "client"]);
    assert.equal(s.catchUpMiB, 1000, "the catch-up rows: 1,000 MiB");
    assert.deepEqual([s.warmupMs, s.durationMs, s.rounds, s.javaHeap, s.quick, s.outDir], [5000, 10_000, 2, "2g", false, "bench/results"]);
  });

  it("takes subsets and knobs, and refuses what it does not know", () => {
    const s = readSettings(["--runtimes=deno", "--roles=ASYNC_MASTER", "--scenarios=batch-8x32", "--out=/tmp/x"], { SKIFF_BENCH_SECONDS: "3", SKIFF_BENCH_ROUNDS: "1" });
    assert.deepEqual([s.runtimes, s.roles, s.scenarios.map((x) => x.name), s.durationMs, s.rounds, s.outDir], [["deno"], ["ASYNC_MASTER"], ["batch-8x32"], 3000, 1, "/tmp/x"]);
    assert.deepEqual(readSettings(["--runtimes=none"], {}).runtimes, []);
    assert.throws(() => readSettings(["--runtimes=bun,jvm"], {}), /"jvm" is not one of bun, deno, node/);
    assert.deepEqual(readSettings(["--drivers=wrk"], {}).drivers, ["wrk"]);
    assert.deepEqual([readSettings(["--scenarios=one-1"], {}).catchUpMiB, readSettings(["--scenarios=catch-up"], { SKIFF_BENCH_CATCHUP_MB: "300" }).catchUpMiB], [null, 300]);
    assert.throws(() => readSettings([], { SKIFF_BENCH_CATCHUP_MB: "2048" }), /at most 1000 \(the bytes must fit in one 1 GiB segment/);
    assert.throws(() => readSettings(["--drivers=ab"], {}), /--drivers: "ab" is not one of java, wrk, client/);
    assert.throws(() => readSettings(["--rounds=3"], {}), /unknown argument --rounds=3/);
    assert.throws(() => readSettings(["--quickly"], {}), /unknown argument --quickly/);
    assert.throws(() => readSettings(["--out="], {}), /--out=: give a directory/);
    assert.throws(() => readSettings([], { SKIFF_BENCH_SECONDS: "fast" }), /SKIFF_BENCH_SECONDS=fast/);
    assert.throws(() => readSettings([], { SKIFF_BENCH_JAVA_HEAP: "lots" }), /SKIFF_BENCH_JAVA_HEAP=lots/);
  });

  it("--quick runs one short round of sync-32 under SYNC_MASTER unless told otherwise", () => {
    const q = readSettings(["--quick"], {});
    assert.deepEqual([q.quick, q.scenarios.map((x) => x.name), q.catchUpMiB, q.roles, q.rounds, q.warmupMs, q.durationMs, q.javaHeap], [true, ["sync-32"], 256, ["SYNC_MASTER"], 1, 1000, 2000, "512m"]);
    const told = readSettings(["--quick", "--roles=ASYNC_MASTER", "--scenarios=one-1"], { SKIFF_BENCH_SECONDS: "4", SKIFF_BENCH_JAVA_HEAP: "1g" });
    assert.deepEqual([told.roles, told.scenarios.map((x) => x.name), told.durationMs, told.javaHeap], [["ASYNC_MASTER"], ["one-1"], 4000, "1g"]);
  });

  it("runs RocketMQ first in odd rounds and last in even ones", () => {
    const s = readSettings(["--drivers=java"], {});
    assert.deepEqual(systemsInOrder(s, 1).map(systemName), ["RocketMQ 4.9.7", "Skiff Bun", "Skiff Deno", "Skiff Node"]);
    assert.deepEqual(systemsInOrder(s, 2).map(systemName), ["Skiff Node", "Skiff Deno", "Skiff Bun", "RocketMQ 4.9.7"]);
  });

  it("drives each Skiff runtime with every driver in turn; RocketMQ only with the Java producer", () => {
    const s = readSettings(["--runtimes=bun,deno"], {});
    assert.deepEqual(systemsInOrder(s, 1).map(systemName), ["RocketMQ 4.9.7", "Skiff Bun", "Skiff Bun (wrk)", "Skiff Bun (client)", "Skiff Deno", "Skiff Deno (wrk)", "Skiff Deno (client)"]);
    assert.deepEqual(systemsInOrder(s, 1).map(brokersName), ["RocketMQ 4.9.7", "Skiff Bun", "Skiff Bun", "Skiff Bun", "Skiff Deno", "Skiff Deno", "Skiff Deno"]);
  });
});

describe("RocketMQ benchmark figures", () => {
  it("takes the median and the spread over rounds, ignoring rounds without figures", () => {
    assert.deepEqual(spreadOf([30, 10, 20]), { median: 20, min: 10, max: 30, n: 3 });
    assert.deepEqual(spreadOf([10, null, 40, undefined]), { median: 25, min: 10, max: 40, n: 2 });
    assert.equal(spreadOf([null]), null);
    const failure: LoadFailure = { ok: false, phase: "createTopic", error: "refused" };
    const f = figuresOf([row(bun, 1, result(1000, 4)), row(bun, 2, failure), row(bun, 3, result(3000, 2)), row(deno, 1, result(9, 9))], SYNC_32, "SYNC_MASTER", bun);
    assert.deepEqual([f.runs, f.msgsPerSec?.median, f.msgsPerSec?.min, f.p99Ms?.median, f.failures], [2, 2000, 1000, 3, ["createTopic: refused"]]);
  });

  it("turns the measured window's CPU ticks of master and slave into µs per message", () => {
    // 50,000 messages in the window; the master used 1.5 s of CPU and the slave 0.5 s.
    const r = result(5000, 10, { cpuTicks: [1.5 * CLOCK_TICKS, 0.5 * CLOCK_TICKS] });
    assert.deepEqual(cpuPerMessageUs(r), { master: 30, slave: 10, generator: null });
    assert.match(rowLine(row(bun, 1, r)), /CPU\/msg master 30 µs, slave 10 µs {2}/, "no load generator figure where it did not say");
    assert.equal(figuresOf([row(bun, 1, r)], SYNC_32, "SYNC_MASTER", bun).cpuUs.both?.median, 40);
    assert.equal(cpuPerMessageUs(result(5000, 10, { cpuTicks: [-1, 4] })), null, "a process /proc could not read");
    assert.equal(cpuPerMessageUs(result(5000, 10)), null, "not measured");
  });

  it("shows the load generator's own CPU per message beside the brokers', outside their sum", () => {
    const r = result(5000, 10, { cpuTicks: [1.5 * CLOCK_TICKS, 0.5 * CLOCK_TICKS], generatorCpuTicks: 1 * CLOCK_TICKS });
    assert.deepEqual(cpuPerMessageUs(r), { master: 30, slave: 10, generator: 20 });
    assert.match(rowLine(row(bun, 1, r)), /CPU\/msg master 30 µs, slave 10 µs, load generator 20 µs/);
    const f = figuresOf([row(bun, 1, r)], SYNC_32, "SYNC_MASTER", bun);
    assert.deepEqual([f.cpuUs.both?.median, f.cpuUs.generator?.median], [40, 20], "the target's master + slave leaves the generator out");
    assert.equal(cpuPerMessageUs({ ...r, generatorCpuTicks: -1 })?.generator, null, "unknown");
  });

  it("reads a command's whole CPU from the shell that waited for it (how wrk's is measured)", () => {
    // A child that burns ~0.3 s of CPU, then exits: its /proc entry is gone, its shell's cutime is not.
    const burn = "const end = Date.now() + 300; while (Date.now() < end);";
    const out = execFileSync("sh", ["-c", WITH_CHILD_CPU, "sh", process.execPath, "-e", burn], { encoding: "utf8" });
    const ticks = childCpuTicks(out);
    assert.ok(ticks >= 0.2 * CLOCK_TICKS && ticks <= 5 * CLOCK_TICKS, `the child's CPU is ~0.3 s: ${ticks} ticks at ${CLOCK_TICKS}/s`);
    assert.equal(childCpuTicks("no such line\n"), -1);
    assert.throws(() => execFileSync("sh", ["-c", WITH_CHILD_CPU, "sh", "false"], { stdio: "pipe" }), "the command's exit status is kept");
  });

  it("shows a row's latencies, memory and start-up", () => {
    const line = rowLine(row(bun, 1, result(5000, 10), SYNC_32, "SYNC_MASTER", {
      readyMs: { master: 420, slave: 450 }, rss: { idle: { master: 50e6, slave: 48e6 }, loaded: { master: 90e6, slave: null } },
    }));
    assert.match(line, /5,000 msgs\/s {2}p50 2\.50 ms {2}p99 10\.00 ms {2}p999 20\.00 ms/);
    assert.match(line, /RSS MB master 50→90, slave 48→– {2}ready 0\.42 s/);
  });

  it("marks a row unreliable when the machine was busy before it, not for a load average its previous row left", async () => {
    const line = (extra: Partial<Row>) => rowLine(row(bun, 1, result(5000, 10), SYNC_32, "SYNC_MASTER", extra));
    assert.doesNotMatch(line({ loadAverage: 9, busyBefore: 0.1 }), /unreliable/);
    assert.match(line({ loadAverage: 9, busyBefore: 0.1 }), /load average 9\.00, CPU busy before 10%\)$/);
    assert.match(line({ loadAverage: 0.2, busyBefore: 0.4 }), /CPU busy before 40% — the machine was busy with other work, figures unreliable\)$/);
    const share = await machineBusyShare(200);
    assert.ok(share !== null && share >= 0 && share <= 1, `a share of /proc/stat's CPU time: ${share}`);
  });
});

describe("RocketMQ benchmark targets", () => {
  const runtimes = ["bun", "deno", "node"] as const;

  it("holds sync-32 to ≥ 2× on Bun with p99 ≤ 1×, ≥ 1× on Deno and Node, and any errors fail it", () => {
    const rows = [
      row(rocketmq, 1, result(8000, 12)), row(rocketmq, 2, result(12_000, 8)), // median 10,000 msgs/s, p99 10 ms
      row(bun, 1, result(24_000, 9)), row(bun, 2, result(26_000, 9)),
      row(deno, 1, result(9000, 5)), row(deno, 2, result(9000, 5)),
      row(node, 1, result(30_000, 50)), row(node, 2, result(30_000, 50)),
    ];
    const list = verdicts(rows, [SYNC_32], ["SYNC_MASTER"], runtimes, ["java"]);
    assert.deepEqual(verdictOf(list, /^msgs\/s ≥ 2×/, "Skiff Bun, sync-32, SYNC_MASTER"), {
      target: "msgs/s ≥ 2× RocketMQ's, p99 ≤ 1×", subject: "Skiff Bun, sync-32, SYNC_MASTER", measured: "2.50× (25,000 / 10,000 msgs/s), p99 0.90×", outcome: "PASS",
    });
    assert.equal(verdictOf(list, /^msgs\/s ≥ 1×/, "Skiff Deno, sync-32, SYNC_MASTER").outcome, "FALLS SHORT");
    assert.equal(verdictOf(list, /^msgs\/s ≥ 1×/, "Skiff Node, sync-32, SYNC_MASTER").outcome, "PASS", "p99 is not part of Node's target");
    const worse = verdicts([row(rocketmq, 1, result(10_000, 10)), row(bun, 1, result(30_000, 11)), row(deno, 1, result(20_000, 5, { errors: 1 })), row(node, 1, result(20_000, 5, { statuses: { SEND_OK: 10, FLUSH_SLAVE_TIMEOUT: 1 } }))], [SYNC_32], ["SYNC_MASTER"], runtimes, ["java"]);
    assert.equal(verdictOf(worse, /^msgs\/s ≥ 2×/, "Skiff Bun, sync-32, SYNC_MASTER").outcome, "FALLS SHORT", "a worse p99");
    assert.match(verdictOf(worse, /^msgs\/s ≥ 1×/, "Skiff Deno, sync-32, SYNC_MASTER").measured, /errors 1, not SEND_OK 0/);
    assert.equal(verdictOf(worse, /^msgs\/s ≥ 1×/, "Skiff Deno, sync-32, SYNC_MASTER").outcome, "FALLS SHORT");
    assert.equal(verdictOf(worse, /^msgs\/s ≥ 1×/, "Skiff Node, sync-32, SYNC_MASTER").outcome, "FALLS SHORT");
  });

  it("holds CPU per message (master + slave) to ≤ 0.5× RocketMQ's on Bun and ≤ 0.7× on Deno and Node", () => {
    const rows = [
      row(rocketmq, 1, withCpu(result(5000, 10), 150, 50)), // 200 µs
      row(bun, 1, withCpu(result(5000, 10), 70, 30)), // 100 µs = 0.5×
      row(deno, 1, withCpu(result(5000, 10), 100, 50)), // 150 µs = 0.75×
      row(node, 1, withCpu(result(5000, 10), 100, 40)), // 140 µs = 0.7×
    ];
    const list = verdicts(rows, [SYNC_32], ["SYNC_MASTER"], runtimes, ["java"]);
    const cpu = (system: string) => verdictOf(list, /^CPU per message/, `${system}, sync-32, SYNC_MASTER`);
    assert.deepEqual([cpu("Skiff Bun").outcome, cpu("Skiff Bun").measured], ["PASS", "0.50× (100 / 200 µs)"]);
    assert.equal(cpu("Skiff Deno").outcome, "FALLS SHORT");
    assert.equal(cpu("Skiff Node").outcome, "PASS");
  });

  it("holds batches to ≥ 3×, SYNC_MASTER to ≥ 0.9× ASYNC_MASTER, one producer's p99 to RocketMQ's, Deno and Node to ≥ 0.7× Bun", () => {
    const rows = [
      row(rocketmq, 1, result(30_000, 10), BATCH, "SYNC_MASTER"), row(rocketmq, 1, result(30_000, 10), BATCH, "ASYNC_MASTER"),
      row(bun, 1, result(95_000, 5), BATCH, "SYNC_MASTER"), row(bun, 1, result(100_000, 5), BATCH, "ASYNC_MASTER"),
      row(deno, 1, result(60_000, 5), BATCH, "SYNC_MASTER"), row(deno, 1, result(90_000, 5), BATCH, "ASYNC_MASTER"),
      row(rocketmq, 1, result(1500, 3), ONE, "SYNC_MASTER"), row(bun, 1, result(1600, 2.9), ONE, "SYNC_MASTER"), row(deno, 1, result(1000, 4), ONE, "SYNC_MASTER"),
    ];
    const list = verdicts(rows, [BATCH, ONE], ["SYNC_MASTER", "ASYNC_MASTER"], ["bun", "deno"], ["java"]);
    assert.equal(verdictOf(list, /^batched/, "Skiff Bun, batch-8x32, SYNC_MASTER").outcome, "PASS");
    assert.equal(verdictOf(list, /^batched/, "Skiff Deno, batch-8x32, SYNC_MASTER").outcome, "FALLS SHORT");
    assert.deepEqual([verdictOf(list, /^SYNC_MASTER/, "Skiff Bun, batch-8x32").outcome, verdictOf(list, /^SYNC_MASTER/, "Skiff Bun, batch-8x32").measured], ["PASS", "0.95×"]);
    assert.equal(verdictOf(list, /^SYNC_MASTER/, "Skiff Deno, batch-8x32").outcome, "FALLS SHORT", "60,000 / 90,000 = 0.67×");
    assert.equal(verdictOf(list, /^one-producer p99/, "Skiff Bun, one-1, SYNC_MASTER").outcome, "PASS");
    assert.equal(verdictOf(list, /^one-producer p99/, "Skiff Deno, one-1, SYNC_MASTER").outcome, "FALLS SHORT");
    assert.equal(verdictOf(list, /^one-producer p99/, "Skiff Bun, one-1, ASYNC_MASTER").outcome, "NO FIGURES", "run but without figures");
    assert.deepEqual([verdictOf(list, /0\.7× Bun/, "Skiff Deno, batch-8x32, SYNC_MASTER").outcome, verdictOf(list, /0\.7× Bun/, "Skiff Deno, batch-8x32, ASYNC_MASTER").outcome], ["FALLS SHORT", "PASS"]);
    assert.ok(!list.some((v) => /^msgs\/s ≥ [12]×|^CPU/.test(v.target)), "sync-32's targets are left out when it was not run");
  });

  it("judges each driver against RocketMQ under the Java producer: over HTTP Deno and Node need ≥ 1.5× with p99 ≤ 1×; memory once per runtime", () => {
    const wrk = (runtime: "bun" | "deno" | "node"): System => ({ kind: "skiff", runtime, driver: "wrk" });
    const rows = [
      row(rocketmq, 1, result(10_000, 10)),
      row(bun, 1, result(25_000, 9)), row(wrk("bun"), 1, result(19_000, 4)),
      row(deno, 1, result(14_000, 12)), row(wrk("deno"), 1, result(16_000, 9)),
      row(node, 1, result(12_000, 20)), row(wrk("node"), 1, result(16_000, 11)),
    ];
    const list = verdicts(rows, [SYNC_32], ["SYNC_MASTER"], runtimes, ["java", "wrk"]);
    assert.equal(verdictOf(list, /^msgs\/s ≥ 2×/, "Skiff Bun, sync-32, SYNC_MASTER").outcome, "PASS");
    assert.equal(verdictOf(list, /^msgs\/s ≥ 2×/, "Skiff Bun (wrk), sync-32, SYNC_MASTER").outcome, "FALLS SHORT", "1.9×");
    assert.equal(verdictOf(list, /^msgs\/s ≥ 1×/, "Skiff Deno, sync-32, SYNC_MASTER").outcome, "PASS", "p99 is not part of the Java producer's Deno target");
    assert.deepEqual(verdictOf(list, /^msgs\/s ≥ 1\.5×/, "Skiff Deno (wrk), sync-32, SYNC_MASTER"), {
      target: "msgs/s ≥ 1.5× RocketMQ's, p99 ≤ 1×", subject: "Skiff Deno (wrk), sync-32, SYNC_MASTER", measured: "1.60× (16,000 / 10,000 msgs/s), p99 0.90×", outcome: "PASS",
    });
    assert.equal(verdictOf(list, /^msgs\/s ≥ 1\.5×/, "Skiff Node (wrk), sync-32, SYNC_MASTER").outcome, "FALLS SHORT", "p99 1.1×");
    assert.equal(list.filter((v) => /^idle RSS/.test(v.target)).length, 3, "one memory verdict per runtime, whatever drove it");
  });

  it("holds idle RSS to ≤ 80 MB and the master's start to ready to ≤ 0.5 s, over every row of a runtime", () => {
    const proc = (idle: number, ready: number): Partial<Row> => ({ readyMs: { master: ready, slave: ready }, rss: { idle: { master: idle * 1e6, slave: 10e6 }, loaded: { master: idle * 2e6, slave: 10e6 } } });
    const rows = [
      row(rocketmq, 1, result(10, 1), SYNC_32, "SYNC_MASTER", proc(240, 4000)),
      row(bun, 1, result(10, 1), SYNC_32, "SYNC_MASTER", proc(54, 300)), row(bun, 2, result(10, 1), SYNC_32, "SYNC_MASTER", proc(60, 700)), row(bun, 3, result(10, 1), SYNC_32, "SYNC_MASTER", proc(58, 400)),
      row(deno, 1, result(10, 1), SYNC_32, "SYNC_MASTER", proc(90, 450)),
    ];
    const list = verdicts(rows, [SYNC_32], ["SYNC_MASTER"], ["bun", "deno"], ["java"]);
    assert.deepEqual(verdictOf(list, /^idle RSS/, "Skiff Bun"), { target: "idle RSS of each broker ≤ 80 MB", subject: "Skiff Bun", measured: "58 MB, loaded 116 MB (RocketMQ 240, loaded 480 MB)", outcome: "PASS" });
    assert.equal(verdictOf(list, /^idle RSS/, "Skiff Deno").outcome, "FALLS SHORT");
    assert.deepEqual([verdictOf(list, /^master ready/, "Skiff Bun").outcome, verdictOf(list, /^master ready/, "Skiff Bun").measured], ["PASS", "0.40 s (RocketMQ 4.00 s)"]);
    assert.equal(verdictOf(list, /^master ready/, "Skiff Deno").outcome, "PASS", "450 ms");
  });
});

describe("RocketMQ benchmark beside a baseline checkout", () => {
  const settings = readSettings(["--runtimes=bun", "--drivers=java", "--scenarios=sync-32", "--roles=SYNC_MASTER", "--baseline=/tmp/skiff-base"], {});
  const base: System = { kind: "skiff", runtime: "bun", driver: "java", baseline: "/tmp/skiff-base" };

  it("runs each Skiff runtime again from the baseline checkout, named apart, in the same interleaved order", () => {
    assert.equal(settings.baseline, "/tmp/skiff-base");
    assert.equal(readSettings([], {}).baseline, null);
    assert.throws(() => readSettings(["--baseline="], {}), /--baseline=: give the directory of another checkout/);
    assert.deepEqual(systemsInOrder(settings, 1).map(systemName), ["RocketMQ 4.9.7", "Skiff Bun", "Skiff Bun base"]);
    assert.deepEqual(systemsInOrder(settings, 2).map(systemName), ["Skiff Bun base", "Skiff Bun", "RocketMQ 4.9.7"]);
  });

  it("prints this checkout's ratio to the baseline's, and judges only this checkout against the targets", () => {
    const rows = [
      row(rocketmq, 1, withCpu(result(10_000, 10), 120, 10)),
      row(bun, 1, withCpu(result(12_000, 8), 50, 20)),
      row(base, 1, withCpu(result(10_000, 8), 60, 20)),
    ];
    const list = verdicts(rows, settings.scenarios, settings.roles, settings.runtimes, settings.drivers);
    const lines = summary(rows, settings.scenarios, settings.roles, systemsInOrder(settings, 1), list);
    const line = (start: string) => lines.find((l) => l.trimStart().startsWith(start)) ?? assert.fail(`no line ${start} in\n${lines.join("\n")}`);
    assert.match(line("Skiff Bun "), /= 1\.20× msgs\/s, p99 0\.80×; ÷ base 1\.20× msgs\/s, CPU\/msg 0\.88×$/);
    assert.doesNotMatch(line("Skiff Bun base"), /÷ base/);
    assert.ok(list.length > 0 && list.every((v) => !v.subject.includes("base")), "the baseline is measured, not judged");
  });
});

describe("RocketMQ benchmark output", () => {
  const settings = readSettings(["--runtimes=bun,deno", "--drivers=java", "--scenarios=sync-32", "--roles=SYNC_MASTER"], {});
  const failure: LoadFailure = { ok: false, phase: "createTopic", error: "no RocketMQ remoting answer from Skiff's name server" };
  const rows = [
    row(rocketmq, 1, result(8000, 12)), row(rocketmq, 2, result(12_000, 8)),
    row(bun, 1, result(24_000, 9)), row(bun, 2, result(26_000, 9)),
    row(deno, 1, failure), row(deno, 2, failure),
  ];
  const systems = systemsInOrder(settings, 1);
  const list = verdicts(rows, settings.scenarios, settings.roles, settings.runtimes, settings.drivers);

  it("summarises medians with their spread, ratios, why a system has no figures, and every target", () => {
    const lines = summary(rows, settings.scenarios, settings.roles, systems, list);
    const line = (start: string) => lines.find((l) => l.trimStart().startsWith(start)) ?? assert.fail(`no line ${start} in\n${lines.join("\n")}`);
    assert.match(line("RocketMQ 4.9.7"), /10,000 \(8,000–12,000\) msgs\/s {2}p99 10\.00 \(8\.00–12\.00\) ms/);
    assert.match(line("Skiff Bun"), /25,000 \(24,000–26,000\) msgs\/s.*= 2\.50× msgs\/s, p99 0\.90×$/);
    assert.match(line("Skiff Deno"), /no result: createTopic: no RocketMQ remoting answer/);
    assert.match(line("PASS        msgs/s ≥ 2×"), /Skiff Bun, sync-32, SYNC_MASTER: 2\.50×/);
    assert.match(line("NO FIGURES  msgs/s ≥ 1×"), /Skiff Deno/);
    assert.match(lines.at(-1)!, /^ {2}\d+ of \d+ targets PASS$/);
  });

  it("writes a results file with tables, targets and the rows, and a chart of the ratios", () => {
    const record: RunRecord = { date: "2026-12-03", command: "npm run bench -- vs-rocketmq", facts: ["machine: nproc 2"], settings, systems, rows, verdicts: list, wallSeconds: 60 };
    const md = resultsMarkdown(record, "2026-12-03.svg");
    assert.match(md, /^# Skiff vs Apache RocketMQ 4\.9\.7 — 2026-12-03\n/);
    assert.match(md, /!\[Skiff msgs\/s as a ratio of RocketMQ's\]\(2026-12-03\.svg\)/);
    assert.match(md, /\n\| Skiff Bun \| 25,000 \(24,000–26,000\) \| 2\.50× \| 2\.25 \| 9\.00 \| 18\.00 \|/);
    assert.match(md, /\n\| Skiff Deno \| no result: createTopic: no RocketMQ remoting answer/);
    assert.match(md, /\n\| PASS \| msgs\/s ≥ 2× RocketMQ's, p99 ≤ 1× \| Skiff Bun, sync-32, SYNC_MASTER \|/);
    assert.match(md, /\n\| \*\*NO FIGURES\*\* \| msgs\/s ≥ 1× RocketMQ's \| Skiff Deno, sync-32, SYNC_MASTER \|/);
    assert.equal(md.split("\nround ").length - 1, rows.length, "every row as it ran");
    const svg = resultsChart(record);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, />2\.50× \(25,000 msgs\/s\)</);
    assert.match(svg, />no result</, "Deno's bar");
    assert.match(svg, />RocketMQ = 1×</);
    assert.ok(svg.trimEnd().endsWith("</svg>"));
  });
});

describe("RocketMQ benchmark HTTP drivers", () => {
  it("send what the Java producer sends: one message as JSON, a batch as RocketMQ's binary batch of 1 KiB 'a'…'z' bodies tagged Bench", () => {
    const one = sendRequest(SYNC_32);
    assert.equal(one.contentType, "application/json");
    const json = JSON.parse(new TextDecoder().decode(one.body)) as { body: string; tags: string };
    assert.deepEqual([json.body.length, json.body.slice(0, 3), json.body.slice(26, 29), json.tags], [1024, "abc", "abc", "Bench"]);
    const batch = sendRequest(BATCH);
    assert.equal(batch.contentType, "application/x-rocketmq-batch");
    const messages = decodeBatch(batch.body);
    assert.equal(messages.length, 32);
    for (const m of messages) {
      assert.equal(new TextDecoder().decode(m.body), json.body);
      assert.equal(decodePropertiesBytes(m.properties).get("TAGS"), "Bench");
    }
  });

  it("turn wrk's summary into a row's figures: acknowledged messages per second, µs as ms, every error kind counted", () => {
    const r = wrkResult({
      requests: 1000, durationUs: 2_000_000, statuses: { SEND_OK: 31_990, FLUSH_SLAVE_TIMEOUT: 10 }, httpErrors: 2,
      socketErrors: { connect: 0, read: 1, write: 0, timeout: 3 }, latencyUs: { p50: 4100, p99: 12_700, p999: 14_600, max: 17_000 },
    }, [150, 70]);
    assert.deepEqual(r, {
      ok: true, sends: 1000, messages: 32_000, msgsPerSec: 16_000, latencyMs: { p50: 4.1, p99: 12.7, p999: 14.6, max: 17 },
      errors: 6, errorKinds: { "HTTP not 200": 2, "socket read": 1, "socket timeout": 3 }, statuses: { SEND_OK: 31_990, FLUSH_SLAVE_TIMEOUT: 10 }, cpuTicks: [150, 70],
    });
  });
});

describe("RocketMQ benchmark catch-up rows", () => {
  const catchUp = (system: System, round: number, mibPerSec: number, rawTcpMibPerSec: number | null): CatchUpRow =>
    ({ round, system, result: { ok: true, mibPerSec, watchedMiB: 900, seconds: 900 / mibPerSec }, rawTcpMibPerSec });
  const rows = [
    catchUp(rocketmq, 1, 100, null), catchUp(rocketmq, 2, 110, null),
    catchUp(bun, 1, 90, 2000), catchUp(bun, 2, 1700, 2000),
    { round: 1, system: deno, result: { ok: false, phase: "catch-up", error: "the slave reached 5 of 9 bytes within 60000 ms" }, rawTcpMibPerSec: 1500 } satisfies CatchUpRow,
  ];

  it("print each row, the medians beside RocketMQ's and raw TCP's, and hold each runtime to ≥ 0.8× raw TCP", () => {
    assert.equal(catchUpLine(rows[2]), "round 1  catch-up                Skiff Bun                   90 MiB/s  (watched 900 MiB over 10.00 s)  raw loopback TCP 2,000 MiB/s");
    const lines = catchUpSummary(rows, [rocketmq, bun, { ...bun, driver: "wrk" }, deno], 900);
    assert.deepEqual(lines.slice(1), [
      "  RocketMQ 4.9.7       105 (100–110) MiB/s",
      "  Skiff Bun            895 (90–1,700) MiB/s  = 8.52× RocketMQ's, 0.45× raw TCP (2,000 MiB/s)",
      "  Skiff Deno           no result: catch-up: the slave reached 5 of 9 bytes within 60000 ms",
    ], "each runtime once, whatever the drivers");
    assert.deepEqual(catchUpVerdicts(rows, ["bun", "deno"]).map((v) => [v.subject, v.outcome, v.measured]), [
      ["Skiff Bun", "FALLS SHORT", "0.45× (895 / 2,000 MiB/s; RocketMQ 105 MiB/s)"],
      ["Skiff Deno", "NO FIGURES", "no figures"],
    ]);
    assert.equal(catchUpVerdicts([catchUp(rocketmq, 1, 100, null), catchUp(bun, 1, 1700, 2000)], ["bun"])[0].outcome, "PASS", "0.85×");
    assert.match(catchUpTable(rows, [rocketmq, bun, deno], 900).join("\n"), /\n\| Skiff Bun \| 895 \(90–1,700\) \| 8\.52× \| 2,000 \| 0\.45× \|\n/);
  });
});
