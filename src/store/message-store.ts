/**
 * The message store: commit log + consume queues + flush + checkpoint + recovery, laid out on disk
 * exactly as Apache RocketMQ lays out its store (spec §3.1):
 *
 *   <root>/commitlog/<20-digit offset>            segments of mappedFileSizeCommitLog bytes
 *   <root>/consumequeue/<topic>/<queueId>/<20-d>   20-byte entries
 *   <root>/index/<yyyyMMddHHmmssSSS>               the message index (index-service.ts), when enabled
 *   <root>/checkpoint                              4096 bytes
 *   <root>/abort                                   present while running (crash marker)
 *   <root>/lock
 *
 * `open` recovers (store-open.ts: truncating a torn tail, re-dispatching what the consume queues may
 * have missed) before anything is accepted; `close` flushes everything and removes `abort`.
 *
 * Traffic (`traffic`, traffic-stats.ts): every append and read is counted there, for the admin
 * tools' runtime info; `readMessageAt`, `storeTimestampAt` and `earliestMessageTime` are the
 * single-record lookups of message-lookup.ts; `queryMessages` finds records by key through the
 * message index (message-query.ts).
 *
 * Retention (`startRetention`, retention.ts): expired commit-log segments, then the consume-queue
 * and index files wholly below the commit log's new min offset, are deleted by RocketMQ's rules;
 * above `diskSpaceWarningLevelRatio` sends are refused with STORE_DISK_FULL.
 *
 * Disk full or failing writes (`health`): appends are refused with STORE_DISK_FULL / STORE_IO_FAILED
 * (retriable) while any commit-log write fails; bytes already appended stay in memory, are retried,
 * and become visible to consumers only once written. Everything recovers by itself when a write
 * succeeds. `close` still closes every file; if something could not be written it keeps `abort`
 * (the next start recovers from the commit log) and rejects with STORE_SHUTDOWN_INCOMPLETE.
 */
import { SkiffError, assert } from "../core/errors.ts";
import { joinPath } from "../core/path.ts";
import type { DiskSpace } from "../core/platform.ts";
import type { CheckpointFile } from "./checkpoint-file.ts";
import type { RecoveryResult } from "./commit-log-recovery.ts";
import type { AppendedRecord, CommitLog } from "./commit-log.ts";
import type { ConsumeQueueTable } from "./consume-queue-table.ts";
import type { ArrivalListener, Dispatcher } from "./dispatcher.ts";
import type { IndexService } from "./index-service.ts";
import { queryMessagesByKey, type KeyQueryResult } from "./message-query.ts";
export { MAX_QUERY_MESSAGES } from "./message-query.ts";
import type { FlushService, FlushStatus } from "./flush-service.ts";
import { readMessages, type GetMessageRequest, type GetMessageResult } from "./get-message.ts";
import { prepareInputs, type MessageInput } from "./message-input.ts";
import { earliestStoreTime, isOnDisk, offsetByStoreTime, type QueueLookupContext } from "./queue-lookup.ts";
import { CommitLogReplica, type Replica } from "./replica.ts";
import { CommitLogReplicationSource, type ReplicationSource } from "./replication-source.ts";
import type { StoreHealth, StoreIoProblem } from "./store-health.ts";
import { LogOffsets, type StoreOffsets, type StoreStats } from "./store-offsets.ts";
import { RetentionService, type DiskUsage, type RetentionPass } from "./retention.ts";
import { DEFAULT_RETENTION_SETTINGS, type RetentionSchedule, type RetentionSettings } from "./retention-settings.ts";
import type { StoreOptions } from "./store-options.ts";
import { TrafficStats } from "./traffic-stats.ts";
import { queueEntryStoreTimestamp, readMessageAt, storeTimestampAt } from "./message-lookup.ts";
import { topicDeletionRecord } from "./topic-deletion.ts";
import { closeStoreParts, openStoreParts, type FlushListener, type StoreParts, type StorePlatform } from "./store-open.ts";
import type { HostAddress } from "../codec/host-address.ts";

