/**
 * A decoded message record as Skiff's pull answers show it, the body aside (PulledMessageFields,
 * contract/broker-http.ts): the broker's JSON answer (http/broker/message-json.ts) and the client's
 * reading of the raw-records answer (client/pull-answer.ts) both start here, so the two forms
 * cannot drift apart.
 *
 * - `msgId` is the UNIQ_KEY property when the record has one, else the offsetMsgId (RocketMQ's
 *   `MessageClientExt.getMsgId`); `offsetMsgId` is store host + physical offset (message-id.ts).
 * - `tags` and `keys` are the TAGS and KEYS properties, present only when the record has them.
 * - `properties` holds every stored property, the system ones included; a key stored twice keeps
 *   its last value (as Java's HashMap).
 */
import type { PulledMessageFields } from "../contract/broker-http.ts";
import { encodeOffsetMsgId } from "./message-id.ts";
import type { DecodedMessage } from "./message-record-decode.ts";
import { decodeProperties, MessageConst } from "./properties.ts";

export function pulledMessageFields(record: DecodedMessage): PulledMessageFields {
  const properties = Object.fromEntries(decodeProperties(record.properties));
  const offsetMsgId = encodeOffsetMsgId(record.storeHost, record.physicalOffset);
  const tags = properties[MessageConst.TAGS];
  const keys = properties[MessageConst.KEYS];
  return {
    msgId: properties[MessageConst.UNIQ_KEY] ?? offsetMsgId,
    offsetMsgId,
    topic: record.topic,
    queueId: record.queueId,
    queueOffset: record.queueOffset,
    commitLogOffset: record.physicalOffset,
    bornTimestamp: record.bornTimestamp,
    storeTimestamp: record.storeTimestamp,
    reconsumeTimes: record.reconsumeTimes,
    flag: record.flag,
    ...(tags !== undefined ? { tags } : {}),
    ...(keys !== undefined ? { keys } : {}),
    properties,
  };
}
