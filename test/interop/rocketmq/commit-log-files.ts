/**
 * Commit-log directories read by the tests themselves (spec §1.2, §1.6), independent of Skiff's
 * decoders: segment lists, where the records end, byte-for-byte comparison of two stores up to an
 * offset (a Java store's pre-allocated all-zero next segment is never looked at), raw records.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { cp, open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";

const MESSAGE_MAGIC_V1 = 0xdaa320a7 | 0;
const MESSAGE_MAGIC_V2 = 0xdaa320ab | 0;
const BLANK_MAGIC = 0xcbd43194 | 0;

/** Segment start offsets of a commit-log directory (20-digit file names), ascending. */
export function segmentStarts(dir: string): number[] {
  return readdirSync(dir).filter((n) => /^\d{20}$/.test(n)).map(Number).sort((a, b) => a - b);
}

/**
 * Where the records of a commit-log directory end: walks `[i32 size][i32 magic]` headers from the
 * first segment (or `fromOffset`), a blank record moving to the next segment; the first word that is
 * neither a message nor a blank magic (zeros of a pre-allocated or unused tail) is the end.
 * Independent of Skiff's decoder on purpose.
 */
export async function commitLogEnd(dir: string, fromOffset?: number): Promise<number> {
  const starts = segmentStarts(dir);
  if (starts.length === 0) return fromOffset ?? 0;
  const size = statSync(join(dir, segmentName(starts[0]))).size;
  let position = fromOffset ?? starts[0];
  for (;;) {
    const start = position - (position % size);
    if (!starts.includes(start)) return position;
    const bytes = readFileSync(join(dir, segmentName(start)));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = position - start;
    for (;;) {
      if (at + 8 > size) return start + at;
      const total = view.getInt32(at);
      const magic = view.getInt32(at + 4);
      if (magic === BLANK_MAGIC) {
        position = start + size;
        break;
      }
      if ((magic !== MESSAGE_MAGIC_V1 && magic !== MESSAGE_MAGIC_V2) || total <= 0 || at + total > size) return start + at;
      at += total;
    }
  }
}

export function segmentName(offset: number): string {
  return String(offset).padStart(20, "0");
}

export interface ByteComparison {
  readonly equal: boolean;
  readonly comparedFrom: number;
  readonly comparedTo: number;
  /** Where the first difference is, and what each side holds there. */
  readonly firstDifference?: string;
}

/**
 * Compares two commit-log directories byte for byte over `[from, upToOffset)`; `from` defaults to
 * the later of the two first segments (a slave may start at a master's last segment). Segments
 * beyond `upToOffset` (such as Java's pre-allocated, all-zero next segment) are not looked at.
 */
export async function commitLogBytesEqual(dirA: string, dirB: string, upToOffset: number, fromOffset?: number): Promise<ByteComparison> {
  const a = segmentStarts(dirA);
  const b = segmentStarts(dirB);
  if (a.length === 0 || b.length === 0) return { equal: upToOffset === 0, comparedFrom: 0, comparedTo: 0, firstDifference: "a directory has no segment" };
  const size = statSync(join(dirA, segmentName(a[0]))).size;
  const sizeB = statSync(join(dirB, segmentName(b[0]))).size;
  if (size !== sizeB) return { equal: false, comparedFrom: 0, comparedTo: 0, firstDifference: `segment sizes differ: ${size} vs ${sizeB}` };
  const from = fromOffset ?? Math.max(a[0], b[0]);
  for (let start = from - (from % size); start < upToOffset; start += size) {
    const name = segmentName(start);
    if (!existsSync(join(dirA, name)) || !existsSync(join(dirB, name))) {
      return { equal: false, comparedFrom: from, comparedTo: upToOffset, firstDifference: `segment ${name} is missing in ${existsSync(join(dirA, name)) ? dirB : dirA}` };
    }
    const lo = Math.max(start, from) - start;
    const hi = Math.min(start + size, upToOffset) - start;
    const [x, y] = await Promise.all([readRange(join(dirA, name), lo, hi - lo), readRange(join(dirB, name), lo, hi - lo)]);
    for (let i = 0; i < x.byteLength; i++) {
      if (x[i] !== y[i]) {
        return { equal: false, comparedFrom: from, comparedTo: upToOffset, firstDifference: `offset ${start + lo + i}: ${hex(x.subarray(i, i + 16))} vs ${hex(y.subarray(i, i + 16))}` };
      }
    }
  }
  return { equal: true, comparedFrom: from, comparedTo: upToOffset };
}

