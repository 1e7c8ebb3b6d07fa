/**
 * The broker's clients (RocketMQ's ProducerManager, ConsumerManager and ClientHousekeepingService
 * in one place), shared by every remoting front: who is in which producer and consumer group, on
 * which channel, with which subscriptions — from HEART_BEAT (spec §5.2), UNREGISTER_CLIENT (§5.3),
 * channel close, and expiry.
 *
 * - **Heartbeat**, per consumer group (on a master): the subscription group is found or
 *   auto-created, and for a CLUSTERING consumer `%RETRY%<group>` is created (retryQueueNums queues,
 *   perm 6; the topic change registers with the name servers at once). Then the client and the
 *   group's subscriptions are recorded (consumer-group.ts). Per producer group: the client.
 * - **Changed** (a client id joined or left, a topic added or removed): when both the broker's
 *   `notifyConsumerIdsChangedEnable` and the group's are on, every consumer channel of the group
 *   gets NOTIFY_CONSUMER_IDS_CHANGED (40, oneway, `consumerGroup`) and rebalances at once.
 * - **Expiry**: every `CLIENT_SCAN_INTERVAL_MS` (10 s), members not heard from for
 *   `channelExpiredTimeout` (120 s) are dropped and their channels closed; the rest are notified.
 * - **Lookups** for the other paths: `subscription(group, topic)` (the pull path: SUBSCRIPTION_NOT_EXIST,
 *   SUBSCRIPTION_NOT_LATEST, tag filters), consumer ids (rebalance), connections (admin).
 *
 * Bounded (`ClientLimits`, beyond a bound the heartbeat is refused with CLIENT_LIMIT_EXCEEDED and
 * nothing of it is recorded): every member holds a channel, so clients per group default to the
 * remoting server's connection cap (4096); 8192 groups of each kind is far beyond any deployment we
 * know of (a group per application); a consumer subscribes to a few topics plus its retry topic, so
 * 256 per group is generous; and a broker-wide budget of 32768 subscriptions and 8 Mi characters of
 * expressions keeps the worst case near 50 MB whatever the clients send.
 */
import { SkiffError } from "../core/errors.ts";
import type { Clock, TimerHandle } from "../core/platform.ts";
import type { BrokerConfig } from "../config/broker-config.ts";
import type { Metadata } from "../metadata/metadata.ts";
import { isLegalTopic } from "../codec/message-limits.ts";
import { RequestCode } from "../remoting/codes.ts";
import { type ClientChannel, type ClientConnection, type ClientIdentity, ClientMembers } from "./client-members.ts";
import { ConsumerGroup, subscriptionChars, type ConsumerGroupView, type ConsumerRegistration } from "./consumer-group.ts";
import { ensureGroupTopic, retryTopicOf } from "./retry-topics.ts";
import type { SubscriptionData } from "./subscription.ts";

export type { ClientChannel, ClientConnection, ClientIdentity, ConsumerGroupView, ConsumerRegistration };

/** What one HEART_BEAT says (a HeartbeatData body and the request's language and version). */
export interface Heartbeat {
  readonly client: ClientIdentity;
  readonly consumers: readonly ConsumerRegistration[];
  readonly producerGroups: readonly string[];
}

export interface ClientLimits {
  readonly maxConsumerGroups: number;
  readonly maxProducerGroups: number;
  readonly maxClientsPerGroup: number;
  readonly maxSubscriptionsPerGroup: number;
  readonly maxSubscriptionsTotal: number;
  readonly maxSubscriptionCharsTotal: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = {
  maxConsumerGroups: 8192,
  maxProducerGroups: 8192,
  maxClientsPerGroup: 4096,
  maxSubscriptionsPerGroup: 256,
  maxSubscriptionsTotal: 32768,
  maxSubscriptionCharsTotal: 8 * 1024 * 1024,
};

/** RocketMQ's ClientHousekeepingService period. */
export const CLIENT_SCAN_INTERVAL_MS = 10_000;

export interface ClientManagerDeps {
  readonly config: () => Pick<BrokerConfig, "brokerRole" | "notifyConsumerIdsChangedEnable" | "channelExpiredTimeout">;
  readonly metadata: Metadata;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  readonly limits?: Partial<ClientLimits>;
}

export class ClientManager {
  private readonly deps: ClientManagerDeps;
  private readonly limits: ClientLimits;
  private readonly consumers = new Map<string, ConsumerGroup>();
  private readonly producers = new Map<string, ClientMembers>();
  private readonly watched = new WeakSet<ClientChannel>();
  private subscriptionsTotal = 0;
  private charsTotal = 0;
  private scan: TimerHandle | null = null;

