/**
 * From what a producer sends (JSON or RocketMQ's batch encoding, see send-entry.ts) to what the store writes.
 *
 * Bytes Skiff chooses where RocketMQ versions differ (a documented choice, see README
 * "Works with Apache RocketMQ"):
 * - properties are stored without the trailing 0x02 (4.9 style; the store option can switch it);
 * - `CLUSTER=<brokerClusterName>` is added to every message, as both 4.9 and 5.x brokers do;
 * - `UNIQ_KEY` is added when the producer did not set one (the Java client always sets one);
 * - `WAIT` is a per-send instruction: read, then not stored (as 4.9 does for single messages) —
 *   except in a delayed message, whose string the 4.9 store rebuilds from the map with WAIT back in;
 * - a RocketMQ batch (remoting SEND_BATCH_MESSAGE) is stored as a 4.9 broker stores it: each
 *   message's own properties verbatim, 0x02, then the batch-level string (the request's properties
 *   with CLUSTER added, in HashMap order), so WAIT (and a 5.x batch's UNIQ_KEY) appear twice
 *   (spec §0.1; the last occurrence wins when read).
 * Property order: the order a RocketMQ 4.9 broker writes for the same send from the Java client —
 * `java.util.HashMap` order (java-hash-map-order.ts) of a map filled as the Java client and broker
 * fill it (WAIT, TAGS, KEYS, then the producer's own, DELAY, UNIQ_KEY; the broker removes WAIT
 * and adds CLUSTER). So a record is byte-identical to RocketMQ's but for times and hosts.
 */
import { z } from "zod";
import { SkiffError } from "../core/errors.ts";
import { utf8Encode } from "../core/bytes.ts";
import { BATCH_MESSAGES_MAX, mergeBatchProperties, type BatchMessage } from "../codec/batch.ts";
import type { HostAddress } from "../codec/host-address.ts";
import { decodeProperties, decodePropertiesBytes, encodeProperties, MessageConst } from "../codec/properties.ts";
import type { MessageInput } from "../store/message-input.ts";
import { inJavaHashMapOrder } from "../codec/java-hash-map-order.ts";

const propertyText = z.string().refine((s) => !/[\u0001\u0002]/.test(s), "must not contain the separators \\u0001 or \\u0002");

export const messageSchema = z
  .object({
    body: z.string().optional(),
    bodyBase64: z.string().optional(),
    tags: propertyText.optional(),
    keys: z.union([propertyText, z.array(propertyText)]).optional(),
    properties: z.record(propertyText, propertyText).optional(),
    queueId: z.number().int().min(0).max(0x7fffffff).optional(),
    flag: z.number().int().min(-0x80000000).max(0x7fffffff).optional(),
    delayLevel: z.number().int().min(0).max(64).optional(),
    wait: z.boolean().optional(),
  })
  .strict()
  .refine((m) => (m.body === undefined) !== (m.bodyBase64 === undefined), "exactly one of body and bodyBase64 is required");

export type JsonMessage = z.infer<typeof messageSchema>;

export const batchSchema = z.object({ messages: z.array(messageSchema).min(1).max(BATCH_MESSAGES_MAX) }).strict();

export interface BuildContext {
  readonly clusterName: string;
  /** `brokerIP1:listenPort`: the address an offsetMsgId names (queryMsgById dials it). */
  readonly storeHost: HostAddress;
  readonly bornHost: HostAddress;
  readonly now: number;
  readonly nextUniqueId: () => string;
}

/** A message ready for the store but for where it goes: the send names the topic, the queue is chosen then. */
export interface BuiltMessage {
  readonly input: Omit<MessageInput, "topic" | "queueId">;
  readonly queueId: number | undefined;
  /** False when the producer asked not to wait for flush or replication. */
  readonly wait: boolean;
  readonly uniqueId: string;
}

export function buildFromJson(message: JsonMessage, context: BuildContext): BuiltMessage {
  // Insertion order as the Java client's Message constructor and setters produce it.
  const properties = new Map<string, string>([[MessageConst.WAIT, "true"]]);
  if (message.tags !== undefined) properties.set(MessageConst.TAGS, message.tags);
  if (message.keys !== undefined) properties.set(MessageConst.KEYS, Array.isArray(message.keys) ? message.keys.join(" ") : message.keys);
  for (const [key, value] of Object.entries(message.properties ?? {})) properties.set(key, value);
  if (message.delayLevel) properties.set(MessageConst.DELAY, String(message.delayLevel));
  const waitProperty = properties.get(MessageConst.WAIT);
  const body = message.body !== undefined ? utf8Encode(message.body) : decodeBase64(message.bodyBase64 ?? "");
  const wait = message.wait ?? waitProperty !== "false";
  return finish(properties, body, message.flag ?? 0, message.queueId, wait, context);
}

