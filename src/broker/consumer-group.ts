/**
 * One consumer group as the broker sees it from heartbeats (RocketMQ's `ConsumerGroupInfo`): its
 * clients, how it consumes (the last heartbeat's consumeType, messageModel, consumeFromWhere) and
 * one subscription per topic, shared by the whole group as in RocketMQ:
 *
 * - a topic the heartbeat names for the first time is added; one it names with a newer
 *   `subVersion` replaces the old subscription; one it no longer names is removed;
 * - the group has **changed** when a client id joined or a topic was added or removed (a newer
 *   subVersion of a known topic is not a change): then its consumers are told to rebalance.
 */
import type { ClientChannel, ClientConnection, ClientIdentity } from "./client-members.ts";
import { ClientMembers } from "./client-members.ts";
import type { SubscriptionData } from "./subscription.ts";

/** What one heartbeat says about one of the client's consumer groups (a `ConsumerData`). */
export interface ConsumerRegistration {
  readonly group: string;
  /** `CONSUME_PASSIVELY` (push) or `CONSUME_ACTIVELY` (pull, lite pull). */
  readonly consumeType: string;
  /** `CLUSTERING` or `BROADCASTING`. */
  readonly messageModel: string;
  readonly consumeFromWhere: string;
  /** Absent in a heartbeat that leaves the subscriptions as they are (5.x `withoutSub`). */
  readonly subscriptions?: readonly SubscriptionData[];
}

export interface ConsumerGroupView {
  readonly group: string;
  readonly consumeType: string;
  readonly messageModel: string;
  readonly consumeFromWhere: string;
  readonly connections: readonly ClientConnection[];
  readonly subscriptions: readonly SubscriptionData[];
}

export class ConsumerGroup {
  readonly name: string;
  readonly members = new ClientMembers();
  private consumeType = "";
  private messageModel = "";
  private consumeFromWhere = "";
  private table = new Map<string, SubscriptionData>();

  constructor(name: string) {
    this.name = name;
  }

  get subscriptionCount(): number {
    return this.table.size;
  }

  subscription(topic: string): SubscriptionData | undefined {
    return this.table.get(topic);
  }

  /**
   * The table after a heartbeat's `subscriptions`, without applying it (limits are checked first):
   * a known topic keeps its subscription unless the new one has a higher subVersion.
   */
  merged(subscriptions: readonly SubscriptionData[]): Map<string, SubscriptionData> {
    const next = new Map<string, SubscriptionData>();
    for (const sub of subscriptions) {
      const current = next.get(sub.topic) ?? this.table.get(sub.topic);
      next.set(sub.topic, current && current.subVersion >= sub.subVersion ? current : sub);
    }
    return next;
  }

  /** Applies one heartbeat's consumer data; true when the group changed. */
  update(channel: ClientChannel, client: ClientIdentity, registration: ConsumerRegistration, table: Map<string, SubscriptionData> | undefined, nowMs: number): boolean {
    this.consumeType = registration.consumeType;
    this.messageModel = registration.messageModel;
    this.consumeFromWhere = registration.consumeFromWhere;
    const joined = this.members.upsert(channel, client, nowMs);
    if (!table) return joined;
    const topicsChanged = table.size !== this.table.size || [...table.keys()].some((topic) => !this.table.has(topic));
    this.table = table;
    return joined || topicsChanged;
  }

  view(): ConsumerGroupView {
    return {
      group: this.name,
      consumeType: this.consumeType,
      messageModel: this.messageModel,
      consumeFromWhere: this.consumeFromWhere,
      connections: this.members.connections(),
      subscriptions: [...this.table.values()],
    };
  }
}
