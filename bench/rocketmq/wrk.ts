/**
 * The neutral HTTP load generator of the RocketMQ benchmark: Debian's `wrk` (C, one event-loop
 * thread, little CPU) POSTs the scenario's request (http-load.ts) over `threads` keep-alive
 * connections, each with one request in flight, to the master's HTTP API, through
 * wrk-send.lua, which counts the send statuses and prints the latency percentiles. A warm-up
 * run, then the measured run; the brokers' CPU is read from /proc around the measured one.
 *
 * wrk comes from PATH, or else from Debian's packages fetched once with `apt-get download`
 * (no root needed; `apt-get update` first where the package lists are empty and we are root)
 * and unpacked into ~/.cache/skiff-bench/wrk: nothing is installed on the machine.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runToEnd } from "../../test/interop/rocketmq/harness.ts";
import type { LoadFailure, LoadGenerator, LoadResult } from "./load-generator.ts";
import { prepareTopic, sendRequest } from "./http-load.ts";
import { childCpuTicks, cpuTicks, cpuTicksSince, WITH_CHILD_CPU } from "./process-stats.ts";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "wrk-send.lua");
const PACKAGES = ["wrk", "libluajit-5.1-2", "libluajit-5.1-common"];
const READY_WAIT_MS = 30_000;
/** wrk's own per-request timeout: an answer later than this counts as a timeout error. */
const REQUEST_TIMEOUT = "10s";

interface Wrk {
  readonly command: string;
  readonly env: Record<string, string>;
}

function runs(command: string, env: Record<string, string> = {}): boolean {
  const r = spawnSync(command, ["--version"], { encoding: "utf8", timeout: 10_000, env: { ...process.env, ...env } });
  return r.error === undefined && /\bwrk\b.*Copyright/.test(`${r.stdout}${r.stderr}`);
}

