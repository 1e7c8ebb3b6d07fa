/**
 * The `SystemInfo` port for Deno, from Deno's own APIs: `systemMemoryInfo()` (physical memory)
 * and `memoryUsage()` (this process's resident set size).
 */
import type { SystemInfo } from "../../src/core/platform.ts";

export const systemInfo: SystemInfo = {
  runtime: "deno",
  pid: Deno.pid,
  totalMemoryBytes: () => Deno.systemMemoryInfo().total,
  residentMemoryBytes: () => Deno.memoryUsage().rss,
};
