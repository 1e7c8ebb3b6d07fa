/**
 * The in-memory platform for tests (`adapters/memory/platform.ts`), and `until`, the way tests on
 * it wait: everything in memory moves by promise callbacks only (the ManualClock moves time), so
 * spinning the microtask queue until a condition holds is deterministic and needs no real time.
 */
export { createMemoryPlatform, type MemoryPlatform } from "../../adapters/memory/platform.ts";

/** Lets queued promise callbacks run until `condition()` holds; fails after `maxTurns` turns. */
export async function until(condition: () => boolean, what: string, maxTurns = 2_000_000): Promise<void> {
  for (let turn = 0; turn < maxTurns; turn++) {
    if (condition()) return;
    await Promise.resolve();
  }
  throw new Error(`still not true after ${maxTurns} turns: ${what}`);
}

/** Lets queued promise callbacks run for a while (to show that something does NOT happen). */
export async function spin(turns = 20_000): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await Promise.resolve();
}
