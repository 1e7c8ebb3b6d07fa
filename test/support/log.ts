/**
 * Loggers for tests: `lineLogger` hands each record's message to a function (what most tests
 * assert on: the sentence an operator reads), `recordLogger` keeps whole records (level,
 * component, fields) for tests about the log itself.
 */
import { createLogger, type Logger, type LogRecord } from "../../src/core/log.ts";

/** Every record (debug and up), as its message, to `push`. */
export function lineLogger(push: (line: string) => unknown): Logger {
  return createLogger({ sink: (record) => void push(record.message), level: "debug", now: () => Date.now() });
}

/** Every record (debug and up), kept whole in `records`. */
export function recordLogger(records: LogRecord[], component = "test"): Logger {
  return createLogger({ sink: (record) => void records.push(record), level: "debug", now: () => Date.now(), component });
}

/** A line a Skiff process wrote with `logFormat=json` (core/log-format.ts). */
export interface JsonLogLine {
  readonly time: string;
  readonly level: string;
  readonly component: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** The record of a JSON log line, or null for any other line (a panic, a plain stderr line). */
export function parseJsonLogLine(line: string): JsonLogLine | null {
  if (!line.startsWith("{")) return null;
  try {
    const value = JSON.parse(line) as Record<string, unknown>;
    return typeof value.msg === "string" && typeof value.level === "string" && typeof value.time === "string" && typeof value.component === "string"
      ? (value as JsonLogLine)
      : null;
  } catch {
    return null;
  }
}
