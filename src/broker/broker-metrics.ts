/**
 * The broker's metrics (`GET /metrics`): what its services count as things happen, and what is
 * read from the running broker when scraped (broker-gauges.ts), in one registry bounded by
 * `metricsOtelCardinalityLimit` label sets per metric (src/core/metrics.ts).
 *
 * Counted here, where every protocol front passes (HTTP and RocketMQ remoting alike), through the
 * services' observer hooks:
 *
 * | metric                                   | type      | labels        | what                                    |
 * |------------------------------------------|-----------|---------------|-----------------------------------------|
 * | skiff_send_messages_total                | counter   | topic, status | messages of every send: its status (SEND_OK, FLUSH_DISK_TIMEOUT, FLUSH_SLAVE_TIMEOUT, SLAVE_NOT_AVAILABLE) or the error code that refused it |
 * | skiff_send_duration_seconds              | histogram | —             | a send from its start to its answer     |
 * | skiff_send_flush_wait_seconds            | histogram | —             | the wait for the flush policy: an fsync (SYNC_FLUSH), the write (ASYNC_FLUSH) |
 * | skiff_send_slave_wait_seconds            | histogram | —             | a SYNC_MASTER send's wait for a slave's ack |
 * | skiff_pull_requests_total                | counter   | topic, status | pulls: pullStatus (FOUND, NO_NEW_MSG, NO_MATCHED_MSG, OFFSET_ILLEGAL) or error code |
 * | skiff_pull_messages_total                | counter   | topic         | messages handed out by pulls            |
 * | skiff_pull_duration_seconds              | histogram | —             | a pull's time, a long poll's parked time left out |
 * | skiff_commitlog_flush_duration_seconds   | histogram | —             | commit-log flushes that moved the flushed offset |
 * | skiff_commitlog_flushed_bytes_total      | counter   | —             | bytes those flushes made durable        |
 * | skiff_acl_refused_total                  | counter   | protocol      | requests the ACL refused (remoting, http) |
 *
 * Topics are user-controlled: beyond the limit, new topics count under `topic="_other"`.
 */
import type { Clock, SystemInfo } from "../core/platform.ts";
import { MetricsRegistry, type Counter, type Histogram } from "../core/metrics.ts";
import { registerProcessMetrics } from "../core/process-metrics.ts";
import type { EventLoopDelay } from "../core/event-loop-delay.ts";
import type { BrokerConfig } from "../config/broker-config.ts";
import type { Metadata } from "../metadata/metadata.ts";
import type { MessageStore } from "../store/message-store.ts";
import type { LongPollHub } from "./long-poll.ts";
import type { PullObserver, PullSpan } from "./pull-service.ts";
import type { ReplicationView } from "./roles.ts";
import type { SendObserver } from "./send-service.ts";
import { registerBrokerGauges } from "./broker-gauges.ts";

export interface BrokerMetricsDeps {
  readonly config: () => BrokerConfig;
  readonly store: MessageStore;
  readonly metadata: Metadata;
  readonly longPoll: LongPollHub;
  readonly replication: () => ReplicationView;
  readonly clock: Clock;
  readonly system: SystemInfo;
}

export class BrokerMetrics implements SendObserver, PullObserver {
  readonly registry: MetricsRegistry;
  readonly sendMessages: Counter;
  readonly pullRequests: Counter;
  readonly pullMessages: Counter;
  readonly sendDuration: Histogram;
  readonly flushWait: Histogram;
  readonly slaveWait: Histogram;
  readonly pullDuration: Histogram;
  readonly flushDuration: Histogram;
  private readonly flushedBytes: Counter;
  private readonly aclRefusals: Counter;
  private readonly clock: Clock;
  private readonly eventLoop: EventLoopDelay;
  private unwatchFlush: (() => void) | null = null;

