/**
 * Skiff's authenticated HA link (opt-in: `haAuthSecret` on master and slave): a mutual
 * challenge-response on a shared secret, before the classic protocol's first byte, so an
 * unauthenticated peer gets no log byte and cannot ack, and a slave cannot be fed a fake log. The
 * secret never crosses the wire; each side proves it knows it over the other's fresh nonce.
 *
 *   slave  → master   "SKIFFHA1"  nonceS[32]                                                     40 bytes
 *   master → slave    "SKIFFHA1"  nonceM[32]  HMAC-SHA256(secret, "master" ‖ nonceS ‖ nonceM ‖ name)  72 bytes
 *   slave  → master   HMAC-SHA256(secret, "slave" ‖ nonceM ‖ nonceS ‖ name)                        32 bytes
 *   … then the classic protocol (spec §4): the slave's first 8-byte offset report.
 *
 * `name` is the broker group's `brokerName` (UTF-8; it ends the MAC input, after parts of fixed
 * length, so no two inputs collide): a slave proves it is a slave of this broker group, and a
 * master that it is this group's master. A broker of another group holding the same secret is
 * refused both ways, so its acks never count towards this master's SYNC_MASTER sends.
 *
 * Either side that reads anything else, or a wrong HMAC (compared in constant time), closes the
 * connection. A classic (Apache RocketMQ) slave's first bytes are an offset report, not the magic:
 * refused. A master without the setting reads the magic as an offset beyond its log: refused as
 * well, and the slave says the master did not answer the handshake. The handshake does not encrypt:
 * the log bytes that follow are in clear (use TLS, or a private network, for that).
 */
import { SkiffError } from "../../core/errors.ts";
import type { Connection } from "../../core/platform.ts";

export const AUTH_MAGIC = new TextEncoder().encode("SKIFFHA1");
export const NONCE_BYTES = 32;
export const MAC_BYTES = 32;
/** A handshake not finished within this is refused (each side). */
export const HANDSHAKE_TIMEOUT_MS = 5000;

const MASTER_LABEL = new TextEncoder().encode("master");
const SLAVE_LABEL = new TextEncoder().encode("slave");

/** The master's side: proves itself, checks the slave; the connection that carries on, or a refusal. */
export async function authenticateSlave(connection: Connection, secret: string, brokerName: string): Promise<Connection> {
  const reader = new HandshakeReader(connection);
  const hello = await reader.take(AUTH_MAGIC.length + NONCE_BYTES, "the slave's hello");
  if (!equalBytes(hello.subarray(0, AUTH_MAGIC.length), AUTH_MAGIC)) {
    throw refused("the slave did not start the Skiff HA handshake (this master has haAuthSecret set: a slave without it, or an Apache RocketMQ slave, cannot connect)");
  }
  const nonceS = hello.slice(AUTH_MAGIC.length);
  const nonceM = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const key = await hmacKey(secret);
  const name = new TextEncoder().encode(brokerName);
  const proof = await mac(key, MASTER_LABEL, nonceS, nonceM, name);
  await connection.write(concat(AUTH_MAGIC, nonceM, proof));
  const answer = await reader.take(MAC_BYTES, "the slave's proof");
  if (!equalBytes(answer, await mac(key, SLAVE_LABEL, nonceM, nonceS, name))) throw refused(`the slave's HA handshake proof is wrong (haAuthSecret differs, or it is not a slave of ${brokerName})`);
  return reader.rest();
}

/** The slave's side: checks the master, proves itself; the connection that carries on, or a refusal. */
export async function authenticateMaster(connection: Connection, secret: string, brokerName: string): Promise<Connection> {
  const reader = new HandshakeReader(connection);
  const nonceS = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const key = await hmacKey(secret);
  await connection.write(concat(AUTH_MAGIC, nonceS));
  const hello = await reader.take(AUTH_MAGIC.length + NONCE_BYTES + MAC_BYTES, "the master's answer", "the master did not answer the HA handshake (is haAuthSecret set on the master?)");
  if (!equalBytes(hello.subarray(0, AUTH_MAGIC.length), AUTH_MAGIC)) throw refused("the master's answer is not the Skiff HA handshake");
  const nonceM = hello.slice(AUTH_MAGIC.length, AUTH_MAGIC.length + NONCE_BYTES);
  const proof = hello.subarray(AUTH_MAGIC.length + NONCE_BYTES);
  const name = new TextEncoder().encode(brokerName);
  if (!equalBytes(proof, await mac(key, MASTER_LABEL, nonceS, nonceM, name))) throw refused(`the master's HA handshake proof is wrong (haAuthSecret differs, or it is not the master of ${brokerName}): not following it`);
  await connection.write(await mac(key, SLAVE_LABEL, nonceM, nonceS, name));
  return reader.rest();
}

function refused(reason: string): SkiffError {
  return new SkiffError("HA_AUTH_FAILED", reason);
}

/** Reads exact byte counts off a connection, then hands on what is left (bytes read ahead first). */
class HandshakeReader {
  private readonly connection: Connection;
  private readonly iterator: AsyncIterator<Uint8Array>;
  private held: Uint8Array = new Uint8Array(0);

  constructor(connection: Connection) {
    this.connection = connection;
    this.iterator = connection.readable[Symbol.asyncIterator]();
  }

  async take(length: number, what: string, onEnd = `the connection ended before ${what}`): Promise<Uint8Array> {
    while (this.held.byteLength < length) {
      const next = await this.iterator.next();
      if (next.done) throw refused(onEnd);
      this.held = concat(this.held, next.value);
    }
    const taken = this.held.slice(0, length);
    this.held = this.held.slice(length);
    return taken;
  }

  /** The same connection, its readable going on after the handshake's bytes. */
  rest(): Connection {
    const { iterator, connection } = this;
    const leftover = this.held;
    const readable: AsyncIterable<Uint8Array> = {
      async *[Symbol.asyncIterator]() {
        if (leftover.byteLength > 0) yield leftover;
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
      },
    };
    return {
      local: connection.local,
      remote: connection.remote,
      readable,
      write: (bytes) => connection.write(bytes),
      end: () => connection.end(),
      close: () => connection.close(),
      closed: connection.closed,
    };
  }
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

async function mac(key: CryptoKey, ...parts: Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, concat(...parts)));
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** Constant-time for equal lengths (no early exit on the first differing byte). */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
