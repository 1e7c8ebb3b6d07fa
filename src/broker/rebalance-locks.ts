/**
 * Queue locks for orderly consumers (RocketMQ's RebalanceLockManager; spec §5.10, LOCK_BATCH_MQ /
 * UNLOCK_BATCH_MQ): an orderly push consumer pulls a queue only while it holds the queue's lock on
 * the broker, so two consumers of a group never process one queue at once during a rebalance.
 *
 * - `tryLockBatch(group, queues, clientId)` answers the queues now locked by `clientId`: those it
 *   held (renewed), those nobody held, and those whose holder's lock expired (taken over). A live
 *   lock of another client is left out.
 * - A lock lives `lockMaxLiveTimeMs` (60 s, Java's `rocketmq.broker.rebalance.lockMaxLiveTime`)
 *   from its last renewal; consumers renew every 20 s and treat their own lock as lost after 30 s.
 * - `unlockBatch` releases the queues `clientId` holds; another client's locks are untouched.
 *
 * Bounded: at most `maxLocks` locks over all groups (262144, e.g. 8192 groups of 32 queues; each
 * lock is about 100 bytes). When full, expired locks are swept; queues that still find no room are
 * left out of the answer, and the consumer asks again at its next rebalance.
 */
import type { Clock } from "../core/platform.ts";

export const REBALANCE_LOCK_MAX_LIVE_TIME_MS = 60_000;
export const REBALANCE_LOCKS_MAX = 262_144;

/** RocketMQ's MessageQueue: one queue of a topic on one broker. */
export interface MessageQueueRef {
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
}

interface Lock {
  clientId: string;
  lastRenewedMs: number;
}

export interface RebalanceLockOptions {
  readonly lockMaxLiveTimeMs?: number;
  readonly maxLocks?: number;
}

export class RebalanceLockManager {
  private readonly clock: Clock;
  private readonly lockMaxLiveTimeMs: number;
  private readonly maxLocks: number;
  private readonly groups = new Map<string, Map<string, Lock>>();
  private count = 0;

  constructor(clock: Clock, options: RebalanceLockOptions = {}) {
    this.clock = clock;
    this.lockMaxLiveTimeMs = options.lockMaxLiveTimeMs ?? REBALANCE_LOCK_MAX_LIVE_TIME_MS;
    this.maxLocks = options.maxLocks ?? REBALANCE_LOCKS_MAX;
  }

  get lockCount(): number {
    return this.count;
  }

  tryLockBatch(group: string, queues: readonly MessageQueueRef[], clientId: string): MessageQueueRef[] {
    const nowMs = this.clock.monotonicMs();
    let locks = this.groups.get(group);
    const locked: MessageQueueRef[] = [];
    for (const queue of queues) {
      const key = queueKey(queue);
      const lock = locks?.get(key);
      if (lock && lock.clientId !== clientId && !this.isExpired(lock, nowMs)) continue;
      if (lock) {
        lock.clientId = clientId;
        lock.lastRenewedMs = nowMs;
      } else {
        if (this.count >= this.maxLocks && this.sweep(nowMs) === 0) continue;
        locks = this.groups.get(group); // a sweep may have removed the group's map
        if (!locks) this.groups.set(group, (locks = new Map()));
        locks.set(key, { clientId, lastRenewedMs: nowMs });
        this.count++;
      }
      locked.push(queue);
    }
    return locked;
  }

  unlockBatch(group: string, queues: readonly MessageQueueRef[], clientId: string): void {
    const locks = this.groups.get(group);
    if (!locks) return;
    for (const queue of queues) {
      const key = queueKey(queue);
      if (locks.get(key)?.clientId === clientId && locks.delete(key)) this.count--;
    }
    if (locks.size === 0) this.groups.delete(group);
  }

  /** Whether `clientId` holds a live lock on `queue` (renewing it, as RocketMQ's isLocked does). */
  isLocked(group: string, queue: MessageQueueRef, clientId: string): boolean {
    const lock = this.groups.get(group)?.get(queueKey(queue));
    const nowMs = this.clock.monotonicMs();
    if (!lock || lock.clientId !== clientId || this.isExpired(lock, nowMs)) return false;
    lock.lastRenewedMs = nowMs;
    return true;
  }

  private isExpired(lock: Lock, nowMs: number): boolean {
    return nowMs - lock.lastRenewedMs > this.lockMaxLiveTimeMs;
  }

  /** Drops every expired lock; returns how many. */
  private sweep(nowMs: number): number {
    let removed = 0;
    for (const [group, locks] of this.groups) {
      for (const [key, lock] of locks) {
        if (this.isExpired(lock, nowMs) && locks.delete(key)) removed++;
      }
      if (locks.size === 0) this.groups.delete(group);
    }
    this.count -= removed;
    return removed;
  }
}

function queueKey(queue: MessageQueueRef): string {
  return `${queue.topic}\u0000${queue.brokerName}\u0000${queue.queueId}`;
}
