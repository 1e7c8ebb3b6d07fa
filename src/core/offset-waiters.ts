/**
 * Promises that resolve when a position moving forward reaches their offset: the waits for "bytes
 * written up to X" or "flushed up to X". Kept sorted by offset (waits arrive in almost increasing
 * order, so an insert looks from the end), so a release touches only the waiters it resolves.
 * The caller bounds how many wait (each belongs to a request in flight).
 */
import { assert } from "./errors.ts";

interface Waiter {
  readonly offset: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class OffsetWaiters {
  private waiters: Waiter[] = [];

  get size(): number {
    return this.waiters.length;
  }

  /** A promise that `release(position)` with `position >= offset` resolves. */
  wait(offset: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let at = this.waiters.length;
      while (at > 0 && this.waiters[at - 1].offset > offset) at--;
      this.waiters.splice(at, 0, { offset, resolve, reject });
    });
  }

  /** Resolves every wait for an offset at or below `position`. */
  release(position: number): void {
    let released = 0;
    while (released < this.waiters.length && this.waiters[released].offset <= position) released++;
    if (released === 0) return;
    for (const waiter of this.waiters.splice(0, released)) waiter.resolve();
    assert(this.waiters.length === 0 || this.waiters[0].offset > position, "offset waiters stay sorted");
  }

  /** Rejects every wait with `error`. */
  rejectAll(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}
