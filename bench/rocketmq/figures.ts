/**
 * The figures of the RocketMQ benchmark: one Row per (round, scenario, role, system) as measured,
 * and, per (scenario, role, system), the median of each figure over the rounds with its spread
 * (lowest and highest), which the summary, the targets and the results file are made of.
 */
import { spawnSync } from "node:child_process";
import type { LoadFailure, LoadResult } from "./load-generator.ts";
import { brokersName, systemName, type Role, type Scenario, type System } from "./settings.ts";

/** Resident set of the master and the slave, in bytes (null where /proc could not tell). */
export interface BrokerRss {
  readonly master: number | null;
  readonly slave: number | null;
}

export interface Row {
  readonly round: number;
  readonly scenario: Scenario;
  readonly role: Role;
  readonly system: System;
  readonly result: LoadResult | LoadFailure;
  /** Wall time of the row's phases: starting the pair, the load generator's JVM, stopping the pair. */
  readonly phasesMs: { readonly start: number; readonly load: number; readonly stop: number };
  /** The machine's 1-minute load average when the row began (it still counts the previous row). */
  readonly loadAverage: number;
  /** Share of the machine's CPU busy in the second before the row, none of the benchmark's processes running: other work. */
  readonly busyBefore?: number | null;
  /** From starting each broker process to its boot line; absent when the pair did not start. */
  readonly readyMs?: { readonly master: number; readonly slave: number };
  /** Resident sets once the pair was ready (idle) and their peaks while the load ran (loaded). */
  readonly rss?: { readonly idle: BrokerRss; readonly loaded: BrokerRss };
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
 * `generator` is the load generator's own, null where it did not say: on a machine whose cores
 * are all busy, it is what bounds the brokers' share (the batch scenario's ceiling).
 */
export function cpuPerMessageUs(result: LoadResult): { master: number; slave: number; generator: number | null } | null {
  const ticks = result.cpuTicks;
  if (ticks === undefined || ticks.length < 2 || ticks[0] < 0 || ticks[1] < 0 || result.messages === 0) return null;
  const us = (t: number) => (t / CLOCK_TICKS_PER_SECOND) * 1e6 / result.messages;
  const generator = result.generatorCpuTicks;
  return { master: us(ticks[0]), slave: us(ticks[1]), generator: generator === undefined || generator < 0 ? null : us(generator) };
}

/** A figure over the rounds: the median, and the lowest and highest value seen. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** The spread of the values that are numbers; null when there are none. */
export function spreadOf(values: ReadonlyArray<number | null | undefined>): Spread | null {
  const known = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v)).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const mid = Math.floor(known.length / 2);
  const median = known.length % 2 === 1 ? known[mid] : (known[mid - 1] + known[mid]) / 2;
  return { median, min: known[0], max: known[known.length - 1], n: known.length };
}

/** One (scenario, role, system) over its rounds. */
export interface Figures {
  readonly system: System;
  /** Rounds that produced figures. */
  readonly runs: number;
  readonly msgsPerSec: Spread | null;
  readonly p50Ms: Spread | null;
  readonly p99Ms: Spread | null;
  readonly p999Ms: Spread | null;
  /** CPU per acknowledged message, µs: master, slave, the two together, and the load generator's. */
  readonly cpuUs: { readonly master: Spread | null; readonly slave: Spread | null; readonly both: Spread | null; readonly generator: Spread | null };
  readonly errors: number;
  /** Acknowledged sends whose status was not SEND_OK. */
  readonly notOk: number;
  /** Why rounds produced no figures (phase: error). */
  readonly failures: readonly string[];
}

/** MB as the figures use it: 10^6 bytes. */
const MB = 1e6;
const larger = (r: BrokerRss | undefined) => (r === undefined || (r.master === null && r.slave === null) ? null : Math.max(r.master ?? 0, r.slave ?? 0) / MB);

function notOk(statuses: Record<string, number>): number {
  return Object.entries(statuses).filter(([s]) => s !== "SEND_OK").reduce((sum, [, n]) => sum + n, 0);
}

/** Memory and start-up of one system's broker processes over all its rows (any scenario, role and driver). */
export interface ProcessFigures {
  /** The larger of the master's and the slave's resident set once the pair was ready, MB. */
  readonly idleRssMB: Spread | null;
  /** The larger of their peaks while the load ran, MB. */
  readonly loadedRssMB: Spread | null;
  readonly masterReadyMs: Spread | null;
}

export function processFiguresOf(rows: readonly Row[], system: System): ProcessFigures {
  const mine = rows.filter((r) => brokersName(r.system) === brokersName(system));
  return {
    idleRssMB: spreadOf(mine.map((r) => larger(r.rss?.idle))),
    loadedRssMB: spreadOf(mine.map((r) => larger(r.rss?.loaded))),
    masterReadyMs: spreadOf(mine.map((r) => r.readyMs?.master)),
  };
}

export function figuresOf(rows: readonly Row[], scenario: Scenario, role: Role, system: System): Figures {
  const mine = rows.filter((r) => r.scenario.name === scenario.name && r.role === role && systemName(r.system) === systemName(system));
  const done = mine.filter((r): r is Row & { result: LoadResult } => r.result.ok);
  const results = done.map((r) => r.result);
  const cpu = results.map(cpuPerMessageUs);
  return {
    system,
    runs: done.length,
    msgsPerSec: spreadOf(results.map((r) => r.msgsPerSec)),
    p50Ms: spreadOf(results.map((r) => r.latencyMs.p50)),
    p99Ms: spreadOf(results.map((r) => r.latencyMs.p99)),
    p999Ms: spreadOf(results.map((r) => r.latencyMs.p999)),
    cpuUs: {
      master: spreadOf(cpu.map((c) => c?.master)),
      slave: spreadOf(cpu.map((c) => c?.slave)),
      both: spreadOf(cpu.map((c) => (c === null ? null : c.master + c.slave))),
      generator: spreadOf(cpu.map((c) => c?.generator)),
    },
    errors: results.reduce((s, r) => s + r.errors, 0),
    notOk: results.reduce((s, r) => s + notOk(r.statuses), 0),
    failures: mine.map((r) => r.result).filter((r): r is LoadFailure => !r.ok).map((r) => `${r.phase}: ${r.error.slice(0, 240)}`),
  };
}
