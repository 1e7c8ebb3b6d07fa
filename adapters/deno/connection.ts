/**
 * One `Deno.TcpConn` (or `Deno.TlsConn`, whose reads and writes carry decrypted bytes) as a `Connection`, and the error-code normalisation for Deno's errors.
 *
 * - Reading is pull-based already: `readable` calls `conn.read` only when its consumer asks for
 *   the next chunk, so a slow consumer stops reading and TCP flow control slows the peer. Each
 *   read fills one scratch buffer and yields a copy of the bytes read. The scratch buffer is held
 *   while the read waits, so it starts small (2 KiB) and is sized as Netty's adaptive allocator
 *   does: doubled after a read that fills it (up to 64 KiB), back to 2 KiB after a read that
 *   drains the socket. An idle connection then costs 2 KiB, not 64 KiB (4096 idle remoting
 *   connections held 256 MiB more before).
 * - `conn.write` may take fewer bytes than given (a 64 MiB write took about 4 MiB), so each
 *   `write()` loops until all is taken; writes run one after another through a promise chain, so
 *   concurrent callers cannot interleave their bytes.
 * - Deno never closes a conn by itself: once both FINs passed (EOF read, `closeWrite()` done) or
 *   an error struck, the adapter closes it, so `closed` resolves as on Node and Bun.
 * - OS errors from Deno carry `code` (`ECONNREFUSED`, …); Deno's own (`BadResource`, …) get one.
 */
import type { Connection, HostPort } from "../../src/core/platform.ts";

const readChunkMinBytes = 2 * 1024;
const readChunkMaxBytes = 64 * 1024;

const codeByErrorName: Record<string, string> = {
  AddrInUse: "EADDRINUSE",
  AddrNotAvailable: "EADDRNOTAVAIL",
  BadResource: "EBADF",
  BrokenPipe: "EPIPE",
  ConnectionAborted: "ECONNABORTED",
  ConnectionRefused: "ECONNREFUSED",
  ConnectionReset: "ECONNRESET",
  Interrupted: "EINTR",
  NotConnected: "ENOTCONN",
  TimedOut: "ETIMEDOUT",
};

/** The error with an OS-style `code`, whatever Deno threw. */
export function withCode(error: unknown): Error {
  const failure = error instanceof Error ? error : new Error(String(error));
  const code = (failure as { code?: unknown }).code;
  if (typeof code !== "string" && failure.name in codeByErrorName) {
    Object.assign(failure, { code: codeByErrorName[failure.name] });
  }
  return failure;
}

function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export class DenoConnection implements Connection {
  readonly local: HostPort;
  readonly remote: HostPort;
  readonly readable: AsyncIterable<Uint8Array>;
  readonly closed: Promise<void>;
  readonly #conn: Deno.TcpConn | Deno.TlsConn;
  #writeTail: Promise<void> = Promise.resolve();
  #ending: Promise<void> | undefined;
  #readDone = false;
  #writeDone = false;
  #closedByUs = false;
  #fullyClosed = false;
  #failure: Error | undefined;
  #resolveClosed: () => void = () => {};

  constructor(conn: Deno.TcpConn | Deno.TlsConn) {
    this.#conn = conn;
    if ("setNoDelay" in conn) conn.setNoDelay(true);
    this.local = { host: conn.localAddr.hostname, port: conn.localAddr.port };
    this.remote = { host: conn.remoteAddr.hostname, port: conn.remoteAddr.port };
    this.readable = { [Symbol.asyncIterator]: () => this.#read() };
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const refusal = this.#ending === undefined ? this.#refusal() : codedError("EPIPE", "write after end()");
    if (refusal !== undefined) return Promise.reject(refusal);
    const written = this.#writeTail.then(() => this.#writeAll(bytes));
    this.#writeTail = written.catch(() => {});
    return written;
  }

  end(): Promise<void> {
    if (this.#ending !== undefined) return this.#ending;
    const refusal = this.#refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    this.#ending = this.#writeTail.then(async () => {
      const late = this.#refusal();
      if (late !== undefined) throw late;
      try {
        await this.#conn.closeWrite();
      } catch (error) {
        throw this.#fail(error);
      }
      this.#writeDone = true;
      this.#closeIfDone();
    });
    return this.#ending;
  }

  close(): void {
    if (this.#closedByUs) return;
    this.#closedByUs = true;
    this.#release();
  }

  async *#read(): AsyncGenerator<Uint8Array> {
    let scratch = new Uint8Array(readChunkMinBytes);
    while (!this.#fullyClosed) {
      let count: number | null;
      try {
        count = await this.#conn.read(scratch);
      } catch (error) {
        if (this.#closedByUs) return;
        throw this.#fail(error);
      }
      if (count === null) break;
      yield scratch.slice(0, count);
      if (count === scratch.byteLength && scratch.byteLength < readChunkMaxBytes) scratch = new Uint8Array(scratch.byteLength * 2);
      else if (count < scratch.byteLength && scratch.byteLength > readChunkMinBytes) scratch = new Uint8Array(readChunkMinBytes);
    }
    if (this.#closedByUs) return;
    if (this.#failure !== undefined) throw this.#failure;
    this.#readDone = true;
    this.#closeIfDone();
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let doneBytes = 0;
    while (doneBytes < bytes.byteLength) {
      const refusal = this.#refusal();
      if (refusal !== undefined) throw refusal;
      try {
        doneBytes += await this.#conn.write(bytes.subarray(doneBytes));
      } catch (error) {
        throw this.#refusal() ?? this.#fail(error);
      }
    }
  }

  #closeIfDone(): void {
    if (this.#readDone && this.#writeDone) this.#release();
  }

  /** An I/O error: remember it, close the conn, hand back the error with its code. */
  #fail(error: unknown): Error {
    this.#failure ??= withCode(error);
    this.#release();
    return this.#failure;
  }

  #release(): void {
    if (this.#fullyClosed) return;
    this.#fullyClosed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed by Deno after an error: nothing left to release.
    }
    this.#resolveClosed();
  }

  #refusal(): Error | undefined {
    if (this.#closedByUs) return codedError("EPIPE", "connection closed");
    if (this.#failure !== undefined) return this.#failure;
    if (this.#fullyClosed) return codedError("EPIPE", "connection closed");
    return undefined;
  }
}