async function readRange(path: string, position: number, length: number): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(out, done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return out;
  } finally {
    await handle.close();
  }
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** Copies a store directory (a snapshot for a second reader). */
export async function copyStore(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true });
}

/** Names of the entries of a directory, or [] when it does not exist. */
export async function listDir(path: string): Promise<string[]> {
  try {
    return (await readdir(path)).sort();
  } catch {
    return [];
  }
}

export async function fileExists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

/** One record of a commit log, decoded by the test itself (spec §1.2), independent of Skiff's decoder. */
export interface RawRecord {
  readonly physicalOffset: number;
  readonly totalSize: number;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly sysFlag: number;
  readonly topic: string;
  /** The properties string exactly as stored (separators included). */
  readonly properties: string;
}

/** Every message record of `dir` in `[fromOffset, toOffset)` (blank records skipped). */
export function readRecords(dir: string, fromOffset: number, toOffset: number): RawRecord[] {
  const starts = segmentStarts(dir);
  if (starts.length === 0) return [];
  const size = statSync(join(dir, segmentName(starts[0]))).size;
  const out: RawRecord[] = [];
  const decoder = new TextDecoder();
  let position = fromOffset;
  while (position < toOffset) {
    const start = position - (position % size);
    const bytes = readFileSync(join(dir, segmentName(start)));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = position - start;
    for (;;) {
      if (start + at >= toOffset || at + 8 > size) {
        position = start + at >= toOffset ? toOffset : start + size;
        break;
      }
      const total = view.getInt32(at);
      const magic = view.getInt32(at + 4);
      if (magic === BLANK_MAGIC) {
        position = start + size;
        break;
      }
      if (magic !== MESSAGE_MAGIC_V1 && magic !== MESSAGE_MAGIC_V2) throw new Error(`no record at commit-log offset ${start + at} in ${dir}`);
      const sysFlag = view.getInt32(at + 36);
      const bornHost = (sysFlag & 0x10) !== 0 ? 20 : 8;
      const storeHost = (sysFlag & 0x20) !== 0 ? 20 : 8;
      let p = at + 48 + bornHost + 8 + storeHost + 4 + 8;
      const bodyLength = view.getInt32(p);
      p += 4 + bodyLength;
      const topicLength = magic === MESSAGE_MAGIC_V1 ? view.getUint8(p) : view.getInt16(p);
      p += magic === MESSAGE_MAGIC_V1 ? 1 : 2;
      const topic = decoder.decode(bytes.subarray(p, p + topicLength));
      p += topicLength;
      const propertiesLength = view.getInt16(p);
      const properties = decoder.decode(bytes.subarray(p + 2, p + 2 + propertiesLength));
      out.push({ physicalOffset: start + at, totalSize: total, queueId: view.getInt32(at + 12), queueOffset: Number(view.getBigInt64(at + 20)), sysFlag, topic, properties });
      at += total;
    }
  }
  return out;
}

/** Property keys that occur more than once in a stored properties string. */
export function duplicateKeys(properties: string): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const entry of properties.split("\u0002")) {
    const kv = entry.indexOf("\u0001");
    if (kv <= 0) continue;
    const key = entry.slice(0, kv);
    if (seen.has(key)) dup.add(key);
    seen.add(key);
  }
  return [...dup];
}
