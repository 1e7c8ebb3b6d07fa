/**
 * What the broker's HTTP routes need from a running broker. `startBroker` provides it; tests can
 * build one over the in-memory platform and call the app with `app.request()`.
 */
import type { Clock } from "../../core/platform.ts";
import type { BrokerConfig } from "../../config/broker-config.ts";
import type { Metadata } from "../../metadata/metadata.ts";
import type { MessageStore } from "../../store/message-store.ts";
import type { BuildContext } from "../../broker/message-build.ts";
import type { PullService } from "../../broker/pull-service.ts";
import type { SendService } from "../../broker/send-service.ts";

export interface HaStatusView {
  readonly role: BrokerConfig["brokerRole"];
  readonly brokerName: string;
  readonly brokerId: number;
  readonly maxPhyOffset: number;
  readonly masterAddress?: string | null;
  readonly slaves: ReadonlyArray<{ address: string; ackOffset: number; lagBytes: number }>;
  readonly lastMetadataSyncAt?: number | null;
  /** A slave that refuses to follow because its log diverged from its master's. */
  readonly divergence?: { readonly reason: string } | null;
  readonly [extra: string]: unknown;
}

export interface TruncateResult {
  /** The commit log now ends here (the end of the prefix it shares with the master). */
  readonly truncatedTo: number;
  readonly droppedBytes: number;
}

export interface BrokerRuntime {
  config(): BrokerConfig;
  readonly store: MessageStore;
  readonly metadata: Metadata;
  readonly send: SendService;
  readonly pull: PullService;
  readonly clock: Clock;
  buildContext(): BuildContext;
  haStatus(): HaStatusView;
  switchRole(role: BrokerConfig["brokerRole"], brokerId?: number): Promise<HaStatusView>;
  /** A diverged slave: truncate to the common prefix with its master and follow again. */
  truncateToMaster(): Promise<TruncateResult>;
  log(message: string): void;
}
