/**
 * The bounds of the broker's client registry (client-manager.ts) and the running totals they are
 * checked against. Beyond a bound a heartbeat is refused with CLIENT_LIMIT_EXCEEDED (answered
 * SYSTEM_ERROR with the reason) and nothing more of it is recorded. The defaults, and why:
 *
 * | bound                      | default  | why                                                           |
 * |----------------------------|----------|---------------------------------------------------------------|
 * | maxConsumerGroups          | 8192     | a group per application: far beyond any deployment we know of |
 * | maxProducerGroups          | 8192     | the same                                                      |
 * | maxClientsPerGroup         | 4096     | a real client holds one connection: the remoting server's cap |
 * | maxMembershipsTotal        | 65536    | one connection can claim many client ids: ids are counted     |
 * | maxSubscriptionsPerGroup   | 256      | a consumer subscribes to a few topics plus its retry topic    |
 * | maxSubscriptionsTotal      | 32768    | four per group on average at the group bound                  |
 * | maxSubscriptionCharsTotal  | 8 Mi     | topic, expression and tag characters over all subscriptions   |
 *
 * Together about 60 MB at worst whatever the clients send (a membership is ~200 bytes, a
 * subscription ~500 plus its text); a real broker holds a few hundred KB.
 */
import { SkiffError } from "../core/errors.ts";
import type { SubscriptionData } from "./subscription.ts";

export interface ClientLimits {
  readonly maxConsumerGroups: number;
  readonly maxProducerGroups: number;
  readonly maxClientsPerGroup: number;
  /** Memberships (a client id in a group) over every producer and consumer group. */
  readonly maxMembershipsTotal: number;
  readonly maxSubscriptionsPerGroup: number;
  readonly maxSubscriptionsTotal: number;
  readonly maxSubscriptionCharsTotal: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = {
  maxConsumerGroups: 8192,
  maxProducerGroups: 8192,
  maxClientsPerGroup: 4096,
  maxMembershipsTotal: 65536,
  maxSubscriptionsPerGroup: 256,
  maxSubscriptionsTotal: 32768,
  maxSubscriptionCharsTotal: 8 * 1024 * 1024,
};

/** Characters a set of subscriptions holds (topics, expressions, tags). */
export function subscriptionChars(subscriptions: Iterable<SubscriptionData>): number {
  let chars = 0;
  for (const sub of subscriptions) chars += sub.topic.length + sub.subString.length + sub.tagsSet.reduce((n, tag) => n + tag.length, 0);
  return chars;
}

export class ClientBudget {
  readonly limits: ClientLimits;
  private memberships = 0;
  private subscriptions = 0;
  private chars = 0;

  constructor(limits: Partial<ClientLimits> = {}) {
    this.limits = { ...DEFAULT_CLIENT_LIMITS, ...limits };
  }

  /** Before a new group is added to the `existing` groups of its kind. */
  checkNewGroup(kind: "consumer" | "producer", existing: number): void {
    const max = kind === "consumer" ? this.limits.maxConsumerGroups : this.limits.maxProducerGroups;
    if (existing >= max) throw limit(`the broker tracks ${max} ${kind} groups already`);
  }

  /** Before a new client id joins a group of `groupSize` clients. */
  checkNewMember(groupSize: number, what: string): void {
    if (groupSize >= this.limits.maxClientsPerGroup) throw limit(`${what} has ${this.limits.maxClientsPerGroup} clients already`);
    if (this.memberships >= this.limits.maxMembershipsTotal) throw limit(`the broker tracks ${this.limits.maxMembershipsTotal} client memberships already`);
  }

  /** Before a group's subscriptions `old` are replaced by `next`. */
  checkSubscriptions(group: string, old: readonly SubscriptionData[], next: ReadonlyMap<string, SubscriptionData>): void {
    if (next.size > this.limits.maxSubscriptionsPerGroup) throw limit(`consumer group ${group} subscribes to ${next.size} topics, more than ${this.limits.maxSubscriptionsPerGroup}`);
    if (this.subscriptions - old.length + next.size > this.limits.maxSubscriptionsTotal
      || this.chars - subscriptionChars(old) + subscriptionChars(next.values()) > this.limits.maxSubscriptionCharsTotal) {
      throw limit(`the broker holds ${this.subscriptions} subscriptions (${this.chars} characters) already`);
    }
  }

  /** Counts memberships added (> 0) or removed (< 0). */
  membersChanged(delta: number): void {
    this.memberships += delta;
  }

  /** Counts a group's subscriptions replaced: `old` out, `next` in. */
  subscriptionsChanged(old: readonly SubscriptionData[], next: readonly SubscriptionData[]): void {
    this.subscriptions += next.length - old.length;
    this.chars += subscriptionChars(next) - subscriptionChars(old);
  }
}

function limit(message: string): SkiffError {
  return new SkiffError("CLIENT_LIMIT_EXCEEDED", `heartbeat refused: ${message}`);
}
