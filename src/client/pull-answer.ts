/**
 * A pull's answer, read from the raw-records form (DESIGN §1.4): the body is the stored commit-log
 * records, concatenated, decoded here with the shared codec (codec/message-record-decode.ts);
 * the pull status travels in headers (PULL_HEADERS, contract/broker-http.ts):
 *
 *   x-rocketmq-status                  FOUND, OFFSET_OVERFLOW_ONE, … (the store's GetMessageStatus)
 *   x-rocketmq-pull-status             FOUND, NO_NEW_MSG, NO_MATCHED_MSG, OFFSET_ILLEGAL
 *   x-rocketmq-next-begin-offset · x-rocketmq-min-offset · x-rocketmq-max-offset
 *   x-rocketmq-suggest-which-broker-id · x-rocketmq-message-count
 *
 * A message's fields are read as the JSON form reads them (codec/pulled-message.ts: `msgId` is its
 * UNIQ_KEY when it has one, else its offsetMsgId). Bodies are views into one buffer per pull (no copies).
 */
import { decodeMessageRecord } from "../codec/message-record-decode.ts";
import { pulledMessageFields } from "../codec/pulled-message.ts";
import { PULL_HEADERS, PULL_STATUSES, type PullAnswerStatus, type PulledMessageFields, type PullStatus } from "../contract/broker-http.ts";
import { badResponse } from "./http.ts";

/** A pulled message (its fields: contract/broker-http.ts), the body a view into the answer. */
export interface PulledMessage extends PulledMessageFields {
  readonly body: Uint8Array;
}

/** The answer's status (contract/broker-http.ts), its messages, and who answered. */
export interface PullResult extends PullAnswerStatus {
  readonly messages: readonly PulledMessage[];
  /** The `host:port` that answered. */
  readonly brokerAddress: string;
}

const PULL_STATUS_NAMES: ReadonlySet<string> = new Set(PULL_STATUSES);

/** The pull answer in `headers` and `body`; anything inconsistent is a BAD_RESPONSE. */
export function decodePullAnswer(headers: Headers, body: Uint8Array, what: string, httpStatus: number, brokerAddress: string): PullResult {
  const fail = (problem: string): never => {
    throw badResponse(what, httpStatus, problem);
  };
  const header = (name: string): string => headers.get(name) ?? fail(`the answer has no ${name} header`);
  const integer = (name: string): number => {
    const text = header(name);
    const value = Number(text);
    return /^-?\d+$/.test(text) && Number.isSafeInteger(value) ? value : fail(`${name} is not an integer: ${text}`);
  };
  const pullStatus = header(PULL_HEADERS.pullStatus);
  if (!PULL_STATUS_NAMES.has(pullStatus)) fail(`unknown pull status ${pullStatus}`);
  const result: PullAnswerStatus = {
    status: header(PULL_HEADERS.status),
    pullStatus: pullStatus as PullStatus,
    nextBeginOffset: integer(PULL_HEADERS.nextBeginOffset),
    minOffset: integer(PULL_HEADERS.minOffset),
    maxOffset: integer(PULL_HEADERS.maxOffset),
    suggestWhichBrokerId: integer(PULL_HEADERS.suggestWhichBrokerId),
  };
  return { ...result, messages: decodeRecords(headers, body, what, httpStatus), brokerAddress };
}

/**
 * The stored records of a raw-records answer (a pull, a key or id lookup), checked against its
 * `x-rocketmq-message-count`; a body that is not whole message records is a BAD_RESPONSE.
 */
export function decodeRecords(headers: Headers, body: Uint8Array, what: string, httpStatus: number): PulledMessage[] {
  const fail = (problem: string): never => {
    throw badResponse(what, httpStatus, problem);
  };
  const messages: PulledMessage[] = [];
  for (let at = 0; at < body.length;) {
    const record = decodeMessageRecord(body, at, { readBody: true });
    if (record.kind !== "message") return fail(`the record at byte ${at} of the body is not a message (${record.kind}${"reason" in record ? `: ${record.reason}` : ""})`);
    messages.push({ ...pulledMessageFields(record), body: record.body ?? new Uint8Array(0) });
    at += record.totalSize;
  }
  const countText = headers.get(PULL_HEADERS.messageCount);
  if (countText === null || String(messages.length) !== countText) fail(`${PULL_HEADERS.messageCount} says ${countText} messages, the body holds ${messages.length}`);
  return messages;
}
