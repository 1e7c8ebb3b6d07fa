/**
 * The slave catch-up figure of the RocketMQ benchmark: a master that already holds
 * `catchUpMiB` of commit log (one store, written once per run by Skiff's own store, byte for byte
 * RocketMQ's layout, and copied into each master's store directory before it starts, so RocketMQ
 * 4.9.7 and Skiff serve the very same bytes) and an empty slave started beside it. The bytes sit
 * in one 1 GiB segment, since a master starts an empty slave at its last segment (RocketMQ's
 * rule, and Skiff's).
 *
 * Progress is read from each slave over RocketMQ remoting (GET_BROKER_RUNTIME_INFO,
 * `commitLogMaxOffset`, every POLL_MS), the same request for both systems; the rate is the bytes
 * copied between the first answer and the first answer at the master's offset, over the time
 * between them, so start-up is not counted. Beside each Skiff row, raw loopback TCP between two
 * processes of the same runtime (raw-tcp.ts) is measured: the target is ≥ 0.8× of it.
 */
import { cp } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RemotingClient } from "../../src/remoting/remoting-client.ts";
import { RequestCode } from "../../src/remoting/codes.ts";
import { MessageStore } from "../../src/store/message-store.ts";
import { defaultStoreOptions } from "../../src/store/store-options.ts";
import { runToEnd, startProcess } from "../../test/interop/rocketmq/harness.ts";
import { platform, type RuntimeName } from "../../test/support/platform.ts";
import { message } from "../../test/support/store.ts";
import { utf8Decode } from "../../src/core/bytes.ts";
import { spreadOf, type Spread } from "./figures.ts";
import type { LoadFailure } from "./load-generator.ts";
import { fmt, spreadText } from "./report.ts";
import { brokersName, type System } from "./settings.ts";
import type { Verdict } from "./targets.ts";

const MIB = 1024 * 1024;
export const CATCH_UP_SEGMENT_BYTES = 1 << 30;
const POLL_MS = 20;
const RAW_TCP_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "raw-tcp.ts");

export interface CatchUpFigures {
  readonly ok: true;
  /** Bytes the slave copied while it was watched, over the time it took. */
  readonly mibPerSec: number;
  readonly watchedMiB: number;
  readonly seconds: number;
}

export interface CatchUpRow {
  readonly round: number;
  readonly system: System;
  readonly result: CatchUpFigures | LoadFailure;
  /** Raw loopback TCP between two processes of the Skiff runtime, measured just before; null for RocketMQ. */
  readonly rawTcpMibPerSec: number | null;
}

/**
 * Writes a store of `mib` MiB of 1 KiB messages (8 queues of one topic, a key each) under `dir`
 * with Skiff's store, closed cleanly; answers its commit-log end.
 */
export async function seedStore(dir: string, mib: number): Promise<number> {
  const store = await MessageStore.open(platform, defaultStoreOptions(dir, { segmentSizeCommitLogBytes: CATCH_UP_SEGMENT_BYTES }));
  try {
    const body = new Uint8Array(1024).fill(0x61);
    let n = 0;
    while (store.offsets.maxOffset < mib * MIB) {
      await Promise.all(Array.from({ length: 8 }, (_, queueId) => store.put(Array.from({ length: 32 }, () => message("bench_catch_up", body, { queueId, properties: new Map([["KEYS", `k${n++}`]]) })))));
    }
    return store.offsets.maxOffset;
  } finally {
    await store.close();
  }
}

/**
 * Copies the seed store into a master's store directory (before the master starts), but its
 * `lock` file: that names the process which wrote the seed (this one, still running), and a
 * Skiff broker refuses a store whose lock names a live process.
 */
export function copySeed(seed: string, storeDir: string): Promise<void> {
  return cp(seed, storeDir, { recursive: true, filter: (source) => basename(source) !== "lock" || dirname(source) !== seed });
}

