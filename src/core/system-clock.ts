/**
 * The real clock, built from web-standard globals only (`Date`, `performance`, `setTimeout`),
 * which Bun, Deno, Node and edge runtimes all provide, and `setImmediate` where there is one (Bun,
 * Deno and Node all have it; an edge runtime may not). Tests use the manual clock in
 * `adapters/memory/clock.ts` instead.
 */
import type { Clock, TimerHandle } from "./platform.ts";

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonicMs: () => performance.now(),
  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = setTimeout(callback, delayMs);
    return { cancel: () => clearTimeout(id) };
  },
  setInterval(callback: () => void, intervalMs: number): TimerHandle {
    const id = setInterval(callback, intervalMs);
    return { cancel: () => clearInterval(id) };
  },
  sleep: (delayMs: number) => new Promise<void>((resolve) => setTimeout(resolve, delayMs)),
  ...(typeof globalThis.setImmediate === "function" ? { nextTurn: (callback: () => void) => void globalThis.setImmediate(callback) } : {}),
};
