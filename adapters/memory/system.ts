/** Fixed machine facts for deterministic tests (memory size drives the read-from-slave rule). */
import type { SystemInfo } from "../../src/core/platform.ts";

export function memorySystem(totalMemoryBytes = 16 * 1024 ** 3): SystemInfo {
  return {
    runtime: "memory",
    pid: 4242,
    totalMemoryBytes: () => totalMemoryBytes,
    residentMemoryBytes: () => 0,
  };
}
