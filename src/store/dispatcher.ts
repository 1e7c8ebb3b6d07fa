/**
 * The dispatcher (RocketMQ's `ReputMessageService`, spec §2.4): reads the commit log from where it
 * left off and, for each record, appends a consume-queue entry built from the record's own fields
 * (topic, queue id, QUEUEOFFSET, PHYSICALOFFSET, TOTALSIZE, tagsCode of TAGS). The same code serves
 * a master, which dispatches what it appended, and a slave, which dispatches what it replicated.
 *
 * No CRC check here (recovery did that). A record cut off at the end of the log (a slave mid-frame)
 * waits for more bytes. A record whose topic or queue id could not name a directory (`..`, `/`, -1,
 * 2^31-1: a store written by something else) gets no entry and is logged: nothing is created for it.
 * The same queued records (not transaction halves or rollbacks) go to the message index, when there
 * is one (`index`: UNIQ_KEY and KEYS, index-service.ts); its pages reach the OS after each batch,
 * as do the consume queues' new entries (one write per queue per chunk, not one per entry). A delayed message's tagsCode is its delivery time, computed with this
 * broker's own delay levels. Listeners hear about every new entry (long polling wakes on them).
 * A topic deletion record (topic-deletion.ts) deletes the topic's consume queues where it stands
 * in the log, on a master as on a slave and in every re-dispatch.
 * Only bytes handed to the OS are dispatched (`writtenOffset`): a message is never visible to a
 * consumer before it is written, so none can be served and then vanish (a full disk, a crash).
 * A dispatch that fails (a consume queue that cannot be written) stops, is reported through
 * `onProblem` once, and resumes at the next `wake` (`onStall` lets the owner schedule one).
 *
 * Asserted: the dispatched offset moves only forward (`startAt` is the one explicit reset), never
 * past the end of the segment it reads. A record's own PHYSICALOFFSET is not
 * asserted: records come from files and peers too (bad data, not a bug), and the entry uses it as
 * RocketMQ's reput does.
 */
import { tagsCode } from "../codec/java-hash.ts";
import { decodeRecordMeta, type MessageRecordMeta } from "../codec/message-record-decode.ts";
import { queuePathProblem } from "../codec/message-limits.ts";
import { MessageConst, pickProperties } from "../codec/properties.ts";
import { isQueued, type CommitLog } from "./commit-log.ts";
import type { ConsumeQueue } from "./consume-queue.ts";
import type { ConsumeQueueTable } from "./consume-queue-table.ts";
import { SCHEDULE_TOPIC } from "../codec/delay-levels.ts";
import { assertSafeOffset, fail } from "../core/errors.ts";
import { viewOf } from "../core/bytes.ts";
import type { IndexedRecord } from "./index-service.ts";
import { isTopicDeletion } from "./topic-deletion.ts";

const CHUNK_BYTES = 4 << 20;
/** The properties dispatch reads, in `pickProperties` order. */
const DISPATCH_PROPERTIES = [MessageConst.UNIQ_KEY, MessageConst.KEYS, MessageConst.TAGS, MessageConst.DELAY];

export type ArrivalListener = (topic: string, queueId: number, nextQueueOffset: number, storeTimestamp: number) => void;

/** Where the dispatcher sends each queued record's keys (the message index, index-service.ts). */
export interface RecordIndex {
  /** Queues a record (bounded by one chunk), so consume-queue entries never wait for the index. */
  add(record: IndexedRecord): void;
  /** Whether records are queued (not yet indexed). */
  readonly hasPending: boolean;
  /** After each dispatched chunk: the queued records are indexed and their pages go to the OS. */
  afterBatch(): Promise<void>;
}

export interface DispatcherOptions {
  readonly commitLog: CommitLog;
  readonly queues: ConsumeQueueTable;
  /** The message index; absent when `messageIndexEnable` is false. */
  readonly index?: RecordIndex;
  /** Delay per level in ms, index 0 = level 1. */
  readonly delayLevelsMs: readonly number[];
  readonly onProblem: (message: string) => void;
  /** Called when a dispatch failed and stopped; the next `wake()` resumes it. */
  readonly onStall?: (error: unknown) => void;
}

export class Dispatcher {
  private fromOffset = 0;
  private running: Promise<void> | null = null;
  private again = false;
  private lastStoreTimestampValue = 0;
  private readonly listeners = new Set<ArrivalListener>();
  private readonly options: DispatcherOptions;
  private waiters: Array<{ offset: number; resolve: () => void }> = [];
  private lastStall: string | null = null;
  /** Queues given entries in the current chunk: each writes them in one go when it ends. */
  private readonly touched = new Set<ConsumeQueue>();

  constructor(options: DispatcherOptions) {
    this.options = options;
  }

  /** Commit-log offset up to which every record has been dispatched. */
  get dispatchedOffset(): number {
    return this.fromOffset;
  }
  /** Why the last dispatch stopped early (a consume queue that cannot be written), or null. */
  get stalledBecause(): string | null {
    return this.lastStall;
  }
  /** Store timestamp of the last dispatched record (the checkpoint's logicsMsgTimestamp). */
  get lastStoreTimestamp(): number {
    return this.lastStoreTimestampValue;
  }

  /** The one explicit reset of the dispatched offset (recovery, a slave's reset or truncation). */
  startAt(offset: number): void {
    assertSafeOffset(offset, "dispatch start offset");
    this.fromOffset = offset;
  }