async function commitLogMaxOffset(client: RemotingClient): Promise<number | null> {
  try {
    const answer = await client.invoke(RequestCode.GET_BROKER_RUNTIME_INFO, {}, new Uint8Array(0), 2000);
    if (answer.code !== 0) return null;
    const table = (JSON.parse(utf8Decode(answer.body)) as { table?: Record<string, string> }).table ?? {};
    const value = Number(table.commitLogMaxOffset);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

/** Watches the slave until its commit log reaches the master's end; bounded by `timeoutMs`. */
export async function watchCatchUp(masterRemoting: string, slaveRemoting: string, timeoutMs: number): Promise<CatchUpFigures | LoadFailure> {
  const master = new RemotingClient({ net: platform.net, clock: platform.clock, address: masterRemoting });
  const slave = new RemotingClient({ net: platform.net, clock: platform.clock, address: slaveRemoting });
  try {
    const target = await commitLogMaxOffset(master);
    if (target === null || target <= 0) return { ok: false, phase: "catch-up", error: `the master at ${masterRemoting} did not tell its commitLogMaxOffset` };
    const deadline = performance.now() + timeoutMs;
    let first: { offset: number; at: number } | null = null;
    let last = -1;
    while (performance.now() < deadline) {
      const offset = await commitLogMaxOffset(slave);
      const at = performance.now();
      if (offset !== null) {
        last = offset;
        if (first === null) {
          if (offset >= target) return { ok: false, phase: "catch-up", error: `the slave had copied all ${target} bytes before its first answer: too few bytes to measure (raise SKIFF_BENCH_CATCHUP_MB)` };
          first = { offset, at };
        } else if (offset >= target) {
          const seconds = (at - first.at) / 1000;
          const watchedMiB = (offset - first.offset) / MIB;
          return { ok: true, mibPerSec: watchedMiB / seconds, watchedMiB, seconds };
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return { ok: false, phase: "catch-up", error: `the slave reached ${last} of ${target} bytes within ${timeoutMs} ms` };
  } finally {
    master.close();
    slave.close();
  }
}

function scriptCommand(runtime: RuntimeName, script: string, args: string[]): [string, string[]] {
  if (runtime === "deno") return ["deno", ["run", "--allow-all", script, ...args]];
  return [runtime, [script, ...args]];
}

/** Raw loopback TCP on `runtime`: `bytes` from one process to another, MiB/s as the receiver saw it. */
export async function rawTcpMibPerSec(runtime: RuntimeName, bytes: number): Promise<number> {
  const [command, args] = scriptCommand(runtime, RAW_TCP_SCRIPT, ["receive", String(bytes)]);
  const receiver = startProcess(`raw TCP receiver (${runtime})`, command, args, { env: { DENO_NO_UPDATE_CHECK: "1" } });
  try {
    const port = (await receiver.waitForLine(/listening (\d+)/, 30_000))[1];
    const [sendCommand, sendArgs] = scriptCommand(runtime, RAW_TCP_SCRIPT, ["send", port, String(bytes)]);
    const sent = await runToEnd(`raw TCP sender (${runtime})`, sendCommand, sendArgs, 120_000, { DENO_NO_UPDATE_CHECK: "1" });
    if (sent.code !== 0) throw new Error(`raw TCP sender on ${runtime} exited ${sent.code ?? sent.signal}: ${sent.stderr.trim().split("\n").slice(-3).join(" | ")}`);
    const line = await receiver.waitForLine(/^\{"mibPerSec":[\d.e+-]+\}$/m, 30_000);
    return (JSON.parse(line[0]) as { mibPerSec: number }).mibPerSec;
  } finally {
    await receiver.stop(3000).catch(() => undefined);
  }
}

/** One catch-up row as a line. */
export function catchUpLine(row: CatchUpRow): string {
  const head = `round ${row.round}  ${"catch-up".padEnd(10)} ${"".padEnd(12)} ${brokersName(row.system).padEnd(20)}`;
  const raw = row.rawTcpMibPerSec === null ? "" : `  raw loopback TCP ${fmt(row.rawTcpMibPerSec)} MiB/s`;
  const r = row.result;
  if (!r.ok) return `${head} NO RESULT (${r.phase}): ${r.error}${raw}`;
  return `${head} ${fmt(r.mibPerSec).padStart(9)} MiB/s  (watched ${fmt(r.watchedMiB)} MiB over ${r.seconds.toFixed(2)} s)${raw}`;
}

interface CatchUpFiguresOf {
  readonly runs: number;
  readonly mibPerSec: Spread | null;
  readonly rawTcp: Spread | null;
  readonly failures: readonly string[];
}

function figuresOfCatchUp(rows: readonly CatchUpRow[], system: System): CatchUpFiguresOf {
  const mine = rows.filter((r) => brokersName(r.system) === brokersName(system));
  const done = mine.map((r) => r.result).filter((r): r is CatchUpFigures => r.ok);
  return {
    runs: done.length,
    mibPerSec: spreadOf(done.map((r) => r.mibPerSec)),
    rawTcp: spreadOf(mine.map((r) => r.rawTcpMibPerSec)),
    failures: mine.map((r) => r.result).filter((r): r is LoadFailure => !r.ok).map((r) => `${r.phase}: ${r.error.slice(0, 240)}`),
  };
}

const ratioOf = (a: Spread | null, b: Spread | null) => (a === null || b === null || b.median === 0 ? null : a.median / b.median);

/** The systems whose brokers a catch-up row measures: RocketMQ and each runtime once. */
export function catchUpSystems(systems: readonly System[]): System[] {
  return systems.filter((s, i) => systems.findIndex((t) => brokersName(t) === brokersName(s)) === i);
}

/** Summary lines: each system's median MiB/s (spread), ÷ RocketMQ's, and ÷ raw TCP on its runtime. */
export function catchUpSummary(rows: readonly CatchUpRow[], systems: readonly System[], mib: number): string[] {
  if (rows.length === 0) return [];
  const base = figuresOfCatchUp(rows, { kind: "rocketmq" });
  const out = [`catch-up (an empty slave copies ${fmt(mib)} MiB from its master; raw loopback TCP between two processes of the runtime beside it):`];
  for (const system of catchUpSystems(systems)) {
    const f = figuresOfCatchUp(rows, system);
    const name = brokersName(system).padEnd(20);
    if (f.runs === 0) {
      out.push(`  ${name} no result: ${f.failures[0] ?? "not run"}`);
      continue;
    }
    const vsRocketMQ = system.kind === "rocketmq" ? null : ratioOf(f.mibPerSec, base.mibPerSec);
    const vsRaw = ratioOf(f.mibPerSec, f.rawTcp);
    out.push(`  ${name} ${spreadText(f.mibPerSec).padStart(9)} MiB/s${vsRocketMQ === null ? "" : `  = ${vsRocketMQ.toFixed(2)}× RocketMQ's`}${vsRaw === null ? "" : `, ${vsRaw.toFixed(2)}× raw TCP (${spreadText(f.rawTcp)} MiB/s)`}`);
  }
  return out;
}

/** Markdown: the catch-up table. */
export function catchUpTable(rows: readonly CatchUpRow[], systems: readonly System[], mib: number): string[] {
  if (rows.length === 0) return [];
  const base = figuresOfCatchUp(rows, { kind: "rocketmq" });
  const out = [
    `## Slave catch-up (${fmt(mib)} MiB, an empty slave beside a master that holds them)`, "",
    "| system | MiB/s | ÷ RocketMQ | raw loopback TCP, MiB/s | ÷ raw TCP |", "|---|---|---|---|---|",
  ];
  for (const system of catchUpSystems(systems)) {
    const f = figuresOfCatchUp(rows, system);
    if (f.runs === 0) {
      out.push(`| ${brokersName(system)} | no result: ${(f.failures[0] ?? "not run").replace(/\|/g, "\\|")} | | | |`);
      continue;
    }
    const vsRocketMQ = system.kind === "rocketmq" ? "" : (ratioOf(f.mibPerSec, base.mibPerSec)?.toFixed(2) ?? "–") + "×";
    const vsRaw = ratioOf(f.mibPerSec, f.rawTcp);
    out.push(`| ${brokersName(system)} | ${spreadText(f.mibPerSec)} | ${vsRocketMQ} | ${spreadText(f.rawTcp)} | ${vsRaw === null ? "" : `${vsRaw.toFixed(2)}×`} |`);
  }
  return out;
}

/** The target: each Skiff runtime's catch-up ≥ 0.8× raw loopback TCP on that runtime. */
export function catchUpVerdicts(rows: readonly CatchUpRow[], runtimes: readonly RuntimeName[]): Verdict[] {
  if (rows.length === 0) return [];
  const base = figuresOfCatchUp(rows, { kind: "rocketmq" });
  return runtimes.map((runtime) => {
    const system: System = { kind: "skiff", runtime, driver: "java" };
    const f = figuresOfCatchUp(rows, system);
    const r = ratioOf(f.mibPerSec, f.rawTcp);
    const measured = r === null ? null : `${r.toFixed(2)}× (${fmt(f.mibPerSec!.median)} / ${fmt(f.rawTcp!.median)} MiB/s; RocketMQ ${base.mibPerSec === null ? "–" : fmt(base.mibPerSec.median)} MiB/s)`;
    return { target: "slave catch-up ≥ 0.8× raw loopback TCP on the same runtime", subject: brokersName(system), measured: measured ?? "no figures", outcome: measured === null ? "NO FIGURES" : r! >= 0.8 ? "PASS" : "FALLS SHORT" };
  });
}
