/**
 * The broker's metadata in one place: loads the four JSON files under `<storeRootDir>/config/`
 * (topics.json, consumerOffset.json, subscriptionGroup.json, delayOffset.json), flushes the
 * coalesced ones (offsets) every `flushIntervalMs` (RocketMQ's flushConsumerOffsetInterval, 5 s),
 * and writes everything still dirty on `close()`.
 *
 * Warnings from loading (a main file missing or unreadable and its `.bak` used instead) are
 * collected in `warnings` for the broker to log; a file that exists but cannot be read from either
 * copy makes `openMetadata` reject with METADATA_CORRUPT.
 */
import type { Clock, FileSystem, TimerHandle } from "../core/platform.ts";
import { ConsumerOffsetManager } from "./consumer-offsets.ts";
import { DelayOffsetManager } from "./delay-offsets.ts";
import { SubscriptionGroupManager } from "./subscription-groups.ts";
import { TopicConfigManager } from "./topic-config.ts";

export interface MetadataOptions {
  readonly brokerClusterName: string;
  readonly brokerName: string;
  readonly autoCreateTopicEnable?: boolean;
  readonly defaultTopicQueueNums?: number;
  readonly autoCreateSubscriptionGroup?: boolean;
  /** Period of the background flush; 0 turns it off (then call `flush()`). Default 5000. */
  readonly flushIntervalMs?: number;
  /** Called when a background flush fails (the data stays dirty and is tried again). */
  readonly onFlushError?: (error: unknown) => void;
}

export interface Metadata {
  readonly topics: TopicConfigManager;
  readonly consumerOffsets: ConsumerOffsetManager;
  readonly subscriptionGroups: SubscriptionGroupManager;
  readonly delayOffsets: DelayOffsetManager;
  readonly warnings: readonly string[];
  /** Writes every file with unsaved changes. */
  flush(): Promise<void>;
  /** Stops the background flush and writes what is left. */
  close(): Promise<void>;
}

export async function openMetadata(fs: FileSystem, clock: Clock, storeRootDir: string, options: MetadataOptions): Promise<Metadata> {
  const topics = await TopicConfigManager.load(fs, clock, storeRootDir, {
    brokerClusterName: options.brokerClusterName,
    brokerName: options.brokerName,
    autoCreateTopicEnable: options.autoCreateTopicEnable ?? true,
    defaultTopicQueueNums: options.defaultTopicQueueNums ?? 8,
  });
  const consumerOffsets = await ConsumerOffsetManager.load(fs, clock, storeRootDir);
  const subscriptionGroups = await SubscriptionGroupManager.load(fs, clock, storeRootDir, {
    autoCreateSubscriptionGroup: options.autoCreateSubscriptionGroup ?? true,
  });
  const delayOffsets = await DelayOffsetManager.load(fs, clock, storeRootDir);
  const managers = [topics, consumerOffsets, subscriptionGroups, delayOffsets];

  const flush = async (): Promise<void> => {
    const results = await Promise.allSettled(managers.map((m) => m.flush()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  };

  const intervalMs = options.flushIntervalMs ?? 5000;
  let timer: TimerHandle | null = null;
  if (intervalMs > 0) {
    timer = clock.setInterval(() => {
      flush().catch((error) => options.onFlushError?.(error));
    }, intervalMs);
  }

  return {
    topics,
    consumerOffsets,
    subscriptionGroups,
    delayOffsets,
    warnings: managers.flatMap((m) => m.loadWarnings),
    flush,
    async close() {
      timer?.cancel();
      timer = null;
      await flush();
    },
  };
}
