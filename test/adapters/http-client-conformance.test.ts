/**
 * The current runtime's HTTP client for the broker's peers (`platform.http.fetcher()`: `fetch` on
 * Bun and Deno, adapters/node/http-client.ts on Node) behaves as `fetch` does for what a peer call
 * sends and reads: methods, headers both ways, string and byte bodies, statuses with and without a
 * body, a timeout's `TimeoutError`, a refused connection's `TypeError`, and keep-alive connections
 * reused for consecutive calls. The same file runs under Bun, Deno and Node.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type AddressInfo, type Socket } from "node:net";
import type { FetchHandler } from "../../src/core/platform.ts";
import { platform } from "../support/platform.ts";
import { loopback, within } from "./helpers.ts";

async function withServer(handler: FetchHandler, run: (base: string) => Promise<void>): Promise<void> {
  const server = await platform.http.serve({ host: loopback, port: 0 }, handler);
  try {
    await run(`http://${loopback}:${server.address.port}`);
  } finally {
    await within(5000, server.close(), "close");
  }
}

/** What the handler saw of each request. */
async function echo(request: Request): Promise<Response> {
  const body = new Uint8Array(await request.arrayBuffer());
  return Response.json({
    method: request.method,
    path: new URL(request.url).pathname,
    contentType: request.headers.get("content-type"),
    custom: request.headers.get("x-skiff-peer"),
    authorization: request.headers.get("authorization"),
    body: [...body],
  }, { status: 201, headers: { "x-answered-by": "peer" } });
}

describe(`the ${platform.system.runtime} HTTP client for peers`, () => {
  const fetcher = platform.http.fetcher();

  it("sends the method, headers and a string body, and reads a JSON answer with its status and headers", async () => {
    await withServer(echo, async (base) => {
      const answer = await fetcher(`${base}/brokers/register`, {
        method: "POST",
        headers: new Headers({ "content-type": "application/json", "x-skiff-peer": "slave-1", authorization: "Basic YTpi" }),
        body: JSON.stringify({ ok: "é" }),
      });
      assert.equal(answer.status, 201);
      assert.equal(answer.ok, true);
      assert.equal(answer.headers.get("x-answered-by"), "peer");
      const seen = (await answer.json()) as { method: string; path: string; contentType: string; custom: string; authorization: string; body: number[] };
      assert.deepEqual({ ...seen, body: new TextDecoder().decode(new Uint8Array(seen.body)) }, {
        method: "POST", path: "/brokers/register", contentType: "application/json", custom: "slave-1", authorization: "Basic YTpi", body: '{"ok":"é"}',
      });
    });
  });

  it("sends a byte body as it is", async () => {
    await withServer(echo, async (base) => {
      const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
      const seen = (await (await fetcher(`${base}/b`, { method: "POST", body: bytes })).json()) as { body: number[] };
      assert.deepEqual(seen.body, [...bytes]);
    });
  });

  it("answers 404 with its body and 204 with none", async () => {
    await withServer((request) => new URL(request.url).pathname === "/empty" ? new Response(null, { status: 204 }) : new Response("no such route", { status: 404 }), async (base) => {
      const missing = await fetcher(`${base}/nowhere`);
      assert.equal(missing.status, 404);
      assert.equal(missing.ok, false);
      assert.equal(await missing.text(), "no such route");
      const empty = await fetcher(`${base}/empty`, { method: "DELETE" });
      assert.equal(empty.status, 204);
      assert.equal(await empty.text(), "");
    });
  });

  it("rejects with the signal's TimeoutError when the peer does not answer in time, and goes on serving", async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await withServer(async (request) => {
      if (new URL(request.url).pathname === "/slow") await held;
      return new Response("ok");
    }, async (base) => {
      const started = Date.now();
      const error = await fetcher(`${base}/slow`, { signal: AbortSignal.timeout(100) }).then(() => null, (e: unknown) => e as Error);
      assert.equal(error?.name, "TimeoutError");
      assert.ok(Date.now() - started < 3000, "the timeout ends the call");
      release();
      assert.equal(await (await fetcher(`${base}/fast`)).text(), "ok");
    });
  });

  it("rejects with a TypeError when nothing listens", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, loopback, resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await assert.rejects(fetcher(`http://${loopback}:${port}/sync/topic-config`, { signal: AbortSignal.timeout(5000) }), TypeError);
  });

  it("reuses one connection for consecutive calls to the same peer", async () => {
    // A minimal HTTP/1.1 peer on a raw socket, to count the connections it is given.
    const sockets: Socket[] = [];
    const peer = createServer((socket) => {
      sockets.push(socket);
      let pending = "";
      socket.on("data", (chunk) => {
        pending += chunk.toString("latin1");
        let end: number;
        while ((end = pending.indexOf("\r\n\r\n")) >= 0) {
          pending = pending.slice(end + 4); // GET requests: no body
          socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nKeep-Alive: timeout=30\r\n\r\nok");
        }
      });
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => peer.listen(0, loopback, resolve));
    try {
      const url = `http://${loopback}:${(peer.address() as AddressInfo).port}/sync/`;
      for (const name of ["topic-config", "consumer-offsets", "delay-offset", "subscription-groups"]) {
        assert.equal(await (await fetcher(url + name, { signal: AbortSignal.timeout(5000) })).text(), "ok");
      }
      assert.equal(sockets.length, 1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => peer.close(() => resolve()));
    }
  });
});
