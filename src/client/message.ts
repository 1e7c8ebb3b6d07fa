/**
 * What a producer sends and what it gets back, and the two forms a message travels in (DESIGN
 * §1.3, §1.4):
 *
 * - one message as JSON: `{body | bodyBase64, tags?, keys?, properties?, queueId?, flag?, delayLevel?, wait?}`
 *   (a string body goes as `body`, a Uint8Array as `bodyBase64`);
 * - a batch as RocketMQ's binary batch (`application/x-rocketmq-batch`, codec/batch.ts), each
 *   message's properties encoded as the Java client does: the caller's own properties, then KEYS
 *   (several keys joined by a space), TAGS, and WAIT=false when `wait` is false.
 */
import { encodeBatch } from "../codec/batch.ts";
import { encodeProperties, MessageConst } from "../codec/properties.ts";
import { SEND_STATUSES, type SendMessageJson, type SendStatus } from "../contract/broker-http.ts";
import type * as wire from "../contract/broker-http.ts";
import { asClientError, SkiffClientError } from "./errors.ts";
import { badResponse, type Unchecked } from "./http.ts";

/** A message as the JSON form has it (contract/broker-http.ts), but with one `body` of either kind. */
export interface Message extends Omit<SendMessageJson, "body" | "bodyBase64"> {
  /** A string goes as UTF-8. */
  readonly body: string | Uint8Array;
}

/** A message of a batch: the batch picks one queue for all, and RocketMQ batches take no delay. */
export type BatchMessage = Omit<Message, "queueId" | "delayLevel">;

/** The broker's answer (contract/broker-http.ts), and where it came from. */
export interface SendResult extends wire.SendResult {
  /** With a name server: the broker name that stored it. */
  readonly brokerName?: string;
}

/** The JSON form of one message. */
export function messageJson(message: Message): SendMessageJson {
  const { body, ...rest } = message;
  if (typeof body !== "string" && !(body instanceof Uint8Array)) throw new SkiffClientError("BAD_REQUEST", "a message body must be a string or a Uint8Array");
  const json: Record<string, unknown> = typeof body === "string" ? { body } : { bodyBase64: encodeBase64(body) };
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) json[key] = value;
  return json as SendMessageJson;
}

/** The binary batch body for `messages`. */
export function batchBody(messages: readonly BatchMessage[]): Uint8Array {
  if (messages.length === 0) throw new SkiffClientError("BAD_REQUEST", "a batch needs at least one message");
  try {
    return encodeBatch(messages.map((message, i) => {
      if ("queueId" in message || "delayLevel" in message) {
        throw new SkiffClientError("BAD_REQUEST", `batch message ${i}: queueId goes in the batch options, and batches take no delayLevel`);
      }
      const body = typeof message.body === "string" ? new TextEncoder().encode(message.body) : message.body;
      if (!(body instanceof Uint8Array)) throw new SkiffClientError("BAD_REQUEST", `batch message ${i}: the body must be a string or a Uint8Array`);
      return { flag: message.flag ?? 0, body, properties: encodeProperties(batchProperties(message), { trailingSeparator: false }) };
    }));
  } catch (error) {
    throw asClientError(error);
  }
}

function batchProperties(message: BatchMessage): Map<string, string> {
  const properties = new Map(Object.entries(message.properties ?? {}));
  if (message.keys !== undefined) properties.set(MessageConst.KEYS, typeof message.keys === "string" ? message.keys : message.keys.join(" "));
  if (message.tags !== undefined) properties.set(MessageConst.TAGS, message.tags);
  if (message.wait === false) properties.set(MessageConst.WAIT, "false");
  return properties;
}

const SEND_STATUS_NAMES: ReadonlySet<string> = new Set(SEND_STATUSES);

/** A send answer, checked field by field. */
export function checkSendResult(value: unknown, what: string, status: number, brokerName?: string): SendResult {
  const v = value as Unchecked<wire.SendResult> | null;
  const ok = typeof v === "object" && v !== null && SEND_STATUS_NAMES.has(v.status as string) &&
    typeof v.msgId === "string" && typeof v.offsetMsgId === "string" && typeof v.topic === "string" &&
    [v.queueId, v.queueOffset, v.commitLogOffset].every((n) => Number.isSafeInteger(n));
  if (!ok) throw badResponse(what, status, `not a send result: ${JSON.stringify(value)?.slice(0, 200)}`);
  const result = {
    status: v.status as SendStatus,
    msgId: v.msgId as string,
    offsetMsgId: v.offsetMsgId as string,
    topic: v.topic as string,
    queueId: v.queueId as number,
    queueOffset: v.queueOffset as number,
    commitLogOffset: v.commitLogOffset as number,
  };
  return brokerName === undefined ? result : { ...result, brokerName };
}

/** The `{results:[…]}` answer of a batch send, `expected` results long. */
export function checkBatchResults(value: unknown, what: string, status: number, expected: number, brokerName?: string): SendResult[] {
  const results = (value as Unchecked<wire.SendBatchResult> | null)?.results;
  if (!Array.isArray(results) || results.length !== expected) {
    throw badResponse(what, status, `expected {results:[…]} with ${expected} results`);
  }
  return results.map((r) => checkSendResult(r, what, status, brokerName));
}

export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
