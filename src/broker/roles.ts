/**
 * What a broker runs because of its role, and the switch between roles at run time.
 *
 * | role                       | runs                                                          |
 * |----------------------------|---------------------------------------------------------------|
 * | ASYNC_MASTER / SYNC_MASTER | HA master on haListenPort (slaves connect), schedule service  |
 * | SLAVE                      | HA client to its master, metadata sync from its master        |
 *
 * Promotion (slave → master): stop following, let the dispatcher catch up with everything
 * replicated, continue the queue offsets from the consume queues, then start the HA master and the
 * schedule service and re-register. Demotion (master → slave): stop the schedule service and the
 * HA master (waiting sends get FLUSH_SLAVE_TIMEOUT), then follow the master given by
 * `haMasterAddress` or the name server, and sync metadata at once. No restart, nothing dropped:
 * the commit log is only ever appended to.
 *
 * A slave knows three addresses of its master: remoting (`masterAddr`, RocketMQ's metadata sync
 * when masterProtocol=rocketmq), HA (`haServerAddr`, the commit log) and HTTP (`masterHttpAddr`, a
 * Skiff master's `/sync/*` and `/ha/log`). Each comes from the name server's answer; without one,
 * it is derived from `haMasterAddress` by the default layout (remoting = HA - 1, HTTP = HA + 1).
 */
import type { BrokerConfig, BrokerRole } from "../config/broker-config.ts";
import { SkiffError } from "../core/errors.ts";
import type { Platform } from "../core/platform.ts";
import { formatHostPort, parseHostPort } from "../core/host-port.ts";
import { HaClient, HaMaster, findCommonPrefix, haOptions, masterMinOffset, type HaOptions, type MasterLogProbe, type SlaveStatus } from "../ha/index.ts";
import type { Metadata } from "../metadata/metadata.ts";
import type { MessageStore } from "../store/message-store.ts";
import type { HaStatusView, ResyncResult, TruncateResult } from "./runtime.ts";
import { httpMasterLogProbe } from "./master-log-probe.ts";
import type { NameServerRegistration } from "./registration.ts";
import type { ScheduleService } from "./schedule-service.ts";
import { SlaveSync, type FetchLike, type SyncSource } from "./slave-sync.ts";
import type { Logger } from "../core/log.ts";

export interface RoleDeps {
  readonly platform: Platform;
  readonly store: MessageStore;
  readonly metadata: Metadata;
  readonly schedule: ScheduleService;
  readonly fetch: FetchLike;
  /** Where a slave's metadata comes from; default the master's HTTP API (`/sync/*`). */
  readonly syncSource?: SyncSource;
  readonly config: () => BrokerConfig;
  readonly setConfig: (config: BrokerConfig) => void;
  readonly log: Logger;
}

/** What `/metrics` and `/readyz` read about replication, typed (`status()` is the JSON page). */
export interface ReplicationView {
  readonly role: BrokerRole;
  /** Set while this broker is a master (its HA service runs). */
  readonly master: null | {
    readonly connections: number;
    /** Whether a SYNC_MASTER send would wait for a slave rather than answer SLAVE_NOT_AVAILABLE. */
    readonly slaveInSync: boolean;
    readonly push2SlaveMaxOffset: number;
    readonly replicationWaiters: number;
    readonly slaves: readonly SlaveStatus[];
  };
  /** Set while this broker is a slave. */
  readonly slave: null | {
    readonly masterHaAddress: string | null;
    readonly connected: boolean;
    /** Wall-clock ms of the last byte from the master. */
    readonly lastReadAt: number | null;
    readonly lastError: string | null;
    readonly divergence: string | null;
    /** Set while the master no longer holds what this slave needs next: the reason and the fix. */
    readonly behindMasterRetention: string | null;
  };
  readonly metadataSync: {
    /** Wall-clock ms of the last round that synced everything; of the sync's start; null when none / not running. */
    readonly lastSyncAt: number | null;
    readonly startedAt: number | null;
    readonly lastError: string | null;
    readonly failures: ReadonlyMap<string, number>;
  };
}

export class RoleManager {
  private readonly deps: RoleDeps;
  private haMaster: HaMaster | null = null;
  private haClient: HaClient | null = null;
  private readonly slaveSync: SlaveSync;
  private registration: NameServerRegistration | null = null;
  private learnedMasterAddress: string | null = null;
  private learnedHaAddress: string | null = null;
  private learnedMasterHttpAddress: string | null = null;
  private switching: Promise<unknown> = Promise.resolve();