  constructor(deps: BrokerMetricsDeps) {
    this.clock = deps.clock;
    const registry = (this.registry = new MetricsRegistry({ prefix: "skiff_", seriesMax: deps.config().metricsOtelCardinalityLimit }));
    this.sendMessages = registry.counter({ name: "skiff_send_messages_total", help: "Messages of every send, by topic and status (a send status, or the error code that refused it)", labelNames: ["topic", "status"], foldLabels: ["topic"] });
    this.sendDuration = registry.histogram({ name: "skiff_send_duration_seconds", help: "Sends from start to answer, in seconds" });
    this.flushWait = registry.histogram({ name: "skiff_send_flush_wait_seconds", help: "A send's wait for the flush policy (SYNC_FLUSH: an fsync; ASYNC_FLUSH: the write), in seconds" });
    this.slaveWait = registry.histogram({ name: "skiff_send_slave_wait_seconds", help: "A SYNC_MASTER send's wait for a slave's ack, in seconds" });
    this.pullRequests = registry.counter({ name: "skiff_pull_requests_total", help: "Pulls by topic and status (pullStatus, or the error code that refused it)", labelNames: ["topic", "status"], foldLabels: ["topic"] });
    this.pullMessages = registry.counter({ name: "skiff_pull_messages_total", help: "Messages handed out by pulls, by topic", labelNames: ["topic"], foldLabels: ["topic"] });
    this.pullDuration = registry.histogram({ name: "skiff_pull_duration_seconds", help: "Pulls from start to answer, a long poll's parked time left out, in seconds" });
    this.flushDuration = registry.histogram({ name: "skiff_commitlog_flush_duration_seconds", help: "Commit-log flushes that moved the flushed offset, in seconds (waiting for writes included)" });
    this.flushedBytes = registry.counter({ name: "skiff_commitlog_flushed_bytes_total", help: "Bytes made durable by commit-log flushes" });
    this.aclRefusals = registry.counter({ name: "skiff_acl_refused_total", help: "Requests the ACL refused, by protocol (remoting, http)", labelNames: ["protocol"] });
    registerBrokerGauges(registry, deps);
    this.eventLoop = registerProcessMetrics(registry, deps.system, deps.clock);
    this.unwatchFlush = deps.store.onCommitLogFlush((elapsedMs, bytes) => {
      this.flushDuration.observe(elapsedMs / 1000);
      this.flushedBytes.inc({}, bytes);
    });
  }

  /** Starts the event-loop sampler. */
  start(): void {
    this.eventLoop.start();
  }

  stop(): void {
    this.eventLoop.stop();
    this.unwatchFlush?.();
    this.unwatchFlush = null;
  }

  render(): Promise<string> {
    return this.registry.render();
  }

  sendStarted(topic: string, messages: number): (status: string) => void {
    const startMs = this.clock.monotonicMs();
    return (status) => {
      this.sendMessages.inc({ topic, status }, messages);
      this.sendDuration.observe(this.secondsSince(startMs));
    };
  }

  waitStarted(what: "flush" | "slave"): () => void {
    const startMs = this.clock.monotonicMs();
    const histogram = what === "flush" ? this.flushWait : this.slaveWait;
    return () => histogram.observe(this.secondsSince(startMs));
  }

  pullStarted(topic: string): PullSpan {
    const startMs = this.clock.monotonicMs();
    let parkedMs = 0;
    return {
      parked: () => {
        const parkedAt = this.clock.monotonicMs();
        return () => void (parkedMs += this.clock.monotonicMs() - parkedAt);
      },
      ended: (status, messages) => {
        this.pullRequests.inc({ topic, status });
        if (messages > 0) this.pullMessages.inc({ topic }, messages);
        this.pullDuration.observe(Math.max(0, this.secondsSince(startMs) - parkedMs / 1000));
      },
    };
  }

  aclRefused(protocol: "remoting" | "http"): void {
    this.aclRefusals.inc({ protocol });
  }

  private secondsSince(startMs: number): number {
    return Math.max(0, this.clock.monotonicMs() - startMs) / 1000;
  }
}
