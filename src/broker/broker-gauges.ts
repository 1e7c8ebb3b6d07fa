/**
 * The broker's metrics read when scraped: nothing is kept for them, each scrape reads the store,
 * the HA services, the metadata and the long-poll hub as they are (the same figures as
 * GET_BROKER_RUNTIME_INFO, consumerProgress and `/ha/status`).
 *
 * | metric                                          | labels              | what                                        |
 * |-------------------------------------------------|---------------------|---------------------------------------------|
 * | skiff_broker_info                               | cluster, broker_name, broker_id, role | 1                          |
 * | skiff_commitlog_{min,max,written,flushed,dispatched}_offset_bytes | —  | where the commit log stands                 |
 * | skiff_commitlog_segments                        | —                   | segment files held                           |
 * | skiff_store_put_{messages,bytes,failures}_total | —                   | store appends (every producer, retries, schedule) |
 * | skiff_store_get_{found,miss}_total, skiff_store_get_messages_total | — | consumers' reads and messages handed out  |
 * | skiff_store_io_problem                          | code, where         | 1 while writes there fail (disk full, I/O)   |
 * | skiff_store_disk_{total,usable}_bytes, skiff_store_disk_used_ratio | dir (root, commitlog, consumequeue) | statfs; ratio as RocketMQ's commitLogDiskRatio |
 * | skiff_long_polls_waiting                        | —                   | pulls parked right now                       |
 * | skiff_schedule_backlog_messages                 | level, delay        | delayed messages not yet delivered, per level |
 * | skiff_consumer_lag_messages                     | group, topic, queue | queue max offset − committed offset          |
 * | skiff_ha_connections, skiff_ha_slave_in_sync, skiff_ha_push2slave_max_offset_bytes, skiff_ha_replication_waiters | — | a master's HA service |
 * | skiff_ha_slave_{ack_offset_bytes,lag_bytes,lag_seconds} | slave        | per connected slave                          |
 * | skiff_ha_master_connected, skiff_ha_master_last_read_age_seconds, skiff_ha_diverged, skiff_ha_behind_master_retention | — | a slave's HA client |
 * | skiff_metadata_sync_age_seconds, skiff_metadata_sync_failures_total | —, what | a slave's metadata sync      |
 *
 * Role-specific metrics have no samples on the other role. The metadata-sync age runs from the
 * last round that synced everything, or from the sync's start when none did.
 */
import type { MetricsRegistry } from "../core/metrics.ts";
import { SCHEDULE_TOPIC } from "../codec/delay-levels.ts";
import { usedRatio } from "./runtime-info.ts";
import { AdminStats } from "./admin-stats.ts";
import type { BrokerMetricsDeps } from "./broker-metrics.ts";

