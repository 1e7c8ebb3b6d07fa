/**
 * A manual clock: time moves only when a test calls `advance`, so heartbeats, flush intervals,
 * timeouts and housekeeping can be tested exactly, with no sleeps.
 *
 * Timers fire in deadline order (ties in creation order). Between two timers `advance` lets
 * pending promise callbacks run, so async work started by one timer settles before the next.
 */
import type { Clock, TimerHandle } from "../../src/core/platform.ts";

interface Timer {
  id: number;
  dueMs: number;
  intervalMs: number | null;
  callback: () => void;
}

export class ManualClock implements Clock {
  private timeMs: number;
  private readonly wallOffsetMs: number;
  private readonly timers = new Map<number, Timer>();
  private nextId = 1;

  constructor(startWallMs = 1_700_000_000_000) {
    this.timeMs = 0;
    this.wallOffsetMs = startWallMs;
  }

  now(): number {
    return this.wallOffsetMs + this.timeMs;
  }

  monotonicMs(): number {
    return this.timeMs;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.add(callback, delayMs, null);
  }

  setInterval(callback: () => void, intervalMs: number): TimerHandle {
    return this.add(callback, intervalMs, Math.max(1, intervalMs));
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, delayMs));
  }

  /** Number of timers waiting to fire. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.timeMs + ms;
    for (;;) {
      await settle();
      const next = this.nextDue();
      if (!next || next.dueMs > target) break;
      this.timeMs = next.dueMs;
      if (next.intervalMs === null) this.timers.delete(next.id);
      else next.dueMs += next.intervalMs;
      next.callback();
    }
    this.timeMs = target;
    await settle();
  }

  private add(callback: () => void, delayMs: number, intervalMs: number | null): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, dueMs: this.timeMs + Math.max(0, delayMs), intervalMs, callback });
    return { cancel: () => this.timers.delete(id) };
  }

  private nextDue(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers.values()) {
      if (!best || t.dueMs < best.dueMs || (t.dueMs === best.dueMs && t.id < best.id)) best = t;
    }
    return best;
  }
}

/** Lets queued promise callbacks (and the callbacks they queue) run. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}
