/**
 * One index file on disk (layout and rules: src/codec/index-file.ts), created sparse at its full
 * size, as RocketMQ's mapped file is, so only the pages touched take disk space. Skiff holds none
 * of it in memory but the 40-byte header: like Java's mapping, it leaves caching to the OS.
 *
 * `putKey` stages a key's entry and slot in memory; `writeDirty` (the index service calls it after
 * each dispatched batch, and `putKey` once STAGED_KEYS wait) hands them to the OS with `writeNow`
 * (a few µs each, where an async write's round trip cost 20–160 µs and was, per indexed key, a
 * loaded broker's largest store cost), in the order that keeps the file consistent for a process
 * that dies at any moment:
 *
 * 1. the staged entries, one write (they are consecutive), 2. their slots (which now point at
 *    bytes that are there), one write each, 3. the header.
 *
 * A kill between two writes leaves a header older than the slots, never newer; `repairSlots`
 * fixes such slots at the next start. They reach the disk at `sync`. A write that fails keeps
 * what is staged for the next `writeDirty`. Slot reads while writing use the staged value or
 * `readNow` (the OS holds what this process wrote); queries read asynchronously and see what was
 * handed to the OS. Callers serialise writes (the index service does); reads may run beside them.
 *
 * A file this process created also keeps one bit per slot (`maxHashSlotNum / 8` bytes: 625 KiB
 * for RocketMQ's 5 million) saying whether it ever gave the slot a value: a slot never given one
 * still holds the file's zero, so `putKey` needs no read for it. A read per key was the largest
 * cost of a slave's dispatch (16 % of a Bun slave catching up); in a fresh file most keys land in
 * empty slots (82 % after a million keys). A file found on disk has no such bits: every slot is read.
 */
import { viewOf } from "../core/bytes.ts";
import { SkiffError, assert } from "../core/errors.ts";
import type { FileHandle, FileSystem } from "../core/platform.ts";
import {
  INDEX_ENTRY_BYTES, INDEX_HEADER_BYTES, INDEX_SLOT_BYTES, chainHead, chainStep, decodeIndexEntry, decodeIndexHeader, encodeIndexEntry,
  encodeIndexHeader, entryPosition, freshIndexHeader, indexFileFull, indexFileSizeBytes, indexKeyHash, planPut, slotPosition,
  type IndexHeader,
} from "../codec/index-file.ts";

export interface IndexLimits {
  /** maxHashSlotNum */
  readonly slots: number;
  /** maxIndexNum */
  readonly maxIndex: number;
}

/** Slots read per step while repairing (64 KiB). */
const REPAIR_CHUNK_SLOTS = 16384;
/** Keys staged at most before they are written (80 KiB of entries). */
const STAGED_KEYS = 4096;

export class IndexFile {
  readonly path: string;
  readonly limits: IndexLimits;
  private headerValue: IndexHeader;
  private headerWritten: boolean;
  private readonly handle: FileHandle;
  /** Entries `stagedFrom`, `stagedFrom + 1`, … not yet written, and the slots pointing at them. */
  private readonly stagedEntries = new Uint8Array(STAGED_KEYS * INDEX_ENTRY_BYTES);
  private stagedFrom = 0;
  private stagedCount = 0;
  private readonly stagedSlots = new Map<number, number>();
  /** Scratch buffer of slot reads and writes (writes are serialised). */
  private readonly slotBytes = new Uint8Array(INDEX_SLOT_BYTES);
  private readonly slotView = new DataView(this.slotBytes.buffer);
  /** Bit `slot` set: this process gave the slot a value. Null for a file it did not create (or once full). */
  private givenSlots: Uint8Array | null = null;

  private constructor(path: string, limits: IndexLimits, header: IndexHeader, handle: FileHandle, headerWritten: boolean) {
    this.path = path;
    this.limits = limits;
    this.headerValue = header;
    this.handle = handle;
    this.headerWritten = headerWritten;
  }

