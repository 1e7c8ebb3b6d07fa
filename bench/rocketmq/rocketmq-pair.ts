/**
 * An Apache RocketMQ 4.9.7 pair for the benchmark: a name server, a master (SYNC_MASTER or
 * ASYNC_MASTER) and a slave (brokerId 1, `haMasterAddress` set), ASYNC_FLUSH on both, each a JVM
 * with the flags of RocketMQ's own `runbroker.sh` (G1, fixed heap) rather than the interop tests'
 * quick-start flags, so RocketMQ is measured as it is deployed. Ready once the master has logged
 * the slave's HA connection.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { brokerConf, startJavaBroker, startNamesrv, waitUntil, type JavaServer } from "../../test/interop/rocketmq/harness.ts";
import { brokerRemoting, stopAll, timed, type Pair, type PairPorts } from "./pair.ts";
import { copySeed } from "./catch-up.ts";
import type { Role } from "./settings.ts";

const VERSION = "4.9.7";

/** runbroker.sh's collector flags (4.9.x), with the heap scaled to `heap`. */
export function brokerJvmTuning(heap: string): string[] {
  return [
    "-server", `-Xms${heap}`, `-Xmx${heap}`,
    "-XX:+UseG1GC", "-XX:G1HeapRegionSize=16m", "-XX:G1ReservePercent=25", "-XX:InitiatingHeapOccupancyPercent=30",
    "-XX:SoftRefLRUPolicyMSPerMB=0", "-XX:-OmitStackTraceInFastThrow", "-XX:MaxDirectMemorySize=4g",
  ];
}

const NAMESRV_TUNING = ["-server", "-Xms512m", "-Xmx512m", "-XX:+UseG1GC"];
const SLAVE_ATTACH_TIMEOUT_MS = 30_000;
/** SIGTERM, then SIGKILL after this long: the stores are thrown away, a slow shutdown hook need not finish. */
const STOP_BOUND_MS = 3_000;

/** `seed`: a store directory copied into the master's before it starts (the catch-up figure). */
export async function startRocketMQPair(role: Role, dir: string, ports: PairPorts, heap: string, seed?: string): Promise<Pair> {
  const started: JavaServer[] = [];
  const stop = () => stopAll(started.map((s) => () => s.process.stop(STOP_BOUND_MS)));
  const readyMs = { master: 0, slave: 0 };
  try {
    if (seed !== undefined) await copySeed(seed, join(dir, "master-store"));
    const namesrv = await startNamesrv(VERSION, ports.namesrvPort, join(dir, "namesrv-jvm"), NAMESRV_TUNING);
    started.push(namesrv);
    const common = { namesrvAddr: namesrv.address, brokerName: "bench-broker" };
    const master = timed(startJavaBroker(VERSION, brokerConf({
      ...common, storeDir: join(dir, "master-store"), listenPort: ports.masterListenPort, brokerRole: role, brokerId: 0, segmentSizeBytes: 1 << 30,
    }), join(dir, "master-jvm"), brokerJvmTuning(heap)));
    const slave = timed(startJavaBroker(VERSION, brokerConf({
      ...common, storeDir: join(dir, "slave-store"), listenPort: ports.slaveListenPort, brokerRole: "SLAVE", brokerId: 1, segmentSizeBytes: 1 << 30,
      extra: { haMasterAddress: `127.0.0.1:${ports.masterListenPort + 1}` },
    }), join(dir, "slave-jvm"), brokerJvmTuning(heap)));
    const both = await Promise.allSettled([master, slave]);
    for (const r of both) if (r.status === "fulfilled") started.push(r.value.value);
    for (const r of both) if (r.status === "rejected") throw r.reason;
    readyMs.master = (both[0] as PromiseFulfilledResult<{ ms: number }>).value.ms;
    readyMs.slave = (both[1] as PromiseFulfilledResult<{ ms: number }>).value.ms;
    await waitUntil("the RocketMQ master to log its slave's HA connection", SLAVE_ATTACH_TIMEOUT_MS, async () => masterLogHasSlave(join(dir, "master-jvm")));
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return { namesrvAddr: `127.0.0.1:${ports.namesrvPort}`, brokerRemoting: brokerRemoting(ports), pids: started.map((s) => s.pid), brokerPids: { master: started[1].pid, slave: started[2].pid }, readyMs, stop };
}

function masterLogHasSlave(runDir: string): boolean {
  const log = join(runDir, "logs", "rocketmqlogs", "broker.log");
  return existsSync(log) && readFileSync(log, "utf8").includes("HAService receive new connection");
}
