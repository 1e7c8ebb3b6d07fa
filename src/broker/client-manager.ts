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
 * - **Lookups** for the other paths: `subscription(group, topic)` (the pull path:
 *   SUBSCRIPTION_NOT_EXIST, SUBSCRIPTION_NOT_LATEST, tag filters), consumer ids (rebalance),
 *   connections and subscribers of a topic (admin).
 * - **Bounded** by client-limits.ts: CLIENT_LIMIT_EXCEEDED beyond a bound.
 */
import type { Clock, TimerHandle } from "../core/platform.ts";
import type { BrokerConfig } from "../config/broker-config.ts";
import type { Metadata } from "../metadata/metadata.ts";
import { isLegalTopic } from "../codec/message-limits.ts";
import { RequestCode } from "../remoting/codes.ts";
import { ClientBudget, type ClientLimits } from "./client-limits.ts";
import { type ClientChannel, type ClientConnection, type ClientIdentity, ClientMembers } from "./client-members.ts";
import { ConsumerGroup, type ConsumerGroupView, type ConsumerRegistration } from "./consumer-group.ts";
import { ensureGroupTopic, retryTopicOf } from "./retry-topics.ts";
import type { SubscriptionData } from "./subscription.ts";
import type { Logger } from "../core/log.ts";

export type { ClientChannel, ClientConnection, ClientIdentity, ClientLimits, ConsumerGroupView, ConsumerRegistration };

/** What one HEART_BEAT says (a HeartbeatData body and the request's language and version). */
export interface Heartbeat {
  readonly client: ClientIdentity;
  readonly consumers: readonly ConsumerRegistration[];
  readonly producerGroups: readonly string[];
}

/** RocketMQ's ClientHousekeepingService period. */
export const CLIENT_SCAN_INTERVAL_MS = 10_000;

export interface ClientManagerDeps {
  readonly config: () => Pick<BrokerConfig, "brokerRole" | "notifyConsumerIdsChangedEnable" | "channelExpiredTimeout">;
  readonly metadata: Metadata;
  readonly clock: Clock;
  readonly log: Logger;
  readonly limits?: Partial<ClientLimits>;
}

export class ClientManager {
  private readonly deps: ClientManagerDeps;
  private readonly budget: ClientBudget;
  private readonly consumers = new Map<string, ConsumerGroup>();
  private readonly producers = new Map<string, ClientMembers>();
  private readonly watched = new WeakSet<ClientChannel>();
  private scan: TimerHandle | null = null;

  constructor(deps: ClientManagerDeps) {
    this.deps = deps;
    this.budget = new ClientBudget(deps.limits);
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
    const { clientId } = heartbeat.client;
    for (const consumer of heartbeat.consumers) this.checkConsumer(clientId, consumer);
    for (const group of heartbeat.producerGroups) this.checkProducer(clientId, group);
    this.watch(channel);
    try {
      for (const consumer of heartbeat.consumers) {
        await this.prepareGroup(consumer);
        this.registerConsumer(channel, heartbeat.client, consumer);
      }
      const nowMs = this.deps.clock.monotonicMs();
      for (const group of heartbeat.producerGroups) {
        this.checkProducer(clientId, group);
        let members = this.producers.get(group);
        if (!members) this.producers.set(group, (members = new ClientMembers()));
        if (members.upsert(channel, heartbeat.client, nowMs)) this.budget.membersChanged(+1);
      }
    } finally {
      // The channel may have closed while the metadata was written: what it registered goes too.
      if (!channel.isOpen) this.channelClosed(channel);
    }
  }

