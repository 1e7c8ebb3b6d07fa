/**
 * One index file on disk (layout and rules: src/codec/index-file.ts), read and written through a
 * bounded page cache (paged-file.ts): created sparse at its full size, as RocketMQ's mapped file
 * is, so only the pages touched take disk space and memory holds at most the cached pages.
 *
 * Every `putKey` updates the entry, its slot and the header together; they reach the OS at the
 * next `writeDirty` (the index service calls it after each dispatched batch) and the disk at `sync`.
 * Callers serialise writes (the index service does); reads may run beside them.
 */
import { SkiffError } from "../core/errors.ts";
import type { FileSystem } from "../core/platform.ts";
import {
  INDEX_ENTRY_BYTES, INDEX_HEADER_BYTES, chainHead, chainStep, decodeIndexEntry, decodeIndexHeader, encodeIndexEntry,
  encodeIndexHeader, entryPosition, freshIndexHeader, indexFileFull, indexFileSizeBytes, indexKeyHash, planPut, slotPosition,
  type IndexHeader,
} from "../codec/index-file.ts";
import { PagedFile } from "./paged-file.ts";

export interface IndexLimits {
  /** maxHashSlotNum */
  readonly slots: number;
  /** maxIndexNum */
  readonly maxIndex: number;
}

export class IndexFile {
  readonly path: string;
  readonly limits: IndexLimits;
  private headerValue: IndexHeader;
  private readonly file: PagedFile;

  private constructor(path: string, limits: IndexLimits, header: IndexHeader, file: PagedFile) {
    this.path = path;
    this.limits = limits;
    this.headerValue = header;
    this.file = file;
  }

  /** A new file of the full size, holes only, whose header starts at `previousEnd` (a full file's end). */
  static async create(fs: FileSystem, path: string, limits: IndexLimits, previousEnd: IndexHeader | undefined, maxCachedPages: number): Promise<IndexFile> {
    const sizeBytes = indexFileSizeBytes(limits.slots, limits.maxIndex);
    const handle = await fs.open(path, { exclusive: true });
    const file = new PagedFile(handle, sizeBytes, { maxCachedPages, fresh: true });
    try {
      await handle.truncate(sizeBytes);
      const index = new IndexFile(path, limits, freshIndexHeader(previousEnd), file);
      await index.writeHeader();
      await file.writeDirty();
      return index;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /** A file found on disk; it must have the size the limits give (else INDEX_FILE_INVALID). */
  static async open(fs: FileSystem, path: string, limits: IndexLimits, options: { readOnly: boolean; maxCachedPages: number }): Promise<IndexFile> {
    const sizeBytes = indexFileSizeBytes(limits.slots, limits.maxIndex);
    const handle = await fs.open(path, { readOnly: options.readOnly });
    try {
      const actual = await handle.size();
      if (actual !== sizeBytes) {
        throw new SkiffError("STORE_SEGMENT_INVALID", `index file ${path} is ${actual} bytes, but maxHashSlotNum ${limits.slots} and maxIndexNum ${limits.maxIndex} make ${sizeBytes}`);
      }
      const file = new PagedFile(handle, sizeBytes, { maxCachedPages: options.maxCachedPages, fresh: false });
      const header = decodeIndexHeader(await file.read(0, INDEX_HEADER_BYTES));
      if (header.indexCount < 1 || header.indexCount > limits.maxIndex || header.hashSlotCount < 0 || header.hashSlotCount > limits.slots) {
        throw new SkiffError("STORE_SEGMENT_INVALID", `index file ${path} has a header out of range (indexCount ${header.indexCount}, hashSlotCount ${header.hashSlotCount})`);
      }
      return new IndexFile(path, limits, header, file);
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

  get cachedPages(): number {
    return this.file.cachedPages;
  }

  /** Adds `key` (already `topic#key`) for the message at `phyOffset`; false when the file is full. */
  async putKey(key: string, phyOffset: number, storeTimestamp: number): Promise<boolean> {
    if (this.full) return false;
    const keyHash = indexKeyHash(key);
    const slot = keyHash % this.limits.slots;
    const plan = planPut(this.headerValue, this.limits.slots, keyHash, await this.readSlot(slot), phyOffset, storeTimestamp);
    const entry = new Uint8Array(INDEX_ENTRY_BYTES);
    encodeIndexEntry(plan.entry, entry);
    await this.file.write(entryPosition(this.limits.slots, plan.indexNo), entry);
    await this.file.write(slotPosition(slot), int32(plan.indexNo));
    this.headerValue = plan.header;
    await this.writeHeader();
    return true;
  }

  /**
   * Appends to `into` the physical offsets of entries whose hash is `key`'s and whose store time
   * lies in [beginMs, endMs], newest first, until `into` holds `maxNum` (RocketMQ's `selectPhyOffset`).
   */
  async select(key: string, maxNum: number, beginMs: number, endMs: number, into: number[]): Promise<void> {
    const header = this.headerValue;
    const keyHash = indexKeyHash(key);
    let next = chainHead(header, await this.readSlot(keyHash % this.limits.slots));
    // A chain visits each entry at most once; more steps mean a damaged file (a loop).
    for (let steps = 0; next > 0 && into.length < maxNum && steps < header.indexCount; steps++) {
      const entry = decodeIndexEntry(await this.file.read(entryPosition(this.limits.slots, next), INDEX_ENTRY_BYTES));
      const step = chainStep(header, next, entry, keyHash, beginMs, endMs);
      if (step.hit) into.push(entry.phyOffset);
      next = step.next;
    }
  }

  /**
   * After a crash: a slot written after the header points past `indexCount`; its chain is followed
   * back (those entries reached the disk before their slot) to the newest entry the header counts,
   * so the entries re-indexed from the commit log chain onto every older one. Returns slots fixed.
   */
  async repairSlots(): Promise<number> {
    const { slots } = this.limits;
    const count = this.headerValue.indexCount;
    let repaired = 0;
    for (let slot = 0; slot < slots; slot++) {
      let value = await this.readSlot(slot);
      if (value < count && value >= 0) continue;
      for (let hops = 0; value >= count && hops < this.limits.maxIndex; hops++) {
        const prev = decodeIndexEntry(await this.file.read(entryPosition(slots, value), INDEX_ENTRY_BYTES)).prevIndex;
        value = prev >= 0 && prev < value ? prev : 0;
      }
      await this.file.write(slotPosition(slot), int32(value >= 0 && value < count ? value : 0));
      repaired++;
    }
    if (repaired > 0) await this.file.writeDirty();
    return repaired;
  }

  writeDirty(): Promise<void> {
    return this.file.writeDirty();
  }

  sync(): Promise<void> {
    return this.file.sync();
  }

  close(): Promise<void> {
    return this.file.close();
  }

  private async readSlot(slot: number): Promise<number> {
    const bytes = await this.file.read(slotPosition(slot), 4);
    return new DataView(bytes.buffer).getInt32(0);
  }

  private writeHeader(): Promise<void> {
    const bytes = new Uint8Array(INDEX_HEADER_BYTES);
    encodeIndexHeader(this.headerValue, bytes);
    return this.file.write(0, bytes);
  }
}

function int32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, value);
  return bytes;
}
