/**
 * Field schemas for configuration values (zod). Every value may arrive as a string (properties
 * file, environment, command line) or already typed (a caller building a config in code), so each
 * field converts from `unknown` itself and reports a problem that names the value given and what
 * is allowed: `"abc" is not a number`, `"MASTER" is not allowed; expected one of …`.
 *
 * The key is not part of these messages: `validate.ts` prefixes it (`listenPort: …`).
 */
import { z } from "zod";

/** A problem with one value, as text without the key. */
export class Problem {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** How a value is shown in a message: strings quoted as given, everything else as printed. */
export function show(raw: unknown): string {
  return typeof raw === "string" ? JSON.stringify(raw) : String(raw);
}

/** What a field accepts, in words (`an integer from 1 to 65535`), for `--help` (describe.ts). */
export const allowedValues = z.registry<{ readonly allowed: string }>();

/** A field that converts a raw value itself, or refuses it with a `Problem`; `allowed` says what it takes. */
export function field<T>(convert: (raw: unknown) => T | Problem, allowed?: string) {
  const schema = z.unknown().transform((raw, ctx): T => {
    const out = convert(raw);
    if (out instanceof Problem) {
      ctx.addIssue({ code: "custom", message: out.text, input: raw });
      return z.NEVER;
    }
    return out;
  });
  if (allowed !== undefined) allowedValues.add(schema, { allowed });
  return schema;
}

/** The words of `allowedValues` for a field, looking through `.default()`, `.optional()` and `.describe()`. */
export function allowedOf(schema: z.ZodType): string | undefined {
  let at: z.ZodType | undefined = schema;
  while (at) {
    const found = allowedValues.get(at);
    if (found) return found.allowed;
    at = (at as { _zod?: { def?: { innerType?: z.ZodType } } })._zod?.def?.innerType;
  }
  return undefined;
}

function rangeWords(what: string, range: RangeOptions): string {
  const words = range.max === undefined ? `${what} ≥ ${range.min}` : `${what} from ${range.min} to ${range.max}`;
  return range.hint === undefined ? words : `${words} (${range.hint})`;
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function toNumber(raw: unknown, pattern: RegExp, what: string): number | Problem {
  if (typeof raw === "number") {
    if (!Number.isFinite(raw)) return new Problem(`${show(raw)} is not a number`);
    if (pattern === INTEGER && !Number.isInteger(raw)) return new Problem(`${show(raw)} is not ${what}`);
    return raw;
  }
  if (typeof raw !== "string") return new Problem(`${show(raw)} is not a number`);
  const text = raw.trim();
  if (pattern.test(text)) return Number(text);
  if (pattern === INTEGER && DECIMAL.test(text)) return new Problem(`${show(raw)} is not ${what}`);
  return new Problem(`${show(raw)} is not a number`);
}

export interface RangeOptions {
  readonly min: number;
  readonly max?: number;
  /** Added to the "out of range" message, e.g. "0 picks a free port". */
  readonly hint?: string;
}

function inRange(raw: unknown, value: number, what: string, range: RangeOptions): number | Problem {
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (value >= range.min && value <= max) return value;
  const allowed = range.max === undefined ? `${what} ≥ ${range.min}` : `${what} from ${range.min} to ${max}`;
  const hint = range.hint === undefined ? "" : `, where ${range.hint}`;
  return new Problem(`${show(raw)} is out of range; expected ${allowed}${hint}`);
}

/** A whole number within a range (safe integers only). */
export function integer(range: RangeOptions) {
  return field((raw) => {
    const value = toNumber(raw, INTEGER, "an integer");
    if (value instanceof Problem) return value;
    return inRange(raw, value, "an integer", range);
  }, rangeWords("an integer", range));
}

/** A TCP port: 1–65535, and 0 ("pick a free port") where `zeroPicksFreePort` is set. */
export function port(options: { zeroPicksFreePort: boolean }) {
  return options.zeroPicksFreePort
    ? integer({ min: 0, max: 65535, hint: "0 picks a free port" })
    : integer({ min: 1, max: 65535 });
}

/** A number that may have decimals, within a range. */
export function decimal(range: RangeOptions) {
  return field((raw) => {
    const value = toNumber(raw, DECIMAL, "a number");
    if (value instanceof Problem) return value;
    return inRange(raw, value, "a number", range);
  }, rangeWords("a number", range));
}

/** `true` or `false` (any letter case, like Java's `Boolean.parseBoolean`, but nothing else). */
export function boolean() {
  return field((raw): boolean | Problem => {
    if (typeof raw === "boolean") return raw;
    const text = typeof raw === "string" ? raw.trim().toLowerCase() : "";
    if (text === "true") return true;
    if (text === "false") return false;
    return new Problem(`${show(raw)} is not a boolean; expected true or false`);
  }, "true or false");
}

/** One of a fixed set of names (exact spelling, as RocketMQ's `Enum.valueOf`). */
export function oneOf<const T extends readonly string[]>(values: T) {
  return field((raw): T[number] | Problem => {
    const text = typeof raw === "string" ? raw.trim() : raw;
    if (typeof text === "string" && values.includes(text)) return text as T[number];
    return new Problem(`${show(raw)} is not allowed; expected one of ${values.join(", ")}`);
  }, `one of ${values.join(", ")}`);
}

/** A non-empty string without surrounding whitespace; `check` may refuse it with a reason. */
/** A secret of at least `minLength` characters; a problem never shows the value. */
export function secret(minLength: number) {
  return field((raw): string | Problem => {
    const value = typeof raw === "string" ? raw.trim() : "";
    if (value.length < minLength) return new Problem(`is ${value.length === 0 ? "empty" : "too short"} (the value is not shown); expected at least ${minLength} characters`);
    return value;
  }, `a secret of ${minLength}+ characters`);
}

export function text(check?: (value: string) => string | undefined, allowed = "text") {
  return field((raw): string | Problem => {
    if (typeof raw !== "string" && typeof raw !== "number") return new Problem(`${show(raw)} is not text`);
    const value = String(raw).trim();
    if (value.length === 0) return new Problem(`${show(raw)} is empty; expected a non-empty value`);
    const reason = check?.(value);
    return reason === undefined ? value : new Problem(`${show(raw)} ${reason}`);
  }, allowed);
}

/** A host name or address without a port: no whitespace, no `/`. */
export function host() {
  return text((value) => (/^[^\s/]+$/.test(value) ? undefined : "is not a host name or address"), "a host name or IP address");
}

/** `host:port` as Java's `RemotingUtil.string2SocketAddress` reads it (split at the last `:`). */
export function isHostPort(value: string): boolean {
  const colon = value.lastIndexOf(":");
  if (colon <= 0) return false;
  const hostPart = value.slice(0, colon);
  const portPart = value.slice(colon + 1);
  if (/[\s/;]/.test(hostPart) || !/^\d{1,5}$/.test(portPart)) return false;
  const portNumber = Number(portPart);
  return portNumber >= 1 && portNumber <= 65535;
}

/** An optional `host:port`; an empty string counts as not set. */
export function hostPort(example: string) {
  return field((raw): string | undefined | Problem => {
    const value = typeof raw === "string" ? raw.trim() : raw;
    if (value === "" || value === undefined) return undefined;
    if (typeof value === "string" && isHostPort(value)) return value;
    return new Problem(`${show(raw)} is not host:port (for example ${example})`);
  }, `host:port, for example ${example}`);
}
