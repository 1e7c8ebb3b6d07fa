/**
 * Lookups over one consume queue joined with the commit log, for the offset requests of RocketMQ's
 * clients and tools (spec §5.11, §7.1):
 *
 * | lookup                  | RocketMQ                                   | answer                               |
 * |-------------------------|--------------------------------------------|--------------------------------------|
 * | `offsetByStoreTime`     | SEARCH_OFFSET_BY_TIMESTAMP (5.x LOWER)     | first queue offset stored at or after the time; the queue's max offset when none is; 0 for no queue |
 * | `earliestStoreTime`     | GET_EARLIEST_MSG_STORETIME                 | store time of the queue's oldest held message, or -1 |
 * | `isOnDisk`              | `checkInDiskByConsumeOffset`               | the message is further behind the log's end than the memory share |
 *
 * The search is a binary search by store timestamp over the queue's entries (store timestamps
 * grow with the commit-log position: they are taken in the append order); an entry whose record
 * the commit log no longer holds counts as older than any time. Each probe reads one 20-byte
 * entry and the first bytes of one record.
 */
import { viewOf, readI64 } from "../core/bytes.ts";
import { SysFlag } from "../codec/sys-flag.ts";
import type { ConsumeQueueEntry } from "../codec/consume-queue-entry.ts";
import type { CommitLog } from "./commit-log.ts";
import type { ConsumeQueue } from "./consume-queue.ts";

export interface QueueLookupContext {
  readonly commitLog: CommitLog;
  readonly queue: ConsumeQueue | undefined;
  /** The memory share (`accessMessageInMemoryMaxRatio`% of RAM) beyond which a message is "on disk". */
  readonly memoryForSuggestBytes: number;
}

/** STORETIMESTAMP follows BORNHOST, whose size depends on sysFlag's BORNHOST_V6 bit (spec §1.2). */
const SYS_FLAG_AT = 36;
const STORE_TIMESTAMP_AT_V4 = 56;
const STORE_TIMESTAMP_AT_V6 = 68;
const HEAD_BYTES = STORE_TIMESTAMP_AT_V6 + 8;

export async function offsetByStoreTime(context: QueueLookupContext, timestampMs: number): Promise<number> {
  const { queue } = context;
  if (!queue) return 0;
  let low = queue.minOffset;
  let high = queue.maxOffset;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    const storedAt = await storeTimeAt(context, middle);
    if (storedAt < timestampMs) low = middle + 1;
    else high = middle;
  }
  return low;
}

export async function earliestStoreTime(context: QueueLookupContext): Promise<number> {
  const { queue } = context;
  if (!queue || queue.maxOffset <= queue.minOffset) return -1;
  const storedAt = await storeTimeAt(context, queue.minOffset);
  return storedAt === Number.NEGATIVE_INFINITY ? -1 : storedAt;
}

export async function isOnDisk(context: QueueLookupContext, queueOffset: number): Promise<boolean> {
  const entry = await entryAt(context, queueOffset);
  return entry !== undefined && context.commitLog.maxOffset - entry.physicalOffset > context.memoryForSuggestBytes;
}

async function entryAt(context: QueueLookupContext, queueOffset: number): Promise<ConsumeQueueEntry | undefined> {
  const [entry] = (await context.queue?.read(queueOffset, 1)) ?? [];
  return entry;
}

/** The store timestamp of the message at `queueOffset`; -Infinity when its record is gone. */
async function storeTimeAt(context: QueueLookupContext, queueOffset: number): Promise<number> {
  const entry = await entryAt(context, queueOffset);
  const { commitLog } = context;
  if (!entry || entry.physicalOffset < commitLog.minOffset || entry.size < HEAD_BYTES) return Number.NEGATIVE_INFINITY;
  const head = await commitLog.readRecord(entry.physicalOffset, HEAD_BYTES);
  const view = viewOf(head);
  const at = view.getInt32(SYS_FLAG_AT) & SysFlag.BORNHOST_V6 ? STORE_TIMESTAMP_AT_V6 : STORE_TIMESTAMP_AT_V4;
  return readI64(view, at);
}
