/**
 * Skiff's log: records with a time, a level, a component and fields, written to one sink.
 *
 * Every part of the broker and the name server logs through a `Logger` handed to it at
 * composition (`app/start-*.ts` makes one child per component: `store`, `retention`, `ha`,
 * `remoting`, …); nothing logs through `console`. The sink formats (`log-format.ts`: JSON lines,
 * or a human line on a terminal) and writes; records below the logger's level are dropped before
 * anything is built.
 *
 * A message is a whole sentence an operator can act on, with the figures in it; `fields` repeat
 * the figures a log pipeline filters or graphs on (`slave`, `offset`, `lagBytes`, …), so a JSON
 * line can be queried without parsing the sentence. Repeated failures go through `RepeatGate`
 * (`log-repeats.ts`), so a peer that fails every 100 ms writes one line a minute.
 */

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogValue = string | number | boolean | null | undefined;
export type LogFields = Readonly<Record<string, LogValue>>;

export interface LogRecord {
  /** Wall-clock milliseconds since the epoch. */
  readonly time: number;
  readonly level: LogLevel;
  /** The part of the process that logged it: `broker`, `store`, `ha`, `remoting`, … */
  readonly component: string;
  readonly message: string;
  readonly fields: LogFields;
}

export type LogSink = (record: LogRecord) => void;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Would a record of `level` be written? (For a message that is costly to build.) */
  enabled(level: LogLevel): boolean;
  /** The same sink and level under another component, with `fields` added to each of its records. */
  child(component: string, fields?: LogFields): Logger;
}

export interface LoggerOptions {
  readonly sink: LogSink;
  /** Records below this level are dropped. */
  readonly level: LogLevel;
  /** Wall-clock milliseconds (the platform clock's `now`). */
  readonly now: () => number;
  readonly component?: string;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(options: LoggerOptions, base: LogFields = {}): Logger {
  const { sink, level, now } = options;
  const component = options.component ?? "skiff";
  const threshold = RANK[level];
  const write = (at: LogLevel, message: string, fields?: LogFields) => {
    if (RANK[at] < threshold) return;
    sink({ time: now(), level: at, component, message, fields: fields === undefined ? base : { ...base, ...fields } });
  };
  return {
    debug: (message, fields) => write("debug", message, fields),
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    enabled: (at) => RANK[at] >= threshold,
    child: (name, fields) => createLogger({ ...options, component: name }, fields === undefined ? base : { ...base, ...fields }),
  };
}

/** A logger that writes nothing: for parts whose owner does not care (a benchmark, a one-off tool). */
export const silentLogger: Logger = createLogger({ sink: () => {}, level: "error", now: () => 0 });

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
