/**
 * The Deno adapter's read buffer is sized as Netty's adaptive allocator sizes it: a waiting read
 * holds 2 KiB (an idle connection costs that, not 64 KiB: 4096 idle remoting connections held
 * 256 MiB more before); a read that fills the buffer doubles it up to 64 KiB, a read that drains
 * the socket brings it back to 2 KiB. Every byte read is yielded once, in order. Runs on every
 * runtime: the connection is given a scripted stand-in for `Deno.TcpConn`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DenoConnection } from "../../adapters/deno/connection.ts";

/** A `Deno.TcpConn` whose reads return the scripted byte counts (then EOF), recording each buffer's size. */
function scriptedConn(counts: number[]): { conn: Deno.TcpConn; bufferSizes: number[] } {
  const bufferSizes: number[] = [];
  let next = 0;
  const conn = {
    localAddr: { hostname: "127.0.0.1", port: 1, transport: "tcp" },
    remoteAddr: { hostname: "127.0.0.1", port: 2, transport: "tcp" },
    setNoDelay: () => undefined,
    read: async (buffer: Uint8Array) => {
      bufferSizes.push(buffer.byteLength);
      if (next >= counts.length) return null;
      const count = Math.min(counts[next], buffer.byteLength);
      for (let i = 0; i < count; i++) buffer[i] = (next + i) & 0xff;
      next++;
      return count;
    },
    write: async (bytes: Uint8Array) => bytes.byteLength,
    closeWrite: async () => undefined,
    close: () => undefined,
  };
  return { conn: conn as unknown as Deno.TcpConn, bufferSizes };
}

describe("Deno adapter read buffer", () => {
  it("waits with 2 KiB, doubles after full reads up to 64 KiB, and drops back after a read that drains the socket", async () => {
    const KiB = 1024;
    const counts = [100, 2 * KiB, 4 * KiB, 8 * KiB, 16 * KiB, 32 * KiB, 64 * KiB, 64 * KiB, 10 * KiB, 50];
    const { conn, bufferSizes } = scriptedConn(counts);
    const chunks: Uint8Array[] = [];
    for await (const chunk of new DenoConnection(conn).readable) chunks.push(chunk);
    assert.deepEqual(bufferSizes.map((b) => b / KiB), [2, 2, 4, 8, 16, 32, 64, 64, 64, 2, 2]);
    assert.deepEqual(chunks.map((c) => c.byteLength), counts);
    chunks.forEach((chunk, n) => assert.ok(chunk.every((byte, i) => byte === ((n + i) & 0xff)), `chunk ${n} holds its bytes`));
  });
});
