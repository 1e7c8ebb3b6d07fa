/**
 * The segment files of one segmented log: their names (20-digit start offsets) in one directory,
 * each exactly `segmentSizeBytes` long (Java refuses a short segment), opened through a shared
 * bounded pool of handles (`file-handle-pool.ts`). Positions and caching are `segmented-log.ts`'s;
 * this file only lists, opens, reads, writes, syncs and removes files.
 */
import { SkiffError, fail } from "../core/errors.ts";
import { joinPath } from "../core/path.ts";
import type { FileHandle, FileStat, FileSystem } from "../core/platform.ts";
import { FileHandlePool } from "./file-handle-pool.ts";
import { parseSegmentName, segmentName, segmentStartOf } from "./segment-name.ts";

export class SegmentFiles {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly segmentSizeBytes: number;
  private readonly pool: FileHandlePool;
  private lastPathStart = -1;
  private lastPath = "";

  constructor(fs: FileSystem, dir: string, segmentSizeBytes: number, pool: FileHandlePool) {
    this.fs = fs;
    this.dir = dir;
    this.segmentSizeBytes = segmentSizeBytes;
    this.pool = pool;
  }

  /**
   * The segment starts found in `dir`, ascending. A zero-length last file is deleted (as RocketMQ 5
   * does); any other file of the wrong length or start is refused.
   */
  async list(): Promise<number[]> {
    await this.fs.mkdir(this.dir);
    const starts = (await this.fs.readdir(this.dir))
      .map((name) => parseSegmentName(name))
      .filter((s): s is number => s !== null)
      .sort((a, b) => a - b);
    const segments: number[] = [];
    for (const [i, start] of starts.entries()) {
      const path = this.pathOf(start);
      const stat = await this.fs.stat(path);
      if (stat?.size === 0 && i === starts.length - 1) {
        await this.fs.remove(path);
        continue;
      }
      if (stat?.size !== this.segmentSizeBytes || start % this.segmentSizeBytes !== 0) {
        throw new SkiffError(
          "STORE_SEGMENT_INVALID",
          `${path}: length ${stat?.size} or start does not match mappedFileSize ${this.segmentSizeBytes}; please check it manually`,
        );
      }
      segments.push(start);
    }
    return segments;
  }

  pathOf(segmentStart: number): string {
    // Every write and read names its segment's path: the last one is kept (appends hit one segment).
    if (segmentStart !== this.lastPathStart) {
      this.lastPath = joinPath(this.dir, segmentName(segmentStart));
      this.lastPathStart = segmentStart;
    }
    return this.lastPath;
  }

  /**
   * Fills `target` with the bytes at log offset `offset` (within one segment). A read never creates
   * its file: bytes it may read are written, so the file exists unless retention removed it.
   */
  async read(offset: number, target: Uint8Array): Promise<void> {
    const segmentStart = segmentStartOf(offset, this.segmentSizeBytes);
    await this.withHandle(segmentStart, { create: false }, async (handle) => {
      let done = 0;
      while (done < target.byteLength) {
        const n = await handle.read(target.subarray(done), offset - segmentStart + done);
        if (n === 0) throw new SkiffError("STORE_SHORT_READ", `${this.pathOf(segmentStart)} ended early`);
        done += n;
      }
    });
  }

  /** Writes `bytes` at log offset `offset` (within one segment), creating the segment if it is new. */
  write(offset: number, bytes: Uint8Array): Promise<void> {
    const segmentStart = segmentStartOf(offset, this.segmentSizeBytes);
    return this.withHandle(segmentStart, { create: true }, (h) => h.write(bytes, offset - segmentStart));
  }

  /** Reads `written` back from log offset `from` and asserts every byte matches (stress tests' verifyWrites). */
  async verifyWritten(from: number, written: Uint8Array): Promise<void> {
    const back = new Uint8Array(written.byteLength);
    await this.read(from, back);
    for (let i = 0; i < back.byteLength; i++) if (back[i] !== written[i]) fail(`byte ${from + i} read back differs from the byte written`);
  }

  sync(segmentStart: number): Promise<void> {
    return this.withHandle(segmentStart, { create: true }, (h) => h.sync());
  }

  /** Cuts the segment at `offset` and zero-fills it back to full length, durably. */
  async zeroFrom(segmentStart: number, offset: number): Promise<void> {
    await this.withHandle(segmentStart, { create: true }, async (handle) => {
      await handle.truncate(offset - segmentStart);
      await handle.truncate(this.segmentSizeBytes);
      await handle.sync();
    });
  }

  /** The segment file's size and modification time; null when it does not exist. */
  stat(segmentStart: number): Promise<FileStat | null> {
    return this.fs.stat(this.pathOf(segmentStart));
  }

  /** Closes the segment's pooled handle (a read still using it keeps it open until done) and deletes the file. */
  async remove(segmentStart: number): Promise<void> {
    await this.pool.close(this.pathOf(segmentStart));
    await this.fs.remove(this.pathOf(segmentStart));
  }

  syncDirectory(): Promise<void> {
    return this.fs.syncDirectory(this.dir);
  }

  /** Closes every handle this log has open. */
  closeAll(): Promise<void> {
    return this.pool.closeUnder(this.pathOf(0).slice(0, -20));
  }

  /** Runs `use` with the segment's open handle (from the pool), creating the file if it is new and `create`. */
  private withHandle<T>(segmentStart: number, options: { create: boolean }, use: (handle: FileHandle) => Promise<T>): Promise<T> {
    return this.pool.use(this.pathOf(segmentStart), () => this.openSegment(segmentStart, options.create), use);
  }

  private async openSegment(segmentStart: number, create: boolean): Promise<FileHandle> {
    const handle = await this.fs.open(this.pathOf(segmentStart), { create });
    try {
      if ((await handle.size()) !== this.segmentSizeBytes) {
        await handle.truncate(this.segmentSizeBytes);
        await handle.sync(); // the length must survive a power loss: Java refuses a short segment
        await this.fs.syncDirectory(this.dir);
      }
      return handle;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }
}
