/**
 * Messages by key (RocketMQ's `DefaultMessageStore.queryMessage`, spec rocketmq-remoting §12.2):
 * the index gives the physical offsets of hash hits (newest file first, at most `maxNum`, capped
 * at `maxMsgsNumBatch` 64), each offset is read back as a whole stored record (an offset whose
 * record is gone, e.g. below the log's minimum, is skipped). When none could be read, the query is
 * asked again with the end time narrowed to the store time of the oldest hit, up to three passes,
 * as Java does. Records are returned in ascending physical order, raw, as QUERY_MESSAGE sends them.
 */
import { decodeMessageRecord } from "../codec/message-record-decode.ts";
import type { CommitLog } from "./commit-log.ts";
import type { IndexService } from "./index-service.ts";
import { readMessageAt } from "./message-lookup.ts";

/** RocketMQ's `maxMsgsNumBatch`: most offsets one key query returns. */
export const MAX_QUERY_MESSAGES = 64;
const PASSES = 3;

export interface KeyQuery {
  readonly topic: string;
  readonly key: string;
  readonly maxNum: number;
  readonly beginMs: number;
  readonly endMs: number;
}

export interface KeyQueryResult {
  /** The stored records found, each whole (RocketMQ's record layout). */
  readonly records: Uint8Array[];
  /** End timestamp and end physical offset of the newest index file (0 when nothing matched). */
  readonly indexLastUpdateTimestamp: number;
  readonly indexLastUpdatePhyoffset: number;
}

export async function queryMessagesByKey(
  parts: { index: IndexService | null; commitLog: CommitLog }, query: KeyQuery,
): Promise<KeyQueryResult> {
  const records: Uint8Array[] = [];
  let indexLastUpdateTimestamp = 0;
  let indexLastUpdatePhyoffset = 0;
  if (!parts.index) return { records, indexLastUpdateTimestamp, indexLastUpdatePhyoffset };
  const maxNum = Math.max(0, Math.min(query.maxNum, MAX_QUERY_MESSAGES));
  let endMs = query.endMs;
  for (let pass = 0; pass < PASSES && maxNum > 0; pass++) {
    const found = await parts.index.query(query.topic, query.key, maxNum, query.beginMs, endMs);
    if (found.phyOffsets.length === 0) break;
    indexLastUpdateTimestamp = found.lastUpdateTimestamp;
    indexLastUpdatePhyoffset = found.lastUpdatePhyOffset;
    const offsets = [...new Set(found.phyOffsets)].sort((a, b) => a - b);
    for (const [i, offset] of offsets.entries()) {
      const record = await readMessageAt(parts.commitLog, offset);
      if (!record) continue;
      if (i === 0) {
        const decoded = decodeMessageRecord(record, 0, { readBody: false });
        if (decoded.kind === "message") endMs = decoded.storeTimestamp;
      }
      records.push(record);
    }
    if (records.length > 0 || endMs < query.beginMs) break;
  }
  return { records, indexLastUpdateTimestamp, indexLastUpdatePhyoffset };
}
