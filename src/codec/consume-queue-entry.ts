/**
 * A consume-queue entry (`CQ_STORE_UNIT_SIZE = 20`); entry n of a queue sits at byte n * 20.
 *
 * | offset | field           | type | notes                                   |
 * |--------|-----------------|------|-----------------------------------------|
 * | 0      | commitLogOffset | i64  | PHYSICALOFFSET of the record            |
 * | 8      | size            | i32  | TOTALSIZE of the record                 |
 * | 12     | tagsCode        | i64  | java-hash.ts (or a delayed deliver time) |
 *
 * Placeholder (`fillPreBlank`): (0, 0x7FFFFFFF, 0). Recovery counts an entry as present when
 * offset >= 0 and size > 0; an all-zero entry marks the end of the data.
 */
import { SkiffError, assert, assertSafeOffset, fail } from "../core/errors.ts";
import { tryReadI64, viewOf, writeI64 } from "../core/bytes.ts";

export const CQ_STORE_UNIT_SIZE = 20;
export const PLACEHOLDER_SIZE = 0x7fffffff;

export interface ConsumeQueueEntry {
  readonly physicalOffset: number;
  readonly size: number;
  readonly tagsCode: number;
}

export const PLACEHOLDER_ENTRY: ConsumeQueueEntry = Object.freeze({ physicalOffset: 0, size: PLACEHOLDER_SIZE, tagsCode: 0 });

export function writeConsumeQueueEntry(target: Uint8Array, at: number, entry: ConsumeQueueEntry, view: DataView = viewOf(target)): void {
  assert(at >= 0 && at + CQ_STORE_UNIT_SIZE <= target.length, "consume-queue entry does not fit in the target");
  assertSafeOffset(entry.physicalOffset, "physicalOffset");
  if (entry.size !== (entry.size | 0)) fail(`entry size must be an i32, got ${entry.size}`);
  writeI64(view, at, entry.physicalOffset);
  view.setInt32(at + 8, entry.size);
  writeI64(view, at + 12, entry.tagsCode);
}

export function encodeConsumeQueueEntry(entry: ConsumeQueueEntry): Uint8Array {
  const out = new Uint8Array(CQ_STORE_UNIT_SIZE);
  writeConsumeQueueEntry(out, 0, entry);
  return out;
}

/** Reads the entry at `source[at]`; throws `SkiffError("CONSUME_QUEUE_ENTRY_ILLEGAL")` on short or unsafe bytes. */
export function decodeConsumeQueueEntry(source: Uint8Array, at = 0, view: DataView = viewOf(source)): ConsumeQueueEntry {
  if (!(at >= 0 && at + CQ_STORE_UNIT_SIZE <= source.length)) {
    throw new SkiffError("CONSUME_QUEUE_ENTRY_ILLEGAL", `no whole 20-byte entry at byte ${at} of ${source.length}`);
  }
  const physicalOffset = tryReadI64(view, at);
  const tagsCode = tryReadI64(view, at + 12);
  if (Number.isNaN(physicalOffset) || Number.isNaN(tagsCode)) {
    throw new SkiffError("CONSUME_QUEUE_ENTRY_ILLEGAL", `entry at byte ${at} holds an i64 outside the safe-integer range`);
  }
  return { physicalOffset, size: view.getInt32(at + 8), tagsCode };
}

/** Recovery's test: the entry holds data (a placeholder counts). */
export function isEntryPresent(entry: ConsumeQueueEntry): boolean {
  return entry.physicalOffset >= 0 && entry.size > 0;
}

export function isPlaceholderEntry(entry: ConsumeQueueEntry): boolean {
  return entry.physicalOffset === 0 && entry.size === PLACEHOLDER_SIZE && entry.tagsCode === 0;
}
