/**
 * The soak's verdicts (bench/rocketmq/soak.ts): idle RSS ≤ 80 MB, and RSS flat within ±10 % after
 * the first minute, including no slow growth from the first minute to the last.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { soakVerdict, type RssSample } from "../../bench/rocketmq/soak.ts";

/** One sample every 5 s for `seconds`, MB given by `mb(t)`. */
function series(seconds: number, mb: (t: number) => number): RssSample[] {
  return Array.from({ length: Math.floor(seconds / 5) }, (_, i) => ({ atSeconds: (i + 1) * 5, bytes: mb((i + 1) * 5) * 1e6 }));
}

describe("soak verdicts", () => {
  it("passes a broker whose RSS settles after the first minute and stays within the band", () => {
    const v = soakVerdict(60e6, series(600, (t) => (t < 60 ? 60 + t : 120 + (t % 20 === 0 ? 8 : 0))));
    assert.ok(v);
    assert.deepEqual([v.idle, v.flat, Math.round(v.idleMB), Math.round(v.minMB), Math.round(v.maxMB)], ["PASS", "PASS", 60, 120, 128]);
  });

  it("fails a broker that grows slowly, even when each sample stays near the median", () => {
    // 100 → 130 MB over nine minutes: within ±15 % of the median, but the last minute is 27 % above the first.
    const v = soakVerdict(70e6, series(600, (t) => (t < 60 ? 90 : 100 + ((t - 60) / 540) * 30)));
    assert.equal(v?.flat, "FALLS SHORT");
    assert.ok(v!.lastMinuteMB > v!.firstMinuteMB * 1.2);
  });

  it("fails a spike beyond ±10 % of the median, and an idle RSS above 80 MB", () => {
    const v = soakVerdict(81e6, series(600, (t) => (t === 300 ? 150 : 120)));
    assert.deepEqual([v?.flat, v?.idle], ["FALLS SHORT", "FALLS SHORT"]);
  });

  it("judges nothing without a minute of samples after the warm-up, or without an idle figure", () => {
    assert.equal(soakVerdict(60e6, series(100, () => 100)), null);
    assert.equal(soakVerdict(null, series(600, () => 100)), null);
    assert.notEqual(soakVerdict(60e6, series(125, () => 100)), null);
  });
});
