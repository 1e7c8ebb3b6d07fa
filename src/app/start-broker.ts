/**
 * The broker's composition root: the store, the metadata, HA, the services of src/broker and the
 * HTTP API over them, wired from a validated configuration on one platform. `startBroker` is what
 * `skiff broker` runs on every runtime; `stop` is its clean shutdown (in-flight requests answered,
 * store flushed, checkpoint written, `abort` removed).
 *
 * Start-up order follows RocketMQ's BrokerController: store (recovery first), metadata, then the
 * services, and the servers last, so nothing is accepted before the store is consistent.
 *
 * | port           | default        | what                                                     |
 * |----------------|----------------|----------------------------------------------------------|
 * | listenPort     | 10911          | RocketMQ remoting (src/processors/broker), and its fast  |
 * |                |                | channel on listenPort - 2 (broker-remoting.ts)           |
 * | haListenPort   | listenPort + 1 | HA: a master accepts slaves (src/ha)                     |
 * | httpListenPort | listenPort + 2 | Skiff's HTTP API (src/http/broker)                       |
 *
 * Registration advertises all three: `brokerAddr` (remoting), `haServerAddr`, `httpAddr`.
 */
import { parseMessageDelayLevel, type BrokerConfig } from "../config/broker-config.ts";
import type { HttpServer, Platform } from "../core/platform.ts";
import { brokerApp } from "../http/broker/app.ts";
import type { BrokerRuntime, HaStatusView } from "../broker/runtime.ts";
import type { TopicConfigWrapper } from "../contract/namesrv-http.ts";
import { openMetadata, type Metadata } from "../metadata/metadata.ts";
import { HostAddressCache, parseHostAddress } from "../codec/host-address.ts";
import { listenLine } from "../config/describe.ts";
import { listenRemoting } from "./broker-remoting.ts";
import { loadTlsPolicy, peerFetch, withTls } from "./tls-policy.ts";
import { AclFileWatch } from "../acl/acl-file-watch.ts";
import { basicAuthorization } from "../codec/basic-credentials.ts";
import { aclGuard } from "../processors/acl-guard.ts";
import { checkPortsFree, listenError, type PortToBind } from "./port-check.ts";
import { MessageStore } from "../store/message-store.ts";
import type { StoreOptions } from "../store/store-options.ts";
import type { RetentionSettings } from "../store/retention-settings.ts";
import { LongPollHub } from "../broker/long-poll.ts";
import type { BuildContext } from "../broker/message-build.ts";
import { HTTP_IDLE_TIMEOUT_MS, PullService } from "../broker/pull-service.ts";
import { ScheduleService } from "../broker/schedule-service.ts";
import { SendEntry } from "../broker/send-entry.ts";
import { SendService, type ReplicationGate } from "../broker/send-service.ts";
import { AdminService } from "../broker/admin-service.ts";
import { BrokerConfigService } from "../broker/config-service.ts";
import { UniqueIdGenerator } from "../broker/unique-id.ts";
import { ClientManager } from "../broker/client-manager.ts";
import { RebalanceLockManager } from "../broker/rebalance-locks.ts";
import { SendBackService } from "../broker/send-back.ts";
import { SkiffError } from "../core/errors.ts";
import { NameServerRegistration } from "../broker/registration.ts";
import { RoleManager } from "../broker/roles.ts";
import type { FetchLike } from "../broker/slave-sync.ts";
import { remotingSyncSource } from "../broker/slave-sync-remoting.ts";
import { RemotingClientPool } from "../remoting/remoting-client.ts";
import { remotingNamesrvTransport } from "../namesrv/register-broker-remoting.ts";
import { BrokerMetrics } from "../broker/broker-metrics.ts";
import { readiness } from "../broker/readiness.ts";
import type { Logger } from "../core/log.ts";

export interface BrokerHandle {
  readonly runtime: BrokerRuntime;
  readonly store: MessageStore;
  readonly metadata: Metadata;
  /** Where the HTTP API listens, `brokerIP1:httpListenPort` (the real port when it was 0). */
  readonly httpAddress: string;
  /** The remoting address advertised as `brokerAddr`, `brokerIP1:listenPort` (the real port when it was 0). */
  readonly remotingAddress: string;
  /** The fast channel's address (`listenPort - 2`, or the OS's choice when listenPort was 0). */
  readonly fastRemotingAddress: string;
  stop(): Promise<void>;
}