  constructor(deps: RoleDeps) {
    this.deps = deps;
    this.slaveSync = new SlaveSync({
      clock: deps.platform.clock,
      metadata: deps.metadata,
      fetch: deps.fetch,
      source: deps.syncSource,
      periodMs: deps.config().slaveSynchronizePeriod,
      masterAddress: () => (deps.config().masterProtocol === "rocketmq" ? this.masterRemotingAddress() : this.masterHttpAddress()),
      onDelayOffsetsChanged: () => deps.schedule.reload(),
      log: deps.log.child("sync"),
    });
  }

  /** The name-server registration, once created (it needs the HTTP port). */
  attachRegistration(registration: NameServerRegistration): void {
    this.registration = registration;
  }

  /** A name server's answer: a slave learns where its master is (remoting, HA, HTTP). */
  learn(masterAddress: string | null, haServerAddress: string | null, masterHttpAddress: string | null = null): void {
    this.learnedMasterAddress = masterAddress;
    this.learnedHaAddress = haServerAddress;
    this.learnedMasterHttpAddress = masterHttpAddress;
  }

  get replication(): HaMaster | null {
    return this.haMaster;
  }

  /** The master's remoting address: from the name server, else the HA address's port - 1 (RocketMQ 4.9's rule). */
  masterRemotingAddress(): string | null {
    return this.learnedMasterAddress ?? shifted(this.deps.config().haMasterAddress, -1);
  }

  /**
   * The master's HTTP address: from the name server, else by Skiff's default layout from its
   * remoting address (+ 2) or its HA address (+ 1).
   */
  masterHttpAddress(): string | null {
    return this.learnedMasterHttpAddress ?? shifted(this.learnedMasterAddress, 2) ?? shifted(this.deps.config().haMasterAddress, 1);
  }

  haAddress(): string | null {
    return this.deps.config().haMasterAddress ?? this.learnedHaAddress;
  }

  async start(): Promise<void> {
    if (this.deps.config().brokerRole === "SLAVE") this.startSlave(3000);
    else await this.startMaster();
  }

  switchRole(role: BrokerRole, brokerId?: number): Promise<HaStatusView> {
    const run = this.switching.then(() => this.doSwitch(role, brokerId));
    this.switching = run.catch(() => undefined);
    return run;
  }

  status(): HaStatusView {
    const config = this.deps.config();
    const client = this.haClient?.state;
    const offsets = this.deps.store.offsets;
    return {
      role: config.brokerRole,
      brokerName: config.brokerName,
      brokerId: config.brokerId,
      maxPhyOffset: offsets.maxOffset,
      writtenPhyOffset: offsets.writtenOffset,
      flushedPhyOffset: offsets.flushedOffset,
      haListenAddress: this.haMaster ? `${config.brokerIP2}:${this.haMaster.address.port}` : null,
      masterAddress: config.brokerRole === "SLAVE" ? this.masterRemotingAddress() : null,
      masterHttpAddress: config.brokerRole === "SLAVE" ? this.masterHttpAddress() : null,
      masterHaAddress: config.brokerRole === "SLAVE" ? this.haAddress() : null,
      connectedToMaster: client?.connected ?? false,
      lastReadFromMasterAt: client?.lastReadAt ?? null,
      lastHaError: client?.lastError ?? null,
      divergence: client?.divergence ?? null,
      behindMasterRetention: client?.behindMasterRetention ?? null,
      slaves: this.haMaster?.status() ?? [],
      slaveInSync: this.haMaster ? this.haMaster.isSlaveOk(offsets.maxOffset) : null,
      refusedSlaves: this.haMaster?.refusedSlaves() ?? [],
      lastMetadataSyncAt: this.slaveSync.lastSyncAt,
      lastMetadataSyncError: this.slaveSync.lastError,
    };
  }

