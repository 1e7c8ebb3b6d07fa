/**
 * Node's client for the broker's peers (adapters/node/http-client.ts) against peers that misbehave:
 * an answer larger than its bound, bytes that are not HTTP, a status outside 200..599, a connection
 * closed mid-body, and a kept-alive connection the peer closed between two calls. Each call fails
 * with a `TypeError` naming the cause, or succeeds on a fresh connection. And it never calls the
 * global `fetch` (the point of it: see its header). Runs under Bun, Deno and Node alike (it uses
 * `node:http` only).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { nodeHttpClient } from "../../adapters/node/http-client.ts";
import { loopback } from "./helpers.ts";

/** A peer on a raw socket: `answer` gets each connection's first request head and writes what it likes. */
async function withRawPeer(answer: (socket: Socket, connection: number) => void, run: (url: string, closed: () => number) => Promise<void>): Promise<void> {
  const sockets: Socket[] = [];
  let closed = 0;
  const peer = createServer((socket) => {
    const index = sockets.push(socket) - 1;
    socket.on("close", () => closed++);
    socket.on("error", () => {});
    let head = "";
    socket.on("data", (chunk) => {
      head += chunk.toString("latin1");
      if (head.includes("\r\n\r\n")) {
        head = "";
        answer(socket, index);
      }
    });
  });
  await new Promise<void>((resolve) => peer.listen(0, loopback, resolve));
  try {
    await run(`http://${loopback}:${(peer.address() as AddressInfo).port}/sync/topic-config`, () => closed);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => peer.close(() => resolve()));
  }
}

async function failure(call: Promise<Response>): Promise<TypeError & { cause?: Error }> {
  const error = await call.then(() => null, (e: unknown) => e);
  assert.ok(error instanceof TypeError, `expected a TypeError, got ${String(error)}`);
  return error as TypeError & { cause?: Error };
}

const until = async (what: string, check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
};

describe("Node's HTTP client for peers", () => {
  it("fails an answer larger than its bound and closes that connection", async () => {
    const fetcher = nodeHttpClient({ maxResponseBytes: 1024 });
    await withRawPeer((socket) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\n${"x".repeat(4096)}`), async (url, closed) => {
      const error = await failure(fetcher(url, { signal: AbortSignal.timeout(5000) }));
      assert.match(error.cause?.message ?? "", /exceeds 1024 bytes/);
      await until("the connection is closed", () => closed() === 1);
    });
  });

  it("reads an answer of exactly its bound", async () => {
    const fetcher = nodeHttpClient({ maxResponseBytes: 1024 });
    await withRawPeer((socket) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 1024\r\n\r\n${"y".repeat(1024)}`), async (url) => {
      assert.equal((await (await fetcher(url)).text()).length, 1024);
    });
  });

  it("fails bytes that are not HTTP, and a status outside 200..599", async () => {
    const fetcher = nodeHttpClient();
    await withRawPeer((socket) => socket.end("SSH-2.0-OpenSSH\r\n\r\n"), async (url) => {
      await failure(fetcher(url, { signal: AbortSignal.timeout(5000) }));
    });
    await withRawPeer((socket) => socket.end("HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n"), async (url) => {
      const error = await failure(fetcher(url, { signal: AbortSignal.timeout(5000) }));
      assert.match(error.cause?.message ?? "", /status 999/);
    });
  });

  it("fails an answer cut off mid-body", async () => {
    const fetcher = nodeHttpClient();
    await withRawPeer((socket) => socket.end("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b"), async (url) => {
      await failure(fetcher(url, { signal: AbortSignal.timeout(5000) }));
    });
  });

  it("opens a new connection when the peer closed the kept-alive one between calls", async () => {
    const fetcher = nodeHttpClient();
    // Each connection answers once and is then closed by the peer, without saying so in its headers.
    await withRawPeer((socket) => socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", () => setTimeout(() => socket.end(), 20)), async (url, closed) => {
      assert.equal(await (await fetcher(url)).text(), "ok");
      await until("the peer closed the first connection", () => closed() === 1);
      assert.equal(await (await fetcher(url, { signal: AbortSignal.timeout(5000) })).text(), "ok");
    });
  });

  it("never calls the global fetch", async () => {
    const fetcher = nodeHttpClient();
    const original = globalThis.fetch;
    globalThis.fetch = (() => Promise.reject(new Error("the global fetch was called"))) as unknown as typeof fetch;
    try {
      await withRawPeer((socket) => socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), async (url) => {
        assert.equal(await (await fetcher(url, { method: "POST", body: "{}" })).text(), "ok");
      });
    } finally {
      globalThis.fetch = original;
    }
  });
});
