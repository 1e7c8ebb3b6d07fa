/**
 * How long puts take, as RocketMQ's StoreStatsService reports it (GET_BROKER_RUNTIME_INFO): the
 * slowest put since start, and for the last complete minute the count per coarse range and the
 * 99th / 99.9th percentiles from finer buckets. A put's time runs from the append to the moment the
 * flush policy is met (what Java measures around `asyncPutMessage`; replication waits are the
 * broker's, not the store's). Fixed arrays: memory does not grow with traffic.
 *
 * | key (Java's)             | what                                                              |
 * |--------------------------|-------------------------------------------------------------------|
 * | putMessageEntireTimeMax  | slowest put since start, ms                                       |
 * | putMessageDistributeTime | `[<=0ms]:n [0~10ms]:n … [10s~]:n ` over the last complete minute  |
 * | putLatency99 / 999       | percentile in ms (`%.2f`), interpolated inside its fine bucket     |
 *
 * Fine bucket upper bounds (ms): 1…20 by 1, 22…50 by 2, 55…100 by 5, 110…200 by 10, 250…500 by
 * 50, 600…1000 by 100, 2000…10000 by 1000, then Long.MAX_VALUE — Java's PUT_MESSAGE_ENTIRE_TIME_BUCKETS.
 */

const RANGE_NAMES = ["[<=0ms]", "[0~10ms]", "[10~50ms]", "[50~100ms]", "[100~200ms]", "[200~500ms]", "[500ms~1s]", "[1~2s]", "[2~3s]", "[3~4s]", "[4~5s]", "[5~10s]", "[10s~]"];
/** Exclusive upper ends of the coarse ranges after the first (`<= 0`). */
const RANGE_ENDS = [10, 50, 100, 200, 500, 1000, 2000, 3000, 4000, 5000, 10000];
const LONG_MAX = 9223372036854775807;
const FINE_BOUNDS: readonly number[] = (() => {
  const bounds: number[] = [];
  let at = 0;
  for (const [step, times] of [[1, 20], [2, 15], [5, 10], [10, 10], [50, 6], [100, 5], [1000, 9]]) {
    for (let i = 0; i < times; i++) bounds.push((at += step));
  }
  bounds.push(LONG_MAX);
  return bounds;
})();
const MINUTE_MS = 60_000;

export class PutLatency {
  private maxMs = 0;
  private minute: number;
  private ranges = new Float64Array(RANGE_NAMES.length);
  private fine = new Float64Array(FINE_BOUNDS.length);
  private lastRanges = new Float64Array(RANGE_NAMES.length);
  private lastFine = new Float64Array(FINE_BOUNDS.length);

  constructor(nowMs: number) {
    this.minute = Math.floor(nowMs / MINUTE_MS);
  }

  record(elapsedMs: number, nowMs: number): void {
    this.rotate(nowMs);
    const ms = Math.max(0, Math.round(elapsedMs));
    this.maxMs = Math.max(this.maxMs, ms);
    this.ranges[rangeOf(ms)]++;
    this.fine[FINE_BOUNDS.findIndex((bound) => bound >= ms)]++;
  }

  get slowestMs(): number {
    return this.maxMs;
  }

  /** `[<=0ms]:1 [0~10ms]:2 … ` (trailing space, as Java prints it) for the last complete minute. */
  distribution(nowMs: number): string {
    this.rotate(nowMs);
    return RANGE_NAMES.map((name, i) => `${name}:${this.lastRanges[i]} `).join("");
  }

  /** The `fraction` percentile of the last complete minute, ms (0 with no puts). */
  percentileMs(fraction: number, nowMs: number): number {
    this.rotate(nowMs);
    const total = this.lastFine.reduce((sum, n) => sum + n, 0);
    const index = Math.floor(total * fraction);
    let passed = 0;
    for (let i = 0; i < FINE_BOUNDS.length; i++) {
      const count = this.lastFine[i];
      if (index <= passed + count) {
        const share = count === 0 ? 0 : (index - passed) / count;
        const low = i === 0 ? 0 : FINE_BOUNDS[i - 1];
        return low + (FINE_BOUNDS[i] - low) * share;
      }
      passed += count;
    }
    return 0;
  }

  /** A new minute: the one just ended becomes "last" (empty if more than one passed). */
  private rotate(nowMs: number): void {
    const minute = Math.floor(nowMs / MINUTE_MS);
    if (minute <= this.minute) return;
    const consecutive = minute === this.minute + 1;
    this.lastRanges = consecutive ? this.ranges : new Float64Array(RANGE_NAMES.length);
    this.lastFine = consecutive ? this.fine : new Float64Array(FINE_BOUNDS.length);
    this.ranges = new Float64Array(RANGE_NAMES.length);
    this.fine = new Float64Array(FINE_BOUNDS.length);
    this.minute = minute;
  }
}

function rangeOf(ms: number): number {
  if (ms <= 0) return 0;
  const i = RANGE_ENDS.findIndex((end) => ms < end);
  return i === -1 ? RANGE_NAMES.length - 1 : i + 1;
}
