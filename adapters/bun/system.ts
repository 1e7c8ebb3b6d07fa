/**
 * The `SystemInfo` port for Bun: Bun provides `node:os` and `process` natively, so this is the
 * Node adapter's code with the runtime's own name.
 */
import { totalmem } from "node:os";
import type { SystemInfo } from "../../src/core/platform.ts";

export const systemInfo: SystemInfo = {
  runtime: "bun",
  pid: process.pid,
  totalMemoryBytes: () => totalmem(),
  residentMemoryBytes: () => process.memoryUsage.rss(),
};
