/**
 * The `SystemInfo` port for Node: `node:os` for the machine's memory and `process` for this
 * process's pid and resident set size (`memoryUsage.rss()` skips the heap walk of `memoryUsage()`).
 *
 * Whether a pid is alive: on Linux from `/proc/<pid>/stat`, whose state field tells a zombie (`Z`,
 * exited but not yet reaped by its parent) or a dead task (`X`) from a running one, and whose
 * field 22 is the process's start time (clock ticks since boot), which tells a reused pid from the
 * process that had it before. The command name (field 2) is in parentheses and may hold spaces
 * and parentheses itself, so fields are counted from the last `)`. Where there is no `/proc`,
 * signal 0 (which counts a zombie as alive) and no start time.
 */
import { readFileSync } from "node:fs";
import { totalmem } from "node:os";
import type { SystemInfo } from "../../src/core/platform.ts";

/** Fields 3… of `/proc/<pid>/stat` (index 0 is the state), or undefined without one. */
function procStatFields(pid: number): string[] | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return undefined;
  }
  const commEnd = stat.lastIndexOf(")");
  return commEnd < 0 ? undefined : stat.slice(commEnd + 1).trim().split(/\s+/);
}

/** Signal 0 only checks that the process exists (EPERM: it exists, but is not ours to signal). */
function answersSignalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

export function isProcessAlive(pid: number): boolean {
  const fields = procStatFields(pid);
  if (fields !== undefined) return fields[0] !== "Z" && fields[0] !== "X";
  return answersSignalZero(pid);
}

/** Field 22 of `/proc/<pid>/stat` (start time, clock ticks since boot); undefined without /proc. */
export function processStartTime(pid: number): string | undefined {
  const startTime = procStatFields(pid)?.[22 - 3];
  return startTime !== undefined && /^\d+$/.test(startTime) ? startTime : undefined;
}

export const systemInfo: SystemInfo = {
  runtime: "node",
  pid: process.pid,
  totalMemoryBytes: () => totalmem(),
  residentMemoryBytes: () => process.memoryUsage.rss(),
  heapUsedBytes: () => process.memoryUsage().heapUsed,
  isProcessAlive,
  processStartTime,
};
