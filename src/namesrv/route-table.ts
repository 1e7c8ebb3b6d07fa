/**
 * RocketMQ's `RouteInfoManager`, in memory: which brokers are alive, grouped by broker name
 * (a master, id 0, and its slaves) and cluster, and which broker names serve each topic.
 *
 * - `register` records the broker's addresses (remoting `brokerAddr`, `haServerAddr`, and Skiff's
 *   HTTP `httpAddr` when given) under (cluster, brokerName, brokerId) and the time.
 *   An address belongs to one broker: the same address under another id of the same group is
 *   removed first (RocketMQ's slave → master switch); under another group it is refused.
 * - A broker id is not silently taken over: a registration of (brokerName, brokerId) from another
 *   address while the current holder is alive (refreshed within the expiry time) is refused with
 *   BROKER_ID_TAKEN and a `refused` event (logged as a warning), unless the new address is already
 *   a member of that broker name (a slave promoted to master). The holder leaves by unregistering
 *   (a clean stop; DELETE /brokers/… by an operator), by its connection closing, or by expiry. So a
 *   forged registration cannot redirect a group's slaves to another master (RocketMQ replaces it).
 * - Queue data comes only from masters, and only when the master is new, moved, or sends another
 *   `dataVersion` (RocketMQ's `isBrokerTopicConfigChanged`); it then replaces that broker name's
 *   queue data, so a topic deleted on the master leaves the route (5.x's
 *   `deleteTopicWithBrokerRegistration`). A slave's registration never touches queue data.
 * - Routes list each broker's remoting address in `brokerAddrs` and, for brokers that registered
 *   one, its HTTP address in `brokerHttpAddrs` (same brokerId keys).
 * - A slave learns its master's remoting, HA and HTTP addresses only if the master is registered and not
 *   past the expiry time; otherwise nulls (it asks again at its next registration).
 * - `scanExpired` removes brokers not refreshed for more than `expiryMs` (RocketMQ's
 *   `last + 120 s < now`) and drops the queue data of broker names left without a master.
 * - A registration over RocketMQ's remoting protocol names its connection (`channel`); when that
 *   connection closes, `unregisterChannel` removes every broker whose latest registration came
 *   over it (RocketMQ's `BrokerHousekeepingService`). A later registration over HTTP (no channel)
 *   or another connection takes the broker off the closing one: it then lives by expiry alone.
 * - `deleteTopic` (an admin's DELETE_TOPIC_IN_NAMESRV) drops a topic's queue data: of the broker
 *   names of one cluster (5.x, when the request names it), or of all; the brokers, which deleted
 *   it first, no longer register it.
 * Times are wall-clock milliseconds, as RocketMQ's `System.currentTimeMillis()`.
 */
import { assert, SkiffError } from "../core/errors.ts";
import {
  MASTER_ID,
  type BrokerData, type BrokerInfo, type BrokerRegistration, type ClusterInfo, type DataVersionJson,
  type QueueData, type RegisterBrokerResult, type TopicConfigWrapper, type TopicRouteData,
} from "../contract/namesrv-http.ts";

export const DEFAULT_BROKER_EXPIRY_MS = 120_000;

export interface RouteTableLimits {
  /** Registered brokers (masters and slaves) across every cluster. */
  readonly maxBrokers: number;
  /** Distinct topics with queue data. */
  readonly maxTopics: number;
}

export const DEFAULT_ROUTE_TABLE_LIMITS: RouteTableLimits = { maxBrokers: 1024, maxTopics: 100_000 };

/** What changed; a plain refresh of a known broker emits nothing. */
export type RouteTableEvent =
  | { readonly kind: "registered"; readonly broker: BrokerInfo; readonly change: "new" | "address" | "topics"; readonly replaced: BrokerInfo[] }
  | { readonly kind: "unregistered"; readonly broker: BrokerInfo }
  | { readonly kind: "disconnected"; readonly broker: BrokerInfo }
  | { readonly kind: "expired"; readonly broker: BrokerInfo; readonly idleMs: number }
  | { readonly kind: "queue-data-dropped"; readonly brokerName: string; readonly topics: number }
  | { readonly kind: "topic-deleted"; readonly topic: string; readonly clusterName: string | null; readonly brokerNames: readonly string[] }
  | { readonly kind: "refused"; readonly broker: BrokerInfo; readonly fromAddr: string };