  replicationView(): ReplicationView {
    const config = this.deps.config();
    const master = this.haMaster;
    const client = config.brokerRole === "SLAVE" ? this.haClient?.state : undefined;
    const sync = this.slaveSync;
    return {
      role: config.brokerRole,
      master: master && {
        connections: master.connectionCount,
        slaveInSync: master.isSlaveOk(this.deps.store.offsets.maxOffset),
        push2SlaveMaxOffset: master.push2SlaveMaxOffset,
        replicationWaiters: master.replicationWaiters,
        slaves: master.status(),
      },
      slave: config.brokerRole !== "SLAVE" ? null : {
        masterHaAddress: this.haAddress(),
        connected: client?.connected ?? false,
        lastReadAt: client?.lastReadAt ?? null,
        lastError: client?.lastError ?? null,
        divergence: client?.divergence?.reason ?? null,
        behindMasterRetention: client?.behindMasterRetention ? `${client.behindMasterRetention.reason}; ${client.behindMasterRetention.fix}` : null,
      },
      metadataSync: { lastSyncAt: sync.lastSyncAt, startedAt: sync.startedAt, lastError: sync.lastError, failures: sync.failures },
    };
  }

  async stop(): Promise<void> {
    this.slaveSync.stop();
    await this.haClient?.stop();
    this.haClient = null;
    await this.haMaster?.close();
    this.haMaster = null;
  }

  private haOptions(): HaOptions {
    const config = this.deps.config();
    return haOptions({
      haListenHost: config.brokerIP2,
      haListenPort: config.haListenPort,
      haTransferBatchSize: config.haTransferBatchSize,
      haSendHeartbeatIntervalMs: config.haSendHeartbeatInterval,
      haHousekeepingIntervalMs: config.haHousekeepingInterval,
      haAsyncGatherMs: config.haAsyncGatherMs,
      haSlaveFallbehindMax: config.haSlaveFallbehindMax,
      sendFromFirstSegment: config.haSendFromFirstSegment,
      haMaxConnections: config.haMaxConnections,
      haMaxConnectionsPerAddress: config.haMaxConnectionsPerAddress,
      haAuthSecret: config.haAuthSecret,
      brokerName: config.brokerName,
      log: this.deps.log.child("ha"),
    });
  }

  private async startMaster(): Promise<void> {
    const { platform, store } = this.deps;
    this.haMaster = await HaMaster.start({ net: platform.net, clock: platform.clock, source: store.replicationSource, options: this.haOptions() });
    const config = this.deps.config();
    if (config.haListenPort === 0) this.deps.setConfig({ ...config, haListenPort: this.haMaster.address.port });
    this.deps.schedule.start();
  }

  /** A Skiff master can be asked for its log; a RocketMQ master (masterProtocol=rocketmq) cannot. */
  private masterLogProbe(): MasterLogProbe | undefined {
    if (this.deps.config().masterProtocol === "rocketmq") return undefined;
    return httpMasterLogProbe(this.deps.fetch, () => this.masterHttpAddress());
  }

  /**
   * A diverged slave's recovery, on the operator's word: stop following, find the prefix this log
   * shares with the master's, drop the rest, follow again. Not automatic: the dropped bytes may
   * hold messages a SYNC_MASTER acknowledged before it lost them (then promote this slave instead).
   */
  truncateToMaster(): Promise<TruncateResult> {
    const run = this.switching.then(async () => {
      const { store, log } = this.deps;
      const probe = this.masterLogProbe();
      if (this.deps.config().brokerRole !== "SLAVE" || !this.haClient || !probe) {
        throw new SkiffError("NOT_SLAVE", "only a slave following a Skiff master can be truncated to its master's log");
      }
      await this.haClient.stop();
      this.haClient = null;
      try {
        const prefixEnd = await findCommonPrefix(store.replica, probe);
        if (prefixEnd === null) {
          throw new SkiffError("HA_NO_COMMON_PREFIX", "no common prefix with the master's log could be found (is the master reachable over HTTP?); to start over, stop this slave and empty its store");
        }
        const droppedBytes = await store.replica.truncate(prefixEnd);
        log.warn(`HA truncated to the master's log at ${prefixEnd} (${droppedBytes} bytes dropped) on the operator's request`, { offset: prefixEnd, droppedBytes });
        return { truncatedTo: prefixEnd, droppedBytes };
      } finally {
        this.haClient = this.newHaClient();
        this.haClient.start();
      }
    });
    this.switching = run.catch(() => undefined);
    return run;
  }

