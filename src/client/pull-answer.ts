/**
 * A pull's answer, read from the raw-records form (DESIGN §1.4): the body is the stored commit-log
 * records, concatenated, decoded here with the shared codec (codec/message-record-decode.ts);
 * the pull status travels in headers:
 *
 *   x-rocketmq-status                  FOUND, OFFSET_OVERFLOW_ONE, … (the store's GetMessageStatus)
 *   x-rocketmq-pull-status             FOUND, NO_NEW_MSG, NO_MATCHED_MSG, OFFSET_ILLEGAL
 *   x-rocketmq-next-begin-offset · x-rocketmq-min-offset · x-rocketmq-max-offset
 *   x-rocketmq-suggest-which-broker-id · x-rocketmq-message-count
 *
 * A message's `msgId` is its UNIQ_KEY when it has one, else its offsetMsgId (as the JSON form and
 * RocketMQ's clients). Bodies are views into one buffer per pull (no copies).
 */
import { encodeOffsetMsgId } from "../codec/message-id.ts";
import { decodeMessageRecord } from "../codec/message-record-decode.ts";
import { decodeProperties, MessageConst } from "../codec/properties.ts";
import { badResponse } from "./http.ts";

export const RECORDS_CONTENT_TYPE = "application/x-rocketmq-messages";

export type PullStatus = "FOUND" | "NO_NEW_MSG" | "NO_MATCHED_MSG" | "OFFSET_ILLEGAL";

export interface PulledMessage {
  readonly msgId: string;
  readonly offsetMsgId: string;
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  readonly tags?: string;
  readonly keys?: string;
  /** Every stored property, the system ones (UNIQ_KEY, CLUSTER, TAGS, KEYS, …) included. */
  readonly properties: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  readonly bornTimestamp: number;
  readonly storeTimestamp: number;
  readonly flag: number;
  readonly reconsumeTimes: number;
}

export interface PullResult {
  /** The store's status (RocketMQ's GetMessageStatus). */
  readonly status: string;
  /** The client's view: what to do next. */
  readonly pullStatus: PullStatus;
  /** Where the next pull starts (also after OFFSET_ILLEGAL: RocketMQ moves there). */
  readonly nextBeginOffset: number;
  readonly minOffset: number;
  readonly maxOffset: number;
  /** 0: pull from the master next time; 1 (or another id): from that slave (spec §6). */
  readonly suggestWhichBrokerId: number;
  readonly messages: readonly PulledMessage[];
  /** The `host:port` that answered. */
  readonly brokerAddress: string;
}

const PULL_STATUSES: ReadonlySet<string> = new Set(["FOUND", "NO_NEW_MSG", "NO_MATCHED_MSG", "OFFSET_ILLEGAL"]);

/** The pull answer in `headers` and `body`; anything inconsistent is a BAD_RESPONSE. */
export function decodePullAnswer(headers: Headers, body: Uint8Array, what: string, httpStatus: number, brokerAddress: string): PullResult {
  const fail = (problem: string): never => {
    throw badResponse(what, httpStatus, problem);
  };
  const header = (name: string): string => headers.get(`x-rocketmq-${name}`) ?? fail(`the answer has no x-rocketmq-${name} header`);
  const integer = (name: string): number => {
    const text = header(name);
    const value = Number(text);
    return /^-?\d+$/.test(text) && Number.isSafeInteger(value) ? value : fail(`x-rocketmq-${name} is not an integer: ${text}`);
  };
  const pullStatus = header("pull-status");
  if (!PULL_STATUSES.has(pullStatus)) fail(`unknown pull status ${pullStatus}`);
  const result = {
    status: header("status"),
    pullStatus: pullStatus as PullStatus,
    nextBeginOffset: integer("next-begin-offset"),
    minOffset: integer("min-offset"),
    maxOffset: integer("max-offset"),
    suggestWhichBrokerId: integer("suggest-which-broker-id"),
  };
  const messages: PulledMessage[] = [];
  for (let at = 0; at < body.length;) {
    const record = decodeMessageRecord(body, at, { readBody: true });
    if (record.kind !== "message") return fail(`the record at byte ${at} of the body is not a message (${record.kind}${"reason" in record ? `: ${record.reason}` : ""})`);
    const properties = Object.fromEntries(decodeProperties(record.properties));
    const offsetMsgId = encodeOffsetMsgId(record.storeHost, record.physicalOffset);
    const tags = properties[MessageConst.TAGS];
    const keys = properties[MessageConst.KEYS];
    messages.push({
      msgId: properties[MessageConst.UNIQ_KEY] ?? offsetMsgId,
      offsetMsgId,
      topic: record.topic,
      queueId: record.queueId,
      queueOffset: record.queueOffset,
      commitLogOffset: record.physicalOffset,
      ...(tags !== undefined ? { tags } : {}),
      ...(keys !== undefined ? { keys } : {}),
      properties,
      body: record.body ?? new Uint8Array(0),
      bornTimestamp: record.bornTimestamp,
      storeTimestamp: record.storeTimestamp,
      flag: record.flag,
      reconsumeTimes: record.reconsumeTimes,
    });
    at += record.totalSize;
  }
  const count = integer("message-count");
  if (count !== messages.length) fail(`x-rocketmq-message-count says ${count} messages, the body holds ${messages.length}`);
  return { ...result, messages, brokerAddress };
}
