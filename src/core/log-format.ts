/**
 * How a log record becomes one line of output.
 *
 * `json` (the default when the output is not a terminal: a file, a pipe, a container runtime):
 *
 *   {"time":"2026-12-02T15:07:12.123Z","level":"info","component":"ha","msg":"HA slave 127.0.0.1:50412 connected","slave":"127.0.0.1:50412"}
 *
 *   `time` is ISO 8601 UTC with milliseconds; `level` one of debug, info, warn, error; then
 *   `component`, `msg`, and the record's fields in the order given (a field named like one of the
 *   four is written as `field.<name>`, so a record cannot overwrite them). Numbers stay numbers;
 *   undefined fields are left out. One record, one line: JSON escapes every newline.
 *
 * `text` (the default on a terminal): a line for people, the fields as logfmt after the message:
 *
 *   2026-12-02 15:07:12.123 INFO  ha        HA slave 127.0.0.1:50412 connected  slave=127.0.0.1:50412
 *
 *   The time is UTC as well (a broker's clock and its peers' logs then line up); a newline in a
 *   message is written as `\n` so a record stays one line.
 */
import type { LogFields, LogRecord, LogValue } from "./log.ts";

export const LOG_FORMATS = ["auto", "json", "text"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const RESERVED = new Set(["time", "level", "component", "msg"]);

export function formatJson(record: LogRecord): string {
  const line: Record<string, unknown> = {
    time: new Date(record.time).toISOString(),
    level: record.level,
    component: record.component,
    msg: record.message,
  };
  for (const [key, value] of Object.entries(record.fields)) {
    if (value === undefined) continue;
    line[RESERVED.has(key) ? `field.${key}` : key] = typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
  }
  return JSON.stringify(line);
}

const COMPONENT_WIDTH = 9;

export function formatText(record: LogRecord): string {
  const time = new Date(record.time).toISOString().replace("T", " ").replace("Z", "");
  const level = record.level.toUpperCase().padEnd(5);
  const fields = logfmt(record.fields);
  const message = record.message.replace(/\r?\n/g, "\\n");
  return `${time} ${level} ${record.component.padEnd(COMPONENT_WIDTH)} ${message}${fields === "" ? "" : `  ${fields}`}`;
}

/** `key=value key2="a value"`: logfmt, quoting a value with spaces, quotes, `=` or nothing in it. */
export function logfmt(fields: LogFields): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    parts.push(`${key}=${logfmtValue(value)}`);
  }
  return parts.join(" ");
}

function logfmtValue(value: LogValue): string {
  const text = String(value);
  return text === "" || /[\s"=\\]/.test(text) ? JSON.stringify(text) : text;
}

/** `auto` picks `text` for a terminal and `json` for anything else. */
export function resolveLogFormat(format: LogFormat, outputIsTerminal: boolean): "json" | "text" {
  if (format === "auto") return outputIsTerminal ? "text" : "json";
  return format;
}

export function lineFormatter(format: "json" | "text"): (record: LogRecord) => string {
  return format === "json" ? formatJson : formatText;
}