  /**
   * A slave behind its master's retention (or any slave the operator wants to start over): stop
   * following, discard the commit log, consume queues and message index, start an empty log at the
   * master's first segment (asked over its HTTP API; unknown — a RocketMQ master — leaves it at 0,
   * and the master chooses where to start), follow again. Never automatic for a log holding data:
   * only the operator knows that nothing in it is needed (a diverged slave may hold acknowledged
   * messages its master lost: promote it instead).
   */
  resyncFromMaster(): Promise<ResyncResult> {
    const run = this.switching.then(async () => {
      const { store, log } = this.deps;
      if (this.deps.config().brokerRole !== "SLAVE" || !this.haClient) {
        throw new SkiffError("NOT_SLAVE", "only a slave can start over from its master's log; this broker is a master");
      }
      const probe = this.masterLogProbe();
      const masterMin = probe ? await masterMinOffset(probe, store.replica.segmentSizeBytes) : null;
      if (probe && masterMin === null) {
        throw new SkiffError("HA_MASTER_UNREACHABLE", `the master's HTTP API (${this.masterHttpAddress()}) did not answer where its log starts; nothing was discarded: try again once it is reachable`, { retriable: true });
      }
      await this.haClient.stop();
      this.haClient = null;
      try {
        const restartAt = masterMin ?? 0;
        const discarded = await store.replica.restartAt(restartAt);
        log.warn(`HA starting over from the master's log at ${restartAt} on the operator's request: discarded [${discarded.from}, ${discarded.to})`, { offset: restartAt, discardedFrom: discarded.from, discardedTo: discarded.to });
        return { discardedFrom: discarded.from, discardedTo: discarded.to, restartAt, masterMinOffset: masterMin };
      } finally {
        this.haClient = this.newHaClient();
        this.haClient.start();
      }
    });
    this.switching = run.catch(() => undefined);
    return run;
  }

  private newHaClient(): HaClient {
    const { platform, store } = this.deps;
    return new HaClient({
      net: platform.net, clock: platform.clock, replica: store.replica, masterAddress: () => this.haAddress(), options: this.haOptions(), probe: this.masterLogProbe(),
    });
  }

  private startSlave(firstSyncDelayMs: number): void {
    this.haClient = this.newHaClient();
    this.haClient.start();
    this.slaveSync.start(firstSyncDelayMs);
  }

  private async doSwitch(role: BrokerRole, brokerId: number | undefined): Promise<HaStatusView> {
    const config = this.deps.config();
    const { store, log } = this.deps;
    if (role === "SLAVE") {
      const id = brokerId ?? (config.brokerId > 0 ? config.brokerId : 0);
      if (id <= 0) throw new SkiffError("BAD_REQUEST", "Slave's brokerId must be > 0: give brokerId in the request");
      if (config.brokerRole !== "SLAVE") {
        this.deps.schedule.stop();
        await this.haMaster?.close();
        this.haMaster = null;
      }
      this.deps.setConfig({ ...config, brokerRole: "SLAVE", brokerId: id });
      if (config.brokerRole !== "SLAVE") this.startSlave(0);
    } else {
      if (brokerId !== undefined && brokerId !== 0) throw new SkiffError("BAD_REQUEST", "a master's brokerId is 0");
      if (config.brokerRole === "SLAVE") {
        this.slaveSync.stop();
        await this.haClient?.stop();
        this.haClient = null;
        await store.replica.dropUnfinishedTail();
        store.rebuildQueueOffsets();
      }
      this.deps.setConfig({ ...config, brokerRole: role, brokerId: 0 });
      if (config.brokerRole === "SLAVE") await this.startMaster();
    }
    log.info(`role switched from ${config.brokerRole} (id ${config.brokerId}) to ${role} (id ${this.deps.config().brokerId}) at commit-log offset ${store.offsets.maxOffset}`, { from: config.brokerRole, to: role, brokerId: this.deps.config().brokerId, offset: store.offsets.maxOffset });
    await this.registration?.registerNow();
    return this.status();
  }
}

/** `host:port` with the port moved by `delta`; null when absent or out of range. */
function shifted(address: string | null | undefined, delta: number): string | null {
  if (!address) return null;
  const { host, port } = parseHostPort(address);
  const moved = port + delta;
  return moved >= 1 && moved <= 65535 ? formatHostPort({ host, port: moved }) : null;
}
