/**
 * What the store needs to know, in the store's own units. The broker derives it from its
 * RocketMQ-named configuration (`storeOptionsFrom` in src/app/start-broker.ts); tests build it directly.
 */
import type { FlushDiskType } from "./flush-service.ts";
import { DEFAULT_DELAY_LEVELS, parseDelayLevels } from "../codec/delay-levels.ts";
import { silentLogger, type Logger } from "../core/log.ts";

export interface StoreOptions {
  readonly rootDir: string;
  /** RocketMQ's `storePathCommitLog`; default `<rootDir>/commitlog`. */
  readonly commitLogDir?: string;
  readonly segmentSizeCommitLogBytes: number;
  readonly segmentSizeConsumeQueueBytes: number;
  readonly flushDiskType: FlushDiskType;
  readonly flushIntervalCommitLogMs: number;
  readonly flushIntervalConsumeQueueMs: number;
  readonly syncFlushTimeoutMs: number;
  readonly maxMessageSizeBytes: number;
  readonly checkCrcOnRecover: boolean;
  /** ms per delay level, index 0 = level 1. */
  readonly delayLevelsMs: readonly number[];
  readonly accessMessageInMemoryMaxRatio: number;
  /** Whether stored properties end with 0x02 (RocketMQ 5.2+) or not (4.9 style, Skiff's default). */
  readonly propertiesTrailingSeparator: boolean;
  /** RocketMQ's `messageIndexEnable`: whether `index/` is written (keys UNIQ_KEY and KEYS). */
  readonly messageIndexEnable: boolean;
  /** RocketMQ's `maxHashSlotNum`: slots per index file. */
  readonly maxHashSlotNum: number;
  /** RocketMQ's `maxIndexNum`: entries per index file (a file holds maxIndexNum − 1). */
  readonly maxIndexNum: number;
  /** Where the store reports what it repaired or refused (recovery, dispatch, flush). */
  readonly log: Logger;
}

/** RocketMQ's defaults, for tests and embedded use. */
export function defaultStoreOptions(rootDir: string, overrides: Partial<StoreOptions> = {}): StoreOptions {
  return {
    rootDir,
    segmentSizeCommitLogBytes: 1024 * 1024 * 1024,
    segmentSizeConsumeQueueBytes: 300_000 * 20,
    flushDiskType: "ASYNC_FLUSH",
    flushIntervalCommitLogMs: 500,
    flushIntervalConsumeQueueMs: 1000,
    syncFlushTimeoutMs: 5000,
    maxMessageSizeBytes: 4 * 1024 * 1024,
    checkCrcOnRecover: true,
    delayLevelsMs: parseDelayLevels(DEFAULT_DELAY_LEVELS)!,
    accessMessageInMemoryMaxRatio: 40,
    propertiesTrailingSeparator: false,
    messageIndexEnable: true,
    maxHashSlotNum: 5_000_000,
    maxIndexNum: 20_000_000,
    log: silentLogger,
    ...overrides,
  };
}