  constructor(deps: ClientManagerDeps) {
    this.deps = deps;
    this.limits = { ...DEFAULT_CLIENT_LIMITS, ...deps.limits };
  }

  /** Starts the periodic expiry scan. */
  start(): void {
    this.scan ??= this.deps.clock.setInterval(() => this.expire(), CLIENT_SCAN_INTERVAL_MS);
  }

  stop(): void {
    this.scan?.cancel();
    this.scan = null;
  }

  async heartbeat(channel: ClientChannel, heartbeat: Heartbeat): Promise<void> {
    for (const consumer of heartbeat.consumers) this.checkRoom(heartbeat.client.clientId, consumer);
    for (const group of heartbeat.producerGroups) this.checkProducerRoom(heartbeat.client.clientId, group);
    for (const consumer of heartbeat.consumers) {
      const notify = await this.prepareGroup(consumer);
      this.registerConsumer(channel, heartbeat.client, consumer, notify);
    }
    const nowMs = this.deps.clock.monotonicMs();
    for (const group of heartbeat.producerGroups) {
      this.checkProducerRoom(heartbeat.client.clientId, group);
      let members = this.producers.get(group);
      if (!members) this.producers.set(group, (members = new ClientMembers()));
      members.upsert(channel, heartbeat.client, nowMs);
    }
    this.watch(channel);
  }

  /** UNREGISTER_CLIENT: `clientId` leaves the group(s) named; the consumers left are notified. */
  unregister(clientId: string, groups: { readonly consumerGroup?: string; readonly producerGroup?: string }): void {
    if (groups.producerGroup !== undefined) {
      const members = this.producers.get(groups.producerGroup);
      if (members?.remove(clientId) && members.size === 0) this.producers.delete(groups.producerGroup);
    }
    const group = groups.consumerGroup === undefined ? undefined : this.consumers.get(groups.consumerGroup);
    if (group?.members.remove(clientId)) this.afterLeave(group);
  }

  consumerIds(group: string): string[] {
    return this.consumers.get(group)?.members.clientIds() ?? [];
  }

  /** The group's consumers and subscriptions, or undefined when no consumer of it is connected. */
  consumerGroup(group: string): ConsumerGroupView | undefined {
    return this.consumers.get(group)?.view();
  }

  /** The group's subscription to `topic` from its consumers' heartbeats. */
  subscription(group: string, topic: string): SubscriptionData | undefined {
    return this.consumers.get(group)?.subscription(topic);
  }

  /** Groups with a connected consumer subscribed to `topic` (QUERY_TOPIC_CONSUME_BY_WHO). */
  groupsSubscribedTo(topic: string): string[] {
    return [...this.consumers.values()].filter((g) => g.subscription(topic) !== undefined).map((g) => g.name);
  }

  producerConnections(group: string): ClientConnection[] {
    return this.producers.get(group)?.connections() ?? [];
  }

  /** Drops the members not heard from for `channelExpiredTimeout` and closes their channels. */
  expire(): void {
    const nowMs = this.deps.clock.monotonicMs();
    const timeoutMs = this.deps.config().channelExpiredTimeout;
    const expired = new Set<ClientChannel>();
    for (const [name, members] of this.producers) {
      for (const channel of members.removeExpired(nowMs, timeoutMs)) expired.add(channel);
      if (members.size === 0) this.producers.delete(name);
    }
    for (const group of [...this.consumers.values()]) {
      const channels = group.members.removeExpired(nowMs, timeoutMs);
      for (const channel of channels) expired.add(channel);
      if (channels.length > 0) this.afterLeave(group);
    }
    for (const channel of expired) {
      this.deps.log(`client channel ${channel.remoteAddress} sent no heartbeat for ${timeoutMs} ms: closed`);
      channel.close();
    }
  }

  private watch(channel: ClientChannel): void {
    if (this.watched.has(channel)) return;
    this.watched.add(channel);
    channel.onClose(() => this.channelClosed(channel));
  }

  private channelClosed(channel: ClientChannel): void {
    for (const [name, members] of this.producers) {
      if (members.removeChannel(channel) > 0 && members.size === 0) this.producers.delete(name);
    }
    for (const group of [...this.consumers.values()]) {
      if (group.members.removeChannel(channel) > 0) this.afterLeave(group);
    }
  }

