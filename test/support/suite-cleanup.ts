/**
 * What a suite undoes once its tests are over — processes to kill, directories to remove — newest
 * first, each step's failure ignored (a process that already exited, a directory already gone).
 * Call it inside `describe`: it registers the suite's `after` hook. The interop tests' `Cleanup`
 * (interop/rocketmq/processes.ts) is the per-test counterpart: it stops gracefully and reports
 * failed steps, where a suite's last hook kills and must not fail on what is already gone.
 */
import { after } from "node:test";

export interface SuiteCleanup {
  /** Runs `undo` after the suite (before everything deferred earlier). */
  defer(undo: () => Promise<unknown>): void;
  /** Kills `process` after the suite; returns it. */
  track<P extends { kill(): Promise<unknown> }>(process: P): P;
}

export function cleanupAfterSuite(): SuiteCleanup {
  const undos: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const undo of undos.reverse()) await undo().catch(() => undefined);
  });
  return {
    defer: (undo) => void undos.push(undo),
    track: (process) => {
      undos.push(() => process.kill());
      return process;
    },
  };
}
