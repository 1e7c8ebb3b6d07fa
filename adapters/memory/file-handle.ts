/**
 * An open file of the in-memory file system (fs.ts): reads, writes, fsync and truncation on the
 * file's two images (`live`, the page cache; `durable`, what fsync made safe), with the faults the
 * file system injects (holds, failing writes and fsyncs, a full disk). A handle holds the file, not
 * its name, so it keeps working after the path is removed or replaced, as on POSIX.
 */
import type { FileHandle } from "../../src/core/platform.ts";

/** One file's bytes. */
export interface FileNode {
  /** Wall-clock ms of the last write or truncation. */
  mtimeMs: number;
  live: Uint8Array;
  liveSize: number;
  durable: Uint8Array;
  /** Bytes that take space: up to the last byte written (a sparse truncate takes none). */
  usedBytes: number;
}

export type HeldOp = "read" | "write" | "sync";

/** What a handle needs from its file system: fault injection and bookkeeping. */
export interface HandleHost {
  syncCount: number;
  openHandles: number;
  passHolds(op: HeldOp, path: string): Promise<void>;
  writesFailUnder(path: string): boolean;
  spaceFor(wanted: number): number;
  modifiedNow(): number;
  takeSyncFailure(path: string): boolean;
  trackHandle(node: FileNode, delta: 1 | -1): void;
}

export function fsError(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

export class MemoryFileHandle implements FileHandle {
  private open = true;
  private readonly fs: HandleHost;
  private readonly path: string;
  /** The file itself, not its name: a handle keeps working after the path is removed (POSIX). */
  private readonly node: FileNode;
  private readonly readOnly: boolean;

  constructor(fs: HandleHost, path: string, node: FileNode, readOnly: boolean) {
    this.fs = fs;
    this.path = path;
    this.node = node;
    this.readOnly = readOnly;
    fs.trackHandle(node, 1);
  }

  async read(target: Uint8Array, position: number): Promise<number> {
    await this.fs.passHolds("read", this.path);
    return this.readNow(target, position);
  }

  /** `read` without its holds. */
  readNow(target: Uint8Array, position: number): number {
    const node = this.check();
    if (position >= node.liveSize) return 0;
    const n = Math.min(target.byteLength, node.liveSize - position);
    target.set(node.live.subarray(position, position + n));
    return n;
  }

  async write(source: Uint8Array, position: number): Promise<void> {
    await this.fs.passHolds("write", this.path);
    this.writeNow(source, position);
  }

  /** `write` without its holds (a hold needs a promise to keep waiting on). */
  writeNow(source: Uint8Array, position: number): void {
    const node = this.check();
    if (this.readOnly) throw fsError("EBADF", `${this.path} is open read-only`);
    if (this.fs.writesFailUnder(this.path)) throw fsError("EIO", `write to ${this.path} failed`);
    const growth = Math.max(0, position + source.byteLength - node.usedBytes);
    const allowed = Math.max(0, source.byteLength - (growth - this.fs.spaceFor(growth)));
    const end = position + allowed;
    ensureCapacity(node, end);
    node.live.set(source.subarray(0, allowed), position);
    node.liveSize = Math.max(node.liveSize, end);
    node.usedBytes = Math.max(node.usedBytes, end);
    node.mtimeMs = this.fs.modifiedNow();
    if (allowed < source.byteLength) throw fsError("ENOSPC", `no space left on device writing ${this.path}`);
  }

  async sync(): Promise<void> {
    await this.fs.passHolds("sync", this.path);
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
    node.usedBytes = Math.min(node.usedBytes, sizeBytes);
    node.mtimeMs = this.fs.modifiedNow();
  }

  async size(): Promise<number> {
    return this.check().liveSize;
  }

  async close(): Promise<void> {
    if (this.open) {
      this.fs.openHandles--;
      this.fs.trackHandle(this.node, -1);
    }
    this.open = false;
  }

  private check(): FileNode {
    if (!this.open) throw fsError("EBADF", `${this.path} is closed`);
    return this.node;
  }
}

function ensureCapacity(node: FileNode, size: number): void {
  if (node.live.length >= size) return;
  const grown = new Uint8Array(Math.max(size, node.live.length * 2, 4096));
  grown.set(node.live.subarray(0, node.liveSize));
  node.live = grown;
}