  /** A new file of the full size, holes only, whose header starts at `previousEnd` (a full file's end). */
  static async create(fs: FileSystem, path: string, limits: IndexLimits, previousEnd: IndexHeader | undefined): Promise<IndexFile> {
    const sizeBytes = indexFileSizeBytes(limits.slots, limits.maxIndex);
    const handle = await fs.open(path, { exclusive: true });
    try {
      await handle.truncate(sizeBytes);
      const index = new IndexFile(path, limits, freshIndexHeader(previousEnd), handle, false);
      index.givenSlots = new Uint8Array(Math.ceil(limits.slots / 8));
      await index.writeDirty();
      return index;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /** A file found on disk; it must have the size the limits give (else STORE_SEGMENT_INVALID). */
  static async open(fs: FileSystem, path: string, limits: IndexLimits, options: { readOnly: boolean }): Promise<IndexFile> {
    const sizeBytes = indexFileSizeBytes(limits.slots, limits.maxIndex);
    const handle = await fs.open(path, { readOnly: options.readOnly });
    try {
      const actual = await handle.size();
      if (actual !== sizeBytes) {
        throw new SkiffError("STORE_SEGMENT_INVALID", `index file ${path} is ${actual} bytes, but maxHashSlotNum ${limits.slots} and maxIndexNum ${limits.maxIndex} make ${sizeBytes}`);
      }
      const header = decodeIndexHeader(await readFully(handle, 0, INDEX_HEADER_BYTES));
      if (header.indexCount < 1 || header.indexCount > limits.maxIndex || header.hashSlotCount < 0 || header.hashSlotCount > limits.slots) {
        throw new SkiffError("STORE_SEGMENT_INVALID", `index file ${path} has a header out of range (indexCount ${header.indexCount}, hashSlotCount ${header.hashSlotCount})`);
      }
      return new IndexFile(path, limits, header, handle, true);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  get header(): IndexHeader {
    return this.headerValue;
  }

  get full(): boolean {
    return indexFileFull(this.headerValue, this.limits.maxIndex);
  }

  /** Entries held (indexCount − 1). */
  get entries(): number {
    return this.headerValue.indexCount - 1;
  }

  /** Adds `key` (already `topic#key`) for the message at `phyOffset`; false when the file is full. */
  putKey(key: string, phyOffset: number, storeTimestamp: number): boolean {
    if (this.full) return false;
    if (this.stagedCount === STAGED_KEYS) this.writeStaged();
    const keyHash = indexKeyHash(key);
    const slot = keyHash % this.limits.slots;
    const plan = planPut(this.headerValue, this.limits.slots, keyHash, this.stagedSlots.get(slot) ?? this.slotValue(slot), phyOffset, storeTimestamp);
    if (this.stagedCount === 0) this.stagedFrom = plan.indexNo;
    assert(plan.indexNo === this.stagedFrom + this.stagedCount, "staged entries are consecutive");
    encodeIndexEntry(plan.entry, this.stagedEntries, this.stagedCount * INDEX_ENTRY_BYTES);
    this.stagedCount++;
    this.stagedSlots.set(slot, plan.indexNo);
    if (this.givenSlots !== null) this.givenSlots[slot >>> 3] |= 1 << (slot & 7);
    this.headerValue = plan.header;
    this.headerWritten = false;
    if (this.full) this.givenSlots = null; // no key goes in any more
    return true;
  }

  /**
   * Appends to `into` the physical offsets of entries whose hash is `key`'s and whose store time
   * lies in [beginMs, endMs], newest first, until `into` holds `maxNum` (RocketMQ's `selectPhyOffset`).
   */
  async select(key: string, maxNum: number, beginMs: number, endMs: number, into: number[]): Promise<void> {
    const header = this.headerValue;
    const keyHash = indexKeyHash(key);
    const slot = viewOf(await readFully(this.handle, slotPosition(keyHash % this.limits.slots), INDEX_SLOT_BYTES)).getInt32(0);
    let next = chainHead(header, slot);
    // A chain visits each entry at most once; more steps mean a damaged file (a loop).
    for (let steps = 0; next > 0 && into.length < maxNum && steps < header.indexCount; steps++) {
      const entry = decodeIndexEntry(await readFully(this.handle, entryPosition(this.limits.slots, next), INDEX_ENTRY_BYTES));
      const step = chainStep(header, next, entry, keyHash, beginMs, endMs);
      if (step.hit) into.push(entry.phyOffset);
      next = step.next;
    }
  }

  /**
   * After a crash: a slot written after the header points past `indexCount`; its chain is followed
   * back (those entries reached the OS before their slot) to the newest entry the header counts,
   * so the entries re-indexed from the commit log chain onto every older one. Reads the slots in
   * 64 KiB steps. Returns slots fixed.
   */
  async repairSlots(): Promise<number> {
    const { slots } = this.limits;
    const count = this.headerValue.indexCount;
    let repaired = 0;
    for (let first = 0; first < slots; first += REPAIR_CHUNK_SLOTS) {
      const n = Math.min(REPAIR_CHUNK_SLOTS, slots - first);
      const chunk = viewOf(await readFully(this.handle, slotPosition(first), n * INDEX_SLOT_BYTES));
      for (let i = 0; i < n; i++) {
        let value = chunk.getInt32(i * INDEX_SLOT_BYTES);
        if (value < count && value >= 0) continue;
        for (let hops = 0; value >= count && hops < this.limits.maxIndex; hops++) {
          const prev = decodeIndexEntry(await readFully(this.handle, entryPosition(slots, value), INDEX_ENTRY_BYTES)).prevIndex;
          value = prev >= 0 && prev < value ? prev : 0;
        }
        const fixed = new Uint8Array(INDEX_SLOT_BYTES);
        viewOf(fixed).setInt32(0, value >= 0 && value < count ? value : 0);
        await this.handle.write(fixed, slotPosition(first + i));
        repaired++;
      }
    }
    return repaired;
  }

  /** Hands the staged entries, their slots and then the header to the OS (not fsync). */
  async writeDirty(): Promise<void> {
    this.writeStaged();
    if (this.headerWritten) return;
    const bytes = new Uint8Array(INDEX_HEADER_BYTES);
    encodeIndexHeader(this.headerValue, bytes);
    this.handle.writeNow(bytes, 0);
    this.headerWritten = true;
  }

  async sync(): Promise<void> {
    await this.writeDirty();
    await this.handle.sync();
  }

  async close(): Promise<void> {
    try {
      await this.writeDirty();
    } finally {
      await this.handle.close();
    }
  }

  /** Entries first (one write), then their slots: a slot never points at bytes not handed over. */
  private writeStaged(): void {
    if (this.stagedCount === 0) return;
    this.handle.writeNow(this.stagedEntries.subarray(0, this.stagedCount * INDEX_ENTRY_BYTES), entryPosition(this.limits.slots, this.stagedFrom));
    for (const [slot, value] of this.stagedSlots) {
      this.slotView.setInt32(0, value);
      this.handle.writeNow(this.slotBytes, slotPosition(slot));
      this.stagedSlots.delete(slot); // written: a failure further on retries only the rest
    }
    this.stagedCount = 0;
  }

  /** The slot's value: 0 for one this process created the file with and never gave one, else as last written. */
  private slotValue(slot: number): number {
    if (this.givenSlots !== null && (this.givenSlots[slot >>> 3] & (1 << (slot & 7))) === 0) return 0;
    return this.readSlotNow(slot);
  }

  /** The slot's value as this process last wrote it (the OS has it: no disk read in practice). */
  private readSlotNow(slot: number): number {
    const n = this.handle.readNow(this.slotBytes, slotPosition(slot));
    if (n !== INDEX_SLOT_BYTES) throw new SkiffError("STORE_SHORT_READ", `index file ${this.path} ended inside slot ${slot}`);
    return this.slotView.getInt32(0);
  }
}

/** `length` bytes at `position`; an index file has its full size, so a short read means a damaged one. */
async function readFully(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  for (let done = 0; done < length;) {
    const n = await handle.read(out.subarray(done), position + done);
    if (n === 0) throw new SkiffError("STORE_SHORT_READ", `index file ended at ${position + done}, inside [${position}, ${position + length})`);
    done += n;
  }
  return out;
}
