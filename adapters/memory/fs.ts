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
 * Faults: `failSync(path)` makes the next fsync of that file reject with EIO; `limitSpace(bytes)`
 * makes a write that would take the bytes held by all files past the limit write what fits and
 * reject with ENOSPC (a full disk; truncating up is sparse and takes no space); `failWrites(prefix)`
 * makes every write under `prefix` reject with EIO until `stopFailingWrites()`; `hold("read" |
 * "write" | "sync", prefix)` parks those calls until the test lets them go, one by one or all (a
 * slow disk, for races between a reader and the writer, or a flush and a truncation).
 * Names (creates, renames, removes) are treated as durable at once; the store fsyncs directories
 * anyway, but this fake does not model lost directory entries.
 *
 * As on POSIX, an open handle keeps its file: after `remove` (or `rename`) it still reads and
 * writes the same bytes, which no path names any more. Modification times (`stat().mtimeMs`) come
 * from the clock given to `useClock` (the platform's ManualClock; 0 without one): a write or a
 * truncation sets them, so retention tests age segments by moving simulated time.
 */
import type { DiskSpace, FileHandle, FileStat, FileSystem, OpenOptions } from "../../src/core/platform.ts";
import { fsError, MemoryFileHandle, type FileNode, type HandleHost, type HeldOp } from "./file-handle.ts";

/** The size `diskSpace` reports while no `limitSpace` is set. */
const NOMINAL_DISK_BYTES = 2 ** 40;

/** Calls parked by `hold`: `step()` lets the oldest one go, `release()` all, now and later. */
export interface Hold {
  readonly waiting: number;
  step(): void;
  release(): void;
}

interface HoldState {
  readonly op: HeldOp;
  readonly prefix: string;
  readonly parked: Array<() => void>;
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

export class MemoryFileSystem implements FileSystem, HandleHost {
  private readonly files = new Map<string, FileNode>();
  private readonly dirs = new Set<string>(["/"]);
  private readonly failingSyncs = new Set<string>();
  private readonly holds = new Set<HoldState>();
  private spaceLimitBytes: number | null = null;
  private failingWritePrefix: string | null = null;
  /** Number of fsyncs performed (files and directories), for group-commit tests. */
  syncCount = 0;
  /** Handles opened and not closed yet (every error path must close its handle). */
  openHandles = 0;
  private now: () => number = () => 0;
  private clockSet = false;
  /** Open handles per file; a file no path names any more (removed, replaced) keeps its bytes while one is open. */
  private readonly handleCounts = new Map<FileNode, number>();
  private readonly orphans = new Set<FileNode>();

  /** Modification times from now on are `clock.now()` (createMemoryPlatform passes its clock). */
  useClock(clock: { now(): number }): void {
    this.now = () => clock.now();
    this.clockSet = true;
  }

  /** Whether `useClock` was called. */
  get hasClock(): boolean {
    return this.clockSet;
  }

  async open(path: string, options: OpenOptions = {}): Promise<FileHandle> {
    const p = normalise(path);
    let node = this.files.get(p);
    if (node && options.exclusive) throw fsError("EEXIST", p);
    if (!node) {
      if (!options.create && !options.exclusive) throw fsError("ENOENT", p);
      if (!this.dirs.has(parentOf(p))) throw fsError("ENOENT", parentOf(p));
      node = { mtimeMs: this.now(), live: new Uint8Array(0), liveSize: 0, durable: new Uint8Array(0), usedBytes: 0 };
      this.files.set(p, node);
    }
    this.openHandles++;
    return new MemoryFileHandle(this, p, node, options.readOnly ?? false);
  }

  async readFile(path: string): Promise<Uint8Array> {
    const node = this.node(path);
    return node.live.slice(0, node.liveSize);
  }

  async writeFile(path: string, data: Uint8Array): Promise<void> {
    const handle = await this.open(path, { create: true });
    try {
      await handle.truncate(0);
      await handle.write(data, 0);
    } finally {
      await handle.close();
    }
  }

  async stat(path: string): Promise<FileStat | null> {
    const p = normalise(path);
    if (this.dirs.has(p)) return { size: 0, isFile: false, isDirectory: true, mtimeMs: 0 };
    const node = this.files.get(p);
    return node ? { size: node.liveSize, isFile: true, isDirectory: false, mtimeMs: node.mtimeMs } : null;
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
    this.orphan(this.files.get(target));
    this.files.set(target, node);
  }

  async remove(path: string): Promise<void> {
    const p = normalise(path);
    this.orphan(this.files.get(p));
    this.files.delete(p);
    const prefix = p + "/";
    for (const f of [...this.files.keys()]) {
      if (!f.startsWith(prefix)) continue;
      this.orphan(this.files.get(f));
      this.files.delete(f);
    }
    for (const d of [...this.dirs]) if (d === p || d.startsWith(prefix)) this.dirs.delete(d);
    this.dirs.add("/");
  }

  async syncDirectory(path: string): Promise<void> {
    if (!this.dirs.has(normalise(path))) throw fsError("ENOENT", path);
    this.syncCount++;
  }

  /** One disk for every path: `limitSpace`'s size, else a nominal 1 TiB; nothing reserved for root. */
  async diskSpace(path: string): Promise<DiskSpace | null> {
    if ((await this.stat(path)) === null) return null;
    const totalBytes = this.spaceLimitBytes ?? NOMINAL_DISK_BYTES;
    const free = Math.max(0, totalBytes - this.usedBytes);
    return { totalBytes, freeBytes: free, usableBytes: free };
  }

  /** The next fsync of `path` rejects with EIO (and makes nothing durable). */
  failSync(path: string): void {
    this.failingSyncs.add(normalise(path));
  }

  /** From now on the files may hold at most `bytes` in all (null: no limit). */
  limitSpace(bytes: number | null): void {
    this.spaceLimitBytes = bytes;
  }

  /** Bytes the files hold now (what `limitSpace` counts); a removed file still open keeps its bytes until closed, as on a disk. */
  get usedBytes(): number {
    let used = 0;
    for (const node of this.files.values()) used += node.usedBytes;
    for (const node of this.orphans) used += node.usedBytes;
    return used;
  }

  /** Called by a handle as it opens (+1) and closes (-1): an orphan's bytes are freed with its last handle. */
  trackHandle(node: FileNode, delta: 1 | -1): void {
    const count = (this.handleCounts.get(node) ?? 0) + delta;
    if (count > 0) {
      this.handleCounts.set(node, count);
      return;
    }
    this.handleCounts.delete(node);
    this.orphans.delete(node);
  }

  /** Wall-clock ms for a modification now. */
  modifiedNow(): number {
    return this.now();
  }

  /** A file that no path names any more: its bytes stay taken while a handle holds it, as on a disk. */
  private orphan(node: FileNode | undefined): void {
    if (node && this.handleCounts.has(node)) this.orphans.add(node);
  }

  /** Every write to a file under `prefix` rejects with EIO (nothing written) until `stopFailingWrites()`. */
  failWrites(prefix: string): void {
    this.failingWritePrefix = normalise(prefix);
  }

  stopFailingWrites(): void {
    this.failingWritePrefix = null;
  }

  /** Parks every later `op` on a file under `prefix` until `step()`/`release()` lets it run. */
  hold(op: HeldOp, prefix = "/"): Hold {
    const state: HoldState = { op, prefix: normalise(prefix), parked: [] };
    this.holds.add(state);
    return {
      get waiting() {
        return state.parked.length;
      },
      step: () => state.parked.shift()?.(),
      release: () => {
        this.holds.delete(state);
        for (const run of state.parked.splice(0)) run();
      },
    };
  }

  /** Waits while a hold covers `op` on `path` (called by handles before they act). */
  async passHolds(op: HeldOp, path: string): Promise<void> {
    for (const state of this.holds) {
      if (state.op === op && path.startsWith(state.prefix)) {
        await new Promise<void>((resolve) => state.parked.push(resolve));
        return;
      }
    }
  }

  /** How many of `wanted` more bytes the space limit allows (all of them without a limit). */
  spaceFor(wanted: number): number {
    return this.spaceLimitBytes === null ? wanted : Math.max(0, Math.min(wanted, this.spaceLimitBytes - this.usedBytes));
  }

  writesFailUnder(path: string): boolean {
    return this.failingWritePrefix !== null && path.startsWith(this.failingWritePrefix);
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
      node.usedBytes = Math.min(node.usedBytes, node.liveSize);
    }
  }

  /**
   * Power loss of a machine whose old process must not touch the disk again: a new file system
   * holding what `crashPower` would leave, while this one (still used by the dead process's
   * objects) is left as it is.
   */
  afterPowerLoss(options: { keepUnsyncedBytes?: number } = {}): MemoryFileSystem {
    const copy = new MemoryFileSystem();
    copy.now = this.now;
    copy.clockSet = this.clockSet;
    for (const dir of this.dirs) copy.dirs.add(dir);
    for (const [path, node] of this.files) {
      copy.files.set(path, { mtimeMs: node.mtimeMs, live: node.live.slice(0, node.liveSize), liveSize: node.liveSize, durable: node.durable.slice(), usedBytes: node.usedBytes });
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

  node(path: string): FileNode {
    const node = this.files.get(normalise(path));
    if (!node) throw fsError("ENOENT", normalise(path));
    return node;
  }

  takeSyncFailure(path: string): boolean {
    return this.failingSyncs.delete(path);
  }
}
