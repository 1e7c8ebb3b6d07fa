/**
 * The `SystemInfo` port for Node: `node:os` for the machine's memory and `process` for this
 * process's pid and resident set size (`memoryUsage.rss()` skips the heap walk of `memoryUsage()`).
 */
import { totalmem } from "node:os";
import type { SystemInfo } from "../../src/core/platform.ts";

export const systemInfo: SystemInfo = {
  runtime: "node",
  pid: process.pid,
  totalMemoryBytes: () => totalmem(),
  residentMemoryBytes: () => process.memoryUsage.rss(),
};
