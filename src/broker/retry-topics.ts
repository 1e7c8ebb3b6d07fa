/**
 * RocketMQ's retry and dead-letter topics (`MixAll.getRetryTopic` / `getDLQTopic`, spec §8.1) and
 * the one rule that moves a message from the first to the second (spec §8.2 step 5, §8.3): a
 * message whose reconsume count has reached the limit goes to `%DLQ%<group>` instead of being
 * retried. Shared by every path that re-sends a consumed message: a producer's send to a retry
 * topic (SendService) and the broker's own send-back (CONSUMER_SEND_MSG_BACK, send-back.ts).
 *
 * | topic             | created                                                   | queues / perm      |
 * |-------------------|-----------------------------------------------------------|--------------------|
 * | `%RETRY%<group>`  | first heartbeat of a CLUSTERING consumer, send-back, or a  | retryQueueNums / 6 |
 * |                   | retry send (1 queue then)                                 |                    |
 * | `%DLQ%<group>`    | the first message that dies                               | 1 / 6              |
 *
 * Both are created only on a master (a slave's topics come from its master's sync); every topic
 * change makes the broker register with its name servers at once (start-broker.ts), so consumers
 * find the new route without waiting for the next periodic registration.
 */
import { validateTopic } from "../codec/message-limits.ts";
import type { Metadata } from "../metadata/metadata.ts";
import type { TopicConfig } from "../metadata/topic-config.ts";

export const RETRY_TOPIC_PREFIX = "%RETRY%";
export const DLQ_TOPIC_PREFIX = "%DLQ%";
/** Queues of a dead-letter topic (`DLQ_NUMS_PER_GROUP`); its messages always go to queue 0. */
export const DLQ_QUEUE_NUMS = 1;
/** Queues a retry topic gets when a send creates it (`createTopicInSendMessageBackMethod(topic, 1, …)`). */
export const RETRY_QUEUE_NUMS_ON_SEND = 1;

export function retryTopicOf(group: string): string {
  return RETRY_TOPIC_PREFIX + group;
}

export function dlqTopicOf(group: string): string {
  return DLQ_TOPIC_PREFIX + group;
}

/** The consumer group of a `%RETRY%<group>` topic, or undefined for any other topic. */
export function groupOfRetryTopic(topic: string): string | undefined {
  return topic.startsWith(RETRY_TOPIC_PREFIX) && topic.length > RETRY_TOPIC_PREFIX.length ? topic.slice(RETRY_TOPIC_PREFIX.length) : undefined;
}

/** True when a message consumed `reconsumeTimes` times already must go to the dead-letter topic. */
export function isDeadLetter(reconsumeTimes: number, maxReconsumeTimes: number): boolean {
  return reconsumeTimes >= maxReconsumeTimes;
}

/**
 * The topic, created with `queueNums` queues and perm 6 (read, write) when absent (RocketMQ's
 * createTopicInSendMessageBackMethod). A name that is not a legal topic (a group name too long or
 * with other characters) is refused with TOPIC_ILLEGAL / TOPIC_TOO_LONG, and nothing is created.
 */
export function ensureGroupTopic(metadata: Metadata, topic: string, queueNums: number): Promise<TopicConfig> {
  validateTopic(topic);
  return metadata.topics.createTopicIfAbsent(topic, queueNums);
}
