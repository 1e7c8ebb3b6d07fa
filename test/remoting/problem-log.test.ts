// The remoting server's client-problem log: the first problem of each kind is logged at once, so a
// flood of one kind (garbage) cannot hide another (a client that stops reading); later ones of a
// kind at most once per interval, with the count of those not logged.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { ProblemLog } from "../../src/remoting/problem-log.ts";

describe("remoting problem log", () => {
  it("logs the first problem of every kind at once, and each kind at most once per interval with a count", async () => {
    const clock = new ManualClock();
    const lines: string[] = [];
    const log = new ProblemLog(clock, 10_000, (line) => lines.push(line));
    for (let i = 0; i < 50; i++) log.report("unreadable", `garbage ${i}`);
    log.report("not-reading", "queue full");
    log.report("refused", "cap");
    log.report("idle", "silent");
    assert.deepEqual(lines, ["garbage 0", "queue full", "cap", "silent"]);

    await clock.advance(9_999);
    log.report("unreadable", "garbage 50");
    assert.equal(lines.length, 4, "still within the interval");
    await clock.advance(1);
    log.report("unreadable", "garbage 51");
    log.report("not-reading", "queue full again");
    assert.deepEqual(lines.slice(4), ["garbage 51 (and 50 more like it since the last such line)", "queue full again"]);
  });
});
