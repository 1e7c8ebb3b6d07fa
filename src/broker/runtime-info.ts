/**
 * The broker's runtime table (GET_BROKER_RUNTIME_INFO, what `mqadmin clusterList` and `brokerStatus`
 * print), with RocketMQ's keys and value formats, every value measured by Skiff:
 *
 * | keys                                                   | from                                      |
 * |--------------------------------------------------------|-------------------------------------------|
 * | brokerVersion, brokerVersionDesc                       | the remoting version Skiff speaks (V4_9_8) |
 * | bootTimestamp, runtime                                 | when the store opened                     |
 * | putMessage{TimesTotal,SizeTotal,FailedTimes,AverageSize,EntireTimeMax,DistributeTime}, putLatency99/999 | store traffic (traffic-stats.ts) |
 * | getMessageEntireTimeMax                                | store traffic                             |
 * | putTps, getFoundTps, getMissTps, getTotalTps, getTransferedTps / getTransferredTps (4.9 / 5.x spelling) | "10 s, 60 s, 600 s" rates |
 * | msgPutTotal / msgGetTotal {YesterdayMorning,TodayMorning,TodayNow} | daily totals                   |
 * | commitLogMinOffset, commitLogMaxOffset, dispatchBehindBytes, remainHowManyDataToFlush | commit-log offsets |
 * | earliestMessageTimeStamp                               | store time of the oldest held message (-1: none) |
 * | commitLogDiskRatio(_<dir>), consumeQueueDiskRatio, commitLogDirCapacity | statfs of the store's directories |
 * | scheduleMessageOffset_<level>                          | delivered offset, queue max offset of each delay level |
 * | brokerActive (5.x)                                     | whether this broker is a master (it runs the schedule service) |
 * | {send,pull,query}ThreadPoolQueueSize / …HeadWaitTimeMills, pageCacheLockTimeMills | 0 by construction (below) |
 *
 * Thread-pool and lock keys: a Java broker queues requests for worker pools and holds a lock while
 * it appends; `clusterList` prints these. Skiff starts every request as soon as its frame is read
 * (no worker pool, so no request waits in a queue: size 0, head wait 0 ms) and assigns offsets and
 * copies a record in one synchronous step (no lock is held when this table is read: 0 ms). These
 * are exact values of Skiff's design, not estimates.
 *
 * Left out, because Skiff has nothing to measure: the pools' capacities, transaction queue keys
 * (no transactions), transient store pool, dispatchMaxBuffer, startAcceptSendRequestTimeStamp, the
 * 5.x timer-wheel and pop/ack keys. Both tools print a row without them.
 */
import { javaDoubleString } from "../codec/java-double.ts";
import type { BrokerConfig } from "../config/broker-config.ts";
import type { Clock, DiskSpace } from "../core/platform.ts";
import type { Metadata } from "../metadata/metadata.ts";
import { SystemTopic } from "../metadata/topic-config.ts";
import type { MessageStore } from "../store/message-store.ts";

export interface RuntimeInfoDeps {
  readonly config: () => BrokerConfig;
  readonly store: MessageStore;
  readonly metadata: Metadata;
  readonly clock: Clock;
  /** The remoting version Skiff speaks: MQVersion ordinal and name. */
  readonly version: { readonly ordinal: number; readonly desc: string };
}

/**
 * The table, in insertion order (the codec decides the order on the wire). The two reads that wait
 * (the oldest record, statfs) come first; every counter and offset is then read in one synchronous
 * step, so they describe one moment (no put lands between two of them).
 */
