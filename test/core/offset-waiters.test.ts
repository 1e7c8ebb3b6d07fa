import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OffsetWaiters } from "../../src/core/offset-waiters.ts";

describe("OffsetWaiters", () => {
  it("resolves exactly the waits at or below the released position, in offset order, whatever order they came in", async () => {
    const waiters = new OffsetWaiters();
    const resolved: number[] = [];
    for (const offset of [30, 10, 20, 40, 20]) void waiters.wait(offset).then(() => resolved.push(offset));
    waiters.release(5);
    waiters.release(20);
    await Promise.resolve();
    assert.deepEqual(resolved, [10, 20, 20]);
    assert.equal(waiters.size, 2);
    waiters.release(40);
    await Promise.resolve();
    assert.deepEqual(resolved, [10, 20, 20, 30, 40]);
    assert.equal(waiters.size, 0);
  });

  it("rejects every wait with the error given, and holds none afterwards", async () => {
    const waiters = new OffsetWaiters();
    const failure = new Error("disk full");
    const waits = [waiters.wait(1), waiters.wait(2)];
    waiters.rejectAll(failure);
    for (const wait of waits) await assert.rejects(wait, failure);
    assert.equal(waiters.size, 0);
  });
});
