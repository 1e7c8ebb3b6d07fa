/**
 * RocketMQ's retry and dead-letter topics (`MixAll.getRetryTopic` / `getDLQTopic`, spec §8.1) and
 * the one rule that moves a message from the first to the second (spec §8.2 step 5, §8.3): a
 * message whose reconsume count has reached the limit goes to `%DLQ%<group>` instead of being
 * retried. Shared by every path that re-sends a consumed message: a producer's send to a retry
 * topic (SendService) and the broker's own send-back (CONSUMER_SEND_MSG_BACK).
 *
 * | topic             | created                                  | queues / perm      |
 * |-------------------|------------------------------------------|--------------------|
 * | `%RETRY%<group>`  | first heartbeat, send-back, or retry send | 1 / READ+WRITE (6) |
 * | `%DLQ%<group>`    | the first message that dies              | 1 / READ+WRITE (6) |
 */

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

/** The consumer group of a retry topic, or undefined for any other topic. */
export function groupOfRetryTopic(topic: string): string | undefined {
  return topic.startsWith(RETRY_TOPIC_PREFIX) ? topic.slice(RETRY_TOPIC_PREFIX.length) : undefined;
}

/** True when a message consumed `reconsumeTimes` times already must go to the dead-letter topic. */
export function isDeadLetter(reconsumeTimes: number, maxReconsumeTimes: number): boolean {
  return reconsumeTimes >= maxReconsumeTimes;
}
