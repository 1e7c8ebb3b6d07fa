/**
 * Events per second over a sliding window, in bounded memory: a ring of `bucketCount` counters of
 * `bucketMs` each (monotonic time). `add` counts into the bucket of "now"; `rate(n)` is the sum of
 * the last `n` complete buckets divided by their duration — what RocketMQ's StoreStatsService gives
 * from its once-a-second samples (`getPutTps(10)` = the last 10 seconds). Buckets left behind by a
 * quiet period are zeroed when time moves on, so a window with no events reads 0.
 *
 * `rate` is `undefined` until `n` complete buckets have passed since the window was created, as
 * Java prints nothing for a span longer than its uptime.
 */
import { assert, fail } from "../core/errors.ts";

export class RateWindow {
  private readonly counts: Float64Array;
  private readonly bucketMs: number;
  private readonly firstBucket: number;
  /** Absolute number (time / bucketMs) of the newest bucket in the ring. */
  private newestBucket: number;

  constructor(bucketMs: number, bucketCount: number, nowMs: number) {
    assert(bucketMs > 0 && Number.isSafeInteger(bucketCount) && bucketCount > 1, "a rate window needs positive buckets");
    this.bucketMs = bucketMs;
    this.counts = new Float64Array(bucketCount);
    this.firstBucket = Math.floor(nowMs / bucketMs);
    this.newestBucket = this.firstBucket;
  }

  add(count: number, nowMs: number): void {
    const bucket = this.advance(nowMs);
    this.counts[bucket % this.counts.length] += count;
  }

  /** Complete buckets since the window was created (capped at what the ring can hold). */
  completeBuckets(nowMs: number): number {
    return Math.min(this.advance(nowMs) - this.firstBucket, this.counts.length - 1);
  }

  /** Events per second over the last `buckets` complete buckets; undefined without that much history. */
  rate(buckets: number, nowMs: number): number | undefined {
    if (!(buckets >= 1 && buckets < this.counts.length)) fail(`a rate over ${buckets} buckets needs a ring of more than ${buckets}`);
    const current = this.advance(nowMs);
    if (current - this.firstBucket < buckets) return undefined;
    let sum = 0;
    for (let b = current - buckets; b < current; b++) sum += this.counts[b % this.counts.length];
    return sum / ((buckets * this.bucketMs) / 1000);
  }

  /** Moves the ring to the bucket of `nowMs` (zeroing the buckets skipped); returns its number. */
  private advance(nowMs: number): number {
    const bucket = Math.floor(nowMs / this.bucketMs);
    if (bucket <= this.newestBucket) return this.newestBucket;
    const skipped = Math.min(bucket - this.newestBucket, this.counts.length);
    for (let i = 1; i <= skipped; i++) this.counts[(this.newestBucket + i) % this.counts.length] = 0;
    this.newestBucket = bucket;
    return bucket;
  }
}
