/** Linux `/proc` facts for tests about processes: liveness (zombies, start times) and resident memory. */
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

/** The resident set size (VmRSS) of process `pid`, in bytes. */
export function rssBytes(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!kib) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kib[1]) * 1024;
}
