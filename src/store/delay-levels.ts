/**
 * Delay levels of scheduled messages (RocketMQ's `messageDelayLevel`): a space-separated list of
 * durations with units s, m, h, d; level 1 is the first. Delayed messages wait in
 * `SCHEDULE_TOPIC_XXXX`, queue `level - 1`.
 */
import { SkiffError } from "../core/errors.ts";

export const SCHEDULE_TOPIC = "SCHEDULE_TOPIC_XXXX";
export const DEFAULT_DELAY_LEVELS = "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds per level (index 0 = level 1). */
export function parseDelayLevels(text: string): number[] {
  const levels = text.trim().split(/\s+/).map((item) => {
    const match = /^(\d+)(ms|s|m|h|d)$/.exec(item);
    if (!match) throw new SkiffError("CONFIG_INVALID", `messageDelayLevel: "${item}" is not a duration like 5s, 1m, 2h or 1d`);
    return Number(match[1]) * UNIT_MS[match[2]];
  });
  if (levels.length === 0 || levels.length > 64) {
    throw new SkiffError("CONFIG_INVALID", `messageDelayLevel: expected 1 to 64 levels, got ${levels.length}`);
  }
  return levels;
}
