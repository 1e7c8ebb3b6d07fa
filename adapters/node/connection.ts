/**
 * One `node:net` socket as a `Connection`.
 *
 * - The socket must come with `allowHalfOpen` (see `net.ts`), so the peer's FIN ends our
 *   `readable` without Node ending our write side too; TCP_NODELAY is switched on here.
 * - `write()` resolves from `socket.write`'s callback, that is once Node has handed the bytes to
 *   the kernel. Node would otherwise keep any amount in its own buffer (`write` returning false
 *   is only a hint); resolving later makes an awaiting writer the back-pressure, and lets the
 *   caller reuse its buffer safely once the promise resolves.
 * - The read side goes through `ChunkQueue`, which `pause()`s the socket while the consumer lags.
 * - Writing after `end()`/`close()` is refused here with `EPIPE` rather than passed to Node,
 *   which would emit an `error` and destroy the socket.
 */
import type { Socket } from "node:net";
import type { Connection, HostPort } from "../../src/core/platform.ts";
import { ChunkQueue } from "../../src/core/chunk-queue.ts";

function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export class NodeConnection implements Connection {
  readonly local: HostPort;
  readonly remote: HostPort;
  readonly readable: ChunkQueue;
  readonly closed: Promise<void>;
  readonly #socket: Socket;
  #ending: Promise<void> | undefined;
  #closedByUs = false;
  #failure: Error | undefined;
  #fullyClosed = false;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    this.local = { host: socket.localAddress ?? "", port: socket.localPort ?? 0 };
    this.remote = { host: socket.remoteAddress ?? "", port: socket.remotePort ?? 0 };
    this.readable = new ChunkQueue(() => socket.pause(), () => socket.resume());
    socket.on("data", (chunk: Uint8Array) => {
      // A plain view over Node's Buffer (Node allocates a fresh one per read, so no copy).
      this.readable.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    socket.on("end", () => this.readable.finish());
    socket.on("error", (error: Error) => {
      this.#failure ??= error;
      this.readable.finish(error);
    });
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.#fullyClosed = true;
        this.readable.finish(this.#failure);
        resolve();
      });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const refusal = this.#refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    return new Promise((resolve, reject) => {
      this.#socket.write(bytes, (error?: Error | null) => {
        if (error) reject(this.#refusal() ?? error);
        else resolve();
      });
    });
  }

  end(): Promise<void> {
    if (this.#ending !== undefined) return this.#ending;
    const refusal = this.#refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    this.#ending = new Promise((resolve, reject) => {
      // Node calls back on 'finish', once every queued byte and the FIN are out.
      this.#socket.end((error?: Error | null) => (error ? reject(this.#refusal() ?? error) : resolve()));
      this.closed.then(() => reject(this.#refusal() ?? codedError("EPIPE", "connection closed before FIN")));
    });
    return this.#ending;
  }

  close(): void {
    if (this.#closedByUs) return;
    this.#closedByUs = true;
    this.readable.abort();
    this.#socket.destroy();
  }

  /** Why a write cannot proceed now, if it cannot. */
  #refusal(): Error | undefined {
    if (this.#closedByUs) return codedError("EPIPE", "connection closed");
    if (this.#failure !== undefined) return this.#failure;
    if (this.#fullyClosed || this.#socket.destroyed) return codedError("EPIPE", "connection closed by peer");
    if (this.#ending !== undefined) return codedError("EPIPE", "write after end()");
    return undefined;
  }
}
