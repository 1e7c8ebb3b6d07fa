/**
 * RocketMQ benchmark (issue 11 item 6, issue 13): the same Java producer (bench/java/LoadGen.java,
 * client 4.9.7) drives a real Apache RocketMQ 4.9.7 pair and a Skiff pair on each chosen runtime
 * (each pair: name server, master, one slave, separate processes, fresh stores every row); Skiff's
 * pairs are driven again by Debian's wrk over keep-alive HTTP (rocketmq/wrk.ts) and by Skiff's own
 * client under Bun (rocketmq/client-driver.ts). One run, interleaved: for every round, scenario
 * (sync-32, batch-8x32, one-1) and role (SYNC_MASTER, ASYNC_MASTER), RocketMQ then Skiff Bun,
 * Deno, Node under each driver (reversed in even rounds). Prints the machine
 * facts, each row as it ends (with the brokers' RSS idle → peak and the master's start-up), the
 * medians with their spread, Skiff's ratios to RocketMQ's and every target PASS or FALLS SHORT
 * (rocketmq/targets.ts); writes them to bench/results/<date>.md with a chart (<date>.svg).
 *
 *   npm run bench -- vs-rocketmq [--runtimes=bun,deno,node] [--drivers=java,wrk,client] [--scenarios=sync-32,batch-8x32,one-1] [--roles=SYNC_MASTER,ASYNC_MASTER] [--out=DIR]
 *   npm run bench -- vs-rocketmq --quick   (one round of sync-32 SYNC_MASTER, 1 s + 2 s, and a 256 MiB catch-up: proves it runs)
 *   --scenarios=…,catch-up: the slave catch-up rows (rocketmq/catch-up.ts; SKIFF_BENCH_CATCHUP_MB=1000, the default)
 *   SKIFF_BENCH_SECONDS=10 SKIFF_BENCH_WARMUP_SECONDS=5 SKIFF_BENCH_ROUNDS=2 SKIFF_BENCH_JAVA_HEAP=2g (the defaults;
 *   a whole default run is 120 rows, about 45 minutes on 2 cores; `--drivers=java` is 48, about 18)
 *   --baseline=DIR: Skiff from another checkout (git worktree add DIR <commit>) runs beside this one, `Skiff Bun base`, …
 *   SKIFF_BENCH_CPU_PROF=<dir>: every Skiff process runs under its runtime's CPU profiler (V8
 *   .cpuprofile files in <dir>, written when it stops; the profiler's own cost is in the figures)
 *
 * Runs under Node (it starts JVMs and Skiff processes; every one is stopped by PID, also on
 * SIGINT/SIGTERM, and the temp directory is removed). Loopback only; ports from freePortBlock.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { catchUpLine, catchUpSummary, catchUpSystems, catchUpTable, catchUpVerdicts, rawTcpMibPerSec, seedStore, watchCatchUp, type CatchUpRow } from "./rocketmq/catch-up.ts";
import { prepareClientDriver } from "./rocketmq/client-driver.ts";
import { prepareLoadGenerator, type LoadGenerator } from "./rocketmq/load-generator.ts";
import { pairPorts, type Pair } from "./rocketmq/pair.ts";
import type { Row } from "./rocketmq/figures.ts";
import { machineBusyShare, rssBytes, samplePeakRss } from "./rocketmq/process-stats.ts";
import { machineFacts, rowLine, summary } from "./rocketmq/report.ts";
import { writeResults } from "./rocketmq/results-file.ts";
import { verdicts } from "./rocketmq/targets.ts";
import { brokerJvmTuning, startRocketMQPair } from "./rocketmq/rocketmq-pair.ts";
import { readSettings, systemName, systemsInOrder, type Driver, type Role, type Scenario, type Settings, type System } from "./rocketmq/settings.ts";
import { startSkiffPair } from "./rocketmq/skiff-pair.ts";
import { prepareWrk } from "./rocketmq/wrk.ts";

let settings: Settings;
try {
  settings = readSettings(process.argv.slice(2), process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}

const oneLine = (text: string, max = 700) => {
  const flat = text.replace(/\s*\n\s*/g, " | ");
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};

/** The Java client's errors when the far end does not speak RocketMQ remoting (or does not answer). */
const noRemoting = (error: string) => /Remoting(Send|Connect|Timeout)\w*Exception/.test(error);

