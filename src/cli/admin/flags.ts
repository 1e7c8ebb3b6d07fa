/**
 * Flags of `skiff admin <command>`, in mqadmin's style: `-b 127.0.0.1:10913`, `--broker=…`,
 * `--json`. Each command declares its flags (name, one-letter alias, whether it takes a value,
 * whether it is required); anything else is a usage error naming the flag. Hand-written because
 * the core may not import `node:util`'s `parseArgs` (src/ runs on every runtime through its ports).
 */

export interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  /** false: a switch (`--json`); true: takes a value. */
  readonly value: boolean;
  readonly required?: boolean;
  readonly help: string;
}

export type FlagValues = Readonly<Record<string, string | true | undefined>>;

export class UsageError extends Error {}

export function parseFlags(args: readonly string[], specs: readonly FlagSpec[]): FlagValues {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const values: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const long = /^--([A-Za-z][\w-]*)(?:=(.*))?$/s.exec(arg);
    const short = /^-([A-Za-z])$/.exec(arg);
    const spec = long ? byName.get(long[1]) : short ? byShort.get(short[1]) : undefined;
    if (!spec) throw new UsageError(long || short ? `unknown flag ${arg}` : `unexpected argument ${JSON.stringify(arg)}`);
    if (!spec.value) {
      if (long?.[2] !== undefined) throw new UsageError(`--${spec.name} takes no value`);
      values[spec.name] = true;
      continue;
    }
    const value = long?.[2] ?? args[++i];
    if (value === undefined || (long?.[2] === undefined && value.startsWith("-") && value.length > 1 && !/^-\d/.test(value))) {
      throw new UsageError(`--${spec.name} needs a value`);
    }
    values[spec.name] = value;
  }
  for (const spec of specs) {
    if (spec.required && values[spec.name] === undefined) throw new UsageError(`--${spec.name}${spec.short ? ` (-${spec.short})` : ""} is required`);
  }
  return values;
}

/** The flag lines of a command's help. */
export function flagHelp(specs: readonly FlagSpec[]): string[] {
  return specs.map((s) => {
    const names = `${s.short ? `-${s.short}, ` : "    "}--${s.name}${s.value ? " <value>" : ""}`;
    return `  ${names.padEnd(28)} ${s.help}${s.required ? " (required)" : ""}`;
  });
}

/** An integer flag within bounds, or a UsageError naming the flag. */
export function intFlag(values: FlagValues, name: string, min: number, max: number): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (typeof text !== "string" || !/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer in ${min}..${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * A point in time: ms since the epoch, an ISO date (`2026-12-02T09:00:00Z`), `now`, or `-<n><unit>`
 * ago (`-30m`, `-2h`, `-1d`).
 */
export function timeFlag(values: FlagValues, name: string, nowMs: number): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  if (typeof text === "string") {
    if (text === "now") return nowMs;
    if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
    const ago = /^-(\d+)([smhd])$/.exec(text);
    if (ago) return Math.max(0, nowMs - Number(ago[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as "s" | "m" | "h" | "d"]);
    if (/^\d{4}-\d{2}-\d{2}/.test(text) && Number.isFinite(Date.parse(text))) return Date.parse(text);
  }
  throw new UsageError(`--${name} must be ms since the epoch, an ISO date, "now" or "-<n>s|m|h|d", got ${JSON.stringify(text)}`);
}