export function registerBrokerGauges(registry: MetricsRegistry, deps: BrokerMetricsDeps): void {
  const { store, metadata, clock } = deps;
  const gauge = registry.collected.bind(registry);
  const value = (name: string, help: string, read: () => number, type: "gauge" | "counter" = "gauge") =>
    gauge({ name, help, type }, (emit) => emit({}, read()));

  gauge({ name: "skiff_broker_info", help: "This broker's name, cluster, id and role (always 1)", type: "gauge", labelNames: ["cluster", "broker_name", "broker_id", "role"] }, (emit) => {
    const config = deps.config();
    emit({ cluster: config.brokerClusterName, broker_name: config.brokerName, broker_id: String(config.brokerId), role: config.brokerRole }, 1);
  });

  const offsets = store.offsets;
  value("skiff_commitlog_min_offset_bytes", "Start of the oldest commit-log segment held", () => offsets.minOffset);
  value("skiff_commitlog_max_offset_bytes", "End of everything appended to the commit log", () => offsets.maxOffset);
  value("skiff_commitlog_written_offset_bytes", "End of the commit log handed to the OS (survives a crash of the process)", () => offsets.writtenOffset);
  value("skiff_commitlog_flushed_offset_bytes", "End of the commit log fsync'd (survives a power loss)", () => offsets.flushedOffset);
  value("skiff_commitlog_dispatched_offset_bytes", "End of the commit log in the consume queues (served to consumers)", () => offsets.dispatchedOffset);
  value("skiff_commitlog_segments", "Commit-log segment files held", () => store.stats().commitLogSegmentStarts.length);

  const traffic = store.traffic;
  value("skiff_store_put_messages_total", "Messages appended to the store (producers, retries, scheduled deliveries)", () => traffic.putMessages, "counter");
  value("skiff_store_put_bytes_total", "Bytes of the records appended to the store", () => traffic.putBytes, "counter");
  value("skiff_store_put_failures_total", "Appends the store refused (disk full, write failing, too large)", () => traffic.putFailures, "counter");
  value("skiff_store_get_found_total", "Consumers' reads that found messages", () => traffic.getFound, "counter");
  value("skiff_store_get_miss_total", "Consumers' reads that found none", () => traffic.getMiss, "counter");
  value("skiff_store_get_messages_total", "Messages handed out by consumers' reads", () => traffic.getTransferred, "counter");

  gauge({ name: "skiff_store_io_problem", help: "1 while writes fail there (disk full, I/O error)", type: "gauge", labelNames: ["code", "where"] }, (emit) => {
    for (const problem of store.ioProblems()) emit({ code: problem.code, where: problem.where }, 1);
  });

  // statfs once per scrape for the three disk metrics (a second scrape within 1 s shares it).
  let space: { atMs: number; value: ReturnType<typeof store.diskSpace> } | null = null;
  const disk = () => {
    const nowMs = clock.monotonicMs();
    if (!space || nowMs - space.atMs >= 1000) space = { atMs: nowMs, value: store.diskSpace() };
    return space.value;
  };
  const dirs = (space: Awaited<ReturnType<typeof disk>>) => [["root", space.root], ["commitlog", space.commitLog], ["consumequeue", space.consumeQueue]] as const;
  gauge({ name: "skiff_store_disk_total_bytes", help: "Size of the file system holding each store directory", type: "gauge", labelNames: ["dir"] }, async (emit) => {
    for (const [dir, at] of dirs(await disk())) if (at.space) emit({ dir }, at.space.totalBytes);
  });
  gauge({ name: "skiff_store_disk_usable_bytes", help: "Space this process may still use on the file system holding each store directory", type: "gauge", labelNames: ["dir"] }, async (emit) => {
    for (const [dir, at] of dirs(await disk())) if (at.space) emit({ dir }, at.space.usableBytes);
  });
  gauge({ name: "skiff_store_disk_used_ratio", help: "Used share of the file system holding each store directory, 0 to 1 (RocketMQ's commitLogDiskRatio)", type: "gauge", labelNames: ["dir"] }, async (emit) => {
    for (const [dir, at] of dirs(await disk())) if (at.space) emit({ dir }, Number(usedRatio(at.space)));
  });

  value("skiff_long_polls_waiting", "Pulls parked in a long poll right now", () => deps.longPoll.parked);

  gauge({ name: "skiff_schedule_backlog_messages", help: "Delayed messages of each level not delivered yet", type: "gauge", labelNames: ["level", "delay"] }, (emit) => {
    const delays = deps.config().messageDelayLevel.trim().split(/\s+/);
    store.options.delayLevelsMs.forEach((_, i) => {
      const level = i + 1;
      const delivered = Math.max(metadata.delayOffsets.get(level) ?? 0, store.minOffsetInQueue(SCHEDULE_TOPIC, i));
      emit({ level: String(level), delay: delays[i] ?? "" }, Math.max(0, store.maxOffsetInQueue(SCHEDULE_TOPIC, i) - delivered));
    });
  });

  const stats = new AdminStats({ config: deps.config, store, metadata });
  gauge({ name: "skiff_consumer_lag_messages", help: "Messages of a queue a consumer group has not committed yet (queue max offset - committed offset)", type: "gauge", labelNames: ["group", "topic", "queue"] }, (emit) => {
    for (const { group, topic } of metadata.consumerOffsets.pairs()) {
      for (const q of stats.queueProgress(group, topic)) emit({ group, topic, queue: String(q.queueId) }, Math.max(0, q.brokerOffset - q.consumerOffset));
    }
  });

  registerHaGauges(registry, deps);
}

