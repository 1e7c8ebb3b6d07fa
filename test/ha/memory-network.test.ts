/**
 * The in-memory network the HA tests run on keeps the `Connection` port's promises: ordered bytes,
 * bounded buffers with real back-pressure, FIN and reset semantics, OS error codes; and its test
 * controls (1-byte reads, a stalled direction, listing and cutting links) do what they say. The
 * in-memory platform's HTTP side dispatches `fetch` calls in-process by port.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryNetwork } from "../../adapters/memory/net.ts";
import { createMemoryPlatform } from "../../adapters/memory/platform.ts";
import { errorCode } from "../../src/core/errors.ts";
import type { Connection } from "../../src/core/platform.ts";
import { spin, until } from "../support/memory-platform.ts";

const LOCAL = "127.0.0.1";

async function pair(net: MemoryNetwork): Promise<{ client: Connection; server: Connection }> {
  let server: Connection | null = null;
  const listener = await net.listen({ host: "0.0.0.0", port: 0 }, (c) => (server = c));
  const client = await net.connect({ host: LOCAL, port: listener.address.port });
  await listener.close();
  return { client, server: server! };
}

/** Reads in the background; `chunks` fill up, `outcome` says how the iteration ended. */
function reader(connection: Connection): { chunks: Uint8Array[]; bytes: () => number[]; outcome: () => string | null } {
  const chunks: Uint8Array[] = [];
  let outcome: string | null = null;
  void (async () => {
    try {
      for await (const chunk of connection.readable) chunks.push(chunk);
      outcome = "end";
    } catch (error) {
      outcome = errorCode(error) ?? "error";
    }
  })();
  return { chunks, bytes: () => chunks.flatMap((c) => Array.from(c)), outcome: () => outcome };
}

const code = (expected: string) => (error: unknown) => errorCode(error) === expected;

