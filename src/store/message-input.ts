/**
 * From a message as a producer sent it to the record the commit log writes: properties encoded,
 * and delayed messages rewritten for the schedule service as RocketMQ 4.9 does (spec §1.7 step 3):
 * with `DELAY` > 0 (and not a prepared/rollback transaction), the level is clamped to the highest,
 * `REAL_TOPIC` / `REAL_QID` keep the destination, and the message goes to `SCHEDULE_TOPIC_XXXX`
 * queue `level - 1`; its properties are then re-ordered as Java's HashMap holds them after the two
 * `put`s, so the record is the one a 4.9 broker writes.
 *
 * A message carrying `SKIFF_DELETED_TOPIC`, the property of topic deletion records
 * (topic-deletion.ts), is refused: only the store writes it.
 *
 * `storedProperties`, when given, are written verbatim instead of encoding `properties`: a batch
 * message's inner properties glued to the batch-level string (codec/batch.ts
 * `mergeBatchProperties`), where a key may repeat; `properties` is then their decoded map.
 */
import { SkiffError } from "../core/errors.ts";
import type { HostAddress } from "../codec/host-address.ts";
import { encodeProperties, MessageConst } from "../codec/properties.ts";
import { TransactionType, transactionTypeOf } from "../codec/sys-flag.ts";
import type { RecordInput } from "./commit-log.ts";
import { SCHEDULE_TOPIC } from "../codec/delay-levels.ts";
import { inJavaHashMapOrder } from "../codec/java-hash-map-order.ts";
import { TOPIC_DELETION_PROPERTY } from "./topic-deletion.ts";
import type { StoreOptions } from "./store-options.ts";

export interface MessageInput {
  readonly topic: string;
  readonly queueId: number;
  readonly flag: number;
  readonly body: Uint8Array;
  /** Insertion order is the stored order. */
  readonly properties: ReadonlyMap<string, string>;
  /** The properties' bytes exactly as stored (a batch message's; see the header), else encoded from `properties`. */
  readonly storedProperties?: Uint8Array;
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly bornHost: HostAddress;
  readonly storeHost: HostAddress;
  readonly reconsumeTimes: number;
  readonly preparedTransactionOffset: number;
}

export function prepareInputs(inputs: readonly MessageInput[], options: StoreOptions): RecordInput[] {
  if (inputs.length === 0) throw new SkiffError("MESSAGE_ILLEGAL", "no message to store");
  const isBatch = inputs.length > 1;
  return inputs.map((input) => {
    if (input.properties.has(TOPIC_DELETION_PROPERTY)) {
      throw new SkiffError("MESSAGE_ILLEGAL", `the property ${TOPIC_DELETION_PROPERTY} is reserved for the broker's topic deletion records; remove it from the message`);
    }
    const delayed = delayLevelOf(input);
    if (isBatch && delayed > 0) throw new SkiffError("MESSAGE_ILLEGAL", "a batch cannot contain delayed messages");
    return delayed > 0 ? toSchedule(input, Math.min(delayed, options.delayLevelsMs.length), options) : plain(input, options);
  });
}

function delayLevelOf(input: MessageInput): number {
  const type = transactionTypeOf(input.sysFlag);
  if (type !== TransactionType.NOT_TYPE && type !== TransactionType.COMMIT) return 0;
  const level = Number.parseInt(input.properties.get(MessageConst.DELAY) ?? "0", 10);
  return Number.isFinite(level) && level > 0 ? level : 0;
}

/** The record of `input` as it is (fields listed, not spread: this runs once per message stored). */
function plain(input: MessageInput, options: StoreOptions): RecordInput {
  return {
    topic: input.topic,
    queueId: input.queueId,
    flag: input.flag,
    body: input.body,
    properties: input.storedProperties ?? encodeProperties(input.properties, { trailingSeparator: options.propertiesTrailingSeparator }),
    sysFlag: input.sysFlag,
    bornTimestamp: input.bornTimestamp,
    bornHost: input.bornHost,
    storeHost: input.storeHost,
    reconsumeTimes: input.reconsumeTimes,
    preparedTransactionOffset: input.preparedTransactionOffset,
  };
}

function toSchedule(input: MessageInput, level: number, options: StoreOptions): RecordInput {
  const properties = new Map(input.properties);
  properties.set(MessageConst.DELAY, String(level));
  properties.set(MessageConst.REAL_TOPIC, input.topic);
  properties.set(MessageConst.REAL_QID, String(input.queueId));
  return plain({ ...input, topic: SCHEDULE_TOPIC, queueId: level - 1, properties: inJavaHashMapOrder(properties), storedProperties: undefined }, options);
}
