/**
 * Small readers for the fields of parsed metadata JSON, with fastjson's leniency where Java has it
 * (a missing or `null` field takes the bean's default) and a clear error where it has not (a field
 * of the wrong type names the file part, the field and what it found).
 *
 * Also keeps the fields a bean does not know (RocketMQ 5.x adds some), so that a file loaded from a
 * newer Java broker is written back with them.
 */
import { SkiffError } from "../core/errors.ts";
import { parseFastjson, stringifyFastjson, type FastjsonValue } from "../codec/fastjson.ts";
import { setOwn } from "../core/own-property.ts";

export type JsonObject = Record<string, unknown>;
/** Fields a bean did not know, kept verbatim for writing back. */
export type ExtraFields = Readonly<Record<string, FastjsonValue>>;

export function metadataError(message: string): SkiffError {
  return new SkiffError("METADATA_INVALID", message);
}

/**
 * A sync body as text (parsed here), or a value such as another manager's `snapshot()` (copied
 * through its JSON form, so that `NumericKeyMap`s become plain objects and nothing is shared).
 */
export function parsedInput(input: unknown): unknown {
  return parseFastjson(typeof input === "string" ? input : stringifyFastjson(input as FastjsonValue));
}

export function expectObject(value: unknown, what: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw metadataError(`${what} must be a JSON object, got ${describe(value)}`);
  }
  return value as JsonObject;
}

/** An optional object field: missing or null → `{}`. */
export function objectField(obj: JsonObject, key: string, what: string): JsonObject {
  const value = obj[key];
  return value === undefined || value === null ? {} : expectObject(value, `${what}.${key}`);
}

export function intField(obj: JsonObject, key: string, fallback: number | undefined, what: string): number {
  const value = obj[key];
  if (value === undefined || value === null) {
    if (fallback === undefined) throw metadataError(`${what}.${key} is missing`);
    return fallback;
  }
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw metadataError(`${what}.${key} must be an integer, got ${describe(value)}`);
  }
  return value;
}

export function boolField(obj: JsonObject, key: string, fallback: boolean, what: string): boolean {
  const value = obj[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "boolean") throw metadataError(`${what}.${key} must be true or false, got ${describe(value)}`);
  return value;
}

export function stringField(obj: JsonObject, key: string, fallback: string | undefined, what: string): string {
  const value = obj[key];
  if (value === undefined || value === null) {
    if (fallback === undefined) throw metadataError(`${what}.${key} is missing`);
    return fallback;
  }
  if (typeof value !== "string") throw metadataError(`${what}.${key} must be a string, got ${describe(value)}`);
  return value;
}

/** A map key that Java wrote as Integer/Long (queue id, delay level). */
export function integerKey(key: string, what: string): number {
  const n = Number(key);
  if (!/^-?[0-9]+$/.test(key) || !Number.isSafeInteger(n)) throw metadataError(`${what}: key ${JSON.stringify(key)} is not an integer`);
  return n;
}

/** The fields of `obj` not named in `known`, or undefined when there are none. */
export function extraFields(obj: JsonObject, known: readonly string[]): ExtraFields | undefined {
  const extras: Record<string, FastjsonValue> = {};
  let any = false;
  for (const key of Object.keys(obj)) {
    if (known.includes(key) || obj[key] === undefined) continue;
    setOwnField(extras, key, obj[key] as FastjsonValue);
    any = true;
  }
  return any ? extras : undefined;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? text.slice(0, 40) + "…" : text;
}

/** A manager's table as its file shows it: each entry's config over the unknown fields it kept. */
export function tableJson(table: ReadonlyMap<string, { readonly config: object; readonly extras?: ExtraFields }>): Record<string, FastjsonValue> {
  const json: Record<string, FastjsonValue> = {};
  for (const [name, entry] of table) setOwnField(json, name, { ...entry.extras, ...(entry.config as Record<string, FastjsonValue>) });
  return json;
}

/**
 * `target[key] = value` as an own property even for "__proto__" (a legal topic and group name):
 * plain assignment would set the prototype instead, and the entry would vanish from the file.
 */
export function setOwnField(target: Record<string, FastjsonValue>, key: string, value: FastjsonValue): void {
  setOwn(target, key, value);
}
