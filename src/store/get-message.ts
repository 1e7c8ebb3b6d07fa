/**
 * Reading a queue: RocketMQ's `DefaultMessageStore.getMessage`, with its statuses and next offsets.
 *
 * | status                 | when                                   | nextBeginOffset          |
 * |------------------------|----------------------------------------|--------------------------|
 * | NO_MATCHED_LOGIC_QUEUE | the queue does not exist               | 0                        |
 * | NO_MESSAGE_IN_QUEUE    | the queue never held a message         | 0                        |
 * | OFFSET_TOO_SMALL       | offset < minOffset                     | minOffset                |
 * | OFFSET_OVERFLOW_ONE    | offset == maxOffset (caught up)        | offset                   |
 * | OFFSET_OVERFLOW_BADLY  | offset > maxOffset                     | minOffset == 0 ? 0 : max |
 * | FOUND                  | at least one message                   | after the last examined  |
 * | NO_MATCHED_MESSAGE     | entries examined, none passed the filter | after the last examined |
 * | MESSAGE_WAS_REMOVING   | the commit log no longer holds them    | after the last examined  |
 *
 * A batch stops at `maxMsgNums`, or at RocketMQ's transfer limits: 256 KiB / 32 messages while the
 * data is "in memory", 64 KiB / 8 messages once it is further behind the log's end than the
 * memory share (`accessMessageInMemoryMaxRatio`) — the same lag that makes the broker suggest
 * reading from a slave (`suggestPullingFromSlave`).
 *
 * Retention may delete the oldest segments while a read runs: an entry is checked against the
 * commit log's min offset after the queue was read, and a record whose segment went meanwhile
 * counts as removed (`readHeld`), never as an error. A queue whose every message was deleted has
 * min = max (RocketMQ 5): offsets below answer OFFSET_TOO_SMALL with the min, as Java does for
 * any queue that once held messages (only `maxOffset == 0` is NO_MESSAGE_IN_QUEUE).
 */
import type { CommitLog } from "./commit-log.ts";
import type { ConsumeQueueEntry } from "../codec/consume-queue-entry.ts";
import type { ConsumeQueueTable } from "./consume-queue-table.ts";

export type GetMessageStatus =
  | "FOUND"
  | "NO_MATCHED_MESSAGE"
  | "MESSAGE_WAS_REMOVING"
  | "OFFSET_FOUND_NULL"
  | "OFFSET_OVERFLOW_BADLY"
  | "OFFSET_OVERFLOW_ONE"
  | "OFFSET_TOO_SMALL"
  | "NO_MATCHED_LOGIC_QUEUE"
  | "NO_MESSAGE_IN_QUEUE";

export interface GetMessageRequest {
  readonly topic: string;
  readonly queueId: number;
  readonly offset: number;
  readonly maxMsgNums: number;
  /** Keeps an entry when true (tag filtering by tagsCode); all pass when absent. */
  readonly filter?: (entry: ConsumeQueueEntry) => boolean;
  /** The consumer group reading, when known: counted for its consume rate (traffic-stats.ts). */
  readonly consumerGroup?: string;
  /** A read by the broker itself (the schedule service), not a consumer's: not counted as traffic. */
  readonly internal?: boolean;
}

export interface StoredMessage {
  readonly queueOffset: number;
  readonly physicalOffset: number;
  readonly size: number;
  readonly tagsCode: number;
  /** The record exactly as stored in the commit log. */
  readonly bytes: Uint8Array;
}

export interface GetMessageResult {
  readonly status: GetMessageStatus;
  readonly nextBeginOffset: number;
  readonly minOffset: number;
  readonly maxOffset: number;
  readonly messages: readonly StoredMessage[];
  readonly suggestPullingFromSlave: boolean;
}

export interface ReadContext {
  readonly commitLog: CommitLog;
  readonly queues: ConsumeQueueTable;
  readonly memoryForSuggestBytes: number;
}

const IN_MEMORY = { bytes: 256 * 1024, count: 32 };
const ON_DISK = { bytes: 64 * 1024, count: 8 };

