/**
 * Helpers for the adapter conformance tests: bounded waits, deterministic byte patterns,
 * SHA-256 digests, a tracker that closes every socket and listener a test opened, raw HTTP/1.1
 * requests on their own sockets, and a platform whose HTTP handler counts what it answers.
 */
import { connect as netConnect } from "node:net";
import type { Connection, FetchHandler, HostPort, Listener, Platform, ServeOptions } from "../../src/core/platform.ts";

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

export interface RawHttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * One HTTP/1.1 request on its own `node:net` connection (`Connection: close`), read to the end:
 * no client pool in between (Bun's fetch runs at most 256 requests at once, undici's pools), so
 * 2,000 of these are 2,000 open connections, and a connection the server closes without an
 * answer rejects (`no answer`) instead of being retried.
 */
export function rawHttp(port: number, method: string, path: string, body?: string): Promise<RawHttpAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = netConnect(port, loopback, () => {
      const length = body === undefined ? "" : `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
      // write, not end: a half-close reads as the client leaving to some servers (Bun answers nothing).
      socket.write(`${method} ${path} HTTP/1.1\r\nhost: ${loopback}:${port}\r\nconnection: close\r\n${length}\r\n${body ?? ""}`);
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const bytes = Buffer.concat(chunks);
      const split = bytes.indexOf("\r\n\r\n");
      if (split < 0) return reject(new Error(`no answer to ${method} ${path} (${bytes.length} bytes before the connection closed)`));
      const [statusLine, ...lines] = bytes.subarray(0, split).toString("latin1").split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const rest = bytes.subarray(split + 4);
      const content = headers["transfer-encoding"] === "chunked" ? unchunk(rest) : rest;
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: content.toString("utf8") });
    });
  });
}

/** The payload of a `Transfer-Encoding: chunked` body (sizes in hex, each chunk followed by CRLF). */
function unchunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf("\r\n", at);
    const size = parseInt(bytes.subarray(at, lineEnd).toString("latin1"), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** The platform with its HTTP handler wrapped: how many requests are being answered at once, and which were. */
export function observedHttp(base: Platform): { platform: Platform; stats: { inFlight: number; peakInFlight: number; answered: string[] } } {
  const stats = { inFlight: 0, peakInFlight: 0, answered: [] as string[] };
  const serve = (at: HostPort, handler: FetchHandler, options?: ServeOptions) =>
    base.http.serve(at, async (request) => {
      stats.inFlight++;
      stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
      try {
        return await handler(request);
      } finally {
        stats.inFlight--;
        stats.answered.push(`${request.method} ${new URL(request.url).pathname}`);
      }
    }, options);
  return { platform: { ...base, http: { serve, fetcher: (tls) => base.http.fetcher(tls) } }, stats };
}
