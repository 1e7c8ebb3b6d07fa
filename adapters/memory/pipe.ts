/**
 * One direction of an in-memory TCP connection: the sender's queue, a bounded "kernel" buffer, and
 * the receiver's reads (used by `net.ts`; the `Connection` contract is in `src/core/platform.ts`).
 *
 * - `write` copies the caller's bytes (so the caller may reuse its buffer once the promise
 *   resolves) and resolves only when every byte sits in the buffer; the buffer holds at most
 *   `bufferBytes`, so a receiver that does not read stalls the sender: real back-pressure.
 * - Reads coalesce what is buffered, like a TCP read, up to `chunkBytes` per chunk (set it to 1 to
 *   feed a parser one byte at a time). Each chunk is a fresh view that nobody writes to again.
 * - `finish()` is a FIN once the queued writes are in; the reader ends after the buffered bytes.
 * - `reset(error)` is an RST: buffered and queued bytes are dropped, the reader throws `error`.
 * - `stall()` makes the direction silent (a dead peer or a cut cable): nothing reaches the reader,
 *   not even a FIN or a reset, until `resume()`. Writes still fill the buffer, then wait.
 */

export function netError(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

interface PendingWrite {
  readonly bytes: Uint8Array;
  at: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class Pipe {
  chunkBytes: number;
  readonly bufferBytes: number;
  /** Bytes that reached the reader so far. */
  deliveredBytes = 0;
  private readonly buffer: Uint8Array[] = [];
  private bufferedBytes = 0;
  private readonly pending: PendingWrite[] = [];
  private finRequested = false;
  private finDelivered = false;
  private readonly finWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private failure: Error | null = null;
  private aborted = false;
  private stalledValue = false;
  private wake: (() => void) | null = null;
  private readonly onFin: () => void;

  constructor(options: { bufferBytes: number; chunkBytes: number; onFin: () => void }) {
    this.bufferBytes = Math.max(1, options.bufferBytes);
    this.chunkBytes = Math.max(1, options.chunkBytes);
    this.onFin = options.onFin;
  }

  get stalled(): boolean {
    return this.stalledValue;
  }
  /** Bytes written into the buffer and not yet read. */
  get buffered(): number {
    return this.bufferedBytes;
  }
  get finished(): boolean {
    return this.finDelivered;
  }

  stall(): void {
    this.stalledValue = true;
  }

  resume(): void {
    this.stalledValue = false;
    this.notify();
  }

  write(bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pending.push({ bytes: bytes.slice(), at: 0, resolve, reject });
      this.pump();
    });
  }

  /** Sends the FIN after every queued write; resolves once it is in the buffer. */
  finish(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.finRequested = true;
    const done = this.finDelivered ? Promise.resolve() : new Promise<void>((resolve, reject) => this.finWaiters.push({ resolve, reject }));
    this.pump();
    return done;
  }

  /** An RST: the reader throws `readerError`, queued writes reject with `writerError`. */
  reset(readerError: Error, writerError: Error): void {
    if (this.failure || this.aborted) return;
    this.failure = readerError;
    this.buffer.length = 0;
    this.bufferedBytes = 0;
    for (const write of this.pending.splice(0)) write.reject(writerError);
    for (const waiter of this.finWaiters.splice(0)) waiter.reject(writerError);
    this.notify();
  }

  /** The reader's own close: its iteration ends quietly; writers are refused with `writerError`. */
  abort(writerError: Error): void {
    this.reset(writerError, writerError);
    this.aborted = true;
    this.notify();
  }

  async *chunks(): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (this.aborted) return;
      if (!this.stalledValue) {
        if (this.failure) throw this.failure;
        if (this.bufferedBytes > 0) {
          yield this.take();
          continue;
        }
        if (this.finDelivered) return;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** Up to `chunkBytes` buffered bytes, coalesced across writes, as one chunk. */
  private take(): Uint8Array {
    const size = Math.min(this.chunkBytes, this.bufferedBytes);
    const first = this.buffer[0];
    let out: Uint8Array;
    if (first.byteLength >= size) {
      out = first.subarray(0, size);
      if (first.byteLength === size) this.buffer.shift();
      else this.buffer[0] = first.subarray(size);
    } else {
      out = new Uint8Array(size);
      let filled = 0;
      while (filled < size) {
        const head = this.buffer[0];
        const n = Math.min(head.byteLength, size - filled);
        out.set(head.subarray(0, n), filled);
        filled += n;
        if (n === head.byteLength) this.buffer.shift();
        else this.buffer[0] = head.subarray(n);
      }
    }
    this.bufferedBytes -= size;
    this.deliveredBytes += size;
    this.pump();
    return out;
  }

  /** Moves queued writes into the buffer while it has room; then the FIN, if asked for. */
  private pump(): void {
    while (this.pending.length > 0 && this.bufferedBytes < this.bufferBytes && !this.failure) {
      const write = this.pending[0];
      const n = Math.min(write.bytes.byteLength - write.at, this.bufferBytes - this.bufferedBytes);
      this.buffer.push(write.bytes.subarray(write.at, write.at + n));
      this.bufferedBytes += n;
      write.at += n;
      if (write.at === write.bytes.byteLength) {
        this.pending.shift();
        write.resolve();
      }
    }
    if (this.finRequested && !this.finDelivered && this.pending.length === 0 && !this.failure) {
      this.finDelivered = true;
      for (const waiter of this.finWaiters.splice(0)) waiter.resolve();
      this.onFin();
    }
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
