/**
 * Metadata administration, the same for every front (HTTP now, RocketMQ remoting next): topics,
 * subscription groups and consumer offsets. Changes are accepted only on a master (a slave's
 * metadata comes from its master's sync and would be overwritten: NOT_MASTER). Deleting a topic
 * removes its config (topics.json, DataVersion bumped) and then its consume queues (their
 * directory under consumequeue/); the commit log, append-only, is untouched.
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
    if (!this.deps.metadata.topics.get(topic)) throw new SkiffError("TOPIC_NOT_EXIST", `topic ${topic} does not exist`);
    this.deps.metadata.consumerOffsets.commit(group, topic, queueId, offset);
  }

  private requireMaster(): void {
    if (this.deps.config().brokerRole === "SLAVE") {
      throw new SkiffError("NOT_MASTER", "this broker is a slave: change metadata on its master, it reaches the slave by sync");
    }
  }
}
