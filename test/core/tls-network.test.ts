/**
 * RocketMQ's TLS server modes over the current runtime's sockets (`src/core/tls-network.ts`):
 * disabled serves plain text only, enforcing TLS only, permissive both on one port — with the
 * real peer address on a relayed TLS connection — and `tlsHttp` the same for HTTP.
 */
import { after, afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Connection } from "../../src/core/platform.ts";
import { tlsHttp, tlsNetwork, type TlsMode } from "../../src/core/tls-network.ts";
import { platform } from "../support/platform.ts";
import { makeTestPki } from "../support/tls.ts";
import { loopback, readAll, rawHttp, within } from "../adapters/helpers.ts";

const pki = makeTestPki();
const text = new TextEncoder();
const open: Array<{ close(): unknown }> = [];

/** A listener in `mode` that answers each connection with "<what it read> from <peer port>" once the peer half-closes. */
async function echoServer(mode: TlsMode): Promise<{ port: number; peers: number[] }> {
  const peers: number[] = [];
  const net = tlsNetwork(platform.net, { server: { mode, identity: { cert: pki.cert, key: pki.key } } });
  const listener = await net.listen({ host: loopback, port: 0 }, async (connection: Connection) => {
    open.push(connection);
    peers.push(connection.remote.port);
    const received = new TextDecoder().decode(await readAll(connection));
    await connection.write(text.encode(`${received} from ${connection.remote.port}`));
    await connection.end();
  });
  open.push(listener);
  return { port: listener.address.port, peers };
}

async function exchange(port: number, secure: boolean, message: string): Promise<{ answer: string; localPort: number }> {
  const client = await platform.net.connect({ host: loopback, port }, secure ? { tls: { ca: pki.ca } } : {});
  open.push(client);
  await client.write(text.encode(message));
  await client.end();
  const answer = new TextDecoder().decode(await within(5000, readAll(client), `the answer to ${message}`));
  return { answer, localPort: client.local.port };
}

describe(`TLS modes (${platform.system.runtime})`, () => {
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
  });
  after(() => pki.remove());

  it("permissive serves a plain and a TLS client on one port, and the TLS one keeps its own address", async () => {
    const server = await echoServer("permissive");
    const plain = await exchange(server.port, false, "plain");
    assert.equal(plain.answer, `plain from ${plain.localPort}`);
    const secure = await exchange(server.port, true, "secure");
    assert.equal(secure.answer, `secure from ${secure.localPort}`);
    assert.deepEqual(server.peers, [plain.localPort, secure.localPort]);
  });

  it("enforcing serves TLS and gives a plain-text client nothing", async () => {
    const server = await echoServer("enforcing");
    const secure = await exchange(server.port, true, "secure");
    assert.equal(secure.answer, `secure from ${secure.localPort}`);
    const plain = await platform.net.connect({ host: loopback, port: server.port });
    open.push(plain);
    await plain.write(text.encode("plain"));
    await plain.end().catch(() => undefined);
    const answer = await within(5000, readAll(plain).catch(() => new Uint8Array()), "the server closing");
    assert.ok(!new TextDecoder().decode(answer).includes("from"), "the handler never ran for the plain client");
    assert.equal(server.peers.length, 1);
  });

  it("disabled serves plain text; a TLS client's handshake fails", async () => {
    const server = await echoServer("disabled");
    assert.equal((await exchange(server.port, false, "plain")).answer.startsWith("plain from"), true);
    // A protocol reading a ClientHello as a frame answers garbage with a closed connection.
    const net = tlsNetwork(platform.net, { server: { mode: "disabled" } });
    const firstBytes: number[] = [];
    const refusing = await net.listen({ host: loopback, port: 0 }, async (connection) => {
      for await (const chunk of connection.readable) {
        firstBytes.push(chunk[0]);
        break;
      }
      connection.close();
    });
    open.push(refusing);
    await assert.rejects(within(5000, platform.net.connect({ host: loopback, port: refusing.address.port }, { tls: { ca: pki.ca } }), "the handshake"));
    assert.deepEqual(firstBytes, [0x16], "the ClientHello reached the protocol as bytes");
  });

  it("HTTP: permissive answers http:// and https:// on one port, enforcing only https://", async () => {
    const handler = (request: Request) => new Response(`hello ${new URL(request.url).pathname}`);
    const identity = { cert: pki.cert, key: pki.key };
    const permissive = await tlsHttp(platform.http, platform.net, { mode: "permissive", identity }).serve({ host: loopback, port: 0 }, handler);
    open.push(permissive);
    const secureFetch = platform.http.fetcher({ ca: pki.ca });
    assert.equal(await (await secureFetch(`https://127.0.0.1:${permissive.address.port}/a`)).text(), "hello /a");
    assert.equal((await rawHttp(permissive.address.port, "GET", "/b")).body, "hello /b");
    const enforcing = await tlsHttp(platform.http, platform.net, { mode: "enforcing", identity }).serve({ host: loopback, port: 0 }, handler);
    open.push(enforcing);
    assert.equal(await (await secureFetch(`https://127.0.0.1:${enforcing.address.port}/c`)).text(), "hello /c");
    await assert.rejects(rawHttp(enforcing.address.port, "GET", "/d").then((answer) => assert.notEqual(answer.status, 200)));
  });
});