export type { FlushListener } from "./store-open.ts";

export type { ArrivalListener, KeyQueryResult, MessageInput, Replica, ReplicationSource, RetentionPass, RetentionSchedule, RetentionSettings, StoreOffsets, StoreOptions, StoreStats, TrafficStats };

export type { StorePlatform } from "./store-open.ts";

/** A store directory and the file system it is on (null: the directory is gone). */
export interface StoreDirSpace {
  readonly path: string;
  readonly space: DiskSpace | null;
}

export interface StoreDiskSpace {
  readonly root: StoreDirSpace;
  readonly commitLog: StoreDirSpace;
  readonly consumeQueue: StoreDirSpace;
}

export interface PutResult {
  readonly status: FlushStatus;
  readonly records: readonly AppendedRecord[];
  readonly endOffset: number;
  readonly storeTimestamp: number;
}

/**
 * The store's public face: sending and reading (`put`, `append`, `get`, queue offsets, lookups
 * by store time for RocketMQ's offset requests: queue-lookup.ts), two
 * replication ports (`replicationSource` for a master, `replica` for a slave), read-only views
 * (`offsets`, `stats`, `readCommitLog`, `waitDispatched`, `ioProblems`), arrivals, topic deletion's
 * store part (a deletion record: topic-deletion.ts), flushing and closing. The commit log, consume queues and dispatcher stay inside.
 */
export class MessageStore {
  readonly options: StoreOptions;
  /** What a master's HA service may read and ship (replication-source.ts). */
  readonly replicationSource: ReplicationSource;
  /** What a slave's HA client may do: append a master's bytes, truncate, wait (replica.ts). */
  readonly replica: Replica;
  /** Where the commit log stands: min, max, written, flushed and dispatched offsets (live, read-only). */
  readonly offsets: StoreOffsets;
  /** Puts and reads counted since the store opened (read-only for callers). */
  readonly traffic: TrafficStats;
  private readonly commitLog: CommitLog;
  private readonly queues: ConsumeQueueTable;
  private readonly dispatcher: Dispatcher;
  private readonly index: IndexService | null;
  private readonly recovery: RecoveryResult;
  private readonly platform: StorePlatform;
  private readonly flush: FlushService;
  private readonly checkpoint: CheckpointFile;
  /** Which parts of the store fail to write right now (disk full, I/O errors); empty when healthy. */
  private readonly health: StoreHealth;
  private readonly flushListeners: Set<FlushListener>;
  private readonly retention: RetentionService;
  private retentionSettings: () => RetentionSettings = () => DEFAULT_RETENTION_SETTINGS;
  private closed = false;
  private readonly parts: StoreParts;

  private constructor(parts: StoreParts) {
    this.parts = parts;
    this.flushListeners = parts.flushListeners;
    this.index = parts.index;
    this.health = parts.health;
    this.platform = parts.platform;
    this.options = parts.options;
    this.commitLog = parts.commitLog;
    this.queues = parts.queues;
    this.dispatcher = parts.dispatcher;
    this.flush = parts.flush;
    this.checkpoint = parts.checkpoint;
    this.recovery = parts.recovery;
    this.replicationSource = new CommitLogReplicationSource(parts.commitLog, parts.options.flushDiskType);
    this.offsets = new LogOffsets(parts.commitLog.log, parts.dispatcher);
    this.traffic = new TrafficStats(parts.platform.clock);
    this.replica = new CommitLogReplica({
      commitLog: parts.commitLog, queues: parts.queues, dispatcher: parts.dispatcher, index: parts.index ?? undefined,
      maxMessageSizeBytes: parts.options.maxMessageSizeBytes, log: parts.options.log.child("replica"), assertOpen: () => this.assertOpen(),
    });
    this.retention = new RetentionService({
      clock: parts.platform.clock, log: parts.options.log.child("retention"), commitLog: parts.commitLog.log,
      dispatchedOffset: () => parts.dispatcher.dispatchedOffset, queues: () => parts.queues.all(), index: parts.index,
      diskUsage: () => this.diskUsage(), settings: () => this.retentionSettings(),
    });
  }

