/**
 * An in-memory file system for deterministic tests of the store: recovery, torn writes and
 * failed fsyncs, with no disk and no timing.
 *
 * Every file keeps two images: `live` (what the process sees — the page cache) and `durable`
 * (what an fsync has made safe). Two kinds of crash can be simulated:
 * - `crashProcess()`: the process dies (SIGKILL); the page cache survives, so every completed write
 *   survives. Writes still in flight are lost. This is what an end-to-end SIGKILL test checks.
 * - `crashPower({ keepUnsyncedBytes })`: the machine loses power; each file falls back to its
 *   durable image, optionally keeping a prefix of unsynced bytes to model a torn write.
 * Faults: `failSync(path)` makes the next fsync of that file reject with EIO.
 * Names (creates, renames, removes) are treated as durable at once; the store fsyncs directories
 * anyway, but this fake does not model lost directory entries.
 */
import type { FileHandle, FileStat, FileSystem, OpenOptions } from "../../src/core/platform.ts";

interface Node {
  live: Uint8Array;
  liveSize: number;
  durable: Uint8Array;
}

function fsError(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

function normalise(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return "/" + parts.join("/");
}

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export class MemoryFileSystem implements FileSystem {
  private readonly files = new Map<string, Node>();
  private readonly dirs = new Set<string>(["/"]);
  private readonly failingSyncs = new Set<string>();
  /** Number of fsyncs performed (files and directories), for group-commit tests. */
  syncCount = 0;

  async open(path: string, options: OpenOptions = {}): Promise<FileHandle> {
    const p = normalise(path);
    let node = this.files.get(p);
    if (node && options.exclusive) throw fsError("EEXIST", p);
    if (!node) {
      if (!options.create && !options.exclusive) throw fsError("ENOENT", p);
      if (!this.dirs.has(parentOf(p))) throw fsError("ENOENT", parentOf(p));
      node = { live: new Uint8Array(0), liveSize: 0, durable: new Uint8Array(0) };
      this.files.set(p, node);
    }
    return new MemoryFileHandle(this, p, options.readOnly ?? false);
  }

  async readFile(path: string): Promise<Uint8Array> {
    const node = this.node(path);
    return node.live.slice(0, node.liveSize);
  }

  async writeFile(path: string, data: Uint8Array): Promise<void> {
    const handle = await this.open(path, { create: true });
    await handle.truncate(0);
    await handle.write(data, 0);
    await handle.close();
  }

  async stat(path: string): Promise<FileStat | null> {
    const p = normalise(path);
    if (this.dirs.has(p)) return { size: 0, isFile: false, isDirectory: true };
    const node = this.files.get(p);
    return node ? { size: node.liveSize, isFile: true, isDirectory: false } : null;
  }

  async readdir(path: string): Promise<string[]> {
    const p = normalise(path);
    if (!this.dirs.has(p)) throw fsError("ENOENT", p);
    const prefix = p === "/" ? "/" : p + "/";
    const names = new Set<string>();
    for (const entry of [...this.files.keys(), ...this.dirs]) {
      if (entry.startsWith(prefix) && entry !== p) names.add(entry.slice(prefix.length).split("/")[0]);
    }
    return [...names].sort();
  }

  async mkdir(path: string): Promise<void> {
    let p = normalise(path);
    while (p !== "/") {
      if (this.files.has(p)) throw fsError("EEXIST", p);
      this.dirs.add(p);
      p = parentOf(p);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const node = this.node(from);
    const target = normalise(to);
    if (!this.dirs.has(parentOf(target))) throw fsError("ENOENT", parentOf(target));
    this.files.delete(normalise(from));
    this.files.set(target, node);
  }

  async remove(path: string): Promise<void> {
    const p = normalise(path);
    this.files.delete(p);
    const prefix = p + "/";
    for (const f of [...this.files.keys()]) if (f.startsWith(prefix)) this.files.delete(f);
    for (const d of [...this.dirs]) if (d === p || d.startsWith(prefix)) this.dirs.delete(d);
    this.dirs.add("/");
  }

  async syncDirectory(path: string): Promise<void> {
    if (!this.dirs.has(normalise(path))) throw fsError("ENOENT", path);
    this.syncCount++;
  }

  /** The next fsync of `path` rejects with EIO (and makes nothing durable). */
  failSync(path: string): void {
    this.failingSyncs.add(normalise(path));
  }

  /** SIGKILL: completed writes are in the page cache and survive. Nothing to do to the data. */
  crashProcess(): void {}

  /**
   * Power loss: every file falls back to what fsync made durable (its length included), plus
   * `keepUnsyncedBytes` of the unsynced bytes from the first byte that differs (a torn write).
   */
  crashPower(options: { keepUnsyncedBytes?: number } = {}): void {
    for (const node of this.files.values()) {
      const live = node.live.subarray(0, node.liveSize);
      let first = 0;
      while (first < live.length && first < node.durable.length && live[first] === node.durable[first]) first++;
      const keepEnd = Math.min(live.length, first + (options.keepUnsyncedBytes ?? 0));
      const image = new Uint8Array(Math.max(keepEnd, node.durable.length));
      image.set(node.durable);
      image.set(live.subarray(first, keepEnd), first);
      node.live = image;
      node.liveSize = image.length;
      node.durable = image.slice();
    }
  }

  /**
   * Power loss of a machine whose old process must not touch the disk again: a new file system
   * holding what `crashPower` would leave, while this one (still used by the dead process's
   * objects) is left as it is.
   */
  afterPowerLoss(options: { keepUnsyncedBytes?: number } = {}): MemoryFileSystem {
    const copy = new MemoryFileSystem();
    for (const dir of this.dirs) copy.dirs.add(dir);
    for (const [path, node] of this.files) {
      copy.files.set(path, { live: node.live.slice(0, node.liveSize), liveSize: node.liveSize, durable: node.durable.slice() });
    }
    copy.crashPower(options);
    return copy;
  }

  /** Every file and directory path that exists, sorted (tests check nothing lies outside a root). */
  paths(): string[] {
    return [...new Set([...this.dirs, ...this.files.keys()])].sort();
  }

  /** Test access to a file's bytes as the process sees them. */
  bytes(path: string): Uint8Array {
    const node = this.node(path);
    return node.live.subarray(0, node.liveSize);
  }

  node(path: string): Node {
    const node = this.files.get(normalise(path));
    if (!node) throw fsError("ENOENT", normalise(path));
    return node;
  }

  takeSyncFailure(path: string): boolean {
    return this.failingSyncs.delete(path);
  }
}

class MemoryFileHandle implements FileHandle {
  private open = true;
  private readonly fs: MemoryFileSystem;
  private readonly path: string;
  private readonly readOnly: boolean;

  constructor(fs: MemoryFileSystem, path: string, readOnly: boolean) {
    this.fs = fs;
    this.path = path;
    this.readOnly = readOnly;
  }

  async read(target: Uint8Array, position: number): Promise<number> {
    const node = this.check();
    if (position >= node.liveSize) return 0;
    const n = Math.min(target.byteLength, node.liveSize - position);
    target.set(node.live.subarray(position, position + n));
    return n;
  }

  async write(source: Uint8Array, position: number): Promise<void> {
    const node = this.check();
    if (this.readOnly) throw fsError("EBADF", `${this.path} is open read-only`);
    const end = position + source.byteLength;
    ensureCapacity(node, end);
    node.live.set(source, position);
    node.liveSize = Math.max(node.liveSize, end);
  }

  async sync(): Promise<void> {
    const node = this.check();
    this.fs.syncCount++;
    if (this.fs.takeSyncFailure(this.path)) throw fsError("EIO", `fsync of ${this.path} failed`);
    node.durable = node.live.slice(0, node.liveSize);
  }

  async truncate(sizeBytes: number): Promise<void> {
    const node = this.check();
    ensureCapacity(node, sizeBytes);
    node.live.fill(0, sizeBytes);
    node.liveSize = sizeBytes;
  }

  async size(): Promise<number> {
    return this.check().liveSize;
  }

  async close(): Promise<void> {
    this.open = false;
  }

  private check(): Node {
    if (!this.open) throw fsError("EBADF", `${this.path} is closed`);
    return this.fs.node(this.path);
  }
}

function ensureCapacity(node: Node, size: number): void {
  if (node.live.length >= size) return;
  const grown = new Uint8Array(Math.max(size, node.live.length * 2, 4096));
  grown.set(node.live.subarray(0, node.liveSize));
  node.live = grown;
}
