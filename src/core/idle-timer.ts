/**
 * A timer for "nothing happened for `intervalMs`" rules (spec §4.2 slave heartbeat report, §4.4
 * step 6 and §4.5 step 3 housekeeping): it fires `onIdle` when `intervalMs` have passed since
 * `lastActivityMs()` (monotonic), then re-arms itself for the new deadline. Activity only moves a
 * number; no timer is touched on the hot path.
 */
import type { Clock, TimerHandle } from "./platform.ts";

export function idleTimer(clock: Clock, intervalMs: number, lastActivityMs: () => number, onIdle: () => void): TimerHandle {
  let cancelled = false;
  let handle: TimerHandle | null = null;
  const arm = (): void => {
    const dueInMs = lastActivityMs() + intervalMs - clock.monotonicMs();
    handle = clock.setTimeout(fire, dueInMs > 0 ? dueInMs : intervalMs);
  };
  const fire = (): void => {
    if (cancelled) return;
    if (clock.monotonicMs() - lastActivityMs() >= intervalMs) onIdle();
    if (!cancelled) arm();
  };
  arm();
  return {
    cancel: () => {
      cancelled = true;
      handle?.cancel();
    },
  };
}
