/**
 * Segment file names: the segment's first logical byte offset as a 20-digit zero-padded decimal
 * (RocketMQ's `UtilAll.offset2FileName`), e.g. `00000000001073741824`. Used by commit-log and
 * consume-queue segments alike.
 */
import { assertSafeOffset } from "../core/errors.ts";

const NAME = /^\d{20}$/;

export function segmentName(startOffset: number): string {
  assertSafeOffset(startOffset, "segment start offset");
  return String(startOffset).padStart(20, "0");
}

/** The start offset a segment file name stands for, or `null` if the name is not a segment's. */
export function parseSegmentName(name: string): number | null {
  if (!NAME.test(name)) return null;
  const value = Number(name);
  return Number.isSafeInteger(value) ? value : null;
}

/** Start of the segment holding `offset`. */
export function segmentStartOf(offset: number, segmentSizeBytes: number): number {
  return offset - (offset % segmentSizeBytes);
}
