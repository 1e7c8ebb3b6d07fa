/**
 * Long polling (RocketMQ's PullRequestHoldService, without its polling loop): a pull that finds
 * nothing new parks here and is woken by the dispatcher the moment an entry lands in its queue,
 * or released when its wait time runs out. Bounded: beyond `maxWaiters` parked pulls
 * (`LONG_POLL_WAITERS_MAX` by default), a new one is answered at once instead of parking.
 */
import type { Clock } from "../core/platform.ts";

/** Pulls parked at once, over all queues (each holds one HTTP request and one timer). */
export const LONG_POLL_WAITERS_MAX = 10_000;

interface Waiter {
  readonly wake: () => void;
}

export class LongPollHub {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private count = 0;
  private readonly clock: Clock;
  private readonly maxWaiters: number;

  constructor(clock: Clock, maxWaiters = LONG_POLL_WAITERS_MAX) {
    this.clock = clock;
    this.maxWaiters = maxWaiters;
  }

  get parked(): number {
    return this.count;
  }

  /** Resolves true when woken by a new message, false when `waitMs` ran out (or no room to park). */
  wait(topic: string, queueId: number, waitMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.count >= this.maxWaiters || waitMs <= 0 || signal?.aborted) return Promise.resolve(false);
    const key = `${topic}\u0000${queueId}`;
    return new Promise<boolean>((resolve) => {
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      const finish = (woken: boolean) => {
        if (!set.delete(waiter)) return;
        this.count--;
        if (set.size === 0) this.waiters.delete(key);
        timer.cancel();
        signal?.removeEventListener("abort", onAbort);
        resolve(woken);
      };
      const waiter: Waiter = { wake: () => finish(true) };
      const onAbort = () => finish(false);
      const timer = this.clock.setTimeout(() => finish(false), waitMs);
      signal?.addEventListener("abort", onAbort);
      set.add(waiter);
      this.count++;
    });
  }

  /** A new message is in (topic, queueId): wake every pull parked on it. */
  notify(topic: string, queueId: number): void {
    const set = this.waiters.get(`${topic}\u0000${queueId}`);
    if (!set) return;
    for (const waiter of [...set]) waiter.wake();
  }

  /** Releases every parked pull (shutdown, role change). */
  releaseAll(): void {
    for (const set of [...this.waiters.values()]) for (const waiter of [...set]) waiter.wake();
  }
}
