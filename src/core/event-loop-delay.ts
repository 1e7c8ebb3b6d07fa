/**
 * Event-loop delay, measured with the platform's clock only (so it works on every runtime and in
 * the in-memory platform): a timer asks to run every `intervalMs`; how late it runs is how long
 * the event loop was busy with something else (a long synchronous step, a GC pause). Each
 * lateness goes into a histogram, and the largest of the last `WINDOW_SECONDS` seconds is kept for
 * a gauge. One timer, fixed memory.
 */
import type { Clock, TimerHandle } from "./platform.ts";

export const EVENT_LOOP_SAMPLE_INTERVAL_MS = 200;
/** The gauge's window: the largest delay of the last this many seconds. */
export const WINDOW_SECONDS = 10;

export class EventLoopDelay {
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly observe: (delaySeconds: number) => void;
  private timer: TimerHandle | null = null;
  /** Per second of the window: the second it belongs to, and its largest delay in ms. */
  private readonly secondOf = new Float64Array(WINDOW_SECONDS).fill(-1);
  private readonly maxMsOf = new Float64Array(WINDOW_SECONDS);

  /** `observe` receives every lateness, in seconds (a histogram's `observe`). */
  constructor(clock: Clock, observe: (delaySeconds: number) => void, intervalMs = EVENT_LOOP_SAMPLE_INTERVAL_MS) {
    this.clock = clock;
    this.observe = observe;
    this.intervalMs = intervalMs;
  }

  start(): void {
    if (this.timer) return;
    this.schedule();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** The largest lateness of the last WINDOW_SECONDS seconds, in seconds (0 before any sample). */
  maxSeconds(): number {
    const second = Math.floor(this.clock.monotonicMs() / 1000);
    let max = 0;
    for (let i = 0; i < WINDOW_SECONDS; i++) {
      if (second - this.secondOf[i] < WINDOW_SECONDS) max = Math.max(max, this.maxMsOf[i]);
    }
    return max / 1000;
  }

  private schedule(): void {
    const dueMs = this.clock.monotonicMs() + this.intervalMs;
    this.timer = this.clock.setTimeout(() => {
      const nowMs = this.clock.monotonicMs();
      this.record(Math.max(0, nowMs - dueMs), nowMs);
      if (this.timer) this.schedule();
    }, this.intervalMs);
  }

  private record(lateMs: number, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const slot = second % WINDOW_SECONDS;
    if (this.secondOf[slot] !== second) {
      this.secondOf[slot] = second;
      this.maxMsOf[slot] = 0;
    }
    this.maxMsOf[slot] = Math.max(this.maxMsOf[slot], lateMs);
    this.observe(lateMs / 1000);
  }
}
