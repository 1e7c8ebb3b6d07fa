/**
 * Fixed machine facts for deterministic tests (memory size drives the read-from-slave rule), and
 * a process table shared by the "processes" of one test, so a test can start a second broker on
 * the same store (refused while the first lives) or let the first "die" (`alive.delete(pid)`).
 */
import type { SystemInfo } from "../../src/core/platform.ts";

export interface MemorySystemOptions {
  readonly pid?: number;
  /** Pids that count as running; this process's pid is added. */
  readonly alive?: Set<number>;
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
    isProcessAlive: (other) => alive.has(other),
  };
}
