/**
 * Byte helpers shared by every codec: big-endian 64-bit integers as `number`, hex, UTF-8 with one
 * shared TextEncoder/TextDecoder, and concatenation. Web standards only.
 *
 * 64-bit values are read as `hi * 2^32 + lo` (no bigint in hot paths). `readI64` throws a
 * `SkiffError` (code `INT64_UNSAFE`) for a value outside the safe-integer range; `tryReadI64`
 * returns `NaN` instead, for decoders that report bad input as a result rather than a throw.
 * Writing an unsafe value is a programmer error (assertion).
 */
import { SkiffError, fail } from "./errors.ts";

const TWO_POW_32 = 4294967296;

/** A `DataView` over exactly the bytes of `bytes` (Node hands out pooled views). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Signed big-endian i64 at `at`, or `NaN` when it is not a safe integer. */
export function tryReadI64(view: DataView, at: number): number {
  const value = view.getInt32(at) * TWO_POW_32 + view.getUint32(at + 4);
  return Number.isSafeInteger(value) ? value : Number.NaN;
}

/** Signed big-endian i64 at `at`; throws `SkiffError("INT64_UNSAFE")` beyond ±(2^53-1). */
export function readI64(view: DataView, at: number): number {
  const value = tryReadI64(view, at);
  if (Number.isNaN(value)) {
    throw new SkiffError("INT64_UNSAFE", `64-bit value at byte ${at} is outside the safe-integer range`);
  }
  return value;
}

/** Writes a safe integer (negative allowed) as a signed big-endian i64. */
export function writeI64(view: DataView, at: number, value: number): void {
  if (!Number.isSafeInteger(value)) fail(`i64 value must be a safe integer, got ${value}`);
  const hi = Math.floor(value / TWO_POW_32);
  view.setInt32(at, hi);
  view.setUint32(at + 4, value - hi * TWO_POW_32);
}

const HEX = "0123456789ABCDEF";

/** Upper-case hex, two digits per byte. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  return out;
}

/** Parses hex (either case); throws `SkiffError("HEX_ILLEGAL")` on odd length or a bad digit. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new SkiffError("HEX_ILLEGAL", `hex string has odd length ${hex.length}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigit(hex.charCodeAt(2 * i));
    const lo = hexDigit(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new SkiffError("HEX_ILLEGAL", `bad hex digit near index ${2 * i}`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** UTF-8 decode (malformed sequences become U+FFFD, as Java's `new String(bytes, UTF_8)`). */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Byte length of `text` in UTF-8, without encoding it (lone surrogates count 3, as U+FFFD). */
export function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) length += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      length += 2; // 4 bytes for the pair of 2 code units
      i++;
    } else length += 2;
  }
  return length;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Writes `text` as UTF-8 at `target[at]` and returns the bytes written. ASCII takes a plain loop;
 * anything else goes through `TextEncoder.encodeInto`. The caller sized `target` with `utf8Length`.
 */
export function writeUtf8(text: string, target: Uint8Array, at: number): number {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      return i + encoder.encodeInto(text.slice(i), target.subarray(at + i)).written;
    }
    target[at + i] = c;
  }
  return n;
}

export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
