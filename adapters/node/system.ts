/**
 * The `SystemInfo` port for Node: `node:os` for the machine's memory and `process` for this
 * process's pid and resident set size (`memoryUsage.rss()` skips the heap walk of `memoryUsage()`).
 */
import { totalmem } from "node:os";
import type { SystemInfo } from "../../src/core/platform.ts";

/** Signal 0 only checks that the process exists (EPERM: it exists, but is not ours to signal). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

export const systemInfo: SystemInfo = {
  runtime: "node",
  pid: process.pid,
  totalMemoryBytes: () => totalmem(),
  residentMemoryBytes: () => process.memoryUsage.rss(),
  isProcessAlive,
};