export interface StartBrokerOptions {
  /** The broker's log; each component logs through a child of it (`store`, `ha`, `remoting`, …). */
  readonly log: Logger;
  /** For the slave's metadata sync and name-server registration; default the platform's (`platform.http.fetcher()`). */
  readonly fetch?: FetchLike;
}

/** Every port the broker will listen on (a slave has no HA listener), checked before the store is opened. */
export function brokerPorts(config: BrokerConfig): PortToBind[] {
  const ports: PortToBind[] = [
    { key: "listenPort", what: "remoting", host: config.brokerIP1, port: config.listenPort },
    { key: "httpListenPort", what: "HTTP", host: config.brokerIP1, port: config.httpListenPort },
  ];
  if (config.listenPort > 2) ports.push({ key: "listenPort", what: "remoting fast-channel (listenPort - 2)", host: config.brokerIP1, port: config.listenPort - 2 });
  if (config.brokerRole !== "SLAVE") ports.push({ key: "haListenPort", what: "HA", host: config.brokerIP2, port: config.haListenPort });
  return ports;
}

export function storeOptionsFrom(config: BrokerConfig, log: Logger): StoreOptions {
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
    messageIndexEnable: config.messageIndexEnable,
    maxHashSlotNum: config.maxHashSlotNum,
    maxIndexNum: config.maxIndexNum,
    log,
  };
}

/** Retention's keys (read at every pass, so the live ones change it at once). */
export function retentionSettingsFrom(config: BrokerConfig): RetentionSettings {
  return {
    deleteWhen: config.deleteWhen,
    fileReservedTimeHours: config.fileReservedTime,
    deleteCommitLogFilesIntervalMs: config.deleteCommitLogFilesInterval,
    deleteConsumeQueueFilesIntervalMs: config.deleteConsumeQueueFilesInterval,
    destroyMapedFileIntervalForciblyMs: config.destroyMapedFileIntervalForcibly,
    redeleteHangedFileIntervalMs: config.redeleteHangedFileInterval,
    deleteFileBatchMax: config.deleteFileBatchMax,
    diskMaxUsedSpaceRatio: config.diskMaxUsedSpaceRatio,
    diskSpaceWarningLevelRatio: config.diskSpaceWarningLevelRatio,
    diskSpaceCleanForciblyRatio: config.diskSpaceCleanForciblyRatio,
    cleanFileForciblyEnable: config.cleanFileForciblyEnable,
  };
}

/** A fetch that sends the broker's own ACL account (innerClientAuthenticationCredentials) as HTTP Basic credentials. */
function withCredentials(fetcher: FetchLike, credentials: { accessKey: string; secretKey: string } | undefined): FetchLike {
  if (!credentials) return fetcher;
  const authorization = basicAuthorization(credentials);
  return (url, init) => {
    const headers = new Headers(init?.headers);
    if (!headers.has("authorization")) headers.set("authorization", authorization);
    return fetcher(url, { ...init, headers });
  };
}

export async function startBroker(initial: BrokerConfig, platform: Platform, options: StartBrokerOptions): Promise<BrokerHandle> {
  await checkPortsFree(platform.net, brokerPorts(initial));
  // Before the store: a broken ACL file stops the start with the store untouched.
  const acl = initial.aclEnable ? await AclFileWatch.open(platform.fs, initial.plainAclFile!, options.log.child("acl")) : null;
  const tls = await loadTlsPolicy(platform.fs, initial);
  const fetcher = withCredentials(peerFetch(platform, tls, options.fetch ?? platform.http.fetcher()), initial.innerClientAuthenticationCredentials);
  const store = await MessageStore.open(platform, storeOptionsFrom(initial, options.log.child("store")));
  // What start-up undoes, newest first, when a later step fails: the store is closed as a clean
  // stop closes it (no `abort` left, the lock released), so a failed start changes nothing.
  const undo: Array<() => Promise<unknown>> = [() => store.close()];
  try {
    // Every listener and outgoing connection from here on follows the TLS keys.
    return await startOnStore(store, acl, initial, withTls(platform, tls), fetcher, options, undo);
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw error;
  }
}

