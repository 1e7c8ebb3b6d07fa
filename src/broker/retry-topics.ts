/**
 * The per-group topics of RocketMQ's retry path (spec §8.1, `MixAll.getRetryTopic` / `getDLQTopic`):
 *
 * | topic             | created                                                  | queues / perm      |
 * |-------------------|----------------------------------------------------------|--------------------|
 * | `%RETRY%<group>`  | first heartbeat of a CLUSTERING consumer, or a send-back  | retryQueueNums / 6 |
 * | `%DLQ%<group>`    | the first message past the group's reconsume limit       | 1 / 6              |
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
/** RocketMQ's `DLQ_NUMS_PER_GROUP`. */
export const DLQ_QUEUE_NUMS = 1;

export function retryTopicOf(group: string): string {
  return `${RETRY_TOPIC_PREFIX}${group}`;
}

export function dlqTopicOf(group: string): string {
  return `${DLQ_TOPIC_PREFIX}${group}`;
}

/** The group of a `%RETRY%<group>` topic, or undefined for any other topic. */
export function groupOfRetryTopic(topic: string): string | undefined {
  return topic.startsWith(RETRY_TOPIC_PREFIX) && topic.length > RETRY_TOPIC_PREFIX.length ? topic.slice(RETRY_TOPIC_PREFIX.length) : undefined;
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
