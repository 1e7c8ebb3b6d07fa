/**
 * Fixed machine facts for deterministic tests (memory size drives the read-from-slave rule), and
 * a process table shared by the "processes" of one test, so a test can start a second broker on
 * the same store (refused while the first lives) or let the first "die" (`alive.delete(pid)`),
 * and optional start times, so a test can give a pid to a new process (`startTimes.set(pid, …)`).
 */
import type { SystemInfo } from "../../src/core/platform.ts";

export interface MemorySystemOptions {
  readonly pid?: number;
  /** Pids that count as running; this process's pid is added. */
  readonly alive?: Set<number>;
  /** Start time of each pid (`processStartTime`); unknown (undefined) for pids not in it. */
  readonly startTimes?: Map<number, string>;
}

export function memorySystem(totalMemoryBytes = 16 * 1024 ** 3, options: MemorySystemOptions = {}): SystemInfo {
  const pid = options.pid ?? 4242;
  const alive = options.alive ?? new Set<number>();
  alive.add(pid);
  return {
    runtime: "memory",
    pid,
    totalMemoryBytes: () => totalMemoryBytes,
    residentMemoryBytes: () => 0,
    heapUsedBytes: () => 0,
    isProcessAlive: (other) => alive.has(other),
    processStartTime: (other) => (alive.has(other) ? options.startTimes?.get(other) : undefined),
  };
}
