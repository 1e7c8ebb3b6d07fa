/**
 * Open file handles shared by many segmented logs, least recently used closed first, so that a
 * store with thousands of consume queues stays within a fixed number of open files. A handle in
 * use is never closed under its user; one asked to close while in use closes when released.
 * Every handle leaves the pool closed: after LRU trimming, `close`, or a failed use.
 */
import type { FileHandle } from "../core/platform.ts";

interface Entry {
  readonly handle: Promise<FileHandle>;
  users: number;
  doomed: boolean;
}

export class FileHandlePool {
  private readonly entries = new Map<string, Entry>();
  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity);
  }

  get openCount(): number {
    return this.entries.size;
  }

  /** Runs `use` with the handle of `path`, opening it with `open` when not already open. */
  async use<T>(path: string, open: () => Promise<FileHandle>, use: (handle: FileHandle) => Promise<T>): Promise<T> {
    let entry = this.entries.get(path);
    if (entry && !entry.doomed) {
      this.entries.delete(path); // re-insert: most recently used last
      this.entries.set(path, entry);
    } else {
      entry = { handle: open(), users: 0, doomed: false };
      this.entries.set(path, entry);
    }
    entry.users++;
    try {
      return await use(await entry.handle);
    } catch (error) {
      // A failed open, or a handle whose write failed (ENOSPC, EIO), must not stay cached: the last
      // user out closes it (a handle dropped unclosed is closed by the garbage collector, which
      // Bun treats as a fatal error).
      if (this.entries.get(path) === entry) this.entries.delete(path);
      entry.doomed = true;
      throw error;
    } finally {
      entry.users--;
      if (entry.doomed && entry.users === 0) await closeQuietly(entry);
      await this.trim();
    }
  }

  /** Closes the handle of `path` (now, or when its last user is done). */
  async close(path: string): Promise<void> {
    const entry = this.entries.get(path);
    if (!entry) return;
    this.entries.delete(path);
    entry.doomed = true;
    if (entry.users === 0) await closeQuietly(entry);
  }

  /** Closes every handle whose path starts with `prefix`. */
  async closeUnder(prefix: string): Promise<void> {
    for (const path of [...this.entries.keys()]) if (path.startsWith(prefix)) await this.close(path);
  }

  private async trim(): Promise<void> {
    if (this.entries.size <= this.capacity) return;
    for (const [path, entry] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      if (entry.users === 0) await this.close(path);
    }
  }
}

async function closeQuietly(entry: Entry): Promise<void> {
  try {
    await (await entry.handle).close();
  } catch {
    // already closed, or the open failed: nothing left to release
  }
}
