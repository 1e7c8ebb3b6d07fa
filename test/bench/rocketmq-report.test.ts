/**
 * The RocketMQ benchmark's verdicts (bench/rocketmq/): its settings from flags and environment,
 * the interleaving of systems between rounds, and the summary's means over rounds, Skiff/RocketMQ
 * ratios and target checks (Bun ≥ 2× msgs/s with p99 ≤ 1×, Deno and Node ≥ 1×, no errors).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { LoadFailure, LoadResult } from "../../bench/rocketmq/load-generator.ts";
import { execFileSync } from "node:child_process";
import { cpuPerMessageUs, rowLine, summary, type Row } from "../../bench/rocketmq/report.ts";
import { SCENARIOS, readSettings, systemName, systemsInOrder, type System } from "../../bench/rocketmq/settings.ts";

const [SYNC_32] = SCENARIOS;

function result(msgsPerSec: number, p99: number, extra: Partial<LoadResult> = {}): LoadResult {
  return { ok: true, sends: msgsPerSec * 10, messages: msgsPerSec * 10, msgsPerSec, latencyMs: { p50: p99 / 4, p99, max: p99 * 3 }, errors: 0, errorKinds: {}, statuses: { SEND_OK: msgsPerSec * 10 }, ...extra };
}

function row(system: System, round: number, r: LoadResult | LoadFailure): Row {
  return { round, scenario: SYNC_32, role: "SYNC_MASTER", system, result: r, phasesMs: { start: 1, load: 1, stop: 1 }, loadAverage: 0.5 };
}

const rocketmq: System = { kind: "rocketmq" };
const bun: System = { kind: "skiff", runtime: "bun" };
const deno: System = { kind: "skiff", runtime: "deno" };
const node: System = { kind: "skiff", runtime: "node" };

function lineOf(lines: string[], system: System): string {
  const found = lines.find((l) => l.trimStart().startsWith(systemName(system)));
  assert.ok(found, `a summary line for ${systemName(system)} in:\n${lines.join("\n")}`);
  return found;
}

describe("RocketMQ benchmark settings", () => {
  it("defaults to every scenario, role and runtime, 10 s after 5 s of warm-up, 2 rounds", () => {
    const s = readSettings([], {});
    assert.deepEqual(s.scenarios.map((x) => x.name), ["sync-32", "batch-8x32"]);
    assert.deepEqual(s.roles, ["SYNC_MASTER", "ASYNC_MASTER"]);
    assert.deepEqual(s.runtimes, ["bun", "deno", "node"]);
    assert.deepEqual([s.warmupMs, s.durationMs, s.rounds, s.javaHeap], [5000, 10_000, 2, "2g"]);
  });

  it("takes subsets and knobs, and refuses what it does not know", () => {
    const s = readSettings(["--runtimes=deno", "--roles=ASYNC_MASTER", "--scenarios=batch-8x32"], { SKIFF_BENCH_SECONDS: "3", SKIFF_BENCH_ROUNDS: "1" });
    assert.deepEqual([s.runtimes, s.roles, s.scenarios.map((x) => x.name), s.durationMs, s.rounds], [["deno"], ["ASYNC_MASTER"], ["batch-8x32"], 3000, 1]);
    assert.deepEqual(readSettings(["--runtimes=none"], {}).runtimes, []);
    assert.throws(() => readSettings(["--runtimes=bun,jvm"], {}), /"jvm" is not one of bun, deno, node/);
    assert.throws(() => readSettings(["--rounds=3"], {}), /unknown argument --rounds=3/);
    assert.throws(() => readSettings([], { SKIFF_BENCH_SECONDS: "fast" }), /SKIFF_BENCH_SECONDS=fast/);
    assert.throws(() => readSettings([], { SKIFF_BENCH_JAVA_HEAP: "lots" }), /SKIFF_BENCH_JAVA_HEAP=lots/);
  });

  it("runs RocketMQ first in odd rounds and last in even ones", () => {
    const s = readSettings([], {});
    assert.deepEqual(systemsInOrder(s, 1).map(systemName), ["RocketMQ 4.9.7", "Skiff Bun", "Skiff Deno", "Skiff Node"]);
    assert.deepEqual(systemsInOrder(s, 2).map(systemName), ["Skiff Node", "Skiff Deno", "Skiff Bun", "RocketMQ 4.9.7"]);
  });
});

describe("RocketMQ benchmark summary", () => {
  const systems = [rocketmq, bun, deno, node];

  it("compares the means over rounds and holds each runtime to its target", () => {
    const rows = [
      row(rocketmq, 1, result(8000, 12)), row(rocketmq, 2, result(12_000, 8)), // mean 10,000 msgs/s, p99 10 ms
      row(bun, 1, result(24_000, 9)), row(bun, 2, result(26_000, 9)),
      row(deno, 1, result(9000, 5)), row(deno, 2, result(9000, 5)),
      row(node, 1, result(30_000, 50)), row(node, 2, result(30_000, 50)),
    ];
    const lines = summary(rows, [SYNC_32], ["SYNC_MASTER"], systems);
    assert.match(lineOf(lines, rocketmq), /10,000 msgs\/s {2}p99 10\.00 ms {2}\(2 runs/);
    assert.match(lineOf(lines, bun), /Skiff Bun \/ RocketMQ = 2\.50× msgs\/s, p99 0\.90× {2}→ target ≥ 2× msgs\/s, p99 ≤ 1×: met$/);
    assert.match(lineOf(lines, deno), /= 0\.90× msgs\/s.*: NOT MET$/);
    assert.match(lineOf(lines, node), /= 3\.00× msgs\/s, p99 5\.00× {2}→ target ≥ 1× msgs\/s: met$/, "p99 is not part of Node's target");
  });

  it("fails Bun on a worse p99, and any runtime with errors or statuses other than SEND_OK", () => {
    const rows = [
      row(rocketmq, 1, result(10_000, 10)),
      row(bun, 1, result(30_000, 11)),
      row(deno, 1, result(20_000, 5, { errors: 1, errorKinds: { "RemotingTimeoutException(-1)": 1 } })),
      row(node, 1, result(20_000, 5, { statuses: { SEND_OK: 10, FLUSH_SLAVE_TIMEOUT: 1 } })),
    ];
    const lines = summary(rows, [SYNC_32], ["SYNC_MASTER"], systems);
    assert.match(lineOf(lines, bun), /p99 1\.10×.*NOT MET$/);
    assert.match(lineOf(lines, deno), /NOT MET \(errors 1, not SEND_OK 0\)$/);
    assert.match(lineOf(lines, node), /NOT MET \(errors 0, not SEND_OK 1\)$/);
  });

  it("says why a system has no figures, and uses the rounds that have some", () => {
    const failure: LoadFailure = { ok: false, phase: "createTopic", error: "no RocketMQ remoting answer from Skiff's name server" };
    const rows = [row(rocketmq, 1, result(10_000, 10)), row(bun, 1, failure), row(deno, 1, failure), row(deno, 2, result(15_000, 10)), row(node, 1, result(5000, 10))];
    const lines = summary(rows, [SYNC_32], ["SYNC_MASTER"], systems);
    assert.match(lineOf(lines, bun), /no result: createTopic: no RocketMQ remoting answer.*NOT MET$/);
    assert.match(lineOf(lines, deno), /= 1\.50× msgs\/s.*: met$/);
    assert.match(lineOf(lines, node), /= 0\.50× msgs\/s.*: NOT MET$/);
    const withoutBase = summary([row(rocketmq, 1, failure), row(node, 1, result(5000, 10))], [SYNC_32], ["SYNC_MASTER"], [rocketmq, node]);
    assert.match(lineOf(withoutBase, rocketmq), /no result: createTopic/);
    assert.match(lineOf(withoutBase, node), /no RocketMQ figures to compare with/);
  });
});

describe("RocketMQ benchmark CPU per message", () => {
  it("turns the measured window's CPU ticks of master and slave into µs per message, and shows them", () => {
    const clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    // 50,000 messages in the window; the master used 1.5 s of CPU and the slave 0.5 s.
    const r = result(5000, 10, { cpuTicks: [1.5 * clockTicks, 0.5 * clockTicks] });
    assert.deepEqual(cpuPerMessageUs(r), { master: 30, slave: 10 });
    assert.match(rowLine(row(bun, 1, r)), /CPU\/msg master 30 µs, slave 10 µs/);
    assert.match(lineOf(summary([row(rocketmq, 1, result(5000, 10)), row(bun, 1, r)], [SYNC_32], ["SYNC_MASTER"], [rocketmq, bun]), bun), /CPU\/msg master 30 µs, slave 10 µs/);
    assert.equal(cpuPerMessageUs(result(5000, 10, { cpuTicks: [-1, 4] })), null, "a process /proc could not read");
    assert.equal(cpuPerMessageUs(result(5000, 10)), null, "not measured");
  });
});
