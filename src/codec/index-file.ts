/**
 * RocketMQ's message index file, `store/index/<yyyyMMddHHmmssSSS>` (spec rocketmq-remoting §12,
 * store spec §3.4; checked byte for byte against a file written by RocketMQ 4.9.7). All big-endian:
 *
 *   offset                        size  field
 *   0                             8     beginTimestamp   store time (ms) of the first indexed message
 *   8                             8     endTimestamp     store time (ms) of the last one
 *   16                            8     beginPhyOffset   commit-log offset of the first indexed message
 *   24                            8     endPhyOffset     commit-log offset of the last one
 *   32                            4     hashSlotCount    slots in use
 *   36                            4     indexCount       entries + 1 (starts at 1: entry 0 is never written)
 *   40 + 4·s                      4     slot s           number of the newest entry with keyHash % slots == s (0 = none)
 *   40 + 4·slots + 20·n           4     keyHash          abs(String.hashCode("topic#key")), 0 for Integer.MIN_VALUE
 *                                 8     phyOffset        commit-log offset of the message
 *                                 4     timeDiff         whole seconds since beginTimestamp, clamped to [0, 2^31-1]
 *                                 4     prevIndex        previous entry of the same slot (0 = end of the chain)
 *
 * Size = 40 + slots·4 + maxIndex·20. A file is full when `indexCount >= maxIndex`. Keys of a
 * message, in order: its UNIQ_KEY, then each space-separated KEYS word. Only hashes are stored, so a
 * lookup returns every entry whose hash matches: callers filter the records by key.
 *
 * The rules of RocketMQ's `IndexFile.putKey` and `selectPhyOffset` are here as pure functions
 * (`planPut`, `chainStep`); reading and writing the bytes is the store's (src/store/index-file.ts).
 */
import { readI64, viewOf, writeI64 } from "../core/bytes.ts";
import { javaStringHash } from "./java-hash.ts";

export const INDEX_HEADER_BYTES = 40;
export const INDEX_SLOT_BYTES = 4;
export const INDEX_ENTRY_BYTES = 20;
const INT_MAX = 0x7fffffff;

export interface IndexHeader {
  readonly beginTimestamp: number;
  readonly endTimestamp: number;
  readonly beginPhyOffset: number;
  readonly endPhyOffset: number;
  readonly hashSlotCount: number;
  readonly indexCount: number;
}

export interface IndexEntry {
  readonly keyHash: number;
  readonly phyOffset: number;
  readonly timeDiffSeconds: number;
  readonly prevIndex: number;
}

/** A fresh file's header; a file that follows a full one starts at that one's end (as Java does). */
export function freshIndexHeader(previousEnd?: { endTimestamp: number; endPhyOffset: number }): IndexHeader {
  const timestamp = previousEnd && previousEnd.endTimestamp > 0 ? previousEnd.endTimestamp : 0;
  const offset = previousEnd && previousEnd.endPhyOffset > 0 ? previousEnd.endPhyOffset : 0;
  return { beginTimestamp: timestamp, endTimestamp: timestamp, beginPhyOffset: offset, endPhyOffset: offset, hashSlotCount: 0, indexCount: 1 };
}

export function indexFileSizeBytes(slots: number, maxIndex: number): number {
  return INDEX_HEADER_BYTES + slots * INDEX_SLOT_BYTES + maxIndex * INDEX_ENTRY_BYTES;
}

export function slotPosition(slot: number): number {
  return INDEX_HEADER_BYTES + slot * INDEX_SLOT_BYTES;
}

export function entryPosition(slots: number, indexNo: number): number {
  return INDEX_HEADER_BYTES + slots * INDEX_SLOT_BYTES + indexNo * INDEX_ENTRY_BYTES;
}

/** `topic#key`, the string whose hash is indexed. */
export function indexKey(topic: string, key: string): string {
  return `${topic}#${key}`;
}

/** Java's `Math.abs(key.hashCode())`, with Integer.MIN_VALUE (whose abs is negative) as 0. */
export function indexKeyHash(key: string): number {
  const hash = javaStringHash(key);
  return hash === -0x80000000 ? 0 : Math.abs(hash);
}

/** The keys a message is indexed under, in RocketMQ's order: UNIQ_KEY, then each KEYS word. */
export function messageIndexKeys(topic: string, uniqKey: string | undefined, keys: string | undefined): string[] {
  const out: string[] = [];
  if (uniqKey !== undefined) out.push(indexKey(topic, uniqKey));
  for (const word of (keys ?? "").split(" ")) if (word.length > 0) out.push(indexKey(topic, word));
  return out;
}

