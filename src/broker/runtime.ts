/**
 * What a running broker offers the protocol fronts (the HTTP API in src/http/broker, RocketMQ's
 * remoting next): its configuration, its services and its replication view. The composition root
 * (`startBroker`, src/app/start-broker.ts) provides it; tests can build one over the in-memory
 * platform and call the HTTP app with `app.request()`.
 */
import type { AclPolicy } from "../acl/acl-policy.ts";
import type { Clock } from "../core/platform.ts";
import type { BrokerConfig } from "../config/broker-config.ts";
import type { Metadata } from "../metadata/metadata.ts";
import type { MessageStore } from "../store/message-store.ts";
import type { PullService } from "./pull-service.ts";
import type { SendEntry } from "./send-entry.ts";
import type { AdminService } from "./admin-service.ts";
import type { ClientManager } from "./client-manager.ts";
import type { RebalanceLockManager } from "./rebalance-locks.ts";
import type { SendBackService } from "./send-back.ts";
import type { BrokerConfigService } from "./config-service.ts";
import type { Readiness } from "./readiness.ts";
import type { Logger } from "../core/log.ts";

export interface HaStatusView {
  readonly role: BrokerConfig["brokerRole"];
  readonly brokerName: string;
  readonly brokerId: number;
  readonly maxPhyOffset: number;
  readonly masterAddress?: string | null;
  readonly slaves: ReadonlyArray<{ address: string; ackOffset: number; lagBytes: number; lagSeconds: number; behindMasterRetention?: { slaveOffset: number; masterMinOffset: number; fix: string } }>;
  /** A master: whether a slave is in sync (SYNC_MASTER sends wait for it); null on a slave. */
  readonly slaveInSync?: boolean | null;
  readonly lastMetadataSyncAt?: number | null;
  /** A slave that refuses to follow because its log diverged from its master's. */
  readonly divergence?: { readonly reason: string } | null;
  /** A slave that cannot follow because its master deleted what it needs next (retention). */
  readonly behindMasterRetention?: { readonly slaveOffset: number; readonly masterMinOffset: number; readonly reason: string; readonly fix: string } | null;
  readonly [extra: string]: unknown;
}

export interface TruncateResult {
  /** The commit log now ends here (the end of the prefix it shares with the master). */
  readonly truncatedTo: number;
  readonly droppedBytes: number;
}

export interface ResyncResult {
  /** The commit log this slave held, discarded (with its consume queues and index). */
  readonly discardedFrom: number;
  readonly discardedTo: number;
  /** Where its empty log starts now: the master's first segment (0 when the master could not be asked). */
  readonly restartAt: number;
  readonly masterMinOffset: number | null;
}

export interface BrokerRuntime {
  config(): BrokerConfig;
  readonly store: MessageStore;
  readonly metadata: Metadata;
  /** Every send, whatever the front: a producer's body as it came, to send results. */
  readonly send: SendEntry;
  readonly pull: PullService;
  /** Changes to topics, subscription groups and consumer offsets, for every front. */
  readonly admin: AdminService;
  /** Producers and consumers known from heartbeats: groups, channels, subscriptions, expiry. */
  readonly clients: ClientManager;
  /** The queue locks of orderly consumers (LOCK_BATCH_MQ / UNLOCK_BATCH_MQ). */
  readonly rebalanceLocks: RebalanceLockManager;
  /** Messages consumers give back: their retry and dead-letter copies (through the send path). */
  readonly sendBack: SendBackService;
  /** The configuration as admin tools read and change it while the broker runs (live keys only). */
  readonly configuration: BrokerConfigService;
  readonly clock: Clock;
  haStatus(): HaStatusView;
  switchRole(role: BrokerConfig["brokerRole"], brokerId?: number): Promise<HaStatusView>;
  /** A diverged slave: truncate to the common prefix with its master and follow again. */
  truncateToMaster(): Promise<TruncateResult>;
  /** `GET /metrics`: Prometheus's text format (src/broker/broker-metrics.ts). */
  readonly metrics: { render(): Promise<string> };
  /** `GET /readyz`: the store and replication checks (src/broker/readiness.ts). */
  readiness(): Readiness;
  /** A slave behind its master's retention: discard its log and start again at the master's first segment. */
  resyncFromMaster(): Promise<ResyncResult>;
  /** The broker's log (components take children of it: `runtime.log.child("http")`). */
  readonly log: Logger;
  /** With aclEnable: the ACL policy in force, and where refusals are counted. */
  readonly acl?: { readonly policy: () => AclPolicy; refused(protocol: "remoting" | "http"): void };
}
