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

/** Busy and total CPU time of the whole machine so far (the `cpu` line of /proc/stat), in clock ticks. */
async function machineTicks(): Promise<{ busy: number; total: number } | null> {
  try {
    const line = (await readFile("/proc/stat", "utf8")).split("\n").find((l) => l.startsWith("cpu "));
    if (line === undefined) return null;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait };
  } catch {
    return null;
  }
}

/**
 * The share of the machine's CPU time (all cores) that was busy during the next `ms`: taken
 * between rows, when none of the benchmark's processes run, it is other work on the machine. (The
 * 1-minute load average is printed too, as asked, but it still counts the previous row.)
 */
export async function machineBusyShare(ms: number): Promise<number | null> {
  const before = await machineTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = await machineTicks();
  if (before === null || after === null || after.total <= before.total) return null;
  return (after.busy - before.busy) / (after.total - before.total);
}

/**
 * CPU time (user + system, clock ticks of /proc/<pid>/stat fields 14 and 15) the process has used
 * so far, or -1 where it cannot be read. The command name (field 2) is in parentheses and may hold
 * spaces: fields are counted after the last `)`.
 */
export async function cpuTicks(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(rest[11]) + Number(rest[12]);
    return Number.isFinite(ticks) ? ticks : -1;
  } catch {
    return -1;
  }
}

/**
 * A shell command that runs `"$@"`, then prints `CHILD_CPU_MARK` and its own /proc/<pid>/stat:
 * fields 16 and 17 there (cutime, cstime) are the CPU of the children it waited for, which is the
 * command's whole CPU even after it exited (`childCpuTicks` reads it from the output).
 */
export const CHILD_CPU_MARK = "skiff-child-cpu ";
export const WITH_CHILD_CPU = `"$@"; code=$?; echo "${CHILD_CPU_MARK}$(cat /proc/$$/stat)"; exit $code`;

/** The ticks the command under `WITH_CHILD_CPU` used, from its output; -1 when the line is missing. */
export function childCpuTicks(output: string): number {
  const line = output.split("\n").find((l) => l.startsWith(CHILD_CPU_MARK));
  if (line === undefined) return -1;
  const rest = line.slice(line.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(rest[13]) + Number(rest[14]);
  return Number.isFinite(ticks) ? ticks : -1;
}

/** The ticks each pid used between `before` and now (-1 where either reading failed). */
export async function cpuTicksSince(pids: readonly number[], before: readonly number[]): Promise<number[]> {
  const after = await Promise.all(pids.map(cpuTicks));
  return after.map((t, i) => (t < 0 || before[i] < 0 ? -1 : t - before[i]));
}
