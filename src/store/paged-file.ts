/**
 * Random reads and writes of a large, sparse file through a small cache of 4 KiB pages: what a
 * RocketMQ index file (420 MB at the defaults) needs without mapping or holding it in memory.
 *
 * - At most `maxCachedPages` pages are held (page 0, the index header's, is pinned); the least
 *   recently used clean page goes first, a dirty one is written out before it goes.
 * - Dirty pages go to the OS from the highest down, page 0 last (`writeDirty`, and before any
 *   eviction): entries before the slots that point at them, the header after both. A kill between
 *   two writes leaves a header older than the slots, never newer; slots never point at missing bytes.
 * - A file this process created (`fresh`) is all holes: a page never written is zeros without a read,
 *   so a new file costs no reads and only the pages written take disk space.
 */
import { SkiffError } from "../core/errors.ts";
import type { FileHandle } from "../core/platform.ts";

export const PAGE_BYTES = 4096;

interface Page {
  readonly bytes: Uint8Array;
  dirty: boolean;
}

export class PagedFile {
  readonly sizeBytes: number;
  readonly maxCachedPages: number;
  private readonly handle: FileHandle;
  private readonly pages = new Map<number, Page>();
  /** Pages that may hold non-zero bytes on disk; null: unknown (a file found on disk), read them all. */
  private readonly written: Uint8Array | null;

  constructor(handle: FileHandle, sizeBytes: number, options: { maxCachedPages: number; fresh: boolean }) {
    this.handle = handle;
    this.sizeBytes = sizeBytes;
    this.maxCachedPages = Math.max(2, options.maxCachedPages);
    this.written = options.fresh ? new Uint8Array(Math.ceil(sizeBytes / PAGE_BYTES / 8)) : null;
  }

  get cachedPages(): number {
    return this.pages.size;
  }

  /** `length` bytes at `position` (copied; may span pages). */
  async read(position: number, length: number): Promise<Uint8Array> {
    this.checkRange(position, length);
    const out = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const at = position + done;
      const page = await this.page(Math.floor(at / PAGE_BYTES));
      const from = at % PAGE_BYTES;
      const n = Math.min(length - done, PAGE_BYTES - from);
      out.set(page.bytes.subarray(from, from + n), done);
      done += n;
    }
    return out;
  }

  /** Puts `bytes` at `position` into the cached pages (written out by `writeDirty` or eviction). */
  async write(position: number, bytes: Uint8Array): Promise<void> {
    this.checkRange(position, bytes.byteLength);
    for (let done = 0; done < bytes.byteLength;) {
      const at = position + done;
      const page = await this.page(Math.floor(at / PAGE_BYTES));
      const from = at % PAGE_BYTES;
      const n = Math.min(bytes.byteLength - done, PAGE_BYTES - from);
      page.bytes.set(bytes.subarray(done, done + n), from);
      page.dirty = true;
      done += n;
    }
  }

  /** Hands every dirty page to the OS (not fsync): the highest first, page 0 (the header) last. */
  writeDirty(): Promise<void> {
    return this.writeDirtyPages(true);
  }

  async sync(): Promise<void> {
    await this.writeDirty();
    await this.handle.sync();
  }

  async close(): Promise<void> {
    try {
      await this.writeDirty();
    } finally {
      this.pages.clear();
      await this.handle.close();
    }
  }

  private async page(number: number): Promise<Page> {
    const cached = this.pages.get(number);
    if (cached) {
      this.pages.delete(number); // most recently used goes to the end
      this.pages.set(number, cached);
      return cached;
    }
    await this.makeRoom();
    const bytes = new Uint8Array(Math.min(PAGE_BYTES, this.sizeBytes - number * PAGE_BYTES));
    if (this.mayHoldData(number)) {
      for (let done = 0; done < bytes.byteLength;) {
        const n = await this.handle.read(bytes.subarray(done), number * PAGE_BYTES + done);
        if (n === 0) break; // past the end of a short file: zeros
        done += n;
      }
    }
    const page = this.pages.get(number) ?? { bytes, dirty: false }; // loaded meanwhile by another caller
    this.pages.set(number, page);
    return page;
  }

  /**
   * Evicts least recently used pages until there is room. A dirty victim is never written alone:
   * every dirty page but the header's goes out first, in `writeDirty`'s order, so that on disk a
   * slot never points at an entry whose bytes are not there.
   */
  private async makeRoom(): Promise<void> {
    while (this.pages.size >= this.maxCachedPages) {
      let victim = -1;
      for (const number of this.pages.keys()) {
        if (number !== 0) {
          victim = number;
          break;
        }
      }
      if (victim < 0) return;
      if (this.pages.get(victim)!.dirty) await this.writeDirtyPages(false);
      else this.pages.delete(victim);
    }
  }

  /** Dirty pages from the highest page down (entries, then slots), and then page 0 when `header`. */
  private async writeDirtyPages(header: boolean): Promise<void> {
    const dirty = [...this.pages].filter(([number, page]) => page.dirty && (header || number !== 0)).map(([number]) => number);
    dirty.sort((a, b) => b - a);
    for (const number of dirty) {
      const page = this.pages.get(number);
      if (page?.dirty) this.writePage(number, page);
    }
  }

  /** One page to the OS at once (`writeNow`): a page write per indexed key made async round trips the slave's largest cost. */
  private writePage(number: number, page: Page): void {
    page.dirty = false;
    try {
      this.handle.writeNow(page.bytes, number * PAGE_BYTES);
    } catch (error) {
      page.dirty = true; // still cached (pages leave only clean): tried again at the next write-out
      throw error;
    }
    if (this.written) this.written[number >> 3] |= 1 << (number & 7);
  }

  private mayHoldData(number: number): boolean {
    return this.written === null || (this.written[number >> 3] & (1 << (number & 7))) !== 0;
  }

  private checkRange(position: number, length: number): void {
    if (!Number.isSafeInteger(position) || position < 0 || length < 0 || position + length > this.sizeBytes) {
      throw new SkiffError("STORE_SHORT_READ", `bytes [${position}, ${position + length}) lie outside the ${this.sizeBytes}-byte file`);
    }
  }
}