export interface RouteTableOptions {
  readonly limits?: Partial<RouteTableLimits>;
  readonly brokerExpiryMs?: number;
  readonly onChange?: (event: RouteTableEvent) => void;
}

export interface ExpiryResult {
  readonly brokers: BrokerInfo[];
  /** Broker names left without a master, whose queue data was dropped, and the topics each lost. */
  readonly queueDataDropped: { readonly brokerName: string; readonly topics: string[] }[];
}

/** The connection a registration came over (RocketMQ's `BrokerLiveInfo.channel`), compared by identity. */
export type RegistrationChannel = object;

interface Entry {
  readonly brokerAddr: string;
  readonly haServerAddr: string;
  readonly httpAddr: string | undefined;
  readonly lastUpdateMs: number;
  readonly dataVersion: DataVersionJson;
  /** Null for a registration over HTTP. */
  readonly channel: RegistrationChannel | null;
}

interface Group {
  clusterName: string;
  readonly brokers: Map<number, Entry>;
}

const NO_MASTER: RegisterBrokerResult = { masterAddr: null, haServerAddr: null, masterHttpAddr: null };

export class RouteTable {
  readonly limits: RouteTableLimits;
  readonly brokerExpiryMs: number;
  private readonly groups = new Map<string, Group>();
  private readonly topics = new Map<string, Map<string, QueueData>>();
  private readonly onChange: (event: RouteTableEvent) => void;
  private brokerCount = 0;

  constructor(options: RouteTableOptions = {}) {
    this.limits = { ...DEFAULT_ROUTE_TABLE_LIMITS, ...options.limits };
    this.brokerExpiryMs = options.brokerExpiryMs ?? DEFAULT_BROKER_EXPIRY_MS;
    this.onChange = options.onChange ?? (() => {});
    assert(Number.isSafeInteger(this.limits.maxBrokers) && this.limits.maxBrokers > 0, "maxBrokers must be a positive integer");
    assert(Number.isSafeInteger(this.limits.maxTopics) && this.limits.maxTopics > 0, "maxTopics must be a positive integer");
    assert(this.brokerExpiryMs > 0, "brokerExpiryMs must be positive");
  }

  /** `channel`: the remoting connection the registration came over (none for HTTP). */
  register(registration: BrokerRegistration, now: number, channel: RegistrationChannel | null = null): RegisterBrokerResult {
    const { clusterName, brokerName, brokerId, brokerAddr, haServerAddr, httpAddr, topicConfig } = registration;
    this.checkIdFree(registration, now);
    this.checkAdmissible(registration);
    const group: Group = this.groups.get(brokerName) ?? { clusterName, brokers: new Map() };
    group.clusterName = clusterName; // checkAdmissible allows a change only for a group of this broker alone
    const replaced: BrokerInfo[] = [];
    for (const [id, entry] of [...group.brokers]) {
      if (id !== brokerId && entry.brokerAddr === brokerAddr) replaced.push(this.removeEntry(brokerName, group, id));
    }
    const previous = group.brokers.get(brokerId);
    const entry: Entry = { brokerAddr, haServerAddr, httpAddr, lastUpdateMs: now, dataVersion: topicConfig.dataVersion, channel };
    group.brokers.set(brokerId, entry);
    this.groups.set(brokerName, group); // again: removing the replaced entry may have emptied the group
    if (!previous) this.brokerCount++;
    const moved = previous !== undefined &&
      (previous.brokerAddr !== brokerAddr || previous.haServerAddr !== haServerAddr || previous.httpAddr !== httpAddr);
    const topicsChanged = brokerId === MASTER_ID && (!previous || moved || !sameVersion(previous.dataVersion, topicConfig.dataVersion));
    if (topicsChanged) this.replaceQueueData(brokerName, topicConfig);
    if (!previous || moved || topicsChanged) {
      const change = !previous ? "new" : moved ? "address" : "topics";
      this.onChange({ kind: "registered", broker: info(clusterName, brokerName, brokerId, entry), change, replaced });
    }
    for (const lost of replaced) if (lost.brokerId === MASTER_ID && brokerId !== MASTER_ID) this.dropQueueData(brokerName);
    return this.masterOf(group, brokerId, now);
  }

