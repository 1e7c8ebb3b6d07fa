/**
 * The current runtime's TLS adapters (`Network` with `tls`, `HttpServing` with `tls` and its
 * `fetcher`) against a CA made at test time: bytes cross intact both ways with half-close, a client
 * refuses a server its CA did not sign, a plain-text client never reaches a TLS listener's handler,
 * and HTTPS answers a fetch that trusts the CA. The same file runs under Bun, Deno and Node.
 */
import { after, afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Connection, Listener } from "../../src/core/platform.ts";
import { platform } from "../support/platform.ts";
import { makeTestPki } from "../support/tls.ts";
import { concat, loopback, pattern, readAll, sha256Hex, sleep, within } from "./helpers.ts";

const pki = makeTestPki();
const serverTls = { cert: pki.cert, key: pki.key };
const open: Array<{ close(): unknown }> = [];

async function tlsListener(onConnection: (connection: Connection) => void): Promise<Listener> {
  const listener = await platform.net.listen({ host: loopback, port: 0 }, (connection) => {
    open.push(connection);
    onConnection(connection);
  }, { tls: serverTls });
  open.push(listener);
  return listener;
}

describe(`TLS adapters (${platform.system.runtime})`, () => {
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
  });
  after(() => pki.remove());

  it("carries 4 MiB each way over TLS, with a half-close from the client", async () => {
    const listener = await tlsListener(async (server) => {
      const received = await readAll(server);
      await server.write(received);
      await server.end();
    });
    const client = await platform.net.connect({ host: loopback, port: listener.address.port }, { tls: { ca: pki.ca } });
    open.push(client);
    const sent = pattern(4 * 1024 * 1024);
    await client.write(sent);
    await client.end();
    const echoed = await within(10_000, readAll(client), "the echo");
    assert.equal(echoed.byteLength, sent.byteLength);
    assert.equal(await sha256Hex(echoed), await sha256Hex(sent));
  });

  it("refuses a server whose certificate another CA signed", async () => {
    let reached = 0;
    const listener = await tlsListener(() => reached++);
    await assert.rejects(
      within(5000, platform.net.connect({ host: loopback, port: listener.address.port }, { tls: { ca: pki.otherCa } }), "connect"),
    );
    assert.equal(reached, 0);
  });

  it("never hands a plain-text client to the handler of a TLS listener", async () => {
    const chunks: Uint8Array[] = [];
    const listener = await tlsListener(async (server) => {
      for await (const chunk of server.readable) chunks.push(chunk);
    });
    const plain = await platform.net.connect({ host: loopback, port: listener.address.port });
    open.push(plain);
    await plain.write(new TextEncoder().encode("GET / HTTP/1.1\r\nhost: x\r\n\r\n"));
    const answer = await within(5000, readAll(plain).catch(() => new Uint8Array()), "the server closing");
    await sleep(100);
    assert.equal(concat(chunks).byteLength, 0, "no plain byte reached the handler");
    assert.ok(!new TextDecoder().decode(answer).includes("HTTP/1.1 200"));
  });

  it("serves HTTPS to a fetch that trusts the CA, and a fetch that does not is refused", async () => {
    const server = await platform.http.serve({ host: loopback, port: 0 }, (request) => new Response(`secure ${new URL(request.url).pathname}`), { tls: serverTls });
    open.push(server);
    const url = `https://127.0.0.1:${server.address.port}/hello`;
    const response = await platform.http.fetcher({ ca: pki.ca })(url);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "secure /hello");
    await assert.rejects(platform.http.fetcher({ ca: pki.otherCa })(url).then((r) => r.text()));
  });
});
