/**
 * When the master's bytes became shippable, coarsely, so that a slave's lag can be told in seconds
 * as well as bytes: the age of the oldest byte it has not acknowledged.
 *
 * `note(shippableOffset, nowMs)` is called whenever the shippable offset may have grown. The first
 * growth in each `GRANULARITY_MS` records a sample (offset before the growth, time); bytes from one
 * sample's offset to the next's became shippable within `GRANULARITY_MS` after the first sample's
 * time, so an age is at most that much too old. Samples live in a ring of `SAMPLES_MAX`: a byte
 * older than the oldest sample kept (or than the tracker: the first sample is at offset 0, at
 * start) gets the oldest sample's age, a lower bound. Fixed memory, O(1) per note, O(log n) per
 * question.
 */
import { assert } from "../core/errors.ts";

export const GRANULARITY_MS = 100;
export const SAMPLES_MAX = 4096;

export class ShippableTimes {
  private readonly offsets = new Float64Array(SAMPLES_MAX);
  private readonly times = new Float64Array(SAMPLES_MAX);
  /** Index of the oldest sample, and how many there are. */
  private head = 0;
  private count = 0;
  private lastOffset: number;
  private lastSampleMs = Number.NEGATIVE_INFINITY;

  constructor(shippableOffset: number, nowMs: number) {
    this.lastOffset = shippableOffset;
    this.push(0, nowMs);
  }

  note(shippableOffset: number, nowMs: number): void {
    if (shippableOffset < this.lastOffset) { // the log was truncated (never on a serving master): start over
      this.head = this.count = 0;
      this.push(0, nowMs);
    } else if (shippableOffset > this.lastOffset && nowMs - this.lastSampleMs >= GRANULARITY_MS) {
      this.push(this.lastOffset, nowMs);
    }
    this.lastOffset = shippableOffset;
  }

  /** Milliseconds since the byte at `offset` became shippable; 0 when it is not shippable yet (nothing is missing). */
  ageMs(offset: number, nowMs: number): number {
    if (offset >= this.lastOffset) return 0;
    // The newest sample whose offset is at or below `offset` (the oldest one when none is).
    let low = 0;
    let high = this.count - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.offsets[this.at(mid)] <= offset) low = mid;
      else high = mid - 1;
    }
    return Math.max(0, nowMs - this.times[this.at(low)]);
  }

  private at(i: number): number {
    return (this.head + i) % SAMPLES_MAX;
  }

  private push(offset: number, nowMs: number): void {
    assert(this.count === 0 || offset >= this.offsets[this.at(this.count - 1)], "samples ascend by offset");
    if (this.count === SAMPLES_MAX) {
      this.head = (this.head + 1) % SAMPLES_MAX;
      this.count--;
    }
    const slot = this.at(this.count);
    this.offsets[slot] = offset;
    this.times[slot] = nowMs;
    this.count++;
    this.lastSampleMs = nowMs;
  }
}