function apt(args: string[], cwd: string): { ok: boolean; output: string } {
  const r = spawnSync("apt-get", args, { cwd, encoding: "utf8", timeout: 300_000 });
  return { ok: r.status === 0, output: `${r.error?.message ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-3).join(" | ") };
}

/** wrk from PATH or the cache, fetching it into the cache the first time. */
export async function ensureWrk(): Promise<Wrk> {
  if (runs("wrk")) return { command: "wrk", env: {} };
  const root = join(process.env.HOME ?? "/tmp", ".cache", "skiff-bench", "wrk");
  const unpacked = join(root, "root");
  const cached = (): Wrk | null => {
    const command = join(unpacked, "usr", "bin", "wrk");
    if (!existsSync(command)) return null;
    const libDirs = readdirSync(join(unpacked, "usr", "lib")).map((d) => join(unpacked, "usr", "lib", d));
    const env = { LD_LIBRARY_PATH: [...libDirs, process.env.LD_LIBRARY_PATH ?? ""].filter((d) => d !== "").join(":") };
    return runs(command, env) ? { command, env } : null;
  };
  const found = cached();
  if (found) return found;
  const debs = join(root, "debs");
  await mkdir(debs, { recursive: true });
  let download = apt(["download", ...PACKAGES], debs);
  if (!download.ok && process.getuid?.() === 0) {
    apt(["update", "-qq"], debs);
    download = apt(["download", ...PACKAGES], debs);
  }
  if (!download.ok) throw new Error(`wrk is not on PATH and apt-get download ${PACKAGES.join(" ")} failed (${download.output}): install Debian's wrk (apt-get install wrk) or put a wrk on PATH`);
  for (const deb of readdirSync(debs).filter((f) => f.endsWith(".deb"))) {
    const r = spawnSync("dpkg-deb", ["-x", join(debs, deb), unpacked], { encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0) throw new Error(`dpkg-deb -x ${deb} failed: ${r.error?.message ?? r.stderr}`);
  }
  const unpackedWrk = cached();
  if (unpackedWrk === null) throw new Error(`wrk unpacked into ${unpacked} does not run: install Debian's wrk (apt-get install wrk) or put a wrk on PATH`);
  return unpackedWrk;
}

interface WrkSummary {
  readonly requests: number;
  readonly durationUs: number;
  readonly statuses: Record<string, number>;
  readonly httpErrors: number;
  readonly socketErrors: Record<string, number>;
  readonly latencyUs: { readonly p50: number; readonly p99: number; readonly p999: number; readonly max: number };
}

export async function prepareWrk(): Promise<LoadGenerator> {
  const wrk = await ensureWrk();
  /** One wrk run, and the CPU ticks wrk used (its shell's waited-for children, WITH_CHILD_CPU). */
  const once = async (url: string, connections: number, seconds: number, bodyFile: string, contentType: string): Promise<{ summary: WrkSummary; cpuTicks: number } | LoadFailure> => {
    const args = ["-t1", `-c${connections}`, `-d${seconds}s`, `--timeout`, REQUEST_TIMEOUT, "-s", SCRIPT, url];
    const r = await runToEnd("wrk", "sh", ["-c", WITH_CHILD_CPU, "sh", wrk.command, ...args], (seconds + 30) * 1000,
      { ...wrk.env, SKIFF_WRK_BODY: bodyFile, SKIFF_WRK_TYPE: contentType });
    const line = r.stdout.split("\n").find((l) => l.startsWith('{"requests"'));
    if (r.code !== 0 || line === undefined) return { ok: false, phase: "wrk", error: `wrk exited ${r.code ?? r.signal}: ${`${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-5).join(" | ")}` };
    return { summary: JSON.parse(line) as WrkSummary, cpuTicks: childCpuTicks(r.stdout) };
  };
  return {
    async run(target, scenario, settings, runDir, topic, cpuPids = []) {
      if (target.masterHttp === undefined) return { ok: false, phase: "wrk", error: "the pair has no HTTP API to drive (wrk drives Skiff's)" };
      try {
        await prepareTopic(target.masterHttp, topic, READY_WAIT_MS);
      } catch (error) {
        return { ok: false, phase: "firstSendOk", error: (error as Error).message };
      }
      const request = sendRequest(scenario);
      const bodyFile = join(runDir, "wrk-body");
      await writeFile(bodyFile, request.body);
      const url = `http://${target.masterHttp}/topics/${encodeURIComponent(topic)}/messages`;
      const seconds = (ms: number) => Math.max(1, Math.round(ms / 1000));
      if (settings.warmupMs > 0) {
        const warm = await once(url, scenario.threads, seconds(settings.warmupMs), bodyFile, request.contentType);
        if ("ok" in warm) return { ...warm, phase: "wrk warm-up" };
      }
      const before = await Promise.all(cpuPids.map(cpuTicks));
      const measured = await once(url, scenario.threads, seconds(settings.durationMs), bodyFile, request.contentType);
      const ticks = await cpuTicksSince(cpuPids, before);
      if ("ok" in measured) return measured;
      return { ...resultOf(measured.summary, cpuPids.length > 0 ? ticks : undefined), generatorCpuTicks: measured.cpuTicks };
    },
  };
}

/** wrk's summary as the benchmark's row figures (messages: the acknowledged sends' statuses). */
export function resultOf(w: WrkSummary, cpuTicks?: readonly number[]): LoadResult {
  const messages = Object.values(w.statuses).reduce((s, n) => s + n, 0);
  const errorKinds: Record<string, number> = {};
  if (w.httpErrors > 0) errorKinds["HTTP not 200"] = w.httpErrors;
  for (const [kind, n] of Object.entries(w.socketErrors)) if (n > 0) errorKinds[`socket ${kind}`] = n;
  const ms = (us: number) => us / 1000;
  return {
    ok: true, sends: w.requests, messages, msgsPerSec: w.durationUs > 0 ? messages / (w.durationUs / 1e6) : 0,
    latencyMs: { p50: ms(w.latencyUs.p50), p99: ms(w.latencyUs.p99), p999: ms(w.latencyUs.p999), max: ms(w.latencyUs.max) },
    errors: Object.values(errorKinds).reduce((s, n) => s + n, 0), errorKinds, statuses: w.statuses,
    ...(cpuTicks === undefined ? {} : { cpuTicks }),
  };
}
