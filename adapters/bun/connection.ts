/**
 * One socket of `Bun.listen` / `Bun.connect` as a `Connection`.
 *
 * - Bun sockets keep no send buffer: `socket.write` returns how many bytes the kernel took (a
 *   64 MiB write took about 4 MiB) and forgets the rest. Each connection therefore keeps a FIFO
 *   of unwritten remainders, writes only from its head, and continues from the `drain` handler;
 *   a `write()` promise resolves once its last byte was taken by the kernel. The FIFO holds the
 *   callers' own buffers (no copies), so its size is bounded by writers awaiting their writes.
 * - `allowHalfOpen` keeps the peer's FIN from closing our side; `end()` is `shutdown()` (FIN,
 *   reading continues) once the FIFO is empty. Bun's `socket.end()` closes the socket outright,
 *   so `close()` uses it. After both FINs Bun calls `close` without an `end` event, so `close`
 *   also ends the readable.
 * - `binaryType: "uint8array"` hands plain `Uint8Array`s, a fresh buffer per callback; the
 *   read side is a `ChunkQueue` driven by `socket.pause()`/`resume()`.
 */
import type { Socket } from "bun";
import type { Connection, HostPort } from "../../src/core/platform.ts";
import { ChunkQueue } from "../../src/core/chunk-queue.ts";

export type BunSocket = Socket<BunConnection | undefined>;
type Waiter = { resolve: () => void; reject: (error: Error) => void };
type PendingWrite = Waiter & { bytes: Uint8Array };

function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export class BunConnection implements Connection {
  readonly local: HostPort;
  readonly remote: HostPort;
  readonly readable: ChunkQueue;
  readonly closed: Promise<void>;
  readonly #socket: BunSocket;
  readonly #pending: PendingWrite[] = [];
  #ending: Promise<void> | undefined;
  #endWaiter: Waiter | undefined;
  #closedByUs = false;
  #fullyClosed = false;
  #failure: Error | undefined;
  #resolveClosed: () => void = () => {};

  constructor(socket: BunSocket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    this.local = { host: socket.localAddress, port: socket.localPort };
    this.remote = { host: socket.remoteAddress, port: socket.remotePort };
    this.readable = new ChunkQueue(() => socket.pause(), () => socket.resume());
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const refusal = this.#refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    if (this.#pending.length === 0) {
      const taken = this.#socket.write(bytes);
      if (taken === bytes.byteLength) return Promise.resolve();
      if (taken < 0) return Promise.reject(this.#broken());
      bytes = bytes.subarray(taken);
    }
    return new Promise((resolve, reject) => this.#pending.push({ bytes, resolve, reject }));
  }

  end(): Promise<void> {
    if (this.#ending !== undefined) return this.#ending;
    const refusal = this.#refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    this.#ending = new Promise((resolve, reject) => {
      this.#endWaiter = { resolve, reject };
    });
    this.onDrain();
    return this.#ending;
  }

  close(): void {
    if (this.#closedByUs) return;
    this.#closedByUs = true;
    this.readable.abort();
    this.#rejectWaiters(codedError("EPIPE", "connection closed"));
    this.#socket.end();
  }

  /** Writable again: continue the FIFO from its head; send the FIN once it is empty. */
  onDrain(): void {
    while (this.#pending.length > 0) {
      const head = this.#pending[0];
      const taken = this.#socket.write(head.bytes);
      if (taken < 0) return void this.#broken();
      if (taken < head.bytes.byteLength) {
        head.bytes = head.bytes.subarray(taken);
        return;
      }
      this.#pending.shift();
      head.resolve();
    }
    if (this.#endWaiter !== undefined && !this.#fullyClosed) {
      this.#socket.shutdown();
      this.#endWaiter.resolve();
      this.#endWaiter = undefined;
    }
  }

  onClose(error?: Error): void {
    if (this.#fullyClosed) return;
    this.#fullyClosed = true;
    if (error !== undefined) this.#failure ??= error;
    this.readable.finish(this.#failure);
    this.#rejectWaiters(this.#refusal() ?? codedError("EPIPE", "connection closed"));
    this.#resolveClosed();
  }

  /** `socket.write` returned -1: the socket is gone; Bun's `close` event follows. */
  #broken(): Error {
    const error = this.#refusal() ?? codedError("EPIPE", "connection closed");
    this.#rejectWaiters(error);
    return error;
  }

  #rejectWaiters(error: Error): void {
    for (const waiter of this.#pending.splice(0)) waiter.reject(error);
    this.#endWaiter?.reject(error);
    this.#endWaiter = undefined;
  }

  #refusal(): Error | undefined {
    if (this.#closedByUs) return codedError("EPIPE", "connection closed");
    if (this.#failure !== undefined) return this.#failure;
    if (this.#fullyClosed) return codedError("EPIPE", "connection closed by peer");
    if (this.#ending !== undefined) return codedError("EPIPE", "write after end()");
    return undefined;
  }
}