  static async open(platform: StorePlatform, options: StoreOptions): Promise<MessageStore> {
    const parts = await openStoreParts(platform, options);
    const store = new MessageStore(parts);
    store.rebuildQueueOffsets();
    await platform.fs.writeFile(joinPath(options.rootDir, "abort"), new Uint8Array(0));
    await platform.fs.syncDirectory(options.rootDir);
    parts.flush.start();
    return store;
  }

  /** Stores one message (or, with several inputs, one batch) and waits for the flush policy. */
  async put(inputs: readonly MessageInput[]): Promise<PutResult> {
    const appended = await this.append(inputs);
    return { ...appended, status: await appended.durable };
  }

  /**
   * Appends without waiting for the flush policy: `durable` settles when it is met, so a caller
   * can wait for replication side by side (SYNC_MASTER).
   */
  async append(inputs: readonly MessageInput[]): Promise<Omit<PutResult, "status"> & { durable: Promise<FlushStatus> }> {
    this.assertOpen();
    const records = prepareInputs(inputs, this.options);
    const refusal = this.retention.sendRefusal; // the disk is above diskSpaceWarningLevelRatio
    if (refusal) {
      this.traffic.countPutFailure();
      throw refusal;
    }
    const { clock } = this.platform;
    const startMs = clock.monotonicMs();
    let appended: Awaited<ReturnType<CommitLog["append"]>>;
    try {
      appended = await this.commitLog.append(records);
    } catch (error) {
      this.traffic.countPutFailure();
      throw error;
    }
    assert(appended.records.length === records.length, "one stored record per input");
    this.traffic.countPut(appended.records.length, appended.records.reduce((sum, r) => sum + r.size, 0));
    void this.dispatcher.wake();
    const durable = this.flush.awaitDurable(appended.endOffset);
    void durable.then(() => this.traffic.countPutLatency(clock.monotonicMs() - startMs), () => undefined);
    return { records: appended.records, endOffset: appended.endOffset, storeTimestamp: appended.storeTimestamp, durable };
  }

  /** Reads messages of one queue, with RocketMQ's statuses (see get-message.ts). */
  async get(request: GetMessageRequest): Promise<GetMessageResult> {
    const startMs = this.platform.clock.monotonicMs();
    const result = await readMessages(request, { commitLog: this.commitLog, queues: this.queues, memoryForSuggestBytes: this.memoryForSuggestBytes() });
    if (!request.internal) {
      const statsKey = request.consumerGroup === undefined ? undefined : `${request.topic}@${request.consumerGroup}`;
      this.traffic.countGet(result.messages.length, this.platform.clock.monotonicMs() - startMs, statsKey);
    }
    return result;
  }

  /** The stored record that starts at `physicalOffset`, or null when no whole message starts there. */
  readMessageAt(physicalOffset: number): Promise<Uint8Array | null> {
    return readMessageAt(this.commitLog, physicalOffset);
  }

  /**
   * Stored records of `topic` indexed under `key` (a KEYS word or a UNIQ_KEY) and stored within
   * [beginMs, endMs], at most `maxNum` (≤ 64), as RocketMQ's `queryMessage`; hash collisions are
   * included (callers match the keys). Empty when the index is disabled.
   */
  queryMessages(topic: string, key: string, maxNum: number, beginMs: number, endMs: number): Promise<KeyQueryResult> {
    return queryMessagesByKey({ index: this.index, commitLog: this.commitLog }, { topic, key, maxNum, beginMs, endMs });
  }

