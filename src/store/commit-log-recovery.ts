/**
 * Start-up recovery of the commit log (RocketMQ's `recoverNormally` / `recoverAbnormally`, spec §1.10).
 *
 * Where the scan starts:
 * - after a clean stop (no `abort` file): the third-last segment, as RocketMQ does;
 * - after a crash (`abort` left behind): the newest segment whose first record was stored at least
 *   3 s before the checkpoint's `min(physicMsgTimestamp, logicsMsgTimestamp)`, so that every record
 *   whose consume-queue entry may not have reached the disk is dispatched again.
 *
 * The scan walks records (`checkCrc` recomputes every BODYCRC) and stops at the first record whose
 * magic, length or CRC is wrong; everything from there on is truncated (the torn tail of a crash).
 * A blank record moves the scan to the next segment.
 */
import type { StoreCheckpoint } from "../codec/checkpoint.ts";
import { decodeRecordMeta } from "../codec/message-record-decode.ts";
import { viewOf } from "../core/bytes.ts";
import type { SegmentedLog } from "./segmented-log.ts";

const CHUNK_BYTES = 8 << 20;

export interface RecoveryOptions {
  readonly checkCrc: boolean;
  /** `abort` was found: the last run did not stop cleanly. */
  readonly abnormal: boolean;
  readonly checkpoint: StoreCheckpoint;
}

export interface RecoveryResult {
  /** Where the scan started; after a crash, records from here on are dispatched again. */
  readonly scannedFrom: number;
  /** The recovered end of the log (its new max offset). */
  readonly endOffset: number;
  readonly lastStoreTimestamp: number;
  /** Why the scan stopped before the end of the last segment, if it found something it refused. */
  readonly stoppedBecause: string | null;
}

export async function recoverCommitLog(log: SegmentedLog, options: RecoveryOptions): Promise<RecoveryResult> {
  const starts = log.segmentStarts;
  if (starts.length === 0) {
    return { scannedFrom: log.maxOffset, endOffset: log.maxOffset, lastStoreTimestamp: 0, stoppedBecause: null };
  }
  const scannedFrom = options.abnormal ? await abnormalStart(log, options.checkpoint) : starts[Math.max(0, starts.length - 3)];
  const scan = await scanRecords(log, scannedFrom, options.checkCrc);
  await log.truncateTo(scan.endOffset);
  return { scannedFrom, ...scan };
}

async function abnormalStart(log: SegmentedLog, checkpoint: StoreCheckpoint): Promise<number> {
  const starts = log.segmentStarts;
  const safeTimestamp = Math.min(checkpoint.physicMsgTimestamp, checkpoint.logicsMsgTimestamp) - 3000;
  if (safeTimestamp <= 0) return starts[0];
  for (let i = starts.length - 1; i >= 0; i--) {
    const head = await log.read(starts[i], Math.min(CHUNK_BYTES, log.segmentSizeBytes));
    const first = decodeRecordMeta(head, 0);
    if (first.kind === "message" && first.storeTimestamp !== 0 && first.storeTimestamp <= safeTimestamp) return starts[i];
  }
  return starts[0];
}

async function scanRecords(log: SegmentedLog, from: number, checkCrc: boolean) {
  const segmentSize = log.segmentSizeBytes;
  const logEnd = log.maxOffset; // before recovery: the end of the last segment
  let position = from;
  let lastStoreTimestamp = 0;
  let want = CHUNK_BYTES;
  while (position < logEnd) {
    const segmentEnd = position - (position % segmentSize) + segmentSize;
    const chunk = await log.read(position, Math.min(want, segmentEnd - position));
    const reachesSegmentEnd = position + chunk.byteLength === segmentEnd;
    want = CHUNK_BYTES;
    const view = viewOf(chunk);
    let at = 0;
    for (;;) {
      if (at === chunk.byteLength) {
        position += at;
        break;
      }
      const record = decodeRecordMeta(chunk, at, { checkCrc, view });
      if (record.kind === "message") {
        at += record.totalSize;
        lastStoreTimestamp = record.storeTimestamp;
      } else if (record.kind === "blank") {
        position = segmentEnd;
        break;
      } else if (record.kind === "partial" && !reachesSegmentEnd) {
        position += at;
        want = Math.max(CHUNK_BYTES, record.neededBytes);
        break;
      } else {
        const why = record.kind === "partial" ? "a record is cut off at the segment end" : `${record.reason}: ${record.detail}`;
        return { endOffset: position + at, lastStoreTimestamp, stoppedBecause: isZeros(chunk, at) ? null : why };
      }
    }
  }
  return { endOffset: Math.min(position, logEnd), lastStoreTimestamp, stoppedBecause: null };
}

/** A run of zeros after the last record is the normal end of the log, not damage. */
function isZeros(chunk: Uint8Array, from: number): boolean {
  const end = Math.min(chunk.byteLength, from + 8);
  for (let i = from; i < end; i++) if (chunk[i] !== 0) return false;
  return true;
}
