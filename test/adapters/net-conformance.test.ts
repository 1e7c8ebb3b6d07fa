/**
 * The current runtime's `Network` adapter moves bytes over real loopback sockets exactly as the
 * `Connection` port promises: every byte in order, back-pressure both ways, half-close, close and
 * reset, and OS error codes. The same file runs under Bun, Deno and Node, each against its own
 * adapter (see `test/support/platform.ts`).
 */
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import type { Connection } from "../../src/core/platform.ts";
import { platform } from "../support/platform.ts";
import { codeOf, concat, loopback, pattern, readAll, sha256Hex, sleep, SocketTracker, within } from "./helpers.ts";

const MiB = 1024 * 1024;
const sockets = new SocketTracker(platform);

/** Echoes everything back, then half-closes when the client has. */
async function echo(connection: Connection): Promise<void> {
  for await (const chunk of connection.readable) await connection.write(chunk);
  await connection.end();
}

/** Waits until `count()` stops growing for `quietMs` (or `limitMs` passed); returns the last value. */
async function settled(count: () => number, quietMs = 300, limitMs = 3000): Promise<number> {
  const deadline = Date.now() + limitMs;
  let last = -1;
  while (Date.now() < deadline && count() !== last) {
    last = count();
    await sleep(quietMs);
  }
  return count();
}

