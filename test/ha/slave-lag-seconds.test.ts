/**
 * A slave's lag in seconds is the age of the oldest byte it has not acknowledged: the master
 * remembers, 100 ms coarse and in fixed memory, when its bytes became shippable, and `status()`
 * answers each connected slave's lag in bytes and seconds from it (0 once it has everything).
 */
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { GRANULARITY_MS, SAMPLES_MAX, ShippableTimes } from "../../src/ha/shippable-times.ts";
import { until } from "../support/memory-platform.ts";
import { HaWorld, RawSlave, fill } from "./ha-world.ts";

let world: HaWorld | null = null;

afterEach(async () => {
  await world?.close();
  world = null;
});

describe("shippable times", () => {
  it("ages a byte from the first growth past it, within the granularity", () => {
    const times = new ShippableTimes(0, 0);
    times.note(100, 1000); // bytes [0, 100) shippable at 1000
    times.note(150, 1050); // same 100 ms: no new sample, [100, 150) counts from 1000 too
    times.note(400, 3000); // [150, 400) at 3000
    assert.equal(times.ageMs(0, 5000), 4000);
    assert.equal(times.ageMs(120, 5000), 4000, `at most ${GRANULARITY_MS} ms too old`);
    assert.equal(times.ageMs(150, 5000), 2000);
    assert.equal(times.ageMs(399, 5000), 2000);
    assert.equal(times.ageMs(400, 5000), 0, "nothing beyond the shippable end is missing");
  });

  it("keeps a fixed number of samples: older bytes get the oldest kept age, a lower bound", () => {
    const times = new ShippableTimes(0, 0);
    for (let i = 1; i <= SAMPLES_MAX + 10; i++) times.note(i * 10, i * GRANULARITY_MS);
    const oldestKeptMs = 11 * GRANULARITY_MS;
    const nowMs = (SAMPLES_MAX + 20) * GRANULARITY_MS;
    assert.equal(times.ageMs(0, nowMs), nowMs - oldestKeptMs);
    assert.equal(times.ageMs((SAMPLES_MAX + 9) * 10, nowMs), nowMs - (SAMPLES_MAX + 10) * GRANULARITY_MS);
  });

  it("starts over when the log is truncated", () => {
    const times = new ShippableTimes(500, 0);
    times.note(200, 7000);
    assert.equal(times.ageMs(100, 9000), 2000);
  });
});

describe("HaMaster's per-slave lag", () => {
  it("reports lag in bytes and seconds for each connected slave, 0 for one that has everything", async () => {
    world = new HaWorld();
    const master = await world.broker("master");
    const ha = await world.master(master);
    await world.clock.advance(1000);
    const firstEnd = await fill(master.store, 10);
    await until(() => master.store.offsets.writtenOffset === firstEnd, "written");
    await world.clock.advance(2000);
    const end = await fill(master.store, 10, 700, 1);
    await until(() => master.store.offsets.writtenOffset === end, "written");
    const [behind, caughtUp] = [await RawSlave.connect(world), await RawSlave.connect(world)];
    await behind.report(0);
    await caughtUp.report(0);
    await until(() => behind.frames.length > 0 && caughtUp.frames.length > 0, "frames sent");
    await until(() => caughtUp.received.length >= end && behind.received.length >= end, "everything sent");
    await behind.report(firstEnd - 300);
    await caughtUp.report(end);
    await until(() => ha.connections().every((c) => c.ackOffset > 0), "both acked");
    await world.clock.advance(2000); // now 5000: the first fill became shippable at 1000, the second at 3000
    const status = ha.status().sort((a, b) => a.ackOffset - b.ackOffset);
    assert.deepEqual(status.map((s) => [s.ackOffset, s.lagBytes, s.lagSeconds]), [[firstEnd - 300, end - firstEnd + 300, 4], [end, 0, 0]]);
    await behind.report(firstEnd);
    await until(() => ha.status().some((s) => s.ackOffset === firstEnd), "acked the first fill");
    assert.deepEqual(ha.status().map((s) => s.lagSeconds).sort(), [0, 2], "its oldest missing byte is from the second fill");
  });
});
