/**
 * The back end of a segmented log's retention (segmented-log.ts `retireFirstSegment`): the reads
 * running on each segment's file (pins, RocketMQ's reference count on a mapped file), and the one
 * segment taken out of the log whose file is not deleted yet.
 *
 * A read pins its segment while it waits for the file; `whenUnread` resolves once the reads that
 * had started on a retired segment are done, and `remove` deletes its file (a read still holding
 * it finishes on its open handle, as on POSIX). At most one segment is retired at a time: the log
 * retires no other before this one's file is gone, and a truncation or reset removes it first.
 * Only segments with a read running have a pin entry: nothing is kept per segment otherwise.
 */
import type { SegmentFiles } from "./segment-files.ts";

/** A segment taken out of the log whose file is still on disk. */
export interface RetiredSegment {
  readonly start: number;
  readonly path: string;
  readonly sizeBytes: number;
  /** Resolves when no read of its file runs any more (at once when none does). */
  whenUnread(): Promise<void>;
  /** Reads of its file running right now. */
  readonly readers: number;
  /** Deletes the file (closing its pooled handle). */
  remove(): Promise<void>;
}

export class SegmentRetirement {
  private readonly files: SegmentFiles;
  private readonly pins = new Map<number, number>();
  private readonly unpinned = new Map<number, Array<() => void>>();
  private retired: number | null = null;
  private removing: Promise<void> | null = null;

  constructor(files: SegmentFiles) {
    this.files = files;
  }

  /** Whether a retired segment's file is still to be removed (then no other segment is retired). */
  get pending(): boolean {
    return this.retired !== null;
  }

  /** The removal running now, if any (a truncation waits for it). */
  get running(): Promise<void> | null {
    return this.removing;
  }

  /** Runs `read` with `segment`'s file pinned: its removal waits until `read` has settled. */
  async whilePinned<T>(segment: number, read: () => Promise<T>): Promise<T> {
    this.pin(segment);
    try {
      return await read();
    } finally {
      this.unpin(segment);
    }
  }

  pin(segment: number): void {
    this.pins.set(segment, (this.pins.get(segment) ?? 0) + 1);
  }

  unpin(segment: number): void {
    const left = (this.pins.get(segment) ?? 1) - 1;
    if (left > 0) {
      this.pins.set(segment, left);
      return;
    }
    this.pins.delete(segment);
    const waiters = this.unpinned.get(segment) ?? [];
    this.unpinned.delete(segment);
    for (const resolve of waiters) resolve();
  }

  /** Records `start` as retired (the log took it out) and hands it to retention. */
  retire(start: number): RetiredSegment {
    this.retired = start;
    const { pins } = this;
    return {
      start,
      path: this.files.pathOf(start),
      sizeBytes: this.files.segmentSizeBytes,
      whenUnread: () => this.whenUnpinned(start),
      get readers() {
        return pins.get(start) ?? 0;
      },
      remove: () => this.remove(start),
    };
  }

  /** Deletes the retired segment's file now (before a truncation or reset writes at its start again). */
  removePending(): Promise<void> {
    return this.retired === null ? Promise.resolve() : this.remove(this.retired);
  }

  private async remove(start: number): Promise<void> {
    if (this.retired !== start) return; // removed already (by a truncation or reset)
    this.removing ??= (async () => {
      try {
        await this.files.remove(start);
        await this.files.syncDirectory();
        this.retired = null;
      } finally {
        this.removing = null;
      }
    })();
    await this.removing;
  }

  private whenUnpinned(segment: number): Promise<void> {
    if (!this.pins.has(segment)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.unpinned.get(segment) ?? [];
      waiters.push(resolve);
      this.unpinned.set(segment, waiters);
    });
  }
}
