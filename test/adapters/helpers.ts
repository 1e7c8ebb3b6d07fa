/**
 * Helpers for the adapter conformance tests: bounded waits, deterministic byte patterns,
 * SHA-256 digests, and a tracker that closes every socket and listener a test opened.
 */
import type { Connection, Listener, Platform } from "../../src/core/platform.ts";

export const loopback = "127.0.0.1";

/** Rejects if `promise` has not settled within `ms`, so a hang fails the test instead of stalling it. */
export async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Bytes from a xorshift32 stream: cheap, deterministic, and no two 4-byte words repeat nearby. */
export function pattern(sizeBytes: number, seed = 0x9e3779b9): Uint8Array {
  const bytes = new Uint8Array(sizeBytes);
  const words = new Uint32Array(bytes.buffer, 0, sizeBytes >>> 2);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    words[i] = state >>> 0;
  }
  for (let i = words.length * 4; i < sizeBytes; i++) bytes[i] = i & 0xff;
  return bytes;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}

/** Reads a connection to its end, keeping every chunk (so a runtime reusing buffers would show). */
export async function readAll(connection: Connection): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of connection.readable) chunks.push(chunk);
  return concat(chunks);
}

export function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/** Opens listeners and connections for one test and closes them all afterwards. */
export class SocketTracker {
  readonly #platform: Platform;
  readonly #listeners: Listener[] = [];
  readonly #connections: Connection[] = [];

  constructor(platform: Platform) {
    this.#platform = platform;
  }

  async listen(onConnection: (connection: Connection) => void = () => {}): Promise<Listener> {
    const listener = await this.#platform.net.listen({ host: loopback, port: 0 }, (connection) => {
      this.#connections.push(connection);
      onConnection(connection);
    });
    this.#listeners.push(listener);
    return listener;
  }

  async connect(port: number): Promise<Connection> {
    const connection = await this.#platform.net.connect({ host: loopback, port });
    this.#connections.push(connection);
    return connection;
  }

  /** A connected client and the server side of the same connection. */
  async pair(): Promise<{ client: Connection; server: Connection; listener: Listener }> {
    let accept: (connection: Connection) => void = () => {};
    const accepted = new Promise<Connection>((resolve) => {
      accept = resolve;
    });
    const listener = await this.listen(accept);
    const client = await this.connect(listener.address.port);
    const server = await within(2000, accepted, "accept");
    return { client, server, listener };
  }

  async closeAll(): Promise<void> {
    for (const connection of this.#connections.splice(0)) connection.close();
    await Promise.all(this.#listeners.splice(0).map((listener) => listener.close()));
  }
}