/** A message from a binary batch (RocketMQ's batch encoding); its properties are used verbatim. */
export function buildFromBatch(message: BatchMessage, queueId: number | undefined, context: BuildContext): BuiltMessage {
  const properties = decodePropertiesBytes(message.properties);
  const wait = properties.get(MessageConst.WAIT) !== "false";
  return finish(properties, message.body, message.flag, queueId, wait, context);
}

/** What a RocketMQ producer's send request says about its message(s), beside the body. */
export interface RemotingSendFields {
  /** The header's properties string (`i`): one message's, or a batch's batch-level ones. */
  readonly properties: string;
  readonly flag: number;
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly reconsumeTimes: number;
  /** Absent or negative: the broker chooses. */
  readonly queueId: number | undefined;
}

/** One message of SEND_MESSAGE(_V2): the request's properties, rewritten as a 4.9 broker does. */
export function buildFromRemoting(body: Uint8Array, fields: RemotingSendFields, context: BuildContext): BuiltMessage {
  const properties = decodeProperties(fields.properties);
  const wait = properties.get(MessageConst.WAIT) !== "false";
  const built = finish(properties, body, fields.flag, fields.queueId, wait, context);
  return { ...built, input: { ...built.input, sysFlag: fields.sysFlag, bornTimestamp: fields.bornTimestamp, reconsumeTimes: fields.reconsumeTimes } };
}

/**
 * The messages of SEND_BATCH_MESSAGE: each stored with its own properties, 0x02 and the
 * batch-level string (see the header). A message with no UNIQ_KEY anywhere gets one (after the
 * batch-level string), as every Skiff send does.
 *
 * Each message's map is what decoding its stored string gives, made without decoding the
 * batch-level part again for every message: its own properties, then the batch-level entries set
 * over them (decoding the joined string does the same: the later value wins, in the first one's place).
 */
export function buildFromRemotingBatch(messages: readonly BatchMessage[], fields: RemotingSendFields, context: BuildContext): BuiltMessage[] {
  const batchLevel = decodeProperties(fields.properties);
  const wait = batchLevel.get(MessageConst.WAIT) !== "false";
  const maxSize = batchLevel.size + (batchLevel.has(MessageConst.CLUSTER) ? 0 : 1);
  batchLevel.set(MessageConst.CLUSTER, context.clusterName);
  const ordered = inJavaHashMapOrder(batchLevel, maxSize);
  const batchBytes = utf8Encode(encodeProperties(ordered, { trailingSeparator: false }));
  const batchEntries = [...ordered]; // what decoding batchBytes gives: encodeProperties refuses what would not round-trip
  return messages.map((message) => {
    let stored = mergeBatchProperties(message.properties, batchBytes);
    const properties = decodePropertiesBytes(message.properties);
    for (const [key, value] of batchEntries) properties.set(key, value);
    if (!properties.get(MessageConst.UNIQ_KEY)) {
      const uniqueId = context.nextUniqueId();
      stored = mergeBatchProperties(stored, utf8Encode(`${MessageConst.UNIQ_KEY}\u0001${uniqueId}`));
      properties.set(MessageConst.UNIQ_KEY, uniqueId);
    }
    return {
      input: {
        ...storeFields(context),
        flag: message.flag,
        body: message.body,
        properties,
        storedProperties: stored,
        sysFlag: fields.sysFlag,
        bornTimestamp: fields.bornTimestamp,
        reconsumeTimes: fields.reconsumeTimes,
      },
      queueId: fields.queueId,
      wait,
      uniqueId: properties.get(MessageConst.UNIQ_KEY)!,
    };
  });
}

function finish(properties: Map<string, string>, body: Uint8Array, flag: number, queueId: number | undefined, wait: boolean, context: BuildContext): BuiltMessage {
  let uniqueId = properties.get(MessageConst.UNIQ_KEY);
  if (!uniqueId) {
    uniqueId = context.nextUniqueId();
    properties.set(MessageConst.UNIQ_KEY, uniqueId);
  }
  const maxSize = properties.size + (properties.has(MessageConst.CLUSTER) ? 0 : 1);
  properties.set(MessageConst.CLUSTER, context.clusterName);
  // 4.9 drops WAIT from the stored string of a single message and puts it back into the map; a
  // delayed message's string is re-encoded from that map by the store, WAIT (now last) included.
  const waitValue = properties.get(MessageConst.WAIT);
  properties.delete(MessageConst.WAIT);
  const delayed = Number.parseInt(properties.get(MessageConst.DELAY) ?? "0", 10) > 0;
  if (delayed && waitValue !== undefined) properties.set(MessageConst.WAIT, waitValue);
  return {
    input: { ...storeFields(context), flag, body, properties: inJavaHashMapOrder(properties, maxSize) },
    queueId,
    wait,
    uniqueId,
  };
}

function storeFields(context: BuildContext) {
  return { sysFlag: 0, bornTimestamp: context.now, bornHost: context.bornHost, storeHost: context.storeHost, reconsumeTimes: 0, preparedTransactionOffset: 0 };
}

export function decodeBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) {
    throw new SkiffError("BAD_REQUEST", "bodyBase64 is not valid base64");
  }
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