  /** UNREGISTER_CLIENT: `clientId` leaves the group(s) named; the consumers left are notified. */
  unregister(clientId: string, groups: { readonly consumerGroup?: string; readonly producerGroup?: string }): void {
    const members = groups.producerGroup === undefined ? undefined : this.producers.get(groups.producerGroup);
    if (members?.remove(clientId)) {
      this.budget.membersChanged(-1);
      if (members.size === 0) this.producers.delete(groups.producerGroup!);
    }
    const group = groups.consumerGroup === undefined ? undefined : this.consumers.get(groups.consumerGroup);
    if (group?.members.remove(clientId)) this.afterLeave(group, 1);
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
      const channels = members.removeExpired(nowMs, timeoutMs);
      this.budget.membersChanged(-channels.length);
      for (const channel of channels) expired.add(channel);
      if (members.size === 0) this.producers.delete(name);
    }
    for (const group of [...this.consumers.values()]) {
      const channels = group.members.removeExpired(nowMs, timeoutMs);
      for (const channel of channels) expired.add(channel);
      if (channels.length > 0) this.afterLeave(group, channels.length);
    }
    for (const channel of expired) {
      this.deps.log.warn(`client channel ${channel.remoteAddress} sent no heartbeat for ${timeoutMs} ms: closed`, { client: channel.remoteAddress });
      channel.close(`no heartbeat for ${timeoutMs} ms`);
    }
  }

  private watch(channel: ClientChannel): void {
    if (this.watched.has(channel)) return;
    this.watched.add(channel);
    channel.onClose(() => this.channelClosed(channel));
  }

  private channelClosed(channel: ClientChannel): void {
    for (const [name, members] of this.producers) {
      const removed = members.removeChannel(channel);
      this.budget.membersChanged(-removed);
      if (removed > 0 && members.size === 0) this.producers.delete(name);
    }
    for (const group of [...this.consumers.values()]) {
      const removed = group.members.removeChannel(channel);
      if (removed > 0) this.afterLeave(group, removed);
    }
  }

  /** After `left` clients left `group`: the rest are notified, or an empty group goes. */
  private afterLeave(group: ConsumerGroup, left: number): void {
    this.budget.membersChanged(-left);
    this.deps.log.info(`consumer group ${group.name}: ${left} client(s) left, ${group.members.size} member(s)`, { group: group.name, left, members: group.members.size });
    if (group.members.size > 0) {
      this.notify(group);
      return;
    }
    this.consumers.delete(group.name);
    this.budget.subscriptionsChanged(group.view().subscriptions, []);
  }

  /** On a master: the subscription group (found or auto-created) and, for CLUSTERING, its retry topic. */
  private async prepareGroup(consumer: ConsumerRegistration): Promise<void> {
    const { metadata } = this.deps;
    if (this.deps.config().brokerRole === "SLAVE") return;
    const groupConfig = await metadata.subscriptionGroups.findOrCreate(consumer.group);
    if (!groupConfig || consumer.messageModel !== "CLUSTERING" || groupConfig.retryQueueNums <= 0) return;
    const retryTopic = retryTopicOf(consumer.group);
    if (isLegalTopic(retryTopic)) await ensureGroupTopic(metadata, retryTopic, groupConfig.retryQueueNums);
    else this.deps.log.warn(`consumer group ${consumer.group}: no retry topic, ${retryTopic} is not a legal topic name`);
  }

  private registerConsumer(channel: ClientChannel, client: ClientIdentity, consumer: ConsumerRegistration): void {
    const table = this.checkConsumer(client.clientId, consumer);
    let group = this.consumers.get(consumer.group);
    if (!group) this.consumers.set(consumer.group, (group = new ConsumerGroup(consumer.group)));
    if (!group.members.has(client.clientId)) {
      this.budget.membersChanged(+1);
      this.deps.log.info(`consumer group ${consumer.group}: client ${client.clientId} (${channel.remoteAddress}) joined, ${group.members.size + 1} member(s)`, { group: consumer.group, clientId: client.clientId, client: channel.remoteAddress });
    }
    const before = group.view().subscriptions;
    const changed = group.update(channel, client, consumer, table, this.deps.clock.monotonicMs());
    this.budget.subscriptionsChanged(before, group.view().subscriptions);
    if (changed) this.notify(group);
  }

  /** NOTIFY_CONSUMER_IDS_CHANGED to every channel of the group, unless the broker or the group's config turns it off. */
  private notify(group: ConsumerGroup): void {
    if (!this.deps.config().notifyConsumerIdsChangedEnable) return;
    if (this.deps.metadata.subscriptionGroups.get(group.name)?.notifyConsumerIdsChangedEnable === false) return;
    for (const channel of group.members.channels()) channel.sendOneway(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: group.name });
  }

  /** Throws CLIENT_LIMIT_EXCEEDED unless the registration fits; returns the group's next subscription table. */
  private checkConsumer(clientId: string, consumer: ConsumerRegistration): Map<string, SubscriptionData> | undefined {
    const group = this.consumers.get(consumer.group);
    if (!group) this.budget.checkNewGroup("consumer", this.consumers.size);
    if (!group?.members.has(clientId)) this.budget.checkNewMember(group?.members.size ?? 0, `consumer group ${consumer.group}`);
    if (!consumer.subscriptions) return undefined;
    const table = (group ?? new ConsumerGroup(consumer.group)).merged(consumer.subscriptions);
    this.budget.checkSubscriptions(consumer.group, group?.view().subscriptions ?? [], table);
    return table;
  }

  private checkProducer(clientId: string, group: string): void {
    const members = this.producers.get(group);
    if (!members) this.budget.checkNewGroup("producer", this.producers.size);
    if (!members?.has(clientId)) this.budget.checkNewMember(members?.size ?? 0, `producer group ${group}`);
  }
}