  /** Removes one broker; the queue data of its name goes with its master. Null when unknown. */
  unregister(clusterName: string, brokerName: string, brokerId: number): BrokerInfo | null {
    const group = this.groups.get(brokerName);
    if (!group || group.clusterName !== clusterName || !group.brokers.has(brokerId)) return null;
    const broker = this.removeEntry(brokerName, group, brokerId);
    this.onChange({ kind: "unregistered", broker });
    if (brokerId === MASTER_ID) this.dropQueueData(brokerName);
    return broker;
  }

  /** One registered broker; null when unknown. */
  find(brokerName: string, brokerId: number): BrokerInfo | null {
    const group = this.groups.get(brokerName);
    const entry = group?.brokers.get(brokerId);
    return group && entry ? info(group.clusterName, brokerName, brokerId, entry) : null;
  }

  /** A broker heard from without a registration (QUERY_DATA_VERSION, version unchanged); false when unknown. */
  touch(brokerName: string, brokerId: number, now: number): boolean {
    const entry = this.groups.get(brokerName)?.brokers.get(brokerId);
    if (!entry) return false;
    this.groups.get(brokerName)!.brokers.set(brokerId, { ...entry, lastUpdateMs: Math.max(entry.lastUpdateMs, now) });
    return true;
  }

  /** Removes every broker whose latest registration came over `channel`, which has closed. */
  unregisterChannel(channel: RegistrationChannel): BrokerInfo[] {
    const removed: BrokerInfo[] = [];
    for (const [brokerName, group] of [...this.groups]) {
      for (const [brokerId, entry] of [...group.brokers]) {
        if (entry.channel !== channel) continue;
        const broker = this.removeEntry(brokerName, group, brokerId);
        removed.push(broker);
        this.onChange({ kind: "disconnected", broker });
        if (brokerId === MASTER_ID) this.dropQueueData(brokerName);
      }
    }
    return removed;
  }

  /** Removes every broker whose last registration is more than `expiryMs` before `now`. */
  scanExpired(now: number, expiryMs = this.brokerExpiryMs): ExpiryResult {
    const brokers: BrokerInfo[] = [];
    const masterless = new Set<string>();
    for (const [brokerName, group] of [...this.groups]) {
      for (const [brokerId, entry] of [...group.brokers]) {
        const idleMs = now - entry.lastUpdateMs;
        if (idleMs <= expiryMs) continue;
        const broker = this.removeEntry(brokerName, group, brokerId);
        brokers.push(broker);
        this.onChange({ kind: "expired", broker, idleMs });
        if (brokerId === MASTER_ID) masterless.add(brokerName);
      }
    }
    const queueDataDropped = [...masterless].map((brokerName) => ({ brokerName, topics: this.dropQueueData(brokerName) }));
    return { brokers, queueDataDropped };
  }

  /**
   * Removes `topic`'s queue data, of the broker names in `clusterName` only when given (5.x's
   * `deleteTopic(topic, clusterName)`), else of every broker name. Returns the broker names it had.
   */
  deleteTopic(topic: string, clusterName: string | null = null): string[] {
    const byBroker = this.topics.get(topic);
    if (!byBroker) return [];
    const removed = [...byBroker.keys()].filter((brokerName) => clusterName === null || this.groups.get(brokerName)?.clusterName === clusterName);
    for (const brokerName of removed) byBroker.delete(brokerName);
    if (byBroker.size === 0) this.topics.delete(topic);
    if (removed.length > 0) this.onChange({ kind: "topic-deleted", topic, clusterName, brokerNames: removed });
    return removed;
  }

