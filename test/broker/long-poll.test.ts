/**
 * Long polling is bounded by a named cap: a pull parks until a message arrives or its wait runs
 * out, and once `maxWaiters` pulls are parked a new one is answered at once (false) instead of
 * parking; a slot freed by a wake or a timeout is usable again.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { LONG_POLL_WAITERS_MAX, LongPollHub } from "../../src/broker/long-poll.ts";
import { spin } from "../support/memory-platform.ts";

describe("LongPollHub", () => {
  it("wakes a parked pull on a message for its queue, and times out the others", async () => {
    const clock = new ManualClock();
    const hub = new LongPollHub(clock, 4);
    const woken = hub.wait("T", 0, 5000);
    const other = hub.wait("T", 1, 5000);
    assert.equal(hub.parked, 2);
    hub.notify("T", 0);
    assert.equal(await woken, true);
    await clock.advance(5000);
    assert.equal(await other, false);
    assert.equal(hub.parked, 0);
  });

  it("answers at once beyond maxWaiters, and parks again once a slot is free", async () => {
    const clock = new ManualClock();
    const hub = new LongPollHub(clock, 2);
    const first = hub.wait("T", 0, 5000);
    void hub.wait("T", 0, 5000);
    let refused: boolean | "pending" = "pending";
    void hub.wait("T", 0, 5000).then((woken) => (refused = woken));
    await spin(10);
    assert.equal(refused, false, "the third pull is answered at once, before any time passes");
    assert.equal(hub.parked, 2);
    hub.notify("T", 0);
    assert.equal(await first, true);
    assert.equal(hub.parked, 0);
    void hub.wait("T", 0, 5000);
    assert.equal(hub.parked, 1, "a freed slot parks again");
    hub.releaseAll();
  });

  it("uses LONG_POLL_WAITERS_MAX by default", async () => {
    const clock = new ManualClock();
    const hub = new LongPollHub(clock);
    const parked = Array.from({ length: LONG_POLL_WAITERS_MAX }, (_, i) => hub.wait("T", i % 8, 5000));
    assert.equal(hub.parked, LONG_POLL_WAITERS_MAX);
    assert.equal(await hub.wait("T", 0, 5000), false);
    hub.releaseAll();
    assert.deepEqual(new Set(await Promise.all(parked)), new Set([true]));
  });
});
