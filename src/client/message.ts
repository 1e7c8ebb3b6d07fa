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
import { asClientError, SkiffClientError } from "./errors.ts";
import { badResponse } from "./http.ts";

export interface Message {
  /** A string goes as UTF-8. */
  readonly body: string | Uint8Array;
  readonly tags?: string;
  /** Several keys are stored joined by a space (RocketMQ's KEY_SEPARATOR). */
  readonly keys?: string | readonly string[];
  readonly properties?: Readonly<Record<string, string>>;
  /** The queue on the broker; by default the broker picks one round-robin. */
  readonly queueId?: number;
  /** RocketMQ's delay level (1 = 1 s, 2 = 5 s, … as `messageDelayLevel`). */
  readonly delayLevel?: number;
  readonly flag?: number;
  /** false: answer without waiting for the flush or the slave (RocketMQ's WAIT property). */
  readonly wait?: boolean;
}

/** A message of a batch: the batch picks one queue for all, and RocketMQ batches take no delay. */
export type BatchMessage = Omit<Message, "queueId" | "delayLevel">;

export type SendStatus = "SEND_OK" | "FLUSH_DISK_TIMEOUT" | "FLUSH_SLAVE_TIMEOUT" | "SLAVE_NOT_AVAILABLE";

export interface SendResult {
  /** Anything but SEND_OK still means stored: see Producer. */
  readonly status: SendStatus;
  /** The message's UNIQ_KEY (what RocketMQ's SendResult calls msgId). */
  readonly msgId: string;
  /** Store host + commit-log offset, as 32 hex digits. */
  readonly offsetMsgId: string;
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  /** With a name server: the broker name that stored it. */
  readonly brokerName?: string;
}

export const BATCH_CONTENT_TYPE = "application/x-rocketmq-batch";

/** The JSON form of one message. */
export function messageJson(message: Message): Record<string, unknown> {
  const { body, ...rest } = message;
  if (typeof body !== "string" && !(body instanceof Uint8Array)) throw new SkiffClientError("BAD_REQUEST", "a message body must be a string or a Uint8Array");
  const json: Record<string, unknown> = typeof body === "string" ? { body } : { bodyBase64: encodeBase64(body) };
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) json[key] = value;
  return json;
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

const SEND_STATUSES: ReadonlySet<string> = new Set(["SEND_OK", "FLUSH_DISK_TIMEOUT", "FLUSH_SLAVE_TIMEOUT", "SLAVE_NOT_AVAILABLE"]);

/** A send answer, checked field by field. */
export function checkSendResult(value: unknown, what: string, status: number, brokerName?: string): SendResult {
  const v = value as Record<string, unknown> | null;
  const ok = typeof v === "object" && v !== null && SEND_STATUSES.has(v.status as string) &&
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
  const results = (value as { results?: unknown } | null)?.results;
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