  /** RocketMQ's `pickupTopicRouteData`; null when no live master serves the topic. */
  route(topic: string): TopicRouteData | null {
    const byBroker = this.topics.get(topic);
    if (!byBroker || byBroker.size === 0) return null;
    const queueDatas = [...byBroker.values()].sort((a, b) => byText(a.brokerName, b.brokerName));
    const brokerDatas: BrokerData[] = [];
    for (const { brokerName } of queueDatas) {
      const group = this.groups.get(brokerName);
      if (!group) continue;
      const brokerAddrs: Record<string, string> = {};
      const brokerHttpAddrs: Record<string, string> = {};
      for (const id of [...group.brokers.keys()].sort((a, b) => a - b)) {
        const entry = group.brokers.get(id)!;
        brokerAddrs[String(id)] = entry.brokerAddr;
        if (entry.httpAddr !== undefined) brokerHttpAddrs[String(id)] = entry.httpAddr;
      }
      brokerDatas.push({ cluster: group.clusterName, brokerName, brokerAddrs, brokerHttpAddrs });
    }
    return brokerDatas.length === 0 ? null : { brokerDatas, queueDatas };
  }

  cluster(): ClusterInfo {
    const byCluster = new Map<string, { brokerName: string; brokers: BrokerInfo[] }[]>();
    for (const brokerName of [...this.groups.keys()].sort(byText)) {
      const group = this.groups.get(brokerName)!;
      const brokers = [...group.brokers.keys()].sort((a, b) => a - b).map((id) => info(group.clusterName, brokerName, id, group.brokers.get(id)!));
      const groups = byCluster.get(group.clusterName) ?? [];
      byCluster.set(group.clusterName, [...groups, { brokerName, brokers }]);
    }
    const clusters = [...byCluster.keys()].sort(byText).map((clusterName) => ({ clusterName, brokerGroups: byCluster.get(clusterName)! }));
    return { clusters, brokerCount: this.brokerCount, topicCount: this.topics.size };
  }

  /** Every topic some live master serves (RocketMQ's `getAllTopicList`), in name order. */
  topicNames(): string[] {
    return [...this.topics.keys()].sort(byText);
  }

  counts(): { brokerCount: number; topicCount: number } {
    return { brokerCount: this.brokerCount, topicCount: this.topics.size };
  }

  /** Throws BROKER_ID_TAKEN (changing nothing) when a live broker at another address holds the id. */
  private checkIdFree(registration: BrokerRegistration, now: number): void {
    const { clusterName, brokerName, brokerId, brokerAddr } = registration;
    const group = this.groups.get(brokerName);
    const holder = group?.brokers.get(brokerId);
    if (!group || !holder || holder.brokerAddr === brokerAddr || now - holder.lastUpdateMs > this.brokerExpiryMs) return;
    if ([...group.brokers.values()].some((entry) => entry.brokerAddr === brokerAddr)) return; // a member changing ids
    const broker = info(group.clusterName, brokerName, brokerId, holder);
    this.onChange({ kind: "refused", broker, fromAddr: brokerAddr });
    const idleS = Math.round((now - holder.lastUpdateMs) / 1000);
    throw new SkiffError("BROKER_ID_TAKEN", `${clusterName}/${brokerName}/${brokerId} is registered from ${holder.brokerAddr} (refreshed ${idleS} s ago); ` +
      `a registration from ${brokerAddr} is refused until that broker unregisters, its connection closes or it expires (brokerExpiryMs ${this.brokerExpiryMs}); ` +
      `an operator can remove it with DELETE /brokers/${clusterName}/${brokerName}/${brokerId}`);
  }

  /** Throws (changing nothing) when a registration conflicts with another broker or a limit. */
  private checkAdmissible(registration: BrokerRegistration): void {
    const { clusterName, brokerName, brokerId, brokerAddr, httpAddr } = registration;
    const group = this.groups.get(brokerName);
    const others = group ? [...group.brokers.keys()].filter((id) => id !== brokerId) : [];
    if (group && group.clusterName !== clusterName && others.length > 0) {
      throw new SkiffError("BROKER_NAME_CONFLICT", `broker name ${brokerName} is registered in cluster ${group.clusterName}, not ${clusterName}; unregister its brokers first or use another brokerName`);
    }
    for (const [name, other] of this.groups) {
      if (name === brokerName) continue;
      for (const [id, entry] of other.brokers) {
        if (entry.brokerAddr === brokerAddr) {
          throw new SkiffError("BROKER_ADDRESS_IN_USE", `address ${brokerAddr} is registered by ${other.clusterName}/${name}/${id}; each broker needs its own brokerIP1:listenPort`);
        }
        if (httpAddr !== undefined && entry.httpAddr === httpAddr) {
          throw new SkiffError("BROKER_ADDRESS_IN_USE", `HTTP address ${httpAddr} is registered by ${other.clusterName}/${name}/${id}; each broker needs its own brokerIP1:httpListenPort`);
        }
      }
    }
    const known = group !== undefined && (group.brokers.has(brokerId) || others.some((id) => group.brokers.get(id)!.brokerAddr === brokerAddr));
    if (!known && this.brokerCount >= this.limits.maxBrokers) {
      throw new SkiffError("BROKER_LIMIT_EXCEEDED", `the name server already holds ${this.brokerCount} brokers (maxBrokers ${this.limits.maxBrokers})`);
    }
    if (brokerId === MASTER_ID) this.checkTopicLimit(brokerName, registration.topicConfig);
  }

