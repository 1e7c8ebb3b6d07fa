/**
 * Single-record lookups for admin tools (RocketMQ's `lookMessageByOffset`,
 * `getMessageStoreTimeStamp`, `getEarliestMessageTime`): the record that starts at a commit-log
 * offset, and a queue entry's store time. A lookup never trusts the offset it is given: it reads
 * the record's TOTALSIZE, keeps within the segment and the log, and decodes the record; anything
 * that is not a whole message there (a blank, the middle of a record, a removed segment) is "none".
 */
import { decodeMessageRecord } from "../codec/message-record-decode.ts";
import { viewOf } from "../core/bytes.ts";
import type { CommitLog } from "./commit-log.ts";
import type { ConsumeQueueTable } from "./consume-queue-table.ts";

/** The smallest record (TOTALSIZE … PROPERTIESLENGTH with empty body, topic and properties). */
const RECORD_HEADER_BYTES = 8;

/** The stored record starting at `physicalOffset`, or null when no whole message starts there. */
export async function readMessageAt(commitLog: CommitLog, physicalOffset: number): Promise<Uint8Array | null> {
  const log = commitLog.log;
  if (!Number.isSafeInteger(physicalOffset) || physicalOffset < log.minOffset || physicalOffset + RECORD_HEADER_BYTES > log.maxOffset) return null;
  const segmentEnd = physicalOffset - (physicalOffset % log.segmentSizeBytes) + log.segmentSizeBytes;
  const limit = Math.min(segmentEnd, log.maxOffset) - physicalOffset;
  if (limit < RECORD_HEADER_BYTES) return null;
  const head = await log.readHeld(physicalOffset, 4); // null: retention deleted its segment meanwhile
  if (head === null) return null;
  const size = viewOf(head).getInt32(0);
  if (size < RECORD_HEADER_BYTES || size > limit) return null;
  const bytes = await log.readHeld(physicalOffset, size);
  if (bytes === null) return null;
  const record = decodeMessageRecord(bytes, 0, { readBody: false });
  return record.kind === "message" && record.physicalOffset === physicalOffset ? bytes : null;
}

/** Store time of the message at `physicalOffset`, or -1 (Java's answer for "no message there"). */
export async function storeTimestampAt(commitLog: CommitLog, physicalOffset: number): Promise<number> {
  const bytes = await readMessageAt(commitLog, physicalOffset);
  if (!bytes) return -1;
  const record = decodeMessageRecord(bytes, 0, { readBody: false });
  return record.kind === "message" ? record.storeTimestamp : -1;
}

/** Store time of entry `queueOffset` of a queue, or -1 when the queue or its message is gone. */
export async function queueEntryStoreTimestamp(commitLog: CommitLog, queues: ConsumeQueueTable, topic: string, queueId: number, queueOffset: number): Promise<number> {
  const [entry] = (await queues.find(topic, queueId)?.read(queueOffset, 1)) ?? [];
  return entry ? storeTimestampAt(commitLog, entry.physicalOffset) : -1;
}
