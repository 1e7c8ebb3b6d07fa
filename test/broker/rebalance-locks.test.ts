/**
 * Orderly consumers' queue locks on a manual clock: a queue is locked by one client of a group at a
 * time, renewed by every lock request, taken over only after 60 s without renewal, released only by
 * its holder, independent between groups, and bounded (expired locks make room; no room, no lock).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { REBALANCE_LOCK_MAX_LIVE_TIME_MS, RebalanceLockManager, type MessageQueueRef } from "../../src/broker/rebalance-locks.ts";

const q = (queueId: number, topic = "TopicTest"): MessageQueueRef => ({ topic, brokerName: "broker-a", queueId });

describe("rebalance locks", () => {
  it("locks free queues, leaves out another client's live lock, and renews the holder's", async () => {
    const clock = new ManualClock();
    const locks = new RebalanceLockManager(clock);
    assert.deepEqual(locks.tryLockBatch("g", [q(0), q(1)], "A"), [q(0), q(1)]);
    assert.deepEqual(locks.tryLockBatch("g", [q(1), q(2)], "B"), [q(2)]);
    assert.ok(locks.isLocked("g", q(1), "A"));
    assert.ok(!locks.isLocked("g", q(1), "B"));
    await clock.advance(REBALANCE_LOCK_MAX_LIVE_TIME_MS - 1);
    assert.deepEqual(locks.tryLockBatch("g", [q(0), q(1)], "A"), [q(0), q(1)], "renewed");
    await clock.advance(REBALANCE_LOCK_MAX_LIVE_TIME_MS);
    assert.deepEqual(locks.tryLockBatch("g", [q(0)], "B"), [], "A renewed 60 s ago: still A's");
    await clock.advance(1);
    assert.deepEqual(locks.tryLockBatch("g", [q(0), q(1)], "B"), [q(0), q(1)], "expired: taken over");
    assert.ok(!locks.isLocked("g", q(0), "A"));
  });

  it("only the holder unlocks; then another client gets the queue at once", () => {
    const locks = new RebalanceLockManager(new ManualClock());
    locks.tryLockBatch("g", [q(0), q(1)], "A");
    locks.unlockBatch("g", [q(0), q(1)], "B");
    assert.deepEqual(locks.tryLockBatch("g", [q(0), q(1)], "B"), []);
    locks.unlockBatch("g", [q(0)], "A");
    assert.deepEqual(locks.tryLockBatch("g", [q(0), q(1)], "B"), [q(0)]);
    assert.equal(locks.lockCount, 2);
  });

  it("keeps groups, topics and brokers apart", () => {
    const locks = new RebalanceLockManager(new ManualClock());
    locks.tryLockBatch("g1", [q(0)], "A");
    assert.deepEqual(locks.tryLockBatch("g2", [q(0)], "B"), [q(0)]);
    assert.deepEqual(locks.tryLockBatch("g1", [q(0, "Other"), { ...q(0), brokerName: "broker-b" }], "B"), [q(0, "Other"), { ...q(0), brokerName: "broker-b" }]);
  });

  it("is bounded: a full table sweeps expired locks, and without room leaves queues out", async () => {
    const clock = new ManualClock();
    const locks = new RebalanceLockManager(clock, { maxLocks: 2 });
    assert.deepEqual(locks.tryLockBatch("g1", [q(0), q(1), q(2)], "A"), [q(0), q(1)]);
    assert.deepEqual(locks.tryLockBatch("g2", [q(0)], "B"), [], "no room");
    assert.deepEqual(locks.tryLockBatch("g1", [q(1)], "A"), [q(1)], "renewing needs no room");
    await clock.advance(REBALANCE_LOCK_MAX_LIVE_TIME_MS + 1);
    assert.deepEqual(locks.tryLockBatch("g2", [q(0), q(1)], "B"), [q(0), q(1)], "the expired g1 locks were swept");
    assert.equal(locks.lockCount, 2);
    assert.deepEqual(locks.tryLockBatch("g1", [q(0)], "A"), []);
  });
});