/** The rest of start-up, over an open store; each step that needs undoing on failure pushes it to `undo`. */
async function startOnStore(
  store: MessageStore, acl: AclFileWatch | null, initial: BrokerConfig, platform: Platform, fetcher: FetchLike, options: StartBrokerOptions, undo: Array<() => Promise<unknown>>,
): Promise<BrokerHandle> {
  const log = options.log;
  let config = initial;
  const { clock } = platform;
  // Retention runs on every role: a slave keeps its own files by the same rules (stopped by store.close).
  store.startRetention(() => retentionSettingsFrom(config), { intervalMs: config.cleanResourceInterval, initialDelayMs: config.cleanResourceInitialDelay });
  const metadata = await openMetadata(platform.fs, clock, config.storePathRootDir, {
    brokerClusterName: config.brokerClusterName,
    brokerName: config.brokerName,
    autoCreateTopicEnable: config.autoCreateTopicEnable,
    defaultTopicQueueNums: config.defaultTopicQueueNums,
    onFlushError: (error) => log.child("metadata").error(`metadata flush failed, will retry: ${(error as Error).message}`),
  });
  undo.push(() => metadata.close());
  for (const warning of metadata.warnings) log.child("metadata").warn(warning);

  const longPoll = new LongPollHub(clock);
  store.onArrival((topic, queueId) => longPoll.notify(topic, queueId));
  const schedule = new ScheduleService({ store, delayOffsets: metadata.delayOffsets, clock, log: log.child("schedule") });
  // Apache RocketMQ peers (name servers, a master) are spoken to over RocketMQ's remoting protocol.
  const remoting = new RemotingClientPool(platform.net, clock);
  const syncSource = config.masterProtocol === "rocketmq" ? remotingSyncSource(remoting, config.innerClientAuthenticationCredentials) : undefined;
  const roles = new RoleManager({ platform, store, metadata, schedule, fetch: fetcher, syncSource, config: () => config, setConfig: (next) => (config = next), log: log.child("roles") });
  const uniqueIds = new UniqueIdGenerator(parseHostAddress(`${config.brokerIP1}:0`).address, platform.system.pid, () => clock.now());
  const metrics = new BrokerMetrics({ config: () => config, store, metadata, longPoll, replication: () => roles.replicationView(), clock, system: platform.system });
  const send = new SendService({
    config: () => config, store, metadata, replication: (): ReplicationGate | null => roles.replication, masterAddress: () => roles.masterHttpAddress(), observer: metrics, log: log.child("send"), clock,
  });
  const admin = new AdminService({ config: () => config, metadata, store, log: log.child("admin") });
  const pull = new PullService({ config: () => config, store, metadata, longPoll, admin, observer: metrics });

  let server: HttpServer | null = null;
  const hosts = new HostAddressCache(8); // this broker's own address (it changes with updateBrokerConfig)
  const buildContext = (): BuildContext => {
    // The store host is the remoting address (a message id names it; RocketMQ tools dial it).
    // HTTP hides the producer's socket address: a message's born host is this broker's address too.
    const host = hosts.parse(`${config.brokerIP1}:${config.listenPort}`);
    return { clusterName: config.brokerClusterName, storeHost: host, bornHost: host, now: clock.now(), nextUniqueId: () => uniqueIds.next() };
  };
  // Consumer management (heartbeats, queue locks, retries), shared by every remoting listener.
  const clients = new ClientManager({ config: () => config, metadata, clock, log: log.child("clients") });
  const sendBack = new SendBackService({ metadata, store, send, storeHost: () => buildContext().storeHost });
  const runtime: BrokerRuntime = {
    config: () => config,
    store,
    metadata,
    send: new SendEntry({ config: () => config, service: send, buildContext }),
    pull,
    admin,
    clients,
    rebalanceLocks: new RebalanceLockManager(clock),
    sendBack,
    configuration: new BrokerConfigService({ config: () => config, setConfig: (next) => (config = next), clock, log: log.child("config") }),
    clock,
    log,
    haStatus: (): HaStatusView => roles.status(),
    switchRole: (role, brokerId) => roles.switchRole(role, brokerId),
    truncateToMaster: () => roles.truncateToMaster(),
    metrics,
    readiness: () => readiness({ config, store, replication: roles.replicationView(), nowMs: clock.now() }),
    resyncFromMaster: () => roles.resyncFromMaster(),
    acl: acl ? { policy: () => acl.current, refused: (protocol) => metrics.aclRefused(protocol) } : undefined,
  };

  undo.push(async () => {
    clients.stop();
    schedule.stop();
    await roles.stop();
    remoting.closeAll();
  });
  await roles.start();
  clients.start();
  const guard = acl ? aclGuard({ policy: () => acl.current, clock, log: log.child("acl"), onRefused: () => metrics.aclRefused("remoting") }) : undefined;
  acl?.watch(clock);
  undo.push(async () => acl?.stop());
  const remotingServers = await listenRemoting(runtime, platform, config, log.child("remoting"), guard);
  undo.push(() => remotingServers.close());
  if (config.listenPort === 0) config = { ...config, listenPort: remotingServers.main.address.port };
  try {
    server = await platform.http.serve({ host: config.brokerIP1, port: config.httpListenPort }, brokerApp(runtime).fetch, { idleTimeoutMs: HTTP_IDLE_TIMEOUT_MS });
  } catch (error) {
    throw listenError({ key: "httpListenPort", what: "HTTP", host: config.brokerIP1, port: config.httpListenPort }, error);
  }
  if (config.httpListenPort === 0) config = { ...config, httpListenPort: server.address.port };
  metrics.start();
  const httpAddress = `${config.brokerIP1}:${config.httpListenPort}`;
  const remotingAddress = `${config.brokerIP1}:${config.listenPort}`;
  const registration = new NameServerRegistration({
    clock,
    fetch: fetcher,
    transport: config.namesrvProtocol === "rocketmq" ? remotingNamesrvTransport(remoting, config.innerClientAuthenticationCredentials) : undefined,
    addresses: () => (config.namesrvAddr ?? "").split(";").map((a) => a.trim()).filter((a) => a.length > 0),
    registration: () => ({
      clusterName: config.brokerClusterName,
      brokerName: config.brokerName,
      brokerId: config.brokerId,
      brokerAddr: remotingAddress,
      // A slave does not listen for HA (haListenPort may still be 0): advertise listenPort + 1 as RocketMQ does.
      haServerAddr: `${config.brokerIP2}:${config.haListenPort || Math.min(config.listenPort + 1, 65535)}`,
      httpAddr: httpAddress,
      topicConfig: metadata.topics.snapshot() as unknown as TopicConfigWrapper,
    }),
    periodMs: () => config.registerNameServerPeriod,
    onResult: (result) => {
      if (config.brokerRole === "SLAVE") roles.learn(result.masterAddr, result.haServerAddr, result.masterHttpAddr ?? null);
    },
    log: log.child("namesrv"),
  });
  roles.attachRegistration(registration);
  registration.start();
  const unwatchTopics = metadata.topics.onChange(() => registration.registerAfterChange());
  log.info(listenLine(config));
  log.info(`The broker[${config.brokerName}, ${remotingAddress}] boot success. role=${config.brokerRole} http=${httpAddress} store=${config.storePathRootDir}`, {
    brokerName: config.brokerName, role: config.brokerRole, remoting: remotingAddress, http: httpAddress, store: config.storePathRootDir,
  });

  let stopping: Promise<void> | null = null;
  return {
    runtime,
    store,
    metadata,
    httpAddress,
    remotingAddress,
    fastRemotingAddress: `${config.brokerIP1}:${remotingServers.fast.address.port}`,
    stop: () =>
      (stopping ??= (async () => {
        unwatchTopics();
        metrics.stop();
        acl?.stop();
        clients.stop();
        registration.stop();
        schedule.stop();
        longPoll.releaseAll();
        await server?.close();
        await remotingServers.close();
        await roles.stop();
        await registration.unregister().catch(() => undefined);
        registration.close();
        remoting.closeAll();
        // Both are closed even when one fails (a full disk): the store's files are closed in any case.
        const failures: string[] = [];
        await metadata.close().catch((error: Error) => failures.push(`metadata: ${error.message}`));
        await store.close().catch((error: Error) => failures.push(error.message));
        if (failures.length > 0) {
          throw new SkiffError("SHUTDOWN_INCOMPLETE", `the broker[${config.brokerName}, ${httpAddress}] stopped, but not everything was saved: ${failures.join("; ")}`);
        }
        log.info(`The broker[${config.brokerName}, ${httpAddress}] shut down cleanly; store flushed at ${store.offsets.maxOffset}`, { offset: store.offsets.maxOffset });
      })()),
  };
}

