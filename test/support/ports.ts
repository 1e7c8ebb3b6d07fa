/**
 * Skiff's port layout (DESIGN §1.2, §1.7) as tests compute it, in one place: when a default
 * changes, this file changes. A broker on `listenPort` N serves RocketMQ remoting on N (and the
 * fast channel N - 2), HA on N + 1 and its HTTP API on N + 2; a name server on N serves remoting
 * on N and HTTP on N + 1. `freeListenPort` finds an N whose whole layout is free on 127.0.0.1.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/**
 * A random port for a block of `count` ports that lies below the kernel's ephemeral range
 * (/proc/sys/net/ipv4/ip_local_port_range, 32768 by default): a port found free there cannot be
 * taken meanwhile by an outgoing connection's local port, which mattered for tests that restart
 * a broker on its ports while clients keep connecting (a restart once found its fast-channel port
 * taken by a client socket).
 */
export function randomPortBelowEphemeral(count: number, lowest = 10_000): number {
  let ephemeralLow = 32_768;
  try {
    ephemeralLow = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) || ephemeralLow;
  } catch {
    // not Linux: keep the default
  }
  const highest = Math.max(lowest + count, ephemeralLow - count);
  return lowest + Math.floor(Math.random() * (highest - lowest - count));
}

export const BROKER_HA_OFFSET = 1;
export const BROKER_HTTP_OFFSET = 2;
export const BROKER_FAST_OFFSET = -2;
export const NAMESRV_HTTP_OFFSET = 1;

export interface BrokerPorts {
  readonly listenPort: number;
  readonly fastPort: number;
  readonly haPort: number;
  readonly httpPort: number;
}

/** The ports a broker with only `listenPort` set uses. */
export function brokerPorts(listenPort: number): BrokerPorts {
  return { listenPort, fastPort: listenPort + BROKER_FAST_OFFSET, haPort: listenPort + BROKER_HA_OFFSET, httpPort: listenPort + BROKER_HTTP_OFFSET };
}

/** `host:httpPort` of a broker with only `listenPort` set. */
export function brokerHttpAddress(listenPort: number, host = "127.0.0.1"): string {
  return `${host}:${listenPort + BROKER_HTTP_OFFSET}`;
}

/** `host:haPort` of a broker with only `listenPort` set. */
export function brokerHaAddress(listenPort: number, host = "127.0.0.1"): string {
  return `${host}:${listenPort + BROKER_HA_OFFSET}`;
}

/** `host:httpPort` of a name server with only `listenPort` set. */
export function namesrvHttpAddress(listenPort: number, host = "127.0.0.1"): string {
  return `${host}:${listenPort + NAMESRV_HTTP_OFFSET}`;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer().once("error", () => resolve(false)).listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A listenPort N with N - 2 … N + 2 free on 127.0.0.1 (a broker's whole layout), tried at random. */
export async function freeListenPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = randomPortBelowEphemeral(5) - BROKER_FAST_OFFSET;
    let free = true;
    for (let port = base + BROKER_FAST_OFFSET; port <= base + BROKER_HTTP_OFFSET && free; port++) free = await canListen(port);
    if (free) return base;
  }
  throw new Error("no free block of 5 ports on 127.0.0.1");
}