  private checkTopicLimit(brokerName: string, topicConfig: TopicConfigWrapper): void {
    const incoming = Object.keys(topicConfig.topicConfigTable);
    const added = incoming.filter((topic) => !this.topics.has(topic)).length;
    if (this.topics.size + added <= this.limits.maxTopics) return;
    const kept = new Set(incoming);
    let freed = 0;
    for (const [topic, byBroker] of this.topics) if (byBroker.size === 1 && byBroker.has(brokerName) && !kept.has(topic)) freed++;
    if (this.topics.size + added - freed > this.limits.maxTopics) {
      throw new SkiffError("TOPIC_LIMIT_EXCEEDED", `registering ${brokerName} would make ${this.topics.size + added - freed} topics (maxTopics ${this.limits.maxTopics})`);
    }
  }

  private masterOf(group: Group, brokerId: number, now: number): RegisterBrokerResult {
    if (brokerId === MASTER_ID) return NO_MASTER;
    const master = group.brokers.get(MASTER_ID);
    if (!master || now - master.lastUpdateMs > this.brokerExpiryMs) return NO_MASTER;
    return { masterAddr: master.brokerAddr, haServerAddr: master.haServerAddr, masterHttpAddr: master.httpAddr ?? null };
  }

  private removeEntry(brokerName: string, group: Group, brokerId: number): BrokerInfo {
    const entry = group.brokers.get(brokerId)!;
    group.brokers.delete(brokerId);
    this.brokerCount--;
    if (group.brokers.size === 0) this.groups.delete(brokerName);
    return info(group.clusterName, brokerName, brokerId, entry);
  }

  private replaceQueueData(brokerName: string, topicConfig: TopicConfigWrapper): void {
    this.dropQueueData(brokerName, false);
    for (const [topic, config] of Object.entries(topicConfig.topicConfigTable)) {
      const { readQueueNums, writeQueueNums, perm } = config;
      const byBroker = this.topics.get(topic) ?? new Map<string, QueueData>();
      byBroker.set(brokerName, { brokerName, readQueueNums, writeQueueNums, perm, topicSysFlag: config.topicSysFlag ?? 0 });
      this.topics.set(topic, byBroker);
    }
  }

  /** Removes a broker name's queue data from every topic; returns the topics that had some. */
  private dropQueueData(brokerName: string, report = true): string[] {
    const affected: string[] = [];
    for (const [topic, byBroker] of this.topics) {
      if (!byBroker.delete(brokerName)) continue;
      affected.push(topic);
      if (byBroker.size === 0) this.topics.delete(topic);
    }
    if (report && affected.length > 0) this.onChange({ kind: "queue-data-dropped", brokerName, topics: affected.length });
    return affected;
  }
}

function info(clusterName: string, brokerName: string, brokerId: number, entry: Entry): BrokerInfo {
  const { brokerAddr, haServerAddr, httpAddr, lastUpdateMs, dataVersion } = entry;
  return {
    clusterName, brokerName, brokerId, brokerAddr, haServerAddr, ...(httpAddr === undefined ? {} : { httpAddr }),
    lastUpdateTimestamp: lastUpdateMs, dataVersion,
  };
}

function sameVersion(a: DataVersionJson, b: DataVersionJson): boolean {
  return a.counter === b.counter && a.timestamp === b.timestamp && a.stateVersion === b.stateVersion;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
