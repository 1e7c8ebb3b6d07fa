/**
 * What retention (retention.ts) reads, in RocketMQ's `MessageStoreConfig` names and defaults (spec
 * rocketmq-remoting §11.1). The broker builds it from its configuration afresh for every pass, so
 * the keys RocketMQ reads at each pass change live (UPDATE_BROKER_CONFIG); the schedule
 * (`RetentionSchedule`) is fixed when retention starts, as RocketMQ's scheduled task is.
 *
 * The disk ratios are percentages, clamped where RocketMQ clamps them: `diskMaxUsedSpaceRatio`
 * to 10–95, `diskSpaceWarningLevelRatio` to 35–90, `diskSpaceCleanForciblyRatio` to 30–85 (5.x;
 * in 4.9 the last two are JVM properties with the same defaults).
 */

export interface RetentionSettings {
  /** `;`-separated local hours during which expired segments are deleted (codec/delete-when.ts). */
  readonly deleteWhen: string;
  /** Hours a commit-log segment is kept after its file's last modification. */
  readonly fileReservedTimeHours: number;
  /** Pause between two commit-log segment deletions of one pass. */
  readonly deleteCommitLogFilesIntervalMs: number;
  /** Pause after each consume queue that lost files. */
  readonly deleteConsumeQueueFilesIntervalMs: number;
  /** How long a deletion waits for reads of the segment to finish before it deletes the file anyway. */
  readonly destroyMapedFileIntervalForciblyMs: number;
  /** How often a file whose deletion failed is tried again. */
  readonly redeleteHangedFileIntervalMs: number;
  /** Most commit-log segments deleted by one pass. */
  readonly deleteFileBatchMax: number;
  /** Disk usage (%) above which deletion runs whatever the hour. */
  readonly diskMaxUsedSpaceRatio: number;
  /** Disk usage (%) above which sends are refused (and deletion ignores fileReservedTime). */
  readonly diskSpaceWarningLevelRatio: number;
  /** Disk usage (%) above which deletion ignores fileReservedTime (with cleanFileForciblyEnable). */
  readonly diskSpaceCleanForciblyRatio: number;
  readonly cleanFileForciblyEnable: boolean;
}

export interface RetentionSchedule {
  /** RocketMQ's `cleanResourceInterval`: ms between two passes. */
  readonly intervalMs: number;
  /** Skiff's `cleanResourceInitialDelay`: ms from start to the first pass (RocketMQ: a fixed 60 s). */
  readonly initialDelayMs: number;
}

export const DEFAULT_RETENTION_SETTINGS: RetentionSettings = {
  deleteWhen: "04",
  fileReservedTimeHours: 72,
  deleteCommitLogFilesIntervalMs: 100,
  deleteConsumeQueueFilesIntervalMs: 100,
  destroyMapedFileIntervalForciblyMs: 120_000,
  redeleteHangedFileIntervalMs: 120_000,
  deleteFileBatchMax: 10,
  diskMaxUsedSpaceRatio: 75,
  diskSpaceWarningLevelRatio: 90,
  diskSpaceCleanForciblyRatio: 85,
  cleanFileForciblyEnable: true,
};

export const DEFAULT_RETENTION_SCHEDULE: RetentionSchedule = { intervalMs: 10_000, initialDelayMs: 60_000 };

/** RocketMQ's forcible-destroy interval for a consume-queue file (`mappedFile.destroy(1000 * 60)`). */
export const CONSUME_QUEUE_DESTROY_FORCIBLY_MS = 60_000;
/** RocketMQ's number of passes one DELETE_EXPIRED_COMMITLOG arms (`MAX_MANUAL_DELETE_FILE_TIMES`). */
export const MANUAL_DELETE_PASSES = 20;

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** The three disk thresholds as fractions, clamped as RocketMQ clamps them. */
export function diskThresholds(settings: RetentionSettings): { max: number; warning: number; forcibly: number } {
  return {
    max: clamp(settings.diskMaxUsedSpaceRatio, 10, 95) / 100,
    warning: clamp(settings.diskSpaceWarningLevelRatio, 35, 90) / 100,
    forcibly: clamp(settings.diskSpaceCleanForciblyRatio, 30, 85) / 100,
  };
}
