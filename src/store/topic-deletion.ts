/**
 * Topic deletion as a record of the commit log (Skiff's choice). RocketMQ deletes a topic's consume
 * queues and queue counters beside the log, so whatever rebuilds queues from the log — a crash
 * recovery, a clean restart whose dispatch resumes below the deleted queue's end, a slave — brings
 * the old entries back, and a re-created topic continues the old counters. Here the deletion is in
 * the log itself, one marker record appended where the topic is deleted:
 *
 * | field       | value                                                                    |
 * |-------------|--------------------------------------------------------------------------|
 * | TOPIC       | the deleted topic                                                        |
 * | QUEUEID     | 0                                                                        |
 * | SYSFLAG     | 0xC, TRANSACTION_ROLLBACK: never queued nor indexed, by Skiff and by Java (CommitLogDispatcherBuildConsumeQueue and IndexService skip rollbacks), so a RocketMQ broker reading this store or following this log just keeps it |
 * | QUEUEOFFSET | 0 (rollbacks take no queue offset)                                       |
 * | PROPERTIES  | `SKIFF_DELETED_TOPIC=<topic>`                                            |
 * | BODY        | `topic <topic> deleted` (UTF-8), for a reader of the log                 |
 *
 * The commit log forgets the topic's queue counters in the same synchronous step as the append
 * (commit-log.ts), so a record of the topic appended after the marker has queue offset 0. Every
 * dispatcher that reaches the marker — the master's, a slave's over the replicated bytes, a
 * recovery's — deletes the topic's consume queues there: the topic's records before it never reach
 * the new queues, those after it build them from 0. Master and slaves build the same queues from
 * the same bytes, and a re-dispatch (which may delete and rebuild the new queues) ends where the
 * first dispatch ended.
 *
 * The property is reserved: a message carrying it is refused (message-input.ts), so no producer can
 * delete a topic's queues by sending one.
 */
import { utf8Encode } from "../core/bytes.ts";
import type { HostAddress } from "../codec/host-address.ts";
import type { DecodedMessage } from "../codec/message-record-decode.ts";
import { decodeProperties, encodeProperties } from "../codec/properties.ts";
import { TransactionType, transactionTypeOf } from "../codec/sys-flag.ts";
import type { RecordInput } from "./commit-log.ts";

/** The reserved property naming the deleted topic (its value is the record's own topic). */
export const TOPIC_DELETION_PROPERTY = "SKIFF_DELETED_TOPIC";

/** The marker record for `topic`, stored by `storeHost` at `nowMs`. */
export function topicDeletionRecord(topic: string, storeHost: HostAddress, nowMs: number): RecordInput {
  return {
    topic,
    queueId: 0,
    flag: 0,
    sysFlag: TransactionType.ROLLBACK,
    bornTimestamp: nowMs,
    bornHost: storeHost,
    storeHost,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    body: utf8Encode(`topic ${topic} deleted`),
    properties: encodeProperties(new Map([[TOPIC_DELETION_PROPERTY, topic]]), { trailingSeparator: false }),
  };
}

/** Whether a stored record is a deletion marker (rollback type, the property naming its own topic). */
export function isTopicDeletion(record: Pick<DecodedMessage, "sysFlag" | "topic" | "properties">): boolean {
  if (transactionTypeOf(record.sysFlag) !== TransactionType.ROLLBACK) return false;
  return decodeProperties(record.properties).get(TOPIC_DELETION_PROPERTY) === record.topic;
}
