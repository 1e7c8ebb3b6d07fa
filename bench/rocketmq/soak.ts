/**
 * The soak's verdicts (bench/soak.bench.ts, issue 13 item 2: "idle RSS ≤ 80 MB and flat (± 10 %)
 * over a 10-minute soak at half the peak rate"): from one broker's resident-set samples, taken
 * every few seconds while a paced load runs, the figures and two outcomes.
 *
 * Flat means: every sample after the warm-up (the first minute, while caches, JIT and heap fill)
 * lies within ±10 % of the median of those samples, and the last minute's median is within ±10 %
 * of the first minute's after warm-up (no slow growth hidden inside the band).
 */
import type { Outcome } from "./targets.ts";

export interface RssSample {
  /** Seconds since the load began. */
  readonly atSeconds: number;
  readonly bytes: number;
}

export interface SoakVerdict {
  readonly idleMB: number;
  readonly medianMB: number;
  readonly minMB: number;
  readonly maxMB: number;
  /** Median of the first and the last minute after the warm-up, MB. */
  readonly firstMinuteMB: number;
  readonly lastMinuteMB: number;
  readonly idle: Outcome;
  readonly flat: Outcome;
}

export const SOAK_WARMUP_SECONDS = 60;
const BAND = 0.1;
const IDLE_LIMIT_MB = 80;

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** null when there are no samples after the warm-up (a soak shorter than two minutes judges nothing). */
export function soakVerdict(idleBytes: number | null, samples: readonly RssSample[]): SoakVerdict | null {
  const after = samples.filter((s) => s.atSeconds >= SOAK_WARMUP_SECONDS);
  if (after.length === 0 || idleBytes === null) return null;
  const end = after[after.length - 1].atSeconds;
  if (end - SOAK_WARMUP_SECONDS < 60) return null;
  const mb = (bytes: number) => bytes / 1e6;
  const values = after.map((s) => mb(s.bytes));
  const mid = median(values);
  const firstMinute = median(after.filter((s) => s.atSeconds < SOAK_WARMUP_SECONDS + 60).map((s) => mb(s.bytes)));
  const lastMinute = median(after.filter((s) => s.atSeconds > end - 60).map((s) => mb(s.bytes)));
  const within = (v: number, of: number) => Math.abs(v - of) <= BAND * of;
  return {
    idleMB: mb(idleBytes),
    medianMB: mid,
    minMB: Math.min(...values),
    maxMB: Math.max(...values),
    firstMinuteMB: firstMinute,
    lastMinuteMB: lastMinute,
    idle: mb(idleBytes) <= IDLE_LIMIT_MB ? "PASS" : "FALLS SHORT",
    flat: values.every((v) => within(v, mid)) && within(lastMinute, firstMinute) ? "PASS" : "FALLS SHORT",
  };
}
