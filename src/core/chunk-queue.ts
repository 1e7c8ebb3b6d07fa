/**
 * The read side of a push-style socket (Node's `data` events, Bun's `data` handler) turned into
 * the pull-style `AsyncIterable<Uint8Array>` of the `Connection` port, with bounded buffering.
 *
 * The socket pushes chunks; the single consumer pulls them. Once `queuedBytesMax` bytes wait
 * unread, the queue calls `pause()` so the runtime stops reading from the kernel (TCP flow control
 * then slows the peer), and `resume()` once the consumer has drained it below the limit. The bound
 * is soft by at most the chunks a runtime still delivers after `pause()` (one read's worth).
 *
 * Web-standard code only: the Node and Bun adapters share it.
 */

export const readQueueBytesMax = 1 << 20;

export class ChunkQueue implements AsyncIterable<Uint8Array> {
  readonly #chunks: Uint8Array[] = [];
  readonly #pause: () => void;
  readonly #resume: () => void;
  #queuedBytes = 0;
  #paused = false;
  #done = false;
  #failure: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(pause: () => void, resume: () => void) {
    this.#pause = pause;
    this.#resume = resume;
  }

  push(chunk: Uint8Array): void {
    if (this.#done || chunk.byteLength === 0) return;
    this.#chunks.push(chunk);
    this.#queuedBytes += chunk.byteLength;
    if (!this.#paused && this.#queuedBytes >= readQueueBytesMax) {
      this.#paused = true;
      this.#pause();
    }
    this.#notify();
  }

  /** No more chunks: the peer's FIN (no failure) or a reset (failure). Queued chunks are still delivered. */
  finish(failure?: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#failure = failure;
    this.#notify();
  }

  /** Our own `close()`: drop what is queued and end the iteration quietly. */
  abort(): void {
    this.#chunks.length = 0;
    this.#queuedBytes = 0;
    this.#failure = undefined;
    this.#done = true;
    this.#notify();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    while (true) {
      const chunk = this.#chunks.shift();
      if (chunk !== undefined) {
        this.#queuedBytes -= chunk.byteLength;
        if (this.#paused && !this.#done && this.#queuedBytes < readQueueBytesMax) {
          this.#paused = false;
          this.#resume();
        }
        yield chunk;
      } else if (this.#done) {
        if (this.#failure !== undefined) throw this.#failure;
        return;
      } else {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
