/**
 * Skiff's client: a Producer and a PullConsumer over the broker's HTTP API, with nothing but
 * `fetch` (Bun, Deno, Node, browsers, edge runtimes). With a name server they route as RocketMQ's
 * Java client does: sends to masters, pulls where the broker suggests, offsets to masters.
 */
export { SkiffClientError, isRetriable, RETRIABLE_CODES } from "./errors.ts";
export { DEFAULT_TIMEOUT_MS, type FetchLike } from "./http.ts";
export type { AccountCredentials } from "../codec/basic-credentials.ts";
export type { SendStatus, PullStatus } from "../contract/broker-http.ts";
export type { BatchMessage, Message, SendResult } from "./message.ts";
export { Producer, AUTO_CREATE_TOPIC, type ClientTarget, type ProducerOptions, type SendBatchOptions } from "./producer.ts";
export type { PulledMessage, PullResult } from "./pull-answer.ts";
export { MessageFinder, MAX_KEY_LOOKUP, type IdLookupOptions, type KeyLookupOptions, type MessageFinderOptions } from "./message-finder.ts";
export {
  PullConsumer, DEFAULT_CONSUME_WAIT_MS, DEFAULT_PULL_MAX,
  type ConsumeOptions, type PullConsumerOptions, type PullOptions, type QueueOptions,
} from "./pull-consumer.ts";
export type { BrokerData, QueueData, TopicRouteData as TopicRoute } from "../contract/namesrv-http.ts";
