/**
 * Metadata administration, the same for every front (HTTP now, RocketMQ remoting next): topics,
 * subscription groups and consumer offsets. Changes are accepted only on a master (a slave's
 * metadata comes from its master's sync and would be overwritten: NOT_MASTER). Deleting a topic
 * removes its config (topics.json, DataVersion bumped) and then its consume queues (their
 * directory under consumequeue/); the commit log, append-only, is untouched.
 *
 * A group's offset where it has none yet follows RocketMQ 4.9.7 (`queryConsumerOffset`, spec §7.1):
 * 0 when the queue still starts at 0 and its first message is not "on disk" (an empty or young
 * queue: a new group, even CONSUME_FROM_LAST_OFFSET, reads it from the start), else unknown
 * (the client then applies its consumeFromWhere).
 */
import { SkiffError } from "../core/errors.ts";
import { validateTopic } from "../codec/message-limits.ts";
import type { BrokerConfig } from "../config/broker-config.ts";
import type { Metadata } from "../metadata/metadata.ts";
import { subscriptionGroupConfig, type SubscriptionGroupConfig } from "../metadata/subscription-groups.ts";
import { topicConfig, type TopicConfig } from "../metadata/topic-config.ts";
import type { MessageStore } from "../store/message-store.ts";

export interface AdminServiceDeps {
  readonly config: () => BrokerConfig;
  readonly metadata: Metadata;
  readonly store: MessageStore;
}

export class AdminService {
  private readonly deps: AdminServiceDeps;

  constructor(deps: AdminServiceDeps) {
    this.deps = deps;
  }

  /** Creates or updates `name` with `fields` over what it has; returns the stored config. */
  async putTopic(name: string, fields: Partial<TopicConfig>): Promise<TopicConfig> {
    this.requireMaster();
    validateTopic(name);
    const { topics } = this.deps.metadata;
    const config = topicConfig(name, { ...topics.get(name), ...fields });
    await topics.put(config);
    return config;
  }

  /** Deletes `name`'s config and consume queues; TOPIC_NOT_EXIST when it has no config. */
  async deleteTopic(name: string): Promise<void> {
    this.requireMaster();
    if (!(await this.deps.metadata.topics.delete(name))) throw new SkiffError("TOPIC_NOT_EXIST", `topic ${name} does not exist`);
    await this.deps.store.deleteTopicQueues(name);
  }

  async putSubscriptionGroup(name: string, fields: Partial<SubscriptionGroupConfig>): Promise<SubscriptionGroupConfig> {
    this.requireMaster();
    const { subscriptionGroups } = this.deps.metadata;
    const config = subscriptionGroupConfig(name, { ...subscriptionGroups.get(name), ...fields });
    await subscriptionGroups.put(config);
    return config;
  }

  /** Commits a consumer offset of an existing topic (moving it back is a reset: see consumer-offsets.ts). */
  commitConsumerOffset(group: string, topic: string, queueId: number, offset: number): void {
    this.requireMaster();
    if (!(Number.isSafeInteger(queueId) && queueId >= 0)) throw new SkiffError("BAD_REQUEST", `queueId must be >= 0, got ${queueId}`);
    if (!(Number.isSafeInteger(offset) && offset >= 0)) throw new SkiffError("BAD_REQUEST", `a consumer offset must be >= 0, got ${offset}`);
    if (!this.deps.metadata.topics.get(topic)) throw new SkiffError("TOPIC_NOT_EXIST", `topic ${topic} does not exist`);
    this.deps.metadata.consumerOffsets.commit(group, topic, queueId, offset);
  }

  /** The group's committed offset, or the 4.9.7 zero rule's 0 (see the header), or undefined. */
  async queryConsumerOffset(group: string, topic: string, queueId: number): Promise<number | undefined> {
    const offset = this.deps.metadata.consumerOffsets.query(group, topic, queueId);
    if (offset >= 0) return offset;
    const { store } = this.deps;
    if (store.minOffsetInQueue(topic, queueId) <= 0 && !(await store.isOnDisk(topic, queueId, 0))) return 0;
    return undefined;
  }

  private requireMaster(): void {
    if (this.deps.config().brokerRole === "SLAVE") {
      throw new SkiffError("NOT_MASTER", "this broker is a slave: change metadata on its master, it reaches the slave by sync");
    }
  }
}
