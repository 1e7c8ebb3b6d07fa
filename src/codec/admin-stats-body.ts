/**
 * The bodies of the two admin answers keyed by message queue, as fastjson writes RocketMQ's
 * `TopicStatsTable` (GET_TOPIC_STATS_INFO, 202) and `ConsumeStats` (GET_CONSUME_STATS, 208): maps
 * whose keys are `MessageQueue` beans, written as objects before the colon (fastjson.ts,
 * `ObjectKeyMap`), bean fields in alphabetical order, no whitespace:
 *
 * | bean            | JSON                                                                          |
 * |-----------------|-------------------------------------------------------------------------------|
 * | TopicStatsTable | `{"offsetTable":{<MessageQueue>:<TopicOffset>,…}}` (5.x adds `"topicPutTps":<double>`) |
 * | ConsumeStats    | `{"consumeTps":<double>,"offsetTable":{<MessageQueue>:<OffsetWrapper>,…}}`    |
 * | MessageQueue    | `{"brokerName":"broker-a","queueId":3,"topic":"TopicTest"}`                   |
 * | TopicOffset     | `{"lastUpdateTimestamp":<ms>,"maxOffset":<long>,"minOffset":<long>}`          |
 * | OffsetWrapper   | `{"brokerOffset":<long>,"consumerOffset":<long>,"lastTimestamp":<ms>}` (5.x adds `"pullOffset":<long>`) |
 *
 * The entries come in the iteration order of Java's `HashMap<MessageQueue, …>` (both offset tables
 * are HashMaps), by `MessageQueue.hashCode` = `31·(31·(31 + hash(brokerName)) + queueId) + hash(topic)`:
 * `encode*` orders them so, whatever order they are given in; `decode*` keeps the wire order.
 * Optional fields (`topicPutTps`, `consumeTps`, `pullOffset`) are written only when present.
 */
import { SkiffError } from "../core/errors.ts";
import { utf8Decode, utf8Encode } from "../core/bytes.ts";
import { JavaDouble, ObjectKeyMap, parseFastjson, stringifyFastjson, type FastjsonObject, type FastjsonValue } from "./fastjson.ts";
import { javaHashMapOrderBy } from "./java-hash-map-order.ts";
import { javaStringHash } from "./java-hash.ts";

export interface MessageQueueKey {
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
}

export interface TopicOffset {
  readonly minOffset: number;
  readonly maxOffset: number;
  /** Store time of the queue's last message; 0 for an empty queue. */
  readonly lastUpdateTimestamp: number;
}

export interface OffsetWrapper {
  readonly brokerOffset: number;
  readonly consumerOffset: number;
  /** Store time of the last consumed message (at consumerOffset - 1); 0 when none. */
  readonly lastTimestamp: number;
  readonly pullOffset?: number;
}

export interface QueueEntry<T> {
  readonly queue: MessageQueueKey;
  readonly value: T;
}

export interface TopicStatsTable {
  readonly offsetTable: ReadonlyArray<QueueEntry<TopicOffset>>;
  readonly topicPutTps?: number;
}

export interface ConsumeStats {
  readonly offsetTable: ReadonlyArray<QueueEntry<OffsetWrapper>>;
  readonly consumeTps?: number;
}

/** Java's `MessageQueue.hashCode()`. */
export function messageQueueHashCode(queue: MessageQueueKey): number {
  let h = 1;
  h = (Math.imul(31, h) + javaStringHash(queue.brokerName)) | 0;
  h = (Math.imul(31, h) + queue.queueId) | 0;
  return (Math.imul(31, h) + javaStringHash(queue.topic)) | 0;
}

export function encodeTopicStatsTable(table: TopicStatsTable): Uint8Array {
  return utf8Encode(stringifyFastjson({
    offsetTable: offsetMap(table.offsetTable, (o) => ({ lastUpdateTimestamp: o.lastUpdateTimestamp, maxOffset: o.maxOffset, minOffset: o.minOffset })),
    topicPutTps: table.topicPutTps === undefined ? undefined : new JavaDouble(table.topicPutTps),
  }));
}

