/**
 * A Skiff pair for the benchmark: `skiff namesrv`, a `skiff broker` master (SYNC_MASTER or
 * ASYNC_MASTER) and a `skiff broker` slave (brokerId 1, `haMasterAddress` set), ASYNC_FLUSH, each
 * in its own process on one runtime, started as its start command starts it (test/support/skiff-process.ts: Node and Deno from their bundles), on RocketMQ's port layout
 * (pair.ts). Ready once the master's `/ha/status` lists the slave. The Java producer is given the
 * name server's `listenPort`, where Skiff serves RocketMQ remoting.
 */
import { join } from "node:path";
import { startProcess, waitUntil, type TrackedProcess } from "../../test/interop/rocketmq/harness.ts";
import { skiffCommand } from "../../test/support/skiff-process.ts";
import type { RuntimeName } from "../../test/support/platform.ts";
import { brokerRemoting, stopAll, timed, type Pair, type PairPorts } from "./pair.ts";
import { copySeed } from "./catch-up.ts";
import type { Role } from "./settings.ts";

const BOOT_TIMEOUT_MS = 60_000;
const SLAVE_ATTACH_TIMEOUT_MS = 30_000;
/** SIGTERM, then SIGKILL after this long (as for the RocketMQ pair). */
const STOP_BOUND_MS = 3_000;
const BROKER_BOOT = /The broker\[[^,\]]+, ([0-9.:]+)\] boot success[^\n]*/;

/** Skiff reads SKIFF_<key> as configuration: none of the caller's SKIFF_* variables reach it. */
function childEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { DENO_NO_UPDATE_CHECK: "1" };
  for (const name of Object.keys(process.env)) if (name.startsWith("SKIFF_")) env[name] = undefined;
  return env;
}

/**
 * `SKIFF_BENCH_CPU_PROF=<dir>`: each Skiff process runs under its runtime's CPU profiler and
 * writes `<dir>/<runtime>-<what>-<pid>.cpuprofile` when it stops (V8's format on all three).
 */
function profiled(runtime: RuntimeName, what: string, command: string, args: string[]): string[] {
  const dir = process.env.SKIFF_BENCH_CPU_PROF;
  if (!dir) return args;
  const name = `${runtime}-${what}-${Date.now()}.cpuprofile`;
  const flags = ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`];
  const at = command === "deno" ? 1 : 0; // after `run` for deno, before the script otherwise
  return [...args.slice(0, at), ...flags, ...args.slice(at)];
}

/** `root`: the checkout Skiff runs from (a `--baseline=DIR`), else this one. */
async function startSkiffProcess(runtime: RuntimeName, what: string, args: string[], boot: RegExp, root?: string): Promise<{ proc: TrackedProcess; line: RegExpMatchArray }> {
  const [command, full] = skiffCommand(runtime, args, root);
  const proc = startProcess(`skiff ${what} (${runtime})`, command, profiled(runtime, what, command, full), { env: childEnv(), cwd: root });
  try {
    return { proc, line: await proc.waitForLine(boot, BOOT_TIMEOUT_MS) };
  } catch (error) {
    await proc.kill().catch(() => undefined);
    throw new Error(`Skiff ${what} on ${runtime} did not start: ${(error as Error).message}`);
  }
}

function flags(values: Record<string, string | number>): string[] {
  return Object.entries(values).map(([k, v]) => `--${k}=${v}`);
}

/** The HTTP address of a broker's boot line: `http=…` where remoting has its own port, else the bracketed address. */
function httpAddressOf(bootLine: string): string {
  return /\bhttp=([0-9.:]+)/.exec(bootLine)?.[1] ?? BROKER_BOOT.exec(bootLine)![1];
}

/** `seed`: a store directory copied into the master's before it starts (the catch-up figure). */
export async function startSkiffPair(runtime: RuntimeName, role: Role, dir: string, ports: PairPorts, seed?: string, root?: string): Promise<Pair> {
  const started: TrackedProcess[] = [];
  const stop = () => stopAll(started.map((p) => () => p.stop(STOP_BOUND_MS)));
  const readyMs = { master: 0, slave: 0 };
  let masterHttp = "";
  try {
    if (seed !== undefined) await copySeed(seed, join(dir, "master-store"));
    const namesrv = await startSkiffProcess(runtime, "namesrv", ["namesrv", ...flags({ listenPort: ports.namesrvPort })], /The Name Server boot success/, root);
    started.push(namesrv.proc);
    const common = { brokerName: "bench-broker", flushDiskType: "ASYNC_FLUSH", namesrvAddr: `127.0.0.1:${ports.namesrvPort}`, brokerIP1: "127.0.0.1", brokerIP2: "127.0.0.1" };
    const both = await Promise.allSettled([
      timed(startSkiffProcess(runtime, "master", ["broker", ...flags({
        ...common, brokerRole: role, brokerId: 0, listenPort: ports.masterListenPort, haListenPort: ports.masterListenPort + 1, storePathRootDir: join(dir, "master-store"),
      })], BROKER_BOOT, root)),
      timed(startSkiffProcess(runtime, "slave", ["broker", ...flags({
        ...common, brokerRole: "SLAVE", brokerId: 1, listenPort: ports.slaveListenPort, haListenPort: ports.slaveListenPort + 1,
        haMasterAddress: `127.0.0.1:${ports.masterListenPort + 1}`, storePathRootDir: join(dir, "slave-store"),
      })], BROKER_BOOT, root)),
    ]);
    for (const r of both) if (r.status === "fulfilled") started.push(r.value.value.proc);
    for (const r of both) if (r.status === "rejected") throw r.reason;
    const [master, slave] = both.map((r) => (r as PromiseFulfilledResult<{ value: { line: RegExpMatchArray }; ms: number }>).value);
    readyMs.master = master.ms;
    readyMs.slave = slave.ms;
    masterHttp = httpAddressOf(master.value.line[0]);
    await waitUntil(`the Skiff master's /ha/status (http://${masterHttp}) to list its slave`, SLAVE_ATTACH_TIMEOUT_MS, async () => {
      const response = await fetch(`http://${masterHttp}/ha/status`, { signal: AbortSignal.timeout(5000) });
      const status = (await response.json()) as { slaves?: unknown[] };
      return (status.slaves?.length ?? 0) > 0;
    });
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return { namesrvAddr: `127.0.0.1:${ports.namesrvPort}`, masterHttp, brokerRemoting: brokerRemoting(ports), pids: started.map((p) => p.pid), brokerPids: { master: started[1].pid, slave: started[2].pid }, readyMs, stop };
}
