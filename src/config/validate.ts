/**
 * What the broker's and the name server's configuration share: merging the sources (later wins),
 * sorting out unknown keys (a real Apache RocketMQ key → one warning; anything else → an error
 * with a "did you mean" suggestion), checking every field, and one CONFIG_INVALID error that lists
 * every problem at once, each naming the key, the value given, what is allowed and where it came from.
 */
import type { z } from "zod";
import { SkiffError } from "../core/errors.ts";
import { show } from "./fields.ts";
import { setOwn } from "../core/own-property.ts";

/** Raw values from one source, and how to name that source for a key in a message. */
export interface ConfigLayer {
  readonly values: Readonly<Record<string, unknown>>;
  readonly origin: (key: string) => string;
}

/** What every resolve function returns: the config, things that may be wrong, things to log. */
export interface ResolvedConfig<T> {
  readonly config: T;
  /** Things that may be a mistake (e.g. RocketMQ keys that Skiff ignores). */
  readonly warnings: string[];
  /** Adjustments made the way RocketMQ makes them (e.g. a master's brokerId forced to 0). */
  readonly notices: string[];
}

export interface MergedValues {
  readonly values: Record<string, unknown>;
  /** Where each given key's final value came from (absent: the default). */
  readonly origins: Record<string, string>;
}

export function mergeLayers(layers: readonly ConfigLayer[]): MergedValues {
  const values: Record<string, unknown> = {};
  const origins: Record<string, string> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.values)) {
      if (value === undefined) continue;
      setOwn(values, key, value);
      setOwn(origins, key, layer.origin(key));
    }
  }
  return { values, origins };
}

/** Formats one problem: `key: problem (from origin)`. */
export function problemText(merged: MergedValues, key: string, problem: string): string {
  const origin = Object.hasOwn(merged.origins, key) ? ` (from ${merged.origins[key]})` : "";
  return `${key}: ${problem}${origin}`;
}

/** One CONFIG_INVALID error listing every problem, one per line: `Invalid <subject> (N problems):`. */
export function configInvalid(subject: string, problems: readonly string[]): SkiffError {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = problems.map((problem) => `  - ${problem}`).join("\n");
  return new SkiffError("CONFIG_INVALID", `Invalid ${subject} (${count}):\n${lines}`);
}

/** Optimal string alignment distance (Levenshtein plus adjacent swaps), ignoring letter case. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= t.length; j++) d[0][j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[s.length][t.length];
}

/** The closest candidate if it is close enough to be a typo (earlier candidates win ties). */
export function suggestKey(key: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.min(3, Math.floor(key.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(key, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

export interface FieldCheck<Shape extends Record<string, z.ZodType>> {
  /** Values of the fields that are valid (absent keys get their schema default, if any). */
  readonly values: Partial<{ [K in keyof Shape]: z.output<Shape[K]> }>;
  readonly problems: string[];
  readonly warnings: string[];
}

/**
 * RocketMQ keys that turn a security door on. Where a server does not implement one (it is not a
 * field of its schema: `useTLS`, the broker's own outgoing TLS, means nothing to the name server,
 * which dials no one), ignoring it with a warning would leave the operator believing a door closed:
 * any value but `false` is a problem (the server does not start), so a setting never silently
 * weakens security.
 */
const UNSUPPORTED_SECURITY: Readonly<Record<string, string>> = {
  useTLS: "TLS for the server's own outgoing connections",
};

/**
 * Checks every key: fields of `shape` through their schema, RocketMQ keys Skiff does not use into
 * one warning, all other keys into problems. `product` names the server in messages ("broker").
 */
export function checkFields<Shape extends Record<string, z.ZodType>>(
  shape: Shape,
  merged: MergedValues,
  rocketmqKeys: ReadonlySet<string>,
  product: string,
): FieldCheck<Shape> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const unused: string[] = [];
  const ownKeys = Object.keys(shape);
  for (const key of ownKeys) {
    const given = Object.hasOwn(merged.values, key) ? merged.values[key] : undefined;
    const result = shape[key].safeParse(given);
    if (result.success) values[key] = result.data;
    else for (const issue of result.error.issues) problems.push(problemText(merged, key, issue.message));
  }
  for (const key of Object.keys(merged.values)) {
    if (Object.hasOwn(shape, key)) continue;
    const unsupported = Object.hasOwn(UNSUPPORTED_SECURITY, key) ? UNSUPPORTED_SECURITY[key] : undefined;
    if (unsupported !== undefined && String(merged.values[key]).trim().toLowerCase() !== "false") {
      problems.push(problemText(merged, key, `${unsupported} is not implemented by Skiff yet, so with ${key}=${show(merged.values[key])} ` +
        `the ${product} would accept what you meant it to refuse; it does not start (remove ${key} or set it to false)`));
      continue;
    }
    if (rocketmqKeys.has(key)) {
      unused.push(key);
      continue;
    }
    const suggestion = suggestKey(key, [...ownKeys, ...rocketmqKeys]);
    const advice = suggestion === undefined
      ? `not a Skiff or Apache RocketMQ ${product} key`
      : `did you mean ${suggestion}?`;
    problems.push(problemText(merged, key, `unknown key (value ${show(merged.values[key])}); ${advice}`));
  }
  const warnings = unused.length === 0 ? [] : [
    `Ignored ${unused.length} Apache RocketMQ ${product} key${unused.length === 1 ? "" : "s"} ` +
    `that Skiff does not use: ${unused.sort().join(", ")}`,
  ];
  return { values: values as FieldCheck<Shape>["values"], problems, warnings };
}