export function encodeConsumeStats(stats: ConsumeStats): Uint8Array {
  return utf8Encode(stringifyFastjson({
    consumeTps: stats.consumeTps === undefined ? undefined : new JavaDouble(stats.consumeTps),
    offsetTable: offsetMap(stats.offsetTable, (o) => ({
      brokerOffset: o.brokerOffset, consumerOffset: o.consumerOffset, lastTimestamp: o.lastTimestamp, pullOffset: o.pullOffset,
    })),
  }));
}

export function decodeTopicStatsTable(bytes: Uint8Array): TopicStatsTable {
  const top = parseBody(bytes, "TopicStatsTable");
  const offsetTable = entries(top, "TopicStatsTable").map(({ queue, value }) => ({
    queue,
    value: { lastUpdateTimestamp: long(value, "lastUpdateTimestamp"), maxOffset: long(value, "maxOffset"), minOffset: long(value, "minOffset") },
  }));
  return top.topicPutTps === undefined ? { offsetTable } : { offsetTable, topicPutTps: double(top, "topicPutTps") };
}

export function decodeConsumeStats(bytes: Uint8Array): ConsumeStats {
  const top = parseBody(bytes, "ConsumeStats");
  const offsetTable = entries(top, "ConsumeStats").map(({ queue, value }) => ({
    queue,
    value: {
      brokerOffset: long(value, "brokerOffset"),
      consumerOffset: long(value, "consumerOffset"),
      lastTimestamp: long(value, "lastTimestamp"),
      ...(value.pullOffset === undefined ? {} : { pullOffset: long(value, "pullOffset") }),
    },
  }));
  return top.consumeTps === undefined ? { offsetTable } : { offsetTable, consumeTps: double(top, "consumeTps") };
}

function offsetMap<T>(table: ReadonlyArray<QueueEntry<T>>, bean: (value: T) => FastjsonObject): ObjectKeyMap {
  const ordered = javaHashMapOrderBy(table, (entry) => messageQueueHashCode(entry.queue));
  return new ObjectKeyMap(ordered.map(({ queue, value }): [FastjsonObject, FastjsonValue] => [
    { brokerName: queue.brokerName, queueId: queue.queueId, topic: queue.topic },
    bean(value),
  ]));
}

type Parsed = Readonly<Record<string, unknown>>;

function parseBody(bytes: Uint8Array, what: string): Parsed {
  const value = parseFastjson(utf8Decode(bytes));
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof ObjectKeyMap) throw invalid(`${what} is not an object`);
  return value as Parsed;
}

function entries(top: Parsed, what: string): Array<{ queue: MessageQueueKey; value: Parsed }> {
  const table = top.offsetTable;
  // An empty map reads as `{}`: nothing says its keys would have been objects.
  const empty = table === undefined || (typeof table === "object" && table !== null && !Array.isArray(table) && Object.keys(table).length === 0);
  if (empty) return [];
  if (!(table instanceof ObjectKeyMap)) throw invalid(`${what}.offsetTable is not a map keyed by MessageQueue`);
  return table.entries.map(([key, value]) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid(`${what}.offsetTable has a value that is not an object`);
    return { queue: { brokerName: text(key, "brokerName"), queueId: long(key, "queueId"), topic: text(key, "topic") }, value: value as Parsed };
  });
}

function long(bean: Parsed, field: string): number {
  const value = bean[field];
  if (!Number.isSafeInteger(value)) throw invalid(`${field} is not an integer: ${JSON.stringify(value)}`);
  return value as number;
}

function double(bean: Parsed, field: string): number {
  const value = bean[field];
  if (typeof value !== "number") throw invalid(`${field} is not a number: ${JSON.stringify(value)}`);
  return value;
}

function text(bean: Parsed, field: string): string {
  const value = bean[field];
  if (typeof value !== "string") throw invalid(`${field} is not a string: ${JSON.stringify(value)}`);
  return value;
}

function invalid(message: string): SkiffError {
  return new SkiffError("REMOTING_BODY_INVALID", `admin stats body: ${message}`);
}
