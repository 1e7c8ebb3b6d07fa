/**
 * A TCP relay for HA tests: delays a slave's first report so that a Java master opens with its
 * zero-size heartbeat frame, and records what the master sent.
 */
import { connect as netConnect, createServer, type Socket } from "node:net";

/**
 * A TCP relay on 127.0.0.1 in front of `targetPort` that holds back the first bytes of each
 * connection's upstream direction (client → target) for `firstUpstreamDelayMs`, and records what the
 * target sent back. Used to make a slave report late, as a Java slave does (≥ 5 s), so that a Java
 * master's first frame is its zero-size heartbeat (spec §0.1).
 */
export interface DelayRelay {
  readonly port: number;
  /** Bytes target → client, per connection, in arrival order. */
  readonly downstream: Uint8Array[][];
  close(): Promise<void>;
}

export async function startDelayRelay(targetPort: number, firstUpstreamDelayMs: number): Promise<DelayRelay> {
  const downstream: Uint8Array[][] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const received: Uint8Array[] = [];
    downstream.push(received);
    const target = netConnect({ host: "127.0.0.1", port: targetPort });
    sockets.add(client);
    sockets.add(target);
    const held: Uint8Array[] = [];
    let holding = true;
    const timer = setTimeout(() => {
      holding = false;
      for (const chunk of held.splice(0)) target.write(chunk);
    }, firstUpstreamDelayMs);
    client.on("data", (chunk) => (holding ? held.push(chunk) : target.write(chunk)));
    target.on("data", (chunk) => {
      received.push(new Uint8Array(chunk));
      client.write(chunk);
    });
    const end = () => {
      clearTimeout(timer);
      client.destroy();
      target.destroy();
      sockets.delete(client);
      sockets.delete(target);
    };
    client.on("close", end);
    target.on("close", end);
    client.on("error", end);
    target.on("error", end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: 0, host: "127.0.0.1" }, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("relay has no port");
  return {
    port: address.port,
    downstream,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** The first transfer-frame header `[i64 offset][i32 size]` in what a relay saw the master send. */
export function firstTransferHeader(chunks: readonly Uint8Array[]): { offset: number; size: number } | null {
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  if (bytes.byteLength < 12) return null;
  const view = new DataView(bytes.buffer);
  return { offset: Number(view.getBigInt64(0)), size: view.getInt32(8) };
}
