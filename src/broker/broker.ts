/**
 * A running broker: the store, the metadata, the HTTP API and the services around them, started
 * from a validated configuration on one platform. `startBroker` is what `skiff broker` runs on
 * every runtime; `stop` is its clean shutdown (in-flight requests answered, store flushed,
 * checkpoint written, `abort` removed).
 *
 * Start-up order follows RocketMQ's BrokerController: store (recovery first), metadata, then the
 * services, and the HTTP server last, so nothing is accepted before the store is consistent.
 */
import { parseMessageDelayLevel, type BrokerConfig } from "../config/broker-config.ts";
import type { HttpServer, Platform } from "../core/platform.ts";
import { brokerApp } from "../http/broker/app.ts";
import type { BrokerRuntime, HaStatusView } from "../http/broker/runtime.ts";
import { openMetadata, type Metadata } from "../metadata/metadata.ts";
import { parseHostAddress } from "../store/codec/host-address.ts";
import { MessageStore } from "../store/message-store.ts";
import type { StoreOptions } from "../store/store-options.ts";
import { LongPollHub } from "./long-poll.ts";
import type { BuildContext } from "./message-build.ts";
import { PullService } from "./pull-service.ts";
import { ScheduleService } from "./schedule-service.ts";
import { SendService, type ReplicationGate } from "./send-service.ts";
import { UniqueIdGenerator } from "./unique-id.ts";
import { SkiffError } from "../core/errors.ts";

export interface BrokerHandle {
  readonly runtime: BrokerRuntime;
  readonly store: MessageStore;
  readonly metadata: Metadata;
  /** Where the HTTP API listens (the real port when listenPort was 0). */
  readonly httpAddress: string;
  stop(): Promise<void>;
}

export interface StartBrokerOptions {
  readonly log: (message: string) => void;
}

export function storeOptionsFrom(config: BrokerConfig, log: (message: string) => void): StoreOptions {
  const delayLevelsMs = parseMessageDelayLevel(config.messageDelayLevel);
  if (!delayLevelsMs) throw new SkiffError("CONFIG_INVALID", `messageDelayLevel: "${config.messageDelayLevel}" is malformed`);
  return {
    rootDir: config.storePathRootDir,
    commitLogDir: config.storePathCommitLog,
    segmentSizeCommitLogBytes: config.mappedFileSizeCommitLog,
    segmentSizeConsumeQueueBytes: config.mappedFileSizeConsumeQueue,
    flushDiskType: config.flushDiskType,
    flushIntervalCommitLogMs: config.flushIntervalCommitLog,
    flushIntervalConsumeQueueMs: config.flushIntervalConsumeQueue,
    syncFlushTimeoutMs: config.syncFlushTimeout,
    maxMessageSizeBytes: config.maxMessageSize,
    checkCrcOnRecover: config.checkCRCOnRecover,
    delayLevelsMs,
    accessMessageInMemoryMaxRatio: config.accessMessageInMemoryMaxRatio,
    propertiesTrailingSeparator: false,
    log,
  };
}

export async function startBroker(initial: BrokerConfig, platform: Platform, options: StartBrokerOptions): Promise<BrokerHandle> {
  const log = options.log;
  let config = initial;
  const { clock } = platform;
  const store = await MessageStore.open(platform, storeOptionsFrom(config, log));
  const metadata = await openMetadata(platform.fs, clock, config.storePathRootDir, {
    brokerClusterName: config.brokerClusterName,
    brokerName: config.brokerName,
    autoCreateTopicEnable: config.autoCreateTopicEnable,
    defaultTopicQueueNums: config.defaultTopicQueueNums,
    onFlushError: (error) => log(`metadata flush failed, will retry: ${(error as Error).message}`),
  });
  for (const warning of metadata.warnings) log(warning);

  const longPoll = new LongPollHub(clock);
  store.dispatcher.onArrival((topic, queueId) => longPoll.notify(topic, queueId));
  const schedule = new ScheduleService({ store, delayOffsets: metadata.delayOffsets, clock, log });
  let replication: ReplicationGate | null = null;
  const storeHost = parseHostAddress(`${config.brokerIP1}:${config.listenPort}`);
  const uniqueIds = new UniqueIdGenerator(storeHost.address, platform.system.pid, () => clock.now());
  const send = new SendService({ config: () => config, store, metadata, replication: () => replication, masterAddress: () => null });
  const pull = new PullService({ config: () => config, store, metadata, longPoll });

  let server: HttpServer | null = null;
  const haStatus = (): HaStatusView => ({
    role: config.brokerRole,
    brokerName: config.brokerName,
    brokerId: config.brokerId,
    maxPhyOffset: store.commitLog.maxOffset,
    slaves: [],
  });
  const runtime: BrokerRuntime = {
    config: () => config,
    store,
    metadata,
    send,
    pull,
    clock,
    log,
    buildContext: (): BuildContext => ({
      clusterName: config.brokerClusterName,
      storeHost: parseHostAddress(`${config.brokerIP1}:${server?.address.port ?? config.listenPort}`),
      bornHost: storeHost,
      now: clock.now(),
      nextUniqueId: () => uniqueIds.next(),
    }),
    haStatus,
    switchRole: async () => {
      throw new SkiffError("ROLE_SWITCH_REFUSED", "role switching needs replication, which this broker has not started");
    },
  };

  if (config.brokerRole !== "SLAVE") schedule.start();
  server = await platform.http.serve({ host: config.brokerIP1, port: config.listenPort }, brokerApp(runtime).fetch);
  const httpAddress = `${server.address.host}:${server.address.port}`;
  if (config.listenPort === 0) config = { ...config, listenPort: server.address.port };
  log(`The broker[${config.brokerName}, ${httpAddress}] boot success. role=${config.brokerRole} store=${config.storePathRootDir}`);

  let stopping: Promise<void> | null = null;
  return {
    runtime,
    store,
    metadata,
    httpAddress,
    stop: () =>
      (stopping ??= (async () => {
        schedule.stop();
        longPoll.releaseAll();
        await server?.close();
        await metadata.close();
        await store.close();
        log(`The broker[${config.brokerName}, ${httpAddress}] shut down cleanly; store flushed at ${store.commitLog.maxOffset}`);
      })()),
  };
}

