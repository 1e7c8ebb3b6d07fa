/**
 * The `FileSystem` port over `node:fs/promises`.
 *
 * Positional I/O is `FileHandle.read`/`write` with an explicit position (pread/pwrite), so
 * concurrent calls at different offsets on one handle are safe. Files are opened with numeric
 * flags because no string flag means "read-write, create, never truncate, not append" (`a+`
 * would make Linux ignore the position of every write). Buffers that Node hands back are
 * re-wrapped as plain `Uint8Array`s, so the core never meets `Buffer.slice`'s view semantics.
 *
 * Bun and Deno re-export this file: under both, `node:fs/promises` has positional I/O (Deno's
 * own `FsFile` has none), the same error codes, and fsync of a directory opened read-only.
 */
import * as fsp from "node:fs/promises";
import { constants, readSync, writeSync } from "node:fs";
import type { DiskSpace, FileHandle, FileStat, FileSystem, OpenOptions } from "../../src/core/platform.ts";

function openFlags(options: OpenOptions): number {
  if (options.readOnly) return constants.O_RDONLY;
  let flags = constants.O_RDWR;
  if (options.create || options.exclusive) flags |= constants.O_CREAT;
  if (options.exclusive) flags |= constants.O_EXCL;
  return flags;
}

function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function isAbsent(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/**
 * Writes up to this size are done on the calling thread (`writeNow`) even through `write`: into
 * the OS page cache they take a few µs, while an async write's thread-pool round trip took 18–163
 * µs on these runtimes (measured for 4 KiB) and was the largest CPU cost of a loaded slave
 * (commit-log appends, consume-queue entries). Larger writes (catch-up, big batches) stay async.
 */
const SMALL_WRITE_BYTES = 64 * 1024;

class NodeFileHandle implements FileHandle {
  readonly #handle: fsp.FileHandle;

  constructor(handle: fsp.FileHandle) {
    this.#handle = handle;
  }

  async read(target: Uint8Array, position: number): Promise<number> {
    if (target.byteLength === 0) return 0;
    const { bytesRead } = await this.#handle.read(target, 0, target.byteLength, position);
    return bytesRead;
  }

  readNow(target: Uint8Array, position: number): number {
    if (target.byteLength === 0) return 0;
    return readSync(this.#handle.fd, target, 0, target.byteLength, position);
  }

  async write(source: Uint8Array, position: number): Promise<void> {
    if (source.byteLength <= SMALL_WRITE_BYTES) return this.writeNow(source, position);
    let doneBytes = 0;
    while (doneBytes < source.byteLength) {
      const remaining = source.byteLength - doneBytes;
      const { bytesWritten } = await this.#handle.write(source, doneBytes, remaining, position + doneBytes);
      if (bytesWritten <= 0) throw Object.assign(new Error("write made no progress"), { code: "EIO" });
      doneBytes += bytesWritten;
    }
  }

  writeNow(source: Uint8Array, position: number): void {
    let doneBytes = 0;
    while (doneBytes < source.byteLength) {
      const bytesWritten = writeSync(this.#handle.fd, source, doneBytes, source.byteLength - doneBytes, position + doneBytes);
      if (bytesWritten <= 0) throw Object.assign(new Error("write made no progress"), { code: "EIO" });
      doneBytes += bytesWritten;
    }
  }

  sync(): Promise<void> {
    return this.#handle.sync();
  }

  truncate(sizeBytes: number): Promise<void> {
    return this.#handle.truncate(sizeBytes);
  }

  async size(): Promise<number> {
    return (await this.#handle.stat()).size;
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}

export const fileSystem: FileSystem = {
  async open(path: string, options: OpenOptions = {}): Promise<FileHandle> {
    return new NodeFileHandle(await fsp.open(path, openFlags(options)));
  },

  async readFile(path: string): Promise<Uint8Array> {
    return plain(await fsp.readFile(path));
  },

  writeFile(path: string, data: Uint8Array): Promise<void> {
    return fsp.writeFile(path, data);
  },

  async stat(path: string): Promise<FileStat | null> {
    try {
      const stats = await fsp.stat(path);
      return { size: stats.size, isFile: stats.isFile(), isDirectory: stats.isDirectory(), mtimeMs: Math.floor(stats.mtimeMs) };
    } catch (error) {
      if (isAbsent(error)) return null;
      throw error;
    }
  },

  readdir(path: string): Promise<string[]> {
    return fsp.readdir(path);
  },

  async mkdir(path: string): Promise<void> {
    await fsp.mkdir(path, { recursive: true });
  },

  rename(from: string, to: string): Promise<void> {
    return fsp.rename(from, to);
  },

  remove(path: string): Promise<void> {
    return fsp.rm(path, { recursive: true, force: true });
  },

  async syncDirectory(path: string): Promise<void> {
    const handle = await fsp.open(path, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },

  async diskSpace(path: string): Promise<DiskSpace | null> {
    try {
      const s = await fsp.statfs(path);
      return { totalBytes: s.blocks * s.bsize, freeBytes: s.bfree * s.bsize, usableBytes: s.bavail * s.bsize };
    } catch (error) {
      if (isAbsent(error)) return null;
      throw error;
    }
  },
};
