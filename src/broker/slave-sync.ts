/**
 * A slave's metadata sync (RocketMQ's SlaveSynchronize, spec §5), over HTTP from its master's
 * `/sync/*` routes, every `slaveSynchronizePeriod` (the first soon after start, and at once after a
 * role change):
 *
 * | body                     | what the slave does                                                |
 * |--------------------------|--------------------------------------------------------------------|
 * | /sync/topic-config       | replace the whole table when the master's DataVersion differs; a   |
 * |                          | topic that left it takes its consumer offsets here along           |
 * | /sync/consumer-offsets   | merge per queue by maximum; a reset on the master wins (see        |
 * |                          | src/metadata/consumer-offsets.ts): offsets never go back otherwise |
 * | /sync/delay-offset       | replace, persist, and let the schedule service reload it           |
 * | /sync/subscription-groups| replace when the DataVersion differs                               |
 *
 * Each step is independent: one failing (master down, bad body) is logged, counted (`failures`, for
 * `/metrics`) and the others still run.
 * The bodies come from `source`: the master's HTTP API by default, or RocketMQ's remoting requests
 * (GET_ALL_TOPIC_CONFIG …) when the master is an Apache RocketMQ broker (slave-sync-remoting.ts).
 */
import type { Clock, TimerHandle } from "../core/platform.ts";
import type { Metadata } from "../metadata/metadata.ts";
import { parseFastjson } from "../codec/fastjson.ts";
import type { Logger } from "../core/log.ts";
import { RepeatGate } from "../core/log-repeats.ts";

/** A sync that keeps failing is logged at most once per this interval per config file (with a count). */
export const SYNC_FAILURE_LOG_INTERVAL_MS = 60_000;

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** Per request, as RocketMQ's SlaveSynchronize (3 s). */
export const REQUEST_TIMEOUT_MS = 3000;

/** What the slave syncs, by the name of its `/sync/<name>` route. */
export type SyncName = "topic-config" | "consumer-offsets" | "delay-offset" | "subscription-groups";

/** Where a sync body comes from: resolves with the master's body as (fastjson) text. */
export type SyncSource = (master: string, name: SyncName) => Promise<string>;

/** The master's HTTP API: `GET http://<master>/sync/<name>`. */
export function httpSyncSource(fetch: FetchLike): SyncSource {
  return async (master, name) => {
    const response = await fetch(`http://${master}/sync/${name}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
    return text;
  };
}

export interface SlaveSyncOptions {
  readonly clock: Clock;
  readonly metadata: Metadata;
  readonly fetch: FetchLike;
  /** Default: `httpSyncSource(fetch)`. */
  readonly source?: SyncSource;
  readonly periodMs: number;
  /** The master's `host:port` for `source` (HTTP for a Skiff master, remoting for RocketMQ's), or null while unknown. */
  readonly masterAddress: () => string | null;
  readonly onDelayOffsetsChanged: () => void;
  readonly log: Logger;
}

const FIRST_SYNC_DELAY_MS = 3000;

export class SlaveSync {
  private readonly options: SlaveSyncOptions;
  private timer: TimerHandle | null = null;
  private running: Promise<void> | null = null;
  private lastSyncAtValue: number | null = null;
  private lastErrorValue: string | null = null;
  private startedAtValue: number | null = null;
  private readonly failureCounts = new Map<SyncName | "master-address", number>();
  private readonly failureLog: RepeatGate;

  constructor(options: SlaveSyncOptions) {
    this.options = options;
    this.failureLog = new RepeatGate(options.clock, SYNC_FAILURE_LOG_INTERVAL_MS);
  }

  get lastSyncAt(): number | null {
    return this.lastSyncAtValue;
  }
  get lastError(): string | null {
    return this.lastErrorValue;
  }
  /** Wall-clock ms of the last `start` (a sync age is measured from it until a round succeeds); null when stopped. */
  get startedAt(): number | null {
    return this.startedAtValue;
  }
  /** Failed steps since the broker started, by body (`master-address`: a round with no master to ask). */
  get failures(): ReadonlyMap<SyncName | "master-address", number> {
    return this.failureCounts;
  }

  /** Syncs after `firstDelayMs` (default 3 s, RocketMQ's), then every period. */
  start(firstDelayMs = FIRST_SYNC_DELAY_MS): void {
    this.stop();
    this.startedAtValue = this.options.clock.now();
    this.timer = this.options.clock.setTimeout(() => {
      void this.syncNow();
      this.timer = this.options.clock.setInterval(() => void this.syncNow(), this.options.periodMs);
    }, firstDelayMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
    this.startedAtValue = null;
  }

  /** One round of all four; concurrent calls share the round in progress. */
  syncNow(): Promise<void> {
    this.running ??= this.round().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async round(): Promise<void> {
    const master = this.options.masterAddress();
    if (!master) {
      this.lastErrorValue = "master address unknown";
      this.failureCounts.set("master-address", (this.failureCounts.get("master-address") ?? 0) + 1);
      return;
    }
    const { metadata } = this.options;
    const steps: Array<[SyncName, (body: unknown) => Promise<unknown>]> = [
      ["topic-config", (body) => this.replaceTopics(body)],
      ["consumer-offsets", (body) => metadata.consumerOffsets.mergeFromMaster(body)],
      ["delay-offset", async (body) => {
        await metadata.delayOffsets.replaceFromMaster(body);
        this.options.onDelayOffsetsChanged();
      }],
      ["subscription-groups", (body) => metadata.subscriptionGroups.replaceFromMaster(body)],
    ];
    let failures = 0;
    for (const [name, apply] of steps) {
      try {
        await apply(await this.fetchBody(master, name));
      } catch (error) {
        failures++;
        this.failureCounts.set(name, (this.failureCounts.get(name) ?? 0) + 1);
        this.lastErrorValue = `${name}: ${(error as Error).message}`;
        this.failureLog.log(this.options.log, "warn", name, `metadata sync of ${name} from ${master} failed: ${(error as Error).message}`, { what: name, master });
      }
    }
    await metadata.flush();
    if (failures === 0) {
      if (this.lastErrorValue !== null) this.options.log.info(`metadata sync from ${master} works again`, { master });
      for (const [name] of steps) this.failureLog.clear(name);
      this.lastSyncAtValue = this.options.clock.now();
      this.lastErrorValue = null;
    }
  }

  /**
   * Replaces the topic table; a topic that left it also leaves the consumer offsets here. Its
   * consume queues went already: the master's deletion record, replicated, deleted them (a
   * RocketMQ master writes none: see README "Delete a topic").
   */
  private async replaceTopics(body: unknown): Promise<void> {
    const { topics, consumerOffsets } = this.options.metadata;
    const before = topics.all().map((config) => config.topicName);
    if (!(await topics.replaceFromMaster(body))) return;
    for (const topic of before) {
      if (topics.get(topic)) continue;
      const dropped = consumerOffsets.dropTopicOnSlave(topic);
      if (dropped > 0) this.options.log.info(`topic ${topic} left the master's topic config: dropped its consumer offsets of ${dropped} group(s)`);
    }
  }

  private async fetchBody(master: string, name: SyncName): Promise<unknown> {
    const source = this.options.source ?? httpSyncSource(this.options.fetch);
    return parseFastjson(await source(master, name));
  }
}