export async function brokerRuntimeInfo(deps: RuntimeInfoDeps): Promise<Map<string, string>> {
  const { store, metadata } = deps;
  const traffic = store.traffic;
  const [earliestMessageTime, disk] = await Promise.all([store.earliestMessageTime(), store.diskSpace()]);
  const info = new Map<string, string>();
  const put = (key: string, value: string | number) => info.set(key, String(value));

  put("brokerVersionDesc", deps.version.desc);
  put("brokerVersion", deps.version.ordinal);
  put("brokerActive", String(deps.config().brokerRole !== "SLAVE"));
  put("bootTimestamp", traffic.bootTimestamp);
  put("runtime", formatRuntime(deps.clock.now() - traffic.bootTimestamp));

  const mono = deps.clock.monotonicMs();
  put("putMessageTimesTotal", traffic.putMessages);
  put("putMessageSizeTotal", traffic.putBytes);
  put("putMessageFailedTimes", traffic.putFailures);
  put("putMessageAverageSize", javaDoubleString(traffic.putBytes / Math.max(1, traffic.putMessages)));
  put("putMessageEntireTimeMax", traffic.putLatency.slowestMs);
  put("putMessageDistributeTime", traffic.putLatency.distribution(mono));
  put("putLatency99", traffic.putLatency.percentileMs(0.99, mono).toFixed(2));
  put("putLatency999", traffic.putLatency.percentileMs(0.999, mono).toFixed(2));
  put("getMessageEntireTimeMax", traffic.getSlowestMs);
  put("putTps", traffic.tps("put"));
  put("getFoundTps", traffic.tps("getFound"));
  put("getMissTps", traffic.tps("getMiss"));
  put("getTotalTps", traffic.getTotalTps());
  put("getTransferedTps", traffic.tps("getTransferred"));
  put("getTransferredTps", traffic.tps("getTransferred"));

  for (const [prefix, totals] of [["msgPutTotal", traffic.putTotals()], ["msgGetTotal", traffic.getTotals()]] as const) {
    put(`${prefix}YesterdayMorning`, totals.yesterdayMorning);
    put(`${prefix}TodayMorning`, totals.todayMorning);
    put(`${prefix}TodayNow`, totals.now);
  }

  const offsets = store.offsets;
  put("commitLogMinOffset", offsets.minOffset);
  put("commitLogMaxOffset", offsets.maxOffset);
  put("dispatchBehindBytes", offsets.maxOffset - offsets.dispatchedOffset);
  put("remainHowManyDataToFlush", humanReadableBytes(offsets.maxOffset - offsets.flushedOffset));
  put("earliestMessageTimeStamp", earliestMessageTime);

  put(`commitLogDiskRatio_${disk.commitLog.path}`, usedRatio(disk.commitLog.space));
  put("commitLogDiskRatio", usedRatio(disk.commitLog.space));
  put("consumeQueueDiskRatio", usedRatio(disk.consumeQueue.space));
  if (disk.root.space) {
    put("commitLogDirCapacity", `Total : ${humanReadableBytes(disk.root.space.totalBytes)}, Free : ${humanReadableBytes(disk.root.space.usableBytes)}.`);
  }

  for (const [level, delivered] of metadata.delayOffsets.all()) {
    put(`scheduleMessageOffset_${level}`, `${delivered},${store.maxOffsetInQueue(SystemTopic.SCHEDULE, level - 1)}`);
  }

  for (const pool of ["send", "pull", "query"]) {
    put(`${pool}ThreadPoolQueueSize`, 0);
    put(`${pool}ThreadPoolQueueHeadWaitTimeMills`, 0);
  }
  put("pageCacheLockTimeMills", 0);
  return info;
}

/** Java's `UtilAll.getDiskPartitionSpaceUsedPercent`: used / (used + usable), rounded up to 1/100; -1 unknown. */
export function usedRatio(space: DiskSpace | null): string {
  if (!space || space.totalBytes <= 0) return javaDoubleString(-1);
  const used = space.totalBytes - space.freeBytes;
  const entire = used + space.usableBytes;
  if (entire <= 0) return javaDoubleString(-1);
  const percent = Math.floor((used * 100) / entire) + ((used * 100) % entire === 0 ? 0 : 1);
  return javaDoubleString(percent / 100);
}

/** Java's `MixAll.humanReadableByteCount(bytes, false)`: `0 B`, `512 B`, `76.4 GiB`. */
export function humanReadableBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const exp = Math.floor(Math.log(bytes) / Math.log(1024));
  return `${(bytes / 1024 ** exp).toFixed(1)} ${"KMGTPE"[exp - 1]}iB`;
}

/** Java's `[ 0 days, 0 hours, 3 minutes, 25 seconds ]`. */
function formatRuntime(elapsedMs: number): string {
  const ms = Math.max(0, elapsedMs);
  const days = Math.floor(ms / 86_400_000);
  const hours = Math.floor((ms % 86_400_000) / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `[ ${days} days, ${hours} hours, ${minutes} minutes, ${seconds} seconds ]`;
}
