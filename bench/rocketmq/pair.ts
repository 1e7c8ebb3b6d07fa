/**
 * A broker pair under test (a name server, a master and one slave, each its own process) as the
 * benchmark sees it: where the Java producer finds its name server, the processes to stop, and
 * the ports of RocketMQ's layout taken from one block of free loopback ports.
 *
 * | port of the block | what |
 * |---|---|
 * | base + 0, base + 1 | name server: remoting `listenPort`, Skiff's HTTP (`listenPort + 1`) |
 * | base + 2 … base + 6 | master: fast channel `listenPort - 2`, `listenPort` = base + 4, HA `+ 1`, Skiff's HTTP `+ 2` |
 * | base + 7 … base + 11 | slave: the same, `listenPort` = base + 9 |
 */
import { freePortBlock } from "../../test/interop/rocketmq/harness.ts";

export interface Pair {
  /** `127.0.0.1:port` the Java producer is given as namesrvAddr. */
  readonly namesrvAddr: string;
  /** `127.0.0.1:port` of the master's HTTP API (Skiff pairs: what wrk and Skiff's client drive). */
  readonly masterHttp?: string;
  /** PIDs of the processes started (for the report). */
  readonly pids: readonly number[];
  /** `127.0.0.1:listenPort` of the master's and the slave's RocketMQ remoting (catch-up.ts asks them their offsets). */
  readonly brokerRemoting: { readonly master: string; readonly slave: string };
  /** The master's and the slave's PIDs: their CPU over the measured window is reported per message. */
  readonly brokerPids: { readonly master: number; readonly slave: number };
  /** Milliseconds from starting each broker's process to its "boot success" line (both start at once). */
  readonly readyMs: { readonly master: number; readonly slave: number };
  /** Stops every process of the pair by PID (bounded); the store directories are the caller's. */
  stop(): Promise<void>;
}

export interface PairPorts {
  readonly namesrvPort: number;
  readonly masterListenPort: number;
  readonly slaveListenPort: number;
}

export function brokerRemoting(ports: PairPorts): Pair["brokerRemoting"] {
  return { master: `127.0.0.1:${ports.masterListenPort}`, slave: `127.0.0.1:${ports.slaveListenPort}` };
}

export async function pairPorts(): Promise<PairPorts> {
  const base = await freePortBlock(12);
  return { namesrvPort: base, masterListenPort: base + 4, slaveListenPort: base + 9 };
}

/** Stops every step's process; all are attempted, the first failure is thrown after the rest. */
/** How long `start` took to settle, beside its value (a rejection passes through). */
export async function timed<T>(start: Promise<T>): Promise<{ value: T; ms: number }> {
  const t = performance.now();
  const value = await start;
  return { value, ms: Math.round(performance.now() - t) };
}

export async function stopAll(stops: ReadonlyArray<() => Promise<unknown>>): Promise<void> {
  const results = await Promise.allSettled(stops.map((stop) => stop()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}