  /** Store time of entry `queueOffset` of a queue; -1 when it is not held (any more). */
  storeTimestampAt(topic: string, queueId: number, queueOffset: number): Promise<number> {
    return queueEntryStoreTimestamp(this.commitLog, this.queues, topic, queueId, queueOffset);
  }

  /** Store time of the oldest message still held; -1 when the log holds none. */
  earliestMessageTime(): Promise<number> {
    return storeTimestampAt(this.commitLog, this.commitLog.minOffset);
  }

  /** The first queue offset stored at or after `timestampMs`; the queue's max offset when none is (queue-lookup.ts). */
  searchOffsetByTimestamp(topic: string, queueId: number, timestampMs: number): Promise<number> {
    return offsetByStoreTime(this.lookup(topic, queueId), timestampMs);
  }

  /** The store time of the queue's oldest message still held, or -1. */
  earliestStoreTimestamp(topic: string, queueId: number): Promise<number> {
    return earliestStoreTime(this.lookup(topic, queueId));
  }

  /** Whether the message at `queueOffset` lies further behind the log's end than the memory share (RocketMQ's checkInDiskByConsumeOffset). */
  isOnDisk(topic: string, queueId: number, queueOffset: number): Promise<boolean> {
    return isOnDisk(this.lookup(topic, queueId), queueOffset);
  }

  private lookup(topic: string, queueId: number): QueueLookupContext {
    return { commitLog: this.commitLog, queue: this.queues.find(topic, queueId), memoryForSuggestBytes: this.memoryForSuggestBytes() };
  }

  private memoryForSuggestBytes(): number {
    return (this.platform.system.totalMemoryBytes() * this.options.accessMessageInMemoryMaxRatio) / 100;
  }

  maxOffsetInQueue(topic: string, queueId: number): number {
    return this.queues.find(topic, queueId)?.maxOffset ?? 0;
  }

  minOffsetInQueue(topic: string, queueId: number): number {
    return this.queues.find(topic, queueId)?.minOffset ?? 0;
  }

  /** The queue ids of `topic` that have a consume queue (e.g. replicated before the topic's config). */
  queueIdsOf(topic: string): number[] {
    return this.queues.queuesOf(topic).map((queue) => queue.queueId);
  }

  /** Calls `listener` for every record that reaches its consume queue (readable from then on). */
  onArrival(listener: ArrivalListener): () => void {
    return this.dispatcher.onArrival(listener);
  }

  /** Calls `listener` after every commit-log flush that moved the flushed offset (for flush-latency metrics). */
  onCommitLogFlush(listener: FlushListener): () => void {
    this.flushListeners.add(listener);
    return () => this.flushListeners.delete(listener);
  }

  /** Resolves once every record below `offset` is in its consume queue. */
  waitDispatched(offset: number): Promise<void> {
    return this.dispatcher.waitFor(offset);
  }

  /**
   * Topic deletion's store part: appends the topic's deletion record (topic-deletion.ts), which
   * drops its queue counters at once, and resolves when the record is durable by the flush policy
   * and dispatched: the topic's consume queues (files included) are gone, and its next record
   * starts queue offset 0. Resolves with the record's commit-log offset.
   */
  async deleteTopic(topic: string, storeHost: HostAddress): Promise<number> {
    this.assertOpen();
    const record = topicDeletionRecord(topic, storeHost, this.platform.clock.now());
    const appended = await this.commitLog.append([record], { forgetQueueOffsetsOf: topic });
    void this.dispatcher.wake();
    await Promise.all([this.flush.awaitDurable(appended.endOffset), this.dispatcher.waitFor(appended.endOffset)]);
    return appended.records[0].physicalOffset;
  }

  /** Raw commit-log bytes `[offset, offset + length)`, within one segment, below `offsets.maxOffset` (tools, tests). */
  readCommitLog(offset: number, length: number): Promise<Uint8Array> {
    return this.commitLog.log.read(offset, length);
  }

