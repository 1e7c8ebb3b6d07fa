/** Linux `/proc` facts for tests about process liveness (zombies, start times). */
import { existsSync, readFileSync } from "node:fs";

export const hasProc = existsSync("/proc/self/stat");

/** The state letter of `/proc/<pid>/stat` (`Z` for a zombie), parsed after the last `)`. */
export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 1).trim()[0];
  } catch {
    return undefined;
  }
}