  onArrival(listener: ArrivalListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Dispatches everything appended so far (coalesces calls); resolves when caught up. */
  wake(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop()
      .then(() => void (this.lastStall = null), (error: unknown) => this.stalled(error))
      .finally(() => {
        this.running = null;
        // A wake() between the loop's last look at `again` and here found it still running: run again.
        if (this.again) void this.wake();
      });
    return this.running;
  }

  /** Resolves once records up to `offset` are dispatched (consume queues and index). */
  async waitFor(offset: number): Promise<void> {
    if (this.reached(offset)) return;
    await new Promise<void>((resolve) => {
      this.waiters.push({ offset, resolve });
      void this.wake();
    });
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        while (await this.step()) {
          this.writeTouched();
          await this.options.index?.afterBatch();
          this.releaseWaiters();
        }
        this.writeTouched();
        if (this.options.index?.hasPending) await this.options.index.afterBatch(); // a step that stopped early
        this.releaseWaiters();
      } while (this.again);
    } finally {
      this.writeTouched(); // a failed step's entries too
    }
  }

  /** The entries of the chunk just dispatched go to the OS: one write per queue, not one per entry. */
  private writeTouched(): void {
    for (const queue of this.touched) queue.writePending();
    this.touched.clear();
  }

  /** Dispatches one chunk; false when there is nothing (whole) left. */
  private async step(): Promise<boolean> {
    const { commitLog } = this.options;
    const segmentSize = commitLog.log.segmentSizeBytes;
    const from = Math.max(this.fromOffset, commitLog.minOffset);
    const end = commitLog.log.writtenOffset; // never dispatch (make visible) what is not written
    if (from >= end) return false;
    const segmentEnd = from - (from % segmentSize) + segmentSize;
    const chunk = await commitLog.log.read(from, Math.min(end, segmentEnd, from + CHUNK_BYTES) - from);
    const view = viewOf(chunk);
    let at = 0;
    while (at < chunk.byteLength) {
      const record = decodeRecordMeta(chunk, at, { view });
      if (record.kind === "message") {
        await this.dispatch(record);
        at += record.totalSize;
      } else if (record.kind === "blank") {
        this.advanceTo(segmentEnd);
        return true;
      } else if (record.kind === "partial") {
        if (at === 0 && from + chunk.byteLength < Math.min(end, segmentEnd)) {
          // A record longer than the chunk: read it whole next time.
          const whole = await commitLog.log.read(from, Math.min(record.neededBytes, segmentEnd - from));
          const again = decodeRecordMeta(whole, 0);
          if (again.kind !== "message") break;
          await this.dispatch(again);
          at = again.totalSize;
        }
        break;
      } else {
        this.options.onProblem(`dispatch stopped at commit-log offset ${from + at}: ${record.reason} ${record.detail}`);
        this.advanceTo(from + at);
        return false;
      }
    }
    if (!(from + at <= segmentEnd)) fail(`dispatch passed the segment end ${segmentEnd}`);
    this.advanceTo(from + at);
    return at > 0;
  }

  /** Moves the dispatched offset forward: it never moves back but through `startAt`. */
  private advanceTo(offset: number): void {
    if (!(offset >= this.fromOffset)) fail(`the dispatched offset moves only forward (${this.fromOffset} → ${offset})`);
    this.fromOffset = offset;
  }

  private async dispatch(record: MessageRecordMeta): Promise<void> {
    this.lastStoreTimestampValue = record.storeTimestamp;
    if (!isQueued(record.sysFlag)) {
      if (isTopicDeletion(record)) await this.options.queues.deleteTopic(record.topic);
      return;
    }
    const refused = queuePathProblem(record.topic, record.queueId);
    if (refused !== null) {
      this.options.onProblem(`record at commit-log offset ${record.physicalOffset} gets no consume-queue entry: ${refused}`);
      return;
    }
    const [uniqKey, keys, tags, delay] = pickProperties(record.properties, DISPATCH_PROPERTIES);
    this.options.index?.add({
      topic: record.topic, physicalOffset: record.physicalOffset, storeTimestamp: record.storeTimestamp,
      uniqKey, keys,
    });
    const queue = await this.options.queues.getOrCreate(record.topic, record.queueId);
    const added = await queue.put(record.queueOffset, {
      physicalOffset: record.physicalOffset,
      size: record.totalSize,
      tagsCode: this.tagsCodeOf(record, tags, delay),
    });
    if (!added) return;
    this.touched.add(queue);
    for (const listener of this.listeners) listener(record.topic, record.queueId, queue.maxOffset, record.storeTimestamp);
  }

  private tagsCodeOf(record: MessageRecordMeta, tags: string | undefined, delay: string | undefined): number {
    if (record.topic === SCHEDULE_TOPIC && delay !== undefined) {
      const levels = this.options.delayLevelsMs;
      const level = Math.min(Math.max(Number.parseInt(delay, 10) || 0, 1), levels.length);
      return record.storeTimestamp + (levels[level - 1] ?? 1000);
    }
    return tagsCode(tags);
  }

  private stalled(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    if (reason !== this.lastStall) this.options.onProblem(`dispatch stopped at commit-log offset ${this.fromOffset}, resumes when writes succeed: ${reason}`);
    this.lastStall = reason;
    this.options.onStall?.(error);
  }

  /** Records below `offset` are in their consume queues and in the message index. */
  private reached(offset: number): boolean {
    return this.fromOffset >= offset && !this.options.index?.hasPending;
  }

  private releaseWaiters(): void {
    const still: typeof this.waiters = [];
    for (const waiter of this.waiters) {
      if (this.reached(waiter.offset)) waiter.resolve();
      else still.push(waiter);
    }
    this.waiters = still;
  }
}
