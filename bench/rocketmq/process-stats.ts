/**
 * Memory of the processes under test, from Linux's /proc: the resident set (`VmRSS` of
 * /proc/<pid>/status) now, and its peak while a load runs, sampled every SAMPLE_MS (bounded: one
 * timer and two numbers per process, whatever the run's length).
 */
import { readFile } from "node:fs/promises";

const SAMPLE_MS = 250;

/** The process's resident set in bytes, or null when /proc cannot tell (the process is gone). */
export async function rssBytes(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

/** Samples each pid's resident set until `stop()`, which answers the peaks (null: never read). */
export function samplePeakRss(pids: readonly number[]): { stop(): Promise<Array<number | null>> } {
  const peaks: Array<number | null> = pids.map(() => null);
  const sample = async () => {
    const now = await Promise.all(pids.map(rssBytes));
    now.forEach((bytes, i) => {
      if (bytes !== null && (peaks[i] === null || bytes > peaks[i]!)) peaks[i] = bytes;
    });
  };
  let pending = sample();
  const timer = setInterval(() => (pending = pending.then(sample)), SAMPLE_MS);
  return {
    async stop() {
      clearInterval(timer);
      await pending.then(sample);
      return peaks;
    },
  };
}
