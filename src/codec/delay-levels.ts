/**
 * Delay levels of scheduled messages (RocketMQ's `messageDelayLevel`): a space-separated list of
 * durations with units s, m, h and d (RocketMQ's own), level 1 first. Delayed messages wait in
 * `SCHEDULE_TOPIC_XXXX`, queue `level - 1`.
 */

export const SCHEDULE_TOPIC = "SCHEDULE_TOPIC_XXXX";
/** RocketMQ's 18 levels (`MessageStoreConfig.messageDelayLevel`). */
export const DEFAULT_DELAY_LEVELS = "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds per level (index 0 = level 1), or undefined if `text` is malformed. */
export function parseDelayLevels(text: string): number[] | undefined {
  const ms = text.trim().split(/\s+/).map((level) => {
    const match = /^(\d+)([smhd])$/.exec(level);
    return match === null ? Number.NaN : Number(match[1]) * UNIT_MS[match[2]];
  });
  return ms.every((value) => Number.isSafeInteger(value) && value > 0) ? ms : undefined;
}
