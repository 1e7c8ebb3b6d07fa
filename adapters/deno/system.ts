/**
 * The `SystemInfo` port for Deno, from Deno's own APIs: `systemMemoryInfo()` (physical memory)
 * and `memoryUsage()` (this process's resident set size); `isProcessAlive` and
 * `processStartTime` are the Node adapter's (/proc, node:process).
 */
import type { SystemInfo } from "../../src/core/platform.ts";
import { isProcessAlive, processStartTime } from "../node/system.ts";

export const systemInfo: SystemInfo = {
  runtime: "deno",
  pid: Deno.pid,
  totalMemoryBytes: () => Deno.systemMemoryInfo().total,
  residentMemoryBytes: () => Deno.memoryUsage().rss,
  heapUsedBytes: () => Deno.memoryUsage().heapUsed,
  // Deno has no signal-0 probe of its own; its node:process compatibility layer has one.
  isProcessAlive,
  processStartTime,
};