let current: Pair | null = null;
const dir = await mkdtemp(join(tmpdir(), "skiff-bench-rocketmq-"));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`${signal}: stopping the running pair and removing ${dir}`);
    void (current?.stop() ?? Promise.resolve()).catch(() => undefined).then(() => rm(dir, { recursive: true, force: true })).finally(() => process.exit(130));
  });
}

/**
 * Starts the pair on a fresh block of free ports; a port taken between the check and the bind
 * (another program on the machine, an outgoing connection's ephemeral port) means a new block.
 */
async function startPair(system: System, role: Role, rowDir: string, seed?: string): Promise<Pair> {
  for (let attempt = 1; ; attempt++) {
    const ports = await pairPorts();
    try {
      return system.kind === "rocketmq"
        ? await startRocketMQPair(role, join(rowDir, `attempt-${attempt}`), ports, settings.javaHeap, seed)
        : await startSkiffPair(system.runtime, role, join(rowDir, `attempt-${attempt}`), ports, seed, system.baseline);
    } catch (error) {
      if (attempt >= 3 || !/address already in use|EADDRINUSE|AddrInUse|Is port \d+ in use/i.test((error as Error).message)) throw error;
      console.error(`${systemName(system)}: a port of block ${ports.namesrvPort} was taken meanwhile; trying a new block`);
    }
  }
}