describe(`net adapter (${platform.system.runtime})`, () => {
  afterEach(() => sockets.closeAll());

  it("reports the real port when port 0 was asked for, on both ends", async () => {
    const { client, server, listener } = await sockets.pair();
    assert.ok(listener.address.port > 0);
    assert.equal(listener.address.host, loopback);
    assert.equal(client.remote.port, listener.address.port);
    assert.equal(server.local.port, listener.address.port);
    assert.equal(server.remote.port, client.local.port);
    assert.equal(client.remote.host, loopback);
  });

  it("echoes one 32 MiB write intact", async () => {
    const { client, server } = await sockets.pair();
    const served = echo(server);
    const sent = pattern(32 * MiB);
    const received = readAll(client);
    await within(10_000, client.write(sent), "32 MiB write");
    await client.end();
    const echoed = await within(10_000, received, "echo");
    await within(2000, served, "server end");
    assert.equal(echoed.byteLength, sent.byteLength);
    assert.equal(await sha256Hex(echoed), await sha256Hex(sent));
    await within(2000, Promise.all([client.closed, server.closed]), "both closed");
  });

  it("keeps the order of 10,000 tiny writes, awaited one by one and issued all at once", async () => {
    const { client, server } = await sockets.pair();
    const received = readAll(server);
    const count = 10_000;
    const word = (i: number) => new Uint8Array(new Uint32Array([i]).buffer);
    for (let i = 0; i < count / 2; i++) await client.write(word(i));
    await within(10_000, Promise.all(Array.from({ length: count / 2 }, (_, i) => client.write(word(count / 2 + i)))), "burst");
    await client.end();
    const bytes = await within(10_000, received, "tiny writes");
    const words = new Uint32Array(bytes.slice().buffer);
    assert.equal(words.length, count);
    for (let i = 0; i < count; i++) if (words[i] !== i) assert.fail(`word ${i} is ${words[i]}`);
  });

  it("delivers concurrent writes of mixed sizes in call order", async () => {
    const { client, server } = await sockets.pair();
    const received = readAll(server);
    const parts = Array.from({ length: 40 }, (_, i) => pattern(i % 4 === 0 ? 2 * MiB + i : 1 + i * 7, i + 1));
    await within(10_000, Promise.all(parts.map((part) => client.write(part))), "mixed writes");
    await client.end();
    assert.equal(await sha256Hex(await within(10_000, received, "read")), await sha256Hex(concat(parts)));
  });

  it("stalls a writer while the reader does not consume, then delivers every byte", async () => {
    const { client, server } = await sockets.pair();
    const totalBytes = 64 * MiB;
    const chunkBytes = 64 * 1024;
    let writtenBytes = 0;
    const writer = (async () => {
      for (let offset = 0; offset < totalBytes; offset += chunkBytes) {
        await client.write(new Uint8Array(chunkBytes).fill((offset / chunkBytes) & 0xff));
        writtenBytes += chunkBytes;
      }
      await client.end();
    })();
    const stalledAt = await settled(() => writtenBytes);
    // What may pass: the kernel's loopback buffers (autotuned, ~4-9 MiB seen) plus the
    // adapter's bounded read queue (1 MiB), far from the 64 MiB offered.
    assert.ok(stalledAt < 16 * MiB, `writer got ${stalledAt} bytes out with nobody reading`);

    let receivedBytes = 0;
    for await (const chunk of server.readable) {
      for (let i = 0; i < chunk.byteLength; i++) {
        const expected = Math.floor((receivedBytes + i) / chunkBytes) & 0xff;
        if (chunk[i] !== expected) assert.fail(`byte ${receivedBytes + i} is ${chunk[i]}, not ${expected}`);
      }
      receivedBytes += chunk.byteLength;
    }
    await within(5000, writer, "writer");
    assert.equal(receivedBytes, totalBytes);
  });

  it("keeps a single 64 MiB write pending while the reader does not consume", async () => {
    const { client, server } = await sockets.pair();
    let done = false;
    const write = client.write(new Uint8Array(64 * MiB)).then(() => {
      done = true;
    });
    await sleep(500);
    assert.equal(done, false);
    const received = readAll(server);
    await within(10_000, write, "64 MiB write");
    await client.end();
    assert.equal((await within(10_000, received, "read")).byteLength, 64 * MiB);
  });

  it("end() right after an unawaited large write sends the FIN after all its bytes", async () => {
    const { client, server } = await sockets.pair();
    const sent = pattern(16 * MiB, 7);
    const write = client.write(sent);
    const ended = client.end();
    const received = await within(10_000, readAll(server), "read to FIN");
    await within(2000, Promise.all([write, ended]), "write and end");
    assert.equal(await sha256Hex(received), await sha256Hex(sent));
  });

  it("close() rejects a write still pending for want of a reader", async () => {
    const { client } = await sockets.pair();
    const write = client.write(new Uint8Array(64 * MiB));
    await sleep(200);
    client.close();
    await assert.rejects(within(2000, write, "pending write"), (error) => codeOf(error) === "EPIPE");
    await within(2000, client.closed, "closed");
  });

  it("half-closes: the server sees the end, then its reply still reaches the client", async () => {
    const { client, server } = await sockets.pair();
    const served = (async () => {
      const request = await readAll(server);
      await server.write(new TextEncoder().encode(`pong:${new TextDecoder().decode(request)}`));
      await server.end();
    })();
    await client.write(new TextEncoder().encode("ping"));
    await client.end();
    await assert.rejects(client.write(new Uint8Array(1)), (error) => codeOf(error) === "EPIPE");
    const reply = await within(2000, readAll(client), "reply");
    assert.equal(new TextDecoder().decode(reply), "pong:ping");
    await within(2000, served, "server");
    await within(2000, Promise.all([client.closed, server.closed]), "both closed");
  });

  it("close() ends the local iteration, refuses writes, is idempotent, and the peer sees the end", async () => {
    const { client, server } = await sockets.pair();
    const clientReading = readAll(client);
    const serverReading = readAll(server).then(
      () => "ended",
      () => "threw",
    );
    client.close();
    client.close();
    await within(2000, client.closed, "client closed");
    assert.equal((await within(2000, clientReading, "client iteration")).byteLength, 0);
    await assert.rejects(client.write(new Uint8Array(1)), (error) => codeOf(error) === "EPIPE");
    await assert.rejects(client.end(), (error) => codeOf(error) === "EPIPE");
    assert.ok(["ended", "threw"].includes(await within(2000, serverReading, "server iteration")));

    // The closed peer answers the server's writes with a reset: the server's writes start to
    // fail and its connection closes.
    const failure = await within(5000, writeUntilRejected(server), "server write failure");
    assert.ok(["EPIPE", "ECONNRESET"].includes(String(codeOf(failure))), `code ${String(codeOf(failure))}`);
    await within(2000, server.closed, "server closed");
  });

  it("surfaces a reset from the peer: reads throw ECONNRESET, writes reject, closed resolves", async () => {
    // The peer is a plain node:net socket (Bun and Deno provide node:net too) because only
    // resetAndDestroy() sends an RST on demand on all three runtimes.
    const peer = net.createServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", () => socket.resetAndDestroy());
    });
    await new Promise<void>((resolve) => peer.listen(0, loopback, resolve));
    try {
      const client = await sockets.connect((peer.address() as net.AddressInfo).port);
      const reading = readAll(client).then(() => undefined, (error: unknown) => error);
      await client.write(new TextEncoder().encode("trigger"));
      assert.equal(codeOf(await within(2000, reading, "client iteration")), "ECONNRESET");
      await within(2000, client.closed, "client closed");
      await assert.rejects(client.write(new Uint8Array(1)), (error) => ["ECONNRESET", "EPIPE"].includes(String(codeOf(error))));
    } finally {
      await new Promise((resolve) => peer.close(resolve));
    }
  });

  it("rejects with ECONNREFUSED when nothing listens, after the listener closed", async () => {
    const listener = await sockets.listen();
    const port = listener.address.port;
    await listener.close();
    await assert.rejects(platform.net.connect({ host: loopback, port }), (error) => codeOf(error) === "ECONNREFUSED");
  });

  it("keeps open connections when the listener closes", async () => {
    const { client, server, listener } = await sockets.pair();
    await listener.close();
    const served = echo(server);
    const reply = readAll(client);
    await client.write(new TextEncoder().encode("still here"));
    await client.end();
    assert.equal(new TextDecoder().decode(await within(2000, reply, "reply")), "still here");
    await within(2000, served, "server");
  });

  it("rejects with EADDRINUSE when the port is taken", async () => {
    const listener = await sockets.listen();
    await assert.rejects(
      platform.net.listen({ host: loopback, port: listener.address.port }, () => {}),
      (error) => codeOf(error) === "EADDRINUSE",
    );
  });
});

/** Writes 64 KiB chunks until a write rejects; returns the rejection. */
async function writeUntilRejected(connection: Connection): Promise<unknown> {
  const chunk = new Uint8Array(64 * 1024);
  while (true) {
    try {
      await connection.write(chunk);
    } catch (error) {
      return error;
    }
    await sleep(10);
  }
}
