/**
 * The in-memory tail of a segmented log: fixed-size blocks that hold every byte not yet handed to
 * the OS, plus a bounded number of recently written blocks so that fresh data (HA frames, pulls by
 * consumers that keep up) is served without a disk read.
 *
 * Blocks are aligned to their segment: block `k` of the segment starting at `S` covers
 * `[S + k*B, min(S + (k+1)*B, S + segmentSize))`, so a block never spans two segments.
 * Each block knows which part of it is valid (`validFrom`..`validTo`): after a restart the first
 * append lands mid-block, and the bytes before it live only in the file.
 */
import { assert } from "../core/errors.ts";

export interface Block {
  readonly start: number;
  readonly bytes: Uint8Array;
  validFrom: number;
  validTo: number;
}

export class BlockCache {
  private readonly blocks = new Map<number, Block>();
  readonly segmentSizeBytes: number;
  readonly blockSizeBytes: number;
  private readonly keepWrittenBlocks: number;

  constructor(segmentSizeBytes: number, blockSizeBytes: number, keepWrittenBlocks: number) {
    this.segmentSizeBytes = segmentSizeBytes;
    this.blockSizeBytes = blockSizeBytes;
    this.keepWrittenBlocks = keepWrittenBlocks;
    assert(blockSizeBytes > 0 && keepWrittenBlocks >= 1, "block cache sizes must be positive");
  }

  blockStartOf(offset: number): number {
    const segmentStart = offset - (offset % this.segmentSizeBytes);
    return segmentStart + Math.floor((offset - segmentStart) / this.blockSizeBytes) * this.blockSizeBytes;
  }

  blockEndOf(offset: number): number {
    const segmentEnd = offset - (offset % this.segmentSizeBytes) + this.segmentSizeBytes;
    return Math.min(this.blockStartOf(offset) + this.blockSizeBytes, segmentEnd);
  }

  /** The block that holds `offset`, if cached. */
  get(offset: number): Block | undefined {
    return this.blocks.get(this.blockStartOf(offset));
  }

  /** Copies `bytes` (which must not cross a segment end) into blocks starting at `offset`. */
  write(offset: number, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.byteLength) {
      const at = offset + done;
      const block = this.getOrCreate(at);
      const n = Math.min(bytes.byteLength - done, block.start + block.bytes.byteLength - at);
      block.bytes.set(done === 0 && n === bytes.byteLength ? bytes : bytes.subarray(done, done + n), at - block.start); // no view made for the usual whole write
      if (block.validTo !== at) block.validFrom = at; // first write into a fresh or truncated block
      block.validTo = at + n;
      done += n;
    }
  }

  /**
   * Lets `fill` write the `length` bytes at `offset` into `target[at, at + length)`: straight into
   * the block when one block holds them all (no copy), else into a buffer of their own that is then
   * copied in (`write`). They become valid only once `fill` returns: one that throws leaves the
   * cache as it was.
   */
  fill(offset: number, length: number, fill: (target: Uint8Array, at: number) => void): void {
    const block = this.getOrCreate(offset);
    const at = offset - block.start;
    if (at + length > block.bytes.byteLength) {
      const bytes = new Uint8Array(length);
      fill(bytes, 0);
      this.write(offset, bytes);
      return;
    }
    fill(block.bytes, at);
    if (block.validTo !== offset) block.validFrom = offset; // first write into a fresh or truncated block
    block.validTo = offset + length;
  }

  /** Copies the cached bytes of `[offset, offset+length)` into `target` if all are valid here. */
  readInto(offset: number, target: Uint8Array): boolean {
    let done = 0;
    while (done < target.byteLength) {
      const at = offset + done;
      const block = this.get(at);
      if (!block || at < block.validFrom || at >= block.validTo) return false;
      const n = Math.min(target.byteLength - done, block.validTo - at);
      target.set(block.bytes.subarray(at - block.start, at - block.start + n), done);
      done += n;
    }
    return true;
  }

  /** A view (no copy) of `[offset, offset+length)` when one cached block holds it all. */
  view(offset: number, length: number): Uint8Array | null {
    const block = this.get(offset);
    if (!block || offset < block.validFrom || offset + length > block.validTo) return null;
    return block.bytes.subarray(offset - block.start, offset - block.start + length);
  }

  /** Drops every byte at or beyond `offset`. */
  truncate(offset: number): void {
    for (const block of [...this.blocks.values()]) {
      if (block.start >= offset || block.validFrom >= offset) this.blocks.delete(block.start);
      else if (block.validTo > offset) {
        block.bytes.fill(0, offset - block.start);
        block.validTo = offset;
      }
    }
  }

  /** Forgets written blocks beyond the newest `keepWrittenBlocks`; unwritten ones always stay. */
  evict(writtenOffset: number): void {
    let excess = this.blocks.size - this.keepWrittenBlocks;
    if (excess <= 0) return;
    const byAge = [...this.blocks.values()].sort((a, b) => a.start - b.start);
    for (const block of byAge) {
      if (excess <= 0 || block.validTo > writtenOffset) break;
      this.blocks.delete(block.start);
      excess--;
    }
  }

  /** Forgets every block below `offset` (retention removed those bytes; all of them are written). */
  dropBelow(offset: number): void {
    for (const block of [...this.blocks.values()]) {
      if (block.start >= offset) continue;
      assert(block.validTo <= offset, "a dropped block lies wholly below the new start");
      this.blocks.delete(block.start);
    }
  }

  get size(): number {
    return this.blocks.size;
  }

  private getOrCreate(offset: number): Block {
    const start = this.blockStartOf(offset);
    let block = this.blocks.get(start);
    if (!block) {
      block = { start, bytes: new Uint8Array(this.blockEndOf(offset) - start), validFrom: offset, validTo: offset };
      this.blocks.set(start, block);
    }
    return block;
  }
}