async function runRow(drivers: Record<Driver, LoadGenerator | null>, round: number, scenario: Scenario, role: Role, system: System): Promise<Row> {
  const busyBefore = await machineBusyShare(1000);
  const loadAverage = loadavg()[0];
  const phasesMs = { start: 0, load: 0, stop: 0 };
  const rowDir = join(dir, `r${round}-${scenario.name}-${role}-${system.kind === "rocketmq" ? "rocketmq" : `${system.runtime}-${system.driver}${system.baseline === undefined ? "" : "-base"}`}`);
  const load = drivers[system.kind === "rocketmq" ? "java" : system.driver]!;
  await mkdir(join(rowDir, "producer"), { recursive: true });
  let result: Row["result"];
  let readyMs: Row["readyMs"];
  let rss: Row["rss"];
  let t = Date.now();
  try {
    try {
      current = await startPair(system, role, rowDir);
    } catch (error) {
      result = { ok: false, phase: "pair start", error: oneLine((error as Error).message) };
      return { round, scenario, role, system, result, phasesMs, loadAverage, busyBefore };
    } finally {
      phasesMs.start = Date.now() - t;
    }
    t = Date.now();
    readyMs = current.readyMs;
    const brokers = [current.brokerPids.master, current.brokerPids.slave];
    const [idleMaster, idleSlave] = await Promise.all(brokers.map(rssBytes));
    const peaks = samplePeakRss(brokers);
    try {
      result = await load.run(current, scenario, settings, join(rowDir, "producer"), `bench_${scenario.name}`, brokers);
      if (!result.ok) result = { ...result, error: oneLine(`${system.kind === "skiff" && noRemoting(result.error) ? `no RocketMQ remoting answer from Skiff's name server at ${current.namesrvAddr}: ` : ""}${result.error}`) };
    } catch (error) {
      result = { ok: false, phase: "load generator", error: oneLine((error as Error).message) };
    } finally {
      const [loadedMaster, loadedSlave] = await peaks.stop();
      rss = { idle: { master: idleMaster, slave: idleSlave }, loaded: { master: loadedMaster, slave: loadedSlave } };
      phasesMs.load = Date.now() - t;
      t = Date.now();
      await current.stop().catch((error: Error) => console.error(`stopping ${systemName(system)}: ${error.message}`));
      current = null;
      phasesMs.stop = Date.now() - t;
    }
  } finally {
    await rm(rowDir, { recursive: true, force: true });
  }
  return { round, scenario, role, system, result, phasesMs, loadAverage, busyBefore, readyMs, rss };
}

/** Bounds the wait for a slave to copy the seed: 10 MiB/s at least. */
const catchUpTimeoutMs = (mib: number) => Math.max(60_000, (mib / 10) * 1000);

/**
 * One catch-up row: raw loopback TCP on the Skiff runtime first (the same bytes, two processes),
 * then the pair with the seed in the master's store; the slave is watched until it holds it all.
 */
async function runCatchUpRow(round: number, system: System, seed: { dir: string; bytes: number }, mib: number): Promise<CatchUpRow> {
  const rowDir = join(dir, `r${round}-catch-up-${system.kind === "rocketmq" ? "rocketmq" : `${system.runtime}${system.baseline === undefined ? "" : "-base"}`}`);
  let rawTcp: number | null = null;
  let result: CatchUpRow["result"];
  try {
    if (system.kind === "skiff") rawTcp = await rawTcpMibPerSec(system.runtime, seed.bytes);
    current = await startPair(system, "ASYNC_MASTER", rowDir, seed.dir);
    result = await watchCatchUp(current.brokerRemoting.master, current.brokerRemoting.slave, catchUpTimeoutMs(mib));
  } catch (error) {
    result = { ok: false, phase: current === null ? "pair start" : "catch-up", error: oneLine((error as Error).message) };
  } finally {
    await current?.stop().catch((error: Error) => console.error(`stopping ${systemName(system)}: ${error.message}`));
    current = null;
    await rm(rowDir, { recursive: true, force: true });
  }
  return { round, system, result, rawTcpMibPerSec: rawTcp };
}

const runStart = Date.now();
try {
  console.log("# RocketMQ 4.9.7 vs Skiff, each pair a name server + master + slave: the same Java producer (bench/java/LoadGen.java, client 4.9.7) drives both; Skiff also under wrk and its own client");
  const facts = machineFacts();
  for (const line of facts) console.log(line);
  console.log(`load: ${settings.durationMs / 1000} s measured per row after ${settings.warmupMs / 1000} s warm-up, ${settings.rounds} round(s), fresh stores each row; latency per send call; no client retries`);
  console.log(`RocketMQ broker JVMs: ${brokerJvmTuning(settings.javaHeap).join(" ")}; ASYNC_FLUSH, 1 GiB commit-log segments on both systems`);
  const drivers: Record<Driver, LoadGenerator | null> = {
    java: await prepareLoadGenerator(),
    wrk: settings.runtimes.length > 0 && settings.drivers.includes("wrk") ? await prepareWrk() : null,
    client: settings.drivers.includes("client") ? prepareClientDriver() : null,
  };
  console.log(`Skiff driven by: ${settings.drivers.map((d) => ({ java: "the same Java producer", wrk: "wrk over keep-alive HTTP (-t1, one request in flight per connection)", client: "Skiff's client under Bun over HTTP" })[d]).join("; ")}`);
  const rows: Row[] = [];
  const catchUpRows: CatchUpRow[] = [];
  let seed: { dir: string; bytes: number } | null = null;
  for (let round = 1; round <= settings.rounds; round++) {
    for (const scenario of settings.scenarios) {
      for (const role of settings.roles) {
        for (const system of systemsInOrder(settings, round)) {
          const row = await runRow(drivers, round, scenario, role, system);
          console.log(rowLine(row));
          rows.push(row);
        }
      }
    }
    if (settings.catchUpMiB !== null) {
      if (seed === null) {
        const seedDir = join(dir, "catch-up-seed");
        const t = Date.now();
        seed = { dir: seedDir, bytes: await seedStore(seedDir, settings.catchUpMiB) };
        console.log(`catch-up seed: ${seed.bytes} bytes of commit log written in ${((Date.now() - t) / 1000).toFixed(1)} s (Skiff's store, RocketMQ's layout)`);
      }
      for (const system of catchUpSystems(systemsInOrder(settings, round))) {
        const row = await runCatchUpRow(round, system, seed, settings.catchUpMiB);
        console.log(catchUpLine(row));
        catchUpRows.push(row);
      }
    }
  }
  const systems = systemsInOrder(settings, 1);
  const verdictList = [...verdicts(rows, settings.scenarios, settings.roles, settings.runtimes, settings.drivers), ...catchUpVerdicts(catchUpRows, settings.runtimes)];
  const catchUp = settings.catchUpMiB === null ? [] : catchUpSummary(catchUpRows, systems, settings.catchUpMiB);
  for (const line of summary(rows, settings.scenarios, settings.roles, systems, verdictList, catchUp)) console.log(line);
  const wallSeconds = (Date.now() - runStart) / 1000;
  console.log(`\nwhole run: ${wallSeconds.toFixed(0)} s`);
  const files = await writeResults({
    date: new Date().toISOString().slice(0, 10), command: `npm run bench -- vs-rocketmq ${process.argv.slice(2).join(" ")}`.trim(),
    facts, settings, systems, rows, verdicts: verdictList, wallSeconds,
    catchUp: { table: settings.catchUpMiB === null ? [] : catchUpTable(catchUpRows, systems, settings.catchUpMiB), lines: catchUpRows.map(catchUpLine) },
  });
  console.log(`results: ${files.markdown}, chart: ${files.chart}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
