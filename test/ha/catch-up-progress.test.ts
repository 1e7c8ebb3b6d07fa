/**
 * A slave's catch-up report: silent while it keeps up; once it is more than a MiB behind, a line
 * at once and then one per interval with bytes, percent, rate and time left; one line when it has
 * caught up; nothing at all when the master's end cannot be known (an Apache RocketMQ master).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CATCH_UP_LOG_INTERVAL_MS, CatchUpProgress } from "../../src/ha/catch-up-progress.ts";

const MiB = 1024 * 1024;

describe("catch-up progress", () => {
  it("reports a catch-up from its start to its end, with percent, rate and time left", () => {
    const progress = new CatchUpProgress();
    assert.equal(progress.sample({ atMs: 0, slaveOffset: 0, masterOffset: 100 * 1024 }), null, "100 KiB behind is keeping up");
    const start = progress.sample({ atMs: 1000, slaveOffset: 0, masterOffset: 1000 * MiB });
    assert.match(start!.message, /^HA catching up with the master: 1000\.0 MiB behind \(slave at 0, master at 1048576000\)$/);
    assert.equal(progress.sample({ atMs: 5000, slaveOffset: 100 * MiB, masterOffset: 1000 * MiB }), null, "within the interval");
    const mid = progress.sample({ atMs: 1000 + CATCH_UP_LOG_INTERVAL_MS, slaveOffset: 250 * MiB, masterOffset: 1000 * MiB });
    assert.equal(mid!.message, "HA catching up with the master: received 250.0 MiB of 1000.0 MiB (25.0%), 25.0 MiB/s, about 30 s left");
    assert.deepEqual(mid!.fields, { slaveOffset: 250 * MiB, masterOffset: 1000 * MiB, receivedBytes: 250 * MiB, percent: 25, bytesPerSecond: 25 * MiB, secondsLeft: 30 });
    const done = progress.sample({ atMs: 41_000, slaveOffset: 1000 * MiB, masterOffset: 1000 * MiB + 10 });
    assert.equal(done!.message, "HA caught up with the master: 1000.0 MiB in 40.0 s (25.0 MiB/s), 10 bytes behind now");
    assert.equal(progress.sample({ atMs: 60_000, slaveOffset: 1000 * MiB, masterOffset: 1000 * MiB }), null, "caught up: silent again");
  });

  it("says so when nothing arrived in an interval, and starts over after a reset", () => {
    const progress = new CatchUpProgress();
    progress.sample({ atMs: 0, slaveOffset: 0, masterOffset: 10 * MiB });
    const stalled = progress.sample({ atMs: CATCH_UP_LOG_INTERVAL_MS, slaveOffset: 0, masterOffset: 10 * MiB });
    assert.match(stalled!.message, /\(0\.0%\), 0 B\/s, no bytes in the last interval$/);
    progress.reset();
    assert.match(progress.sample({ atMs: CATCH_UP_LOG_INTERVAL_MS + 1, slaveOffset: 0, masterOffset: 10 * MiB })!.message, /10\.0 MiB behind/);
  });

  it("is silent without the master's end", () => {
    const progress = new CatchUpProgress();
    for (let t = 0; t < 100_000; t += 5000) assert.equal(progress.sample({ atMs: t, slaveOffset: t, masterOffset: null }), null);
  });
});