export async function readMessages(request: GetMessageRequest, context: ReadContext): Promise<GetMessageResult> {
  const queue = context.queues.find(request.topic, request.queueId);
  const empty = (status: GetMessageStatus, nextBeginOffset: number, minOffset = 0, maxOffset = 0): GetMessageResult =>
    ({ status, nextBeginOffset, minOffset, maxOffset, messages: [], suggestPullingFromSlave: false });
  if (!queue) return empty("NO_MATCHED_LOGIC_QUEUE", 0);
  const { minOffset, maxOffset } = queue;
  const { offset } = request;
  if (maxOffset === 0) return empty("NO_MESSAGE_IN_QUEUE", 0, minOffset, maxOffset);
  if (offset < minOffset) return empty("OFFSET_TOO_SMALL", minOffset, minOffset, maxOffset);
  if (offset === maxOffset) return empty("OFFSET_OVERFLOW_ONE", offset, minOffset, maxOffset);
  if (offset > maxOffset) return empty("OFFSET_OVERFLOW_BADLY", minOffset === 0 ? minOffset : maxOffset, minOffset, maxOffset);

  const entries = await queue.read(offset, Math.max(1, request.maxMsgNums));
  const maxPhysical = context.commitLog.maxOffset;
  const minPhysical = context.commitLog.minOffset; // after the queue read: retention may have moved it meanwhile
  if (entries.length === 0) return empty("OFFSET_FOUND_NULL", offset + 1, minOffset, maxOffset);
  const picked: Array<{ entry: ConsumeQueueEntry; queueOffset: number }> = [];
  let examined = 0;
  let bytes = 0;
  let lastPulled = entries[0].physicalOffset;
  let removed = 0;
  for (const entry of entries) {
    const onDisk = maxPhysical - entry.physicalOffset > context.memoryForSuggestBytes;
    const limit = onDisk ? ON_DISK : IN_MEMORY;
    if (picked.length > 0 && (picked.length >= limit.count || bytes + entry.size > limit.bytes)) break;
    examined++;
    lastPulled = entry.physicalOffset;
    if (entry.physicalOffset < minPhysical) {
      removed++;
      continue;
    }
    if (request.filter && !request.filter(entry)) continue;
    picked.push({ entry, queueOffset: offset + examined - 1 });
    bytes += entry.size;
  }
  const records = await readSpans(context.commitLog, picked.map((p) => p.entry));
  const messages: StoredMessage[] = [];
  for (const [i, { entry, queueOffset }] of picked.entries()) {
    const record = records[i];
    if (record === null) removed++; // its segment was deleted while this read ran
    else messages.push({ queueOffset, physicalOffset: entry.physicalOffset, size: entry.size, tagsCode: entry.tagsCode, bytes: record });
  }
  const status: GetMessageStatus = messages.length > 0 ? "FOUND" : removed === examined ? "MESSAGE_WAS_REMOVING" : "NO_MATCHED_MESSAGE";
  return {
    status,
    nextBeginOffset: offset + examined,
    minOffset,
    maxOffset,
    messages,
    suggestPullingFromSlave: maxPhysical - lastPulled > context.memoryForSuggestBytes,
  };
}

/**
 * Reads records with as few reads as possible: neighbours in the commit log (within one segment,
 * spans of at most `SPAN_BYTES`) come from one read, since one read of 256 KiB costs less than 32
 * reads of 1 KiB. Each record is a view into its span.
 */
const SPAN_BYTES = 512 * 1024;

async function readSpans(commitLog: CommitLog, entries: readonly ConsumeQueueEntry[]): Promise<Array<Uint8Array | null>> {
  const out: Array<Uint8Array | null> = new Array(entries.length);
  const segmentSize = commitLog.log.segmentSizeBytes;
  let i = 0;
  while (i < entries.length) {
    const start = entries[i].physicalOffset;
    const segment = start - (start % segmentSize);
    let j = i;
    let end = start + entries[i].size;
    while (j + 1 < entries.length) {
      const next = entries[j + 1];
      const nextEnd = next.physicalOffset + next.size;
      if (next.physicalOffset < end || next.physicalOffset - (next.physicalOffset % segmentSize) !== segment || nextEnd - start > SPAN_BYTES) break;
      end = nextEnd;
      j++;
    }
    const span = await commitLog.log.readHeld(start, end - start);
    for (let k = i; k <= j; k++) {
      const at = entries[k].physicalOffset - start;
      out[k] = span === null ? null : span.subarray(at, at + entries[k].size);
    }
    i = j + 1;
  }
  return out;
}