describe("MemoryNetwork", () => {
  it("allocates ports, refuses taken ports and connections nobody listens for", async () => {
    const net = new MemoryNetwork();
    const a = await net.listen({ host: "0.0.0.0", port: 0 }, () => {});
    const b = await net.listen({ host: LOCAL, port: 0 }, () => {});
    assert.notEqual(a.address.port, b.address.port);
    await assert.rejects(net.listen({ host: LOCAL, port: a.address.port }, () => {}), code("EADDRINUSE"));
    await assert.rejects(net.connect({ host: "10.0.0.1", port: b.address.port }), code("ECONNREFUSED"));
    await net.connect({ host: "10.0.0.1", port: a.address.port }); // a wildcard listener takes any host
    await a.close();
    await assert.rejects(net.connect({ host: LOCAL, port: a.address.port }), code("ECONNREFUSED"));
    await assert.rejects(net.connect({ host: LOCAL, port: 1 }), code("ECONNREFUSED"));
  });

  it("delivers bytes in order, coalescing writes into reads of at most chunkBytes", async () => {
    const net = new MemoryNetwork({ chunkBytes: 5 });
    const { client, server } = await pair(net);
    assert.equal(client.remote.port, server.local.port);
    assert.equal(server.remote.port, client.local.port);
    const read = reader(server);
    await Promise.all([client.write(Uint8Array.of(1, 2, 3)), client.write(Uint8Array.of(4, 5, 6, 7, 8, 9))]);
    await until(() => read.bytes().length === 9, "all bytes");
    assert.deepEqual(read.chunks.map((c) => Array.from(c)), [[1, 2, 3, 4, 5], [6, 7, 8, 9]]);
    net.linkOf(client)!.toServer.chunkBytes = 1;
    await client.write(Uint8Array.of(10, 11, 12));
    await until(() => read.bytes().length === 12, "one byte per read");
    assert.deepEqual(read.chunks.slice(2).map((c) => c.length), [1, 1, 1]);
  });

  it("resolves a write only once the peer's buffer holds it, and copies the caller's bytes", async () => {
    const net = new MemoryNetwork({ bufferBytes: 1024 });
    const { client, server } = await pair(net);
    const sent = new Uint8Array(4096).fill(7);
    let written = false;
    const write = client.write(sent).then(() => (written = true));
    sent.fill(9); // the network already owns a copy
    await spin();
    assert.equal(written, false, "3 KiB cannot fit a 1 KiB buffer");
    assert.equal(net.linkOf(client)!.toServer.buffered, 1024);
    const read = reader(server);
    await write;
    await until(() => read.bytes().length === 4096, "everything read");
    assert.ok(read.bytes().every((b) => b === 7));
  });

  it("delivers nothing, not even a FIN, over a stalled direction until it resumes", async () => {
    const net = new MemoryNetwork();
    const { client, server } = await pair(net);
    const link = net.links[0];
    link.toServer.stall();
    const read = reader(server);
    await client.write(Uint8Array.of(1, 2));
    await client.end();
    await spin();
    assert.deepEqual([read.bytes(), read.outcome()], [[], null]);
    link.toServer.resume();
    await until(() => read.outcome() === "end", "FIN after resume");
    assert.deepEqual(read.bytes(), [1, 2]);
  });

  it("half-closes with end(): the peer reads to the end and can still answer; both FINs close the link", async () => {
    const net = new MemoryNetwork();
    const { client, server } = await pair(net);
    const atServer = reader(server);
    const atClient = reader(client);
    await client.write(Uint8Array.of(1));
    await client.end();
    await assert.rejects(client.write(Uint8Array.of(2)), code("EPIPE"));
    await until(() => atServer.outcome() === "end", "server saw the FIN");
    await server.write(Uint8Array.of(3));
    assert.equal(net.links.length, 1);
    await server.end();
    await until(() => atClient.outcome() === "end", "client saw the FIN");
    assert.deepEqual([atServer.bytes(), atClient.bytes()], [[1], [3]]);
    await Promise.all([client.closed, server.closed]);
    assert.equal(net.links.length, 0);
  });

  it("close() ends the own iteration quietly and refuses writes; the peer sees a reset", async () => {
    const net = new MemoryNetwork({ bufferBytes: 16 });
    const { client, server } = await pair(net);
    const atClient = reader(client);
    const atServer = reader(server);
    const pending = client.write(new Uint8Array(1000));
    await until(() => atServer.bytes().length > 0, "some bytes arrived");
    client.close();
    client.close();
    await assert.rejects(pending, code("EPIPE"));
    await assert.rejects(client.write(Uint8Array.of(1)), code("EPIPE"));
    await assert.rejects(client.end(), code("EPIPE"));
    await until(() => atClient.outcome() !== null && atServer.outcome() !== null, "both iterations over");
    assert.deepEqual([atClient.outcome(), atServer.outcome()], ["end", "ECONNRESET"]);
    await assert.rejects(server.write(Uint8Array.of(1)), code("ECONNRESET"));
    await Promise.all([client.closed, server.closed]);
    assert.equal(net.links.length, 0);
  });

  it("cuts every live link with closeAll(): both ends see a reset", async () => {
    const net = new MemoryNetwork();
    const { client, server } = await pair(net);
    const [a, b] = [reader(client), reader(server)];
    net.closeAll();
    await until(() => a.outcome() !== null && b.outcome() !== null, "both reset");
    assert.deepEqual([a.outcome(), b.outcome()], ["ECONNRESET", "ECONNRESET"]);
    await assert.rejects(client.write(Uint8Array.of(1)), code("ECONNRESET"));
  });
});

describe("createMemoryPlatform (HTTP in-process)", () => {
  it("routes fetch to the handler serving the URL's port, sharing ports with the network", async () => {
    const { platform, fetch, net } = createMemoryPlatform();
    const server = await platform.http.serve({ host: LOCAL, port: 0 }, async (request) => {
      const url = new URL(request.url);
      return Response.json({ path: url.pathname, method: request.method, body: await request.text() });
    });
    const port = server.address.port;
    const answer = await fetch(`http://${LOCAL}:${port}/ha/status`, { method: "POST", body: "hi" });
    assert.deepEqual(await answer.json(), { path: "/ha/status", method: "POST", body: "hi" });
    await assert.rejects(net.listen({ host: LOCAL, port }, () => {}), code("EADDRINUSE"));
    await server.close();
    await assert.rejects(fetch(`http://${LOCAL}:${port}/`), code("ECONNREFUSED"));
    const other = createMemoryPlatform({ net });
    const again = await other.platform.http.serve({ host: LOCAL, port }, () => new Response("second"));
    assert.equal(await (await fetch(`http://${LOCAL}:${port}/`)).text(), "second", "platforms on one network reach each other");
    await again.close();
  });
});