  /** What the store holds right now in files and memory (tools, tests). */
  stats(): StoreStats {
    const log = this.commitLog.log;
    return {
      commitLogSegmentStarts: [...log.segmentStarts],
      cachedBlocks: log.cachedBlocks,
      consumeQueues: this.queues.all().length,
      consumeQueueFiles: this.queues.all().reduce((sum, queue) => sum + queue.fileCount, 0),
      openConsumeQueueFiles: this.queues.openFiles,
      indexFiles: this.index?.files.length ?? 0,
    };
  }

  /** The next queue offsets follow the consume queues (after recovery, or a slave's promotion). */
  rebuildQueueOffsets(): void {
    this.commitLog.clearQueueOffsets();
    for (const queue of this.queues.all()) this.commitLog.setNextQueueOffset(queue.topic, queue.queueId, queue.maxOffset);
  }

  /** Writes, fsyncs and dispatches everything appended so far. */
  flushAll(): Promise<void> {
    return this.flush.flushAll();
  }

  /** The file systems holding the store root, the commit log and the consume queues (statfs). */
  async diskSpace(): Promise<StoreDiskSpace> {
    const { rootDir } = this.options;
    const at = async (path: string) => ({ path, space: await this.platform.fs.diskSpace(path) });
    const [root, commitLog, consumeQueue] = await Promise.all([
      at(rootDir), at(this.options.commitLogDir ?? joinPath(rootDir, "commitlog")), at(joinPath(rootDir, "consumequeue")),
    ]);
    return { root, commitLog, consumeQueue };
  }

  /** What fails to write right now (disk full, I/O errors, a disk above diskSpaceWarningLevelRatio); empty when every write succeeds. */
  ioProblems(): StoreIoProblem[] {
    const usage = this.retention.problem;
    return usage ? [...this.health.problems, usage] : this.health.problems;
  }

  /**
   * Starts retention (retention.ts) on this store, master or slave: `settings` is read at every
   * pass (live keys); `schedule` null runs passes only when `runRetentionPass` asks (tests, tools).
   */
  startRetention(settings: () => RetentionSettings, schedule: RetentionSchedule | null): void {
    this.retentionSettings = settings;
    if (schedule) this.retention.start(schedule);
  }

  /** Why sends are refused right now for disk usage (above diskSpaceWarningLevelRatio), or null. */
  get sendRefusal(): SkiffError | null {
    return this.retention.sendRefusal;
  }

  /** One retention pass now (after a running one). */
  runRetentionPass(): Promise<RetentionPass> {
    this.assertOpen();
    return this.retention.runPass();
  }

  /** DELETE_EXPIRED_COMMITLOG: the next 20 passes delete expired segments whatever the hour; returns 20. */
  deleteExpiredFilesManually(): number {
    this.assertOpen();
    return this.retention.requestManualDeletion();
  }

  /** Used fractions of the disks holding the commit log and the consume queues, −1 when unknown (retention). */
  private async diskUsage(): Promise<DiskUsage> {
    const { commitLog, consumeQueue } = await this.diskSpace();
    const ratio = ({ space }: StoreDirSpace) => (space === null || space.totalBytes <= 0 ? -1 : (space.totalBytes - space.freeBytes) / space.totalBytes);
    return { commitLog: { path: commitLog.path, ratio: ratio(commitLog) }, consumeQueue: { path: consumeQueue.path, ratio: ratio(consumeQueue) } };
  }

  private assertOpen(): void {
    if (this.closed) throw new SkiffError("STORE_CLOSED", "the store is shut down", { retriable: true });
  }

  /**
   * Flushes everything and closes every file. When something cannot be written (disk full), the
   * rest is still flushed and closed, `abort` stays (the next start recovers from the commit log:
   * unwritten records were never acknowledged nor served), and it rejects saying what was lost.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.retention.stop();
    await closeStoreParts(this.parts);
  }
}