export function decodeIndexHeader(bytes: Uint8Array, at = 0): IndexHeader {
  const view = viewOf(bytes);
  return {
    beginTimestamp: readI64(view, at),
    endTimestamp: readI64(view, at + 8),
    beginPhyOffset: readI64(view, at + 16),
    endPhyOffset: readI64(view, at + 24),
    hashSlotCount: view.getInt32(at + 32),
    indexCount: view.getInt32(at + 36),
  };
}

export function encodeIndexHeader(header: IndexHeader, target: Uint8Array, at = 0): void {
  const view = viewOf(target);
  writeI64(view, at, header.beginTimestamp);
  writeI64(view, at + 8, header.endTimestamp);
  writeI64(view, at + 16, header.beginPhyOffset);
  writeI64(view, at + 24, header.endPhyOffset);
  view.setInt32(at + 32, header.hashSlotCount);
  view.setInt32(at + 36, header.indexCount);
}

export function decodeIndexEntry(bytes: Uint8Array, at = 0): IndexEntry {
  const view = viewOf(bytes);
  return { keyHash: view.getInt32(at), phyOffset: readI64(view, at + 4), timeDiffSeconds: view.getInt32(at + 12), prevIndex: view.getInt32(at + 16) };
}

export function encodeIndexEntry(entry: IndexEntry, target: Uint8Array, at = 0): void {
  const view = viewOf(target);
  view.setInt32(at, entry.keyHash);
  writeI64(view, at + 4, entry.phyOffset);
  view.setInt32(at + 12, entry.timeDiffSeconds);
  view.setInt32(at + 16, entry.prevIndex);
}

export interface PlannedPut {
  /** Number of the new entry (the old indexCount). */
  readonly indexNo: number;
  readonly slot: number;
  readonly entry: IndexEntry;
  readonly header: IndexHeader;
}

/** Whether a file with this header takes no more entries. */
export function indexFileFull(header: IndexHeader, maxIndex: number): boolean {
  return header.indexCount >= maxIndex;
}

/**
 * One `putKey` into a file that is not full: the entry to write at `indexNo`, the slot to point at
 * it, and the new header. `rawSlotValue` is the slot's current content (anything outside
 * 1..indexCount counts as empty, as Java reads it).
 */
export function planPut(header: IndexHeader, slots: number, keyHash: number, rawSlotValue: number, phyOffset: number, storeTimestamp: number): PlannedPut {
  const slotValue = rawSlotValue <= 0 || rawSlotValue > header.indexCount ? 0 : rawSlotValue;
  const timeDiffSeconds = header.beginTimestamp <= 0
    ? 0
    : Math.min(INT_MAX, Math.max(0, Math.trunc((storeTimestamp - header.beginTimestamp) / 1000)));
  const first = header.indexCount <= 1;
  return {
    indexNo: header.indexCount,
    slot: keyHash % slots,
    entry: { keyHash, phyOffset, timeDiffSeconds, prevIndex: slotValue },
    header: {
      beginTimestamp: first ? storeTimestamp : header.beginTimestamp,
      beginPhyOffset: first ? phyOffset : header.beginPhyOffset,
      endTimestamp: storeTimestamp,
      endPhyOffset: phyOffset,
      hashSlotCount: header.hashSlotCount + (slotValue === 0 ? 1 : 0),
      indexCount: header.indexCount + 1,
    },
  };
}

/** The first entry of a slot's chain, or 0 when the slot is empty (or the file has no entries). */
export function chainHead(header: IndexHeader, slotValue: number): number {
  return slotValue <= 0 || slotValue > header.indexCount || header.indexCount <= 1 ? 0 : slotValue;
}

/**
 * One step of `selectPhyOffset`'s walk at entry `indexNo`: whether it is a hit (same hash, stored
 * within [beginMs, endMs]) and the next entry to read (0: the chain ends here).
 */
export function chainStep(
  header: IndexHeader, indexNo: number, entry: IndexEntry, keyHash: number, beginMs: number, endMs: number,
): { hit: boolean; next: number } {
  if (entry.timeDiffSeconds < 0) return { hit: false, next: 0 };
  const storedMs = header.beginTimestamp + entry.timeDiffSeconds * 1000;
  const hit = entry.keyHash === keyHash && storedMs >= beginMs && storedMs <= endMs;
  const prev = entry.prevIndex;
  const ends = prev <= 0 || prev > header.indexCount || prev === indexNo || storedMs < beginMs;
  return { hit, next: ends ? 0 : prev };
}

/** Whether a file's time range overlaps [beginMs, endMs] (Java's `isTimeMatched`). */
export function indexTimeMatches(header: IndexHeader, beginMs: number, endMs: number): boolean {
  return (beginMs < header.beginTimestamp && endMs > header.endTimestamp)
    || (beginMs >= header.beginTimestamp && beginMs <= header.endTimestamp)
    || (endMs >= header.beginTimestamp && endMs <= header.endTimestamp);
}
