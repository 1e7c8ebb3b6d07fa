/**
 * Shared pieces of the property-based bad-input tests (fast-check): what counts as a clean refusal
 * (a `SkiffError` with an expected stable code, nothing else), arbitraries that mutate valid bytes
 * the way a torn file or a hostile peer would (flip, overwrite, truncate, extend, lie in a length
 * field, cut a range out), and random chunkings of a byte stream for push decoders.
 */
import { concatBytes } from "../../src/core/bytes.ts";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SkiffError } from "../../src/core/errors.ts";

/** Runs per property: enough to find the bugs these tests were written for, small enough for a loaded 2-core box. */
export const RUNS = 300;

/**
 * `fn()`'s value, or `undefined` when it threw a `SkiffError` whose code is one of `codes`.
 * Any other throw (TypeError, RangeError, an assertion, a SkiffError with another code) fails the property.
 */
export function valueOrRefusal<T>(codes: readonly string[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    assertRefusal(error, codes);
    return undefined;
  }
}

export async function valueOrRefusalAsync<T>(codes: readonly string[], fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    assertRefusal(error, codes);
    return undefined;
  }
}

export function assertRefusal(error: unknown, codes: readonly string[]): asserts error is SkiffError {
  if (!(error instanceof SkiffError)) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error);
    assert.fail(`expected a SkiffError (${codes.join(" | ")}), got a crash: ${detail}`);
  }
  assert.ok(codes.includes(error.code), `unexpected SkiffError code ${error.code} (${error.message}); expected ${codes.join(" | ")}`);
  // CONFIG_INVALID lists every problem, one per line, by design; every other refusal is one line.
  const lines = error.message.split("\n");
  assert.ok(lines[0].length > 0 && (lines.length === 1 || error.code === "CONFIG_INVALID"), `error message should be one line: ${JSON.stringify(error.message)}`);
}

/** The i32 values a liar puts in a length field. */
export const hostileI32 = fc.oneof(
  fc.constantFrom(0, 1, -1, 7, 8, 12, 0x7fff, -0x8000, 0xffff, 0x7fffffff, -0x80000000, 16 * 1024 * 1024, 4 * 1024 * 1024),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }),
);

export type Mutation =
  | { readonly kind: "flip"; readonly at: number; readonly mask: number }
  | { readonly kind: "set"; readonly at: number; readonly value: number }
  | { readonly kind: "i32"; readonly at: number; readonly value: number }
  | { readonly kind: "i16"; readonly at: number; readonly value: number }
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "extend"; readonly bytes: Uint8Array }
  | { readonly kind: "cut"; readonly at: number; readonly length: number }
  | { readonly kind: "insert"; readonly at: number; readonly bytes: Uint8Array };

/** `at` values are taken modulo the length, so one mutation fits any input. */
const position = fc.nat();

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: position, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant("set" as const), at: position, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("i32" as const), at: position, value: hostileI32 }),
  fc.record({ kind: fc.constant("i16" as const), at: position, value: fc.integer({ min: -0x8000, max: 0x7fff }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: position }),
  fc.record({ kind: fc.constant("extend" as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant("cut" as const), at: position, length: fc.integer({ min: 1, max: 32 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
).map((m) => m as Mutation);

/** One to four mutations, applied in order. */
export const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

export function mutate(input: Uint8Array, steps: readonly Mutation[]): Uint8Array {
  let bytes: Uint8Array = input.slice();
  for (const step of steps) bytes = applyMutation(bytes, step);
  return bytes;
}

function applyMutation(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = (width: number) => ("at" in m ? m.at : 0) % Math.max(1, bytes.length - width + 1);
  switch (m.kind) {
    case "flip":
      if (bytes.length > 0) bytes[at(1)] ^= m.mask;
      return bytes;
    case "set":
      if (bytes.length > 0) bytes[at(1)] = m.value;
      return bytes;
    case "i32":
    case "i16": {
      const width = m.kind === "i32" ? 4 : 2;
      if (bytes.length < width) return bytes;
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (width === 4) view.setInt32(at(4), m.value);
      else view.setInt16(at(2), m.value);
      return bytes;
    }
    case "truncate":
      return bytes.slice(0, at(0));
    case "extend":
      return concatBytes([bytes, m.bytes]);
    case "cut": {
      const from = at(0);
      return concatBytes([bytes.subarray(0, from), bytes.subarray(Math.min(bytes.length, from + m.length))]);
    }
    case "insert": {
      const from = at(0);
      return concatBytes([bytes.subarray(0, from), m.bytes, bytes.subarray(from)]);
    }
  }
}


/** Cut points (taken modulo the length) that split a stream into chunks; an empty list keeps it whole. */
export const chunking = fc.array(fc.nat(), { maxLength: 24 });

/**
 * `bytes` split at the given cut points, each chunk a view into its own fresh buffer with a random-ish
 * byteOffset (as Node's pooled Buffers are), so a decoder that ignores byteOffset is caught.
 */
export function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    if (p <= from) continue;
    const pad = (p * 7 + from) % 5;
    const buffer = new Uint8Array(pad + (p - from) + 3).fill(0xee);
    buffer.set(bytes.subarray(from, p), pad);
    chunks.push(buffer.subarray(pad, pad + (p - from)));
    from = p;
  }
  return chunks;
}

/** `bytes` copied into a larger buffer at a non-zero byteOffset (a pooled view). */
export function pooledView(bytes: Uint8Array, pad = 5): Uint8Array {
  const buffer = new Uint8Array(bytes.length + 2 * pad).fill(0xa5);
  buffer.set(bytes, pad);
  return buffer.subarray(pad, pad + bytes.length);
}
