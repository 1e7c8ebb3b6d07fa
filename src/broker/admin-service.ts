/**
 * Metadata administration, the same for every front (HTTP and RocketMQ remoting): topics,
 * subscription groups and consumer offsets. Changes are accepted only on a master (a slave's
 * metadata comes from its master's sync and would be overwritten: NOT_MASTER). The broker's
 * system topics (TBW102, SCHEDULE_TOPIC_XXXX, the cluster and broker names…: `isSystemTopic`)
 * cannot be created, changed or deleted (NO_PERMISSION, with RocketMQ's remark). Deleting a topic,
 * in this order: the store appends its deletion record (store/topic-deletion.ts: the queue
 * counters restart at 0 at once, the consume queues and their files are gone once it is
 * dispatched, on this broker and, from the replicated bytes, on its slaves, restarts included);
 * then its config goes (topics.json, DataVersion bumped, the name servers told); then every
 * group's offsets of it (consumerOffset.json written at once; their reset versions bumped, so
 * slaves drop them at the next sync). The commit log keeps the old records until retention; the
 * topic's retry topics, subscription groups and the delay offsets are untouched (as RocketMQ).
 * A send racing the deletion is not lost: appended before the record, it goes with the old
 * queues; after it, it is the first message of the new ones.
 *
 * Topic attributes (RocketMQ 5.x, `+key=value` / `-key` from `mqadmin updateTopic -a`) are changes
 * over the topic's current attributes: adding on creation only, removing only what is there.
 * Skiff stores them (topics.json, routes, GET_TOPIC_CONFIG) and does not act on any of them.
 *
 * A group's offset where it has none yet follows RocketMQ 4.9.7 (`queryConsumerOffset`, spec §7.1):
 * 0 when the queue still starts at 0 and its first message is not "on disk" (an empty or young
 * queue: a new group, even CONSUME_FROM_LAST_OFFSET, reads it from the start), else unknown
 * (the client then applies its consumeFromWhere).
 */
import { SkiffError } from "../core/errors.ts";
import { validateTopic } from "../codec/message-limits.ts";
import { parseHostAddress } from "../codec/host-address.ts";
import type { BrokerConfig } from "../config/broker-config.ts";
import type { Metadata } from "../metadata/metadata.ts";
import { subscriptionGroupConfig, type SubscriptionGroupConfig } from "../metadata/subscription-groups.ts";
import { isSystemTopic, topicConfig, type TopicConfig } from "../metadata/topic-config.ts";
import type { MessageStore } from "../store/message-store.ts";
import type { Logger } from "../core/log.ts";
import { setOwn } from "../core/own-property.ts";

export interface AdminServiceDeps {
  readonly config: () => BrokerConfig;
  readonly metadata: Metadata;
  readonly store: MessageStore;
  readonly log?: Logger;
}

/** RocketMQ 5.x attribute changes: keys to set (without the `+`) and keys to remove (without the `-`). */
export interface AttributeChanges {
  readonly set: Readonly<Record<string, string>>;
  readonly remove: readonly string[];
}

export class AdminService {
  private readonly deps: AdminServiceDeps;

  constructor(deps: AdminServiceDeps) {
    this.deps = deps;
  }

  /** Creates or updates `name` with `fields` over what it has; returns the stored config. */
  async putTopic(name: string, fields: Partial<TopicConfig>, attributeChanges?: AttributeChanges): Promise<TopicConfig> {
    this.requireMaster();
    validateTopic(name);
    this.refuseSystemTopic(name);
    const { topics } = this.deps.metadata;
    const current = topics.get(name);
    const attributes = attributeChanges ? changedAttributes(name, current, attributeChanges) : undefined;
    const config = topicConfig(name, { ...current, ...fields, ...(attributes ? { attributes } : {}) });
    await topics.put(config);
    return config;
  }

  /**
   * Deletes `name` (see the header): its queues and counters, its config, its consumer offsets.
   * TOPIC_NOT_EXIST when it has neither a config nor a consume queue. Returns the groups whose
   * offsets were removed.
   */
  async deleteTopic(name: string): Promise<{ readonly offsetsRemovedFor: readonly string[] }> {
    this.requireMaster();
    validateTopic(name);
    this.refuseSystemTopic(name);
    const { metadata, store } = this.deps;
    if (!metadata.topics.get(name) && store.queueIdsOf(name).length === 0) throw new SkiffError("TOPIC_NOT_EXIST", `topic ${name} does not exist`);
    const config = this.deps.config();
    const at = await store.deleteTopic(name, parseHostAddress(`${config.brokerIP1}:${config.listenPort}`));
    await metadata.topics.delete(name);
    const groups = metadata.consumerOffsets.deleteTopic(name);
    await metadata.consumerOffsets.flush();
    this.deps.log?.info(`topic ${name} deleted at commit-log offset ${at}: its consume queues, config and the offsets of ${groups.length} group(s)${groups.length > 0 ? ` (${groups.join(", ")})` : ""}`, { topic: name, offset: at });
    return { offsetsRemovedFor: groups };
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

  private refuseSystemTopic(name: string): void {
    if (isSystemTopic(name, this.deps.config())) throw new SkiffError("NO_PERMISSION", `The topic[${name}] is conflict with system topic.`);
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

function changedAttributes(topic: string, current: TopicConfig | undefined, changes: AttributeChanges): Record<string, string> {
  const attributes: Record<string, string> = { ...current?.attributes };
  for (const key of changes.remove) {
    if (!current) throw new SkiffError("BAD_REQUEST", `topic ${topic} is being created: only adding attributes is allowed (remove of ${key})`);
    if (!Object.hasOwn(attributes, key)) throw new SkiffError("BAD_REQUEST", `topic ${topic} has no attribute ${key} to remove`);
    delete attributes[key];
  }
  for (const [key, value] of Object.entries(changes.set)) setOwn(attributes, key, value); // a "__proto__" key stays an ordinary attribute
  return attributes;
}
