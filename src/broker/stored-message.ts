/**
 * The message record that starts at a commit-log offset (RocketMQ's `lookMessageByOffset`), for
 * CONSUMER_SEND_MSG_BACK (the offset a consumer returns) and viewing a message by its
 * offsetMsgId. Any offset is safe to ask for: one outside the log, in the middle of a record, on
 * a blank, or whose bytes do not decode as a message whose PHYSICALOFFSET is that offset, reads
 * as `undefined` (never an assertion of the store).
 *
 * Reads are bounded: the 4-byte TOTALSIZE first, then one record, which never crosses the end of
 * its segment nor the end of the log.
 */
import { viewOf } from "../core/bytes.ts";
import { decodeMessageRecord, type DecodedMessage } from "../codec/message-record-decode.ts";
import { messageRecordLength } from "../codec/message-record.ts";
import type { MessageStore } from "../store/message-store.ts";

const SMALLEST_RECORD_BYTES = messageRecordLength(0, 0, 0, 0);

export async function readMessageAt(store: MessageStore, physicalOffset: number): Promise<DecodedMessage | undefined> {
  const { minOffset, maxOffset } = store.offsets;
  if (!Number.isSafeInteger(physicalOffset) || physicalOffset < minOffset) return undefined;
  const segmentBytes = store.options.segmentSizeCommitLogBytes;
  const limit = Math.min(maxOffset, (Math.floor(physicalOffset / segmentBytes) + 1) * segmentBytes);
  if (physicalOffset + SMALLEST_RECORD_BYTES > limit) return undefined;
  const totalSize = viewOf(await store.readCommitLog(physicalOffset, 4)).getInt32(0);
  if (totalSize < SMALLEST_RECORD_BYTES || physicalOffset + totalSize > limit) return undefined;
  const record = decodeMessageRecord(await store.readCommitLog(physicalOffset, totalSize), 0, { readBody: true });
  if (record.kind !== "message" || record.physicalOffset !== physicalOffset) return undefined;
  return record;
}
