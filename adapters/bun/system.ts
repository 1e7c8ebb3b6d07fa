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
  isProcessAlive(pid: number): boolean {
    try {
      process.kill(pid, 0); // signal 0: only checks that the process exists
      return true;
    } catch (error) {
      return (error as { code?: string }).code === "EPERM";
    }
  },
};
