/**
 * A stored record as the pull API's JSON shows it (DESIGN §1.3). `msgId` is the message's
 * UNIQ_KEY when it has one (what RocketMQ clients call msgId), else its offsetMsgId.
 */
import { SkiffError } from "../../core/errors.ts";
import { encodeOffsetMsgId } from "../../codec/message-id.ts";
import { decodeMessageRecord } from "../../codec/message-record-decode.ts";
import { decodeProperties, MessageConst } from "../../codec/properties.ts";
import type { StoredMessage } from "../../store/get-message.ts";
import { encodeBase64 } from "../../broker/message-build.ts";

export interface MessageJson {
  readonly msgId: string;
  readonly offsetMsgId: string;
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  readonly bornTimestamp: number;
  readonly storeTimestamp: number;
  readonly reconsumeTimes: number;
  readonly flag: number;
  readonly sysFlag: number;
  readonly tags?: string;
  readonly keys?: string;
  readonly properties: Record<string, string>;
  readonly bodyBase64: string;
}

export function messageJson(stored: StoredMessage): MessageJson {
  const record = decodeMessageRecord(stored.bytes, 0, { readBody: true });
  if (record.kind !== "message") {
    throw new SkiffError("STORE_IO_FAILED", `commit-log offset ${stored.physicalOffset} does not hold a message record (${record.kind})`);
  }
  const properties = Object.fromEntries(decodeProperties(record.properties));
  const offsetMsgId = encodeOffsetMsgId(record.storeHost, record.physicalOffset);
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
    sysFlag: record.sysFlag,
    ...(properties[MessageConst.TAGS] !== undefined ? { tags: properties[MessageConst.TAGS] } : {}),
    ...(properties[MessageConst.KEYS] !== undefined ? { keys: properties[MessageConst.KEYS] } : {}),
    properties,
    bodyBase64: encodeBase64(record.body ?? new Uint8Array(0)),
  };
}