function registerHaGauges(registry: MetricsRegistry, deps: BrokerMetricsDeps): void {
  const gauge = registry.collected.bind(registry);
  const master = (read: (m: NonNullable<ReturnType<BrokerMetricsDeps["replication"]>["master"]>) => number) => (emit: (labels: Record<string, string>, value: number) => void) => {
    const view = deps.replication().master;
    if (view) emit({}, read(view));
  };
  gauge({ name: "skiff_ha_connections", help: "Slaves connected to this master's HA port", type: "gauge" }, master((m) => m.connections));
  gauge({ name: "skiff_ha_slave_in_sync", help: "1 when a slave is connected and within haSlaveFallbehindMax (SYNC_MASTER sends then wait for it rather than answer SLAVE_NOT_AVAILABLE)", type: "gauge" }, master((m) => (m.slaveInSync ? 1 : 0)));
  gauge({ name: "skiff_ha_push2slave_max_offset_bytes", help: "The largest offset any slave has acknowledged", type: "gauge" }, master((m) => m.push2SlaveMaxOffset));
  gauge({ name: "skiff_ha_replication_waiters", help: "SYNC_MASTER sends waiting for a slave's ack", type: "gauge" }, master((m) => m.replicationWaiters));
  const perSlave = (name: string, help: string, read: (s: { ackOffset: number; lagBytes: number; lagSeconds: number }) => number) =>
    gauge({ name, help, type: "gauge", labelNames: ["slave"] }, (emit) => {
      for (const slave of deps.replication().master?.slaves ?? []) emit({ slave: slave.address }, read(slave));
    });
  perSlave("skiff_ha_slave_ack_offset_bytes", "The offset each connected slave has acknowledged (-1 before its first report)", (s) => s.ackOffset);
  perSlave("skiff_ha_slave_lag_bytes", "Bytes each connected slave is behind this master's commit log", (s) => s.lagBytes);
  perSlave("skiff_ha_slave_lag_seconds", "Age of the oldest byte each connected slave has not acknowledged", (s) => s.lagSeconds);

  const slave = (read: (s: NonNullable<ReturnType<BrokerMetricsDeps["replication"]>["slave"]>) => number) => (emit: (labels: Record<string, string>, value: number) => void) => {
    const view = deps.replication().slave;
    if (view) emit({}, read(view));
  };
  gauge({ name: "skiff_ha_master_connected", help: "1 while this slave is connected to its master's HA port", type: "gauge" }, slave((s) => (s.connected ? 1 : 0)));
  gauge({ name: "skiff_ha_master_last_read_age_seconds", help: "Seconds since this slave last read a byte from its master (+Inf before the first)", type: "gauge" }, slave((s) => (s.lastReadAt === null ? Number.POSITIVE_INFINITY : Math.max(0, deps.clock.now() - s.lastReadAt) / 1000)));
  gauge({ name: "skiff_ha_diverged", help: "1 while this slave refuses to follow because its log diverged from its master's", type: "gauge" }, slave((s) => (s.divergence ? 1 : 0)));
  gauge({ name: "skiff_ha_behind_master_retention", help: "1 while this slave cannot follow because its master deleted the bytes it needs next (POST /admin/ha/resync-from-master)", type: "gauge" }, slave((s) => (s.behindMasterRetention ? 1 : 0)));
  gauge({ name: "skiff_metadata_sync_age_seconds", help: "Seconds since this slave's last complete metadata sync from its master (since the sync started, when none completed)", type: "gauge" }, (emit) => {
    const view = deps.replication();
    const since = view.metadataSync.lastSyncAt ?? view.metadataSync.startedAt;
    if (view.role === "SLAVE" && since !== null) emit({}, Math.max(0, deps.clock.now() - since) / 1000);
  });
  gauge({ name: "skiff_metadata_sync_failures_total", help: "Failed steps of this slave's metadata sync, by what was synced (master-address: no master known)", type: "counter", labelNames: ["what"] }, (emit) => {
    for (const [what, count] of deps.replication().metadataSync.failures) emit({ what }, count);
  });
}
