/**
 * Helpers for the retention tests on the memory platform: a store of 4 KiB segments (about four
 * 1 KB messages each) whose retention rules the test changes at will and whose passes it runs,
 * with the simulated clock moving through the pauses a pass takes.
 */
import assert from "node:assert/strict";
import type { MessageStore, RetentionPass } from "../../src/store/message-store.ts";
import { DEFAULT_RETENTION_SETTINGS, type RetentionSettings } from "../../src/store/retention-settings.ts";
import type { StoreOptions } from "../../src/store/store-options.ts";
import { memoryStoreWorld, message, type MemoryStoreWorld } from "./store.ts";

export const SEGMENT_BYTES = 4096;
/** Every hour of the day: deletion by the clock at any time (no flaky hour boundary). */
export const ALL_HOURS = Array.from({ length: 24 }, (_, hour) => String(hour).padStart(2, "0")).join(";");
export const HOUR_MS = 3_600_000;

export interface RetentionWorld extends MemoryStoreWorld {
  readonly store: MessageStore;
  /** The rules the next pass reads (change them between passes, as updateBrokerConfig does). */
  settings: RetentionSettings;
  pass(): Promise<RetentionPass>;
  /** Puts ~1 KB messages to `topic` until `count` more segments were started; returns their queue offsets. */
  fillSegments(count: number, topic?: string): Promise<number[]>;
  /** The local hour of the simulated clock, as deleteWhen names it. */
  thisHour(): string;
  segments(): readonly number[];
}

export async function retentionWorld(settings: Partial<RetentionSettings> = {}, options: Partial<StoreOptions> = {}): Promise<RetentionWorld> {
  const base = memoryStoreWorld({ segmentSizeCommitLogBytes: SEGMENT_BYTES, segmentSizeConsumeQueueBytes: 20 * 20, ...options });
  const store = await base.open();
  const world: RetentionWorld = {
    ...base,
    store,
    settings: { ...DEFAULT_RETENTION_SETTINGS, deleteCommitLogFilesIntervalMs: 0, deleteConsumeQueueFilesIntervalMs: 0, ...settings },
    async pass() {
      await store.flushAll();
      return base.whileRunning(store.runRetentionPass());
    },
    async fillSegments(count, topic = "T") {
      const target = store.stats().commitLogSegmentStarts.length + count;
      const offsets: number[] = [];
      for (let i = 0; store.stats().commitLogSegmentStarts.length < target; i++) {
        assert.ok(i < 100 * count + 100, "segments fill up");
        const put = await store.put([message(topic, `${topic}-${offsets.length}-`.padEnd(900, "x"))]);
        offsets.push(put.records[0].queueOffset);
      }
      await store.waitDispatched(store.offsets.maxOffset);
      return offsets;
    },
    thisHour: () => String(new Date(base.clock.now()).getHours()),
    segments: () => store.stats().commitLogSegmentStarts,
  };
  store.startRetention(() => world.settings, null);
  return world;
}