  private afterLeave(group: ConsumerGroup): void {
    if (group.members.size > 0) {
      this.notify(group);
      return;
    }
    this.consumers.delete(group.name);
    this.account(group, -1);
  }

  /** On a master: the subscription group and, for CLUSTERING, its retry topic. Returns whether to notify. */
  private async prepareGroup(consumer: ConsumerRegistration): Promise<boolean> {
    const { metadata } = this.deps;
    if (this.deps.config().brokerRole === "SLAVE") return metadata.subscriptionGroups.get(consumer.group)?.notifyConsumerIdsChangedEnable ?? true;
    const groupConfig = await metadata.subscriptionGroups.findOrCreate(consumer.group);
    if (!groupConfig) return true;
    const retryTopic = retryTopicOf(consumer.group);
    if (consumer.messageModel === "CLUSTERING" && groupConfig.retryQueueNums > 0) {
      if (isLegalTopic(retryTopic)) await ensureGroupTopic(metadata, retryTopic, groupConfig.retryQueueNums);
      else this.deps.log(`consumer group ${consumer.group}: no retry topic, ${retryTopic} is not a legal topic name`);
    }
    return groupConfig.notifyConsumerIdsChangedEnable;
  }

  private registerConsumer(channel: ClientChannel, client: ClientIdentity, consumer: ConsumerRegistration, notify: boolean): void {
    const table = this.checkRoom(client.clientId, consumer);
    let group = this.consumers.get(consumer.group);
    if (!group) this.consumers.set(consumer.group, (group = new ConsumerGroup(consumer.group)));
    this.account(group, -1);
    const changed = group.update(channel, client, consumer, table, this.deps.clock.monotonicMs());
    this.account(group, +1);
    if (changed && notify) this.notify(group);
  }

  private notify(group: ConsumerGroup): void {
    if (!this.deps.config().notifyConsumerIdsChangedEnable) return;
    if (this.deps.metadata.subscriptionGroups.get(group.name)?.notifyConsumerIdsChangedEnable === false) return;
    for (const channel of group.members.channels()) channel.sendOneway(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: group.name });
  }

  /** Adds (`sign` +1) or takes away (-1) the group's subscriptions from the broker-wide totals. */
  private account(group: ConsumerGroup, sign: 1 | -1): void {
    const subscriptions = group.view().subscriptions;
    this.subscriptionsTotal += sign * subscriptions.length;
    this.charsTotal += sign * subscriptionChars(subscriptions);
  }

  /** Throws CLIENT_LIMIT_EXCEEDED unless the registration fits; returns the group's next subscription table. */
  private checkRoom(clientId: string, consumer: ConsumerRegistration): Map<string, SubscriptionData> | undefined {
    const { limits } = this;
    const group = this.consumers.get(consumer.group);
    if (!group && this.consumers.size >= limits.maxConsumerGroups) throw limit(`the broker tracks ${limits.maxConsumerGroups} consumer groups already`);
    if (!group?.members.has(clientId) && (group?.members.size ?? 0) >= limits.maxClientsPerGroup) {
      throw limit(`consumer group ${consumer.group} has ${limits.maxClientsPerGroup} clients already`);
    }
    if (!consumer.subscriptions) return undefined;
    const table = (group ?? new ConsumerGroup(consumer.group)).merged(consumer.subscriptions);
    if (table.size > limits.maxSubscriptionsPerGroup) throw limit(`consumer group ${consumer.group} subscribes to ${table.size} topics, more than ${limits.maxSubscriptionsPerGroup}`);
    const old = group?.view().subscriptions ?? [];
    if (this.subscriptionsTotal - old.length + table.size > limits.maxSubscriptionsTotal
      || this.charsTotal - subscriptionChars(old) + subscriptionChars(table.values()) > limits.maxSubscriptionCharsTotal) {
      throw limit(`the broker holds ${this.subscriptionsTotal} subscriptions (${this.charsTotal} characters) already`);
    }
    return table;
  }

  private checkProducerRoom(clientId: string, group: string): void {
    const members = this.producers.get(group);
    if (!members && this.producers.size >= this.limits.maxProducerGroups) throw limit(`the broker tracks ${this.limits.maxProducerGroups} producer groups already`);
    if (members && !members.has(clientId) && members.size >= this.limits.maxClientsPerGroup) {
      throw limit(`producer group ${group} has ${this.limits.maxClientsPerGroup} clients already`);
    }
  }
}

function limit(message: string): SkiffError {
  return new SkiffError("CLIENT_LIMIT_EXCEEDED", `heartbeat refused: ${message}`);
}
