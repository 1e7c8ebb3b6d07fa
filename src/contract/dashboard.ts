/**
 * The dashboard's data as it travels (README "Dashboard"): what `GET /dashboard/data` answers on a
 * broker (its own snapshot) and on a name server (every registered broker's snapshot, fetched by
 * the name server). Declared once, here, and imported by the routes that build and check them
 * (src/http/dashboard) and by tests; types only.
 *
 *   broker    {"source":"broker","broker":BrokerSnapshotJson}
 *   namesrv   {"source":"namesrv","sampledAt":…,"clusters":[{"clusterName","brokerGroups":[{"brokerName",
 *              "brokers":[{"brokerId","brokerAddr","httpAddr","snapshot"|null,"error"|null,…}]}]}],…}
 *
 * A snapshot holds counters, not rates: the page derives send and pull rates from two successive
 * snapshots of one broker (`traffic` deltas over `monotonicMs` deltas; a new `bootTimestamp` means
 * the counters restarted). Every list is capped (the `…Omitted` counts say how much was left out).
 */

export interface BrokerSnapshotJson {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly role: "ASYNC_MASTER" | "SYNC_MASTER" | "SLAVE";
  /** Wall-clock ms when the snapshot was taken. */
  readonly sampledAt: number;
  /** The broker's monotonic clock (ms) at that moment: what rates are computed over. */
  readonly monotonicMs: number;
  /** When the store opened (wall-clock ms): counters restart from 0 when it changes. */
  readonly bootTimestamp: number;
  /** Codes of the store's I/O problems now (e.g. STORE_DISK_FULL); empty when healthy. */
  readonly problems: readonly string[];
  readonly ha: {
    /** End of this broker's commit log (bytes). */
    readonly maxPhyOffset: number;
    /** A slave's master (remoting address); null on a master. */
    readonly masterAddress: string | null;
    readonly connectedToMaster: boolean;
    /** A master's connected slaves: what each acknowledged and how many bytes it is behind. */
    readonly slaves: ReadonlyArray<{ readonly address: string; readonly ackOffset: number; readonly lagBytes: number }>;
    /** Why a slave refuses to follow its master (a diverged log); null when it follows. */
    readonly divergence: string | null;
  };
  /** Running totals since `bootTimestamp`. */
  readonly traffic: {
    readonly putMessages: number;
    readonly putBytes: number;
    /** Messages handed out by consumers' reads. */
    readonly getMessages: number;
  };
  /** Non-system topics, by name, at most DASHBOARD_TOPICS_MAX. */
  readonly topics: ReadonlyArray<{
    readonly topic: string;
    readonly queues: number;
    /** Messages held: Σ (max − min offset) over the queues. */
    readonly messages: number;
    /** Σ max offset: its growth over time is the topic's send rate. */
    readonly maxOffsetSum: number;
  }>;
  readonly topicsOmitted: number;
  /** Groups with committed offsets, by name, at most DASHBOARD_GROUPS_MAX. */
  readonly groups: ReadonlyArray<{
    readonly group: string;
    /** Σ lag over `topics` (messages). */
    readonly lag: number;
    /** Messages read by the group per second over the last minute. */
    readonly consumeTps: number;
    readonly onlineConsumers: number;
    /** The group's topics, by name, at most DASHBOARD_GROUP_TOPICS_MAX. */
    readonly topics: ReadonlyArray<{ readonly topic: string; readonly lag: number; readonly consumerOffsetSum: number }>;
    readonly topicsOmitted: number;
  }>;
  readonly groupsOmitted: number;
}

export interface BrokerDashboardJson {
  readonly source: "broker";
  readonly broker: BrokerSnapshotJson;
}

/** One registered broker as the name server saw it: its snapshot, or why there is none. */
export interface ClusterBrokerJson {
  readonly brokerId: number;
  readonly brokerAddr: string;
  /** null: the broker registered no HTTP address (an Apache RocketMQ broker). */
  readonly httpAddr: string | null;
  /** Wall-clock ms of its last registration. */
  readonly lastUpdateTimestamp: number;
  readonly snapshot: BrokerSnapshotJson | null;
  /** One line: why `snapshot` is null (timed out, refused, not polled, …). */
  readonly error: string | null;
  /** How long the fetch took (ms); null when the broker was not asked. */
  readonly elapsedMs: number | null;
}

export interface ClusterDashboardJson {
  readonly source: "namesrv";
  readonly sampledAt: number;
  readonly clusters: ReadonlyArray<{
    readonly clusterName: string;
    readonly brokerGroups: ReadonlyArray<{ readonly brokerName: string; readonly brokers: readonly ClusterBrokerJson[] }>;
  }>;
  readonly brokerCount: number;
  /** Brokers beyond the polling cap (listed, with an error, but not asked). */
  readonly brokersNotPolled: number;
}

export type DashboardJson = BrokerDashboardJson | ClusterDashboardJson;
