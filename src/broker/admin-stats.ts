/**
 * What the admin tools read about topics and consumer groups (`mqadmin topicStatus`,
 * `consumerProgress`, `queryMsgById`'s "who consumes"), by RocketMQ's AdminBrokerProcessor rules:
 *
 * | question            | answer                                                                     |
 * |---------------------|----------------------------------------------------------------------------|
 * | topic stats         | per queue id below max(read, write) queue count: min and max queue offset,  |
 * |                     | store time of the last message (0 for an empty queue); unknown topic → TOPIC_NOT_EXIST |
 * | consume stats       | for every topic the group has offsets for (`%RETRY%<group>` included), or   |
 * |                     | the topics asked for, per readable queue: the queue's max offset, the        |
 * |                     | committed offset (0 when none), the store time of the last consumed message |
 * |                     | (at committed - 1; 0 when none); a topic without config is skipped, and so   |
 * |                     | is one the group's online consumers do not subscribe to (when any are online) |
 * | consume TPS         | messages read by the group per second over the last minute, summed over topics |
 * | who consumes        | groups with offsets for the topic, plus groups whose online consumers subscribe to it |
 *
 * Online subscriptions come from the broker's client table (heartbeats) through the optional
 * `ConsumerSubscriptionLookup`; without it only committed offsets count.
 */
import { SkiffError } from "../core/errors.ts";
import type { BrokerConfig } from "../config/broker-config.ts";
import type { ConsumeStats, QueueEntry, OffsetWrapper, TopicStatsTable } from "../codec/admin-stats-body.ts";
import type { Metadata } from "../metadata/metadata.ts";
import type { MessageStore } from "../store/message-store.ts";

/**
 * What the broker's client table (heartbeats of online consumers) knows, for admin answers: the
 * part of the ClientManager these rules read (it fits this shape as it is).
 */
export interface ConsumerSubscriptionLookup {
  /** The group's connected consumers' subscriptions; undefined when none is connected. */
  consumerGroup(group: string): { readonly subscriptions: ReadonlyArray<{ readonly topic: string }> } | undefined;
  /** Groups with a connected consumer subscribed to `topic`. */
  groupsSubscribedTo(topic: string): readonly string[];
}

export interface AdminStatsDeps {
  readonly config: () => BrokerConfig;
  readonly store: MessageStore;
  readonly metadata: Metadata;
  readonly subscriptions?: ConsumerSubscriptionLookup;
}

export class AdminStats {
  private readonly deps: AdminStatsDeps;

  constructor(deps: AdminStatsDeps) {
    this.deps = deps;
  }

  async topicStats(topic: string): Promise<TopicStatsTable> {
    const { metadata, store } = this.deps;
    const config = metadata.topics.get(topic);
    if (!config) throw new SkiffError("TOPIC_NOT_EXIST", `topic[${topic}] not exist`);
    const brokerName = this.deps.config().brokerName;
    const offsetTable = [];
    for (let queueId = 0; queueId < Math.max(config.readQueueNums, config.writeQueueNums); queueId++) {
      const maxOffset = store.maxOffsetInQueue(topic, queueId);
      const lastUpdateTimestamp = maxOffset > 0 ? await store.storeTimestampAt(topic, queueId, maxOffset - 1) : 0;
      offsetTable.push({ queue: { topic, brokerName, queueId }, value: { minOffset: store.minOffsetInQueue(topic, queueId), maxOffset, lastUpdateTimestamp } });
    }
    return { offsetTable };
  }

  /** `topics`: the ones asked for (5.x `topicList`, or `topic`); absent = every topic with offsets. */
  async consumeStats(group: string, topics?: readonly string[]): Promise<ConsumeStats> {
    const { metadata, store } = this.deps;
    const subscribed = new Set(this.deps.subscriptions?.consumerGroup(group)?.subscriptions.map((s) => s.topic));
    const brokerName = this.deps.config().brokerName;
    const offsetTable: Array<QueueEntry<OffsetWrapper>> = [];
    let consumeTps = 0;
    for (const topic of new Set(topics ?? metadata.consumerOffsets.topicsOf(group))) {
      const config = metadata.topics.get(topic);
      if (!config || (subscribed.size > 0 && !subscribed.has(topic))) continue;
      for (const { queueId, brokerOffset, consumerOffset } of this.queueProgress(group, topic)) {
        const lastConsumed = consumerOffset > 0 ? await store.storeTimestampAt(topic, queueId, consumerOffset - 1) : 0;
        offsetTable.push({ queue: { topic, brokerName, queueId }, value: { brokerOffset, consumerOffset, lastTimestamp: Math.max(0, lastConsumed) } });
      }
      consumeTps += store.traffic.groupGetTps(`${topic}@${group}`);
    }
    return { consumeTps, offsetTable };
  }

  /**
   * Where `group` stands in each readable queue of `topic`: the queue's max offset and the committed
   * offset (0 when none), as consume stats count them (and `/metrics` for consumer lag); empty for
   * a topic without config.
   */
  queueProgress(group: string, topic: string): Array<{ queueId: number; brokerOffset: number; consumerOffset: number }> {
    const { metadata, store } = this.deps;
    const config = metadata.topics.get(topic);
    if (!config) return [];
    return Array.from({ length: config.readQueueNums }, (_, queueId) => ({
      queueId,
      brokerOffset: store.maxOffsetInQueue(topic, queueId),
      consumerOffset: Math.max(0, metadata.consumerOffsets.query(group, topic, queueId)),
    }));
  }

  /** Groups that consume `topic`: with committed offsets, or online and subscribed. */
  topicConsumers(topic: string): string[] {
    const groups = new Set(this.deps.subscriptions?.groupsSubscribedTo(topic) ?? []);
    for (const group of this.deps.metadata.consumerOffsets.groupsOf(topic)) groups.add(group);
    return [...groups];
  }
}
