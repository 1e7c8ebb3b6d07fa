/**
 * Retention: RocketMQ's CleanCommitLogService, CleanConsumeQueueService and the index's
 * `deleteExpiredFile` (spec rocketmq-remoting §11), one pass every `cleanResourceInterval` (10 s),
 * the first `cleanResourceInitialDelay` (60 s) after start, on a master and on a slave alike: each
 * node deletes its own files by its own clock, disk and rules (a slave's segments age from when
 * the slave wrote them).
 *
 * A pass:
 * 1. Disk usage of the file systems holding the commit log and the consume queues, (total − free)
 *    / total as Java's `getDiskPartitionSpaceUsedPercent` (−1 when unknown). Above
 *    `diskSpaceWarningLevelRatio` (90 %) the store refuses sends (STORE_DISK_FULL, which a remoting
 *    client sees as 14 SERVICE_NOT_AVAILABLE and HTTP as 503) until usage is back at or below
 *    `diskSpaceCleanForciblyRatio` (85 %); above that ratio deletion ignores `fileReservedTime`
 *    (`cleanImmediately`, when `cleanFileForciblyEnable`); above `diskMaxUsedSpaceRatio` (75 %), or
 *    unknown, deletion runs whatever the hour.
 * 2. When the local hour is in `deleteWhen`, the disk is over `diskMaxUsedSpaceRatio`, or a manual
 *    request (DELETE_EXPIRED_COMMITLOG: 20 passes) is pending: commit-log segments from the oldest,
 *    never the newest (the one being written), each whose file's mtime + `fileReservedTime` has
 *    passed (each one at all when cleaning immediately), stopping at the first that has not or
 *    cannot go, at most `deleteFileBatchMax` (10), `deleteCommitLogFilesInterval` (100 ms) apart.
 *    `fileReservedTime=0` thus makes every segment but the newest go at the next such pass.
 * 3. When the commit log's min offset grew: every consume queue moves its min offset to its first
 *    entry still held and deletes its files whose last entry points below the new min (never its
 *    last file), `deleteConsumeQueueFilesInterval` after each queue that lost files; then the index
 *    files whose `endPhyOffset` lies below it (never the newest). Consumer offsets are not touched:
 *    a consumer behind the new min gets OFFSET_TOO_SMALL with the min as its next offset.
 *
 * What is safe to delete, and why:
 * - A segment goes only once fsync'd and dispatched (its messages are in the consume queues and
 *   the index), so the writer never touches it again and no message is lost to the queues.
 * - **Readers: RocketMQ's reference-counted mapped files.** A read of a segment's file pins it; a
 *   deletion takes the segment out of the log at once (new reads are refused: OFFSET_TOO_SMALL,
 *   MESSAGE_WAS_REMOVING), waits for the pins to go, at most `destroyMapedFileIntervalForcibly`
 *   (120 s), then deletes the file; a read still running after that finishes on its open handle
 *   (an open file outlives its name on POSIX), so the wait only bounds how long a file's space is held.
 * - **Slaves: as RocketMQ, a master does not keep segments for a slave.** The bytes an HA
 *   connection ships are read under a pin, so no frame carries half a deleted segment; a slave
 *   that has not received a deleted segment yet then asks for an offset below the master's min,
 *   which the HA layer answers (src/ha). Keeping segments for connected slaves would let one slow
 *   or stuck slave fill the master's disk and stop every send; `fileReservedTime` (72 h) is the
 *   margin a lagging slave has, as on RocketMQ.
 * - A file whose deletion fails stays out of the log; its deletion is tried again every
 *   `redeleteHangedFileInterval` (120 s), and no later segment of that log goes before it.
 *
 * Every deletion is logged with the file, the bytes freed and the new min offset; a pass that
 * deleted something logs why it ran. Memory is bounded: a pass holds one file at a time and at
 * most one failed deletion per log; nothing is kept per deleted file.
 */
import { isDeleteHour } from "../codec/delete-when.ts";
import { SkiffError } from "../core/errors.ts";
import type { Clock, TimerHandle } from "../core/platform.ts";
import type { ConsumeQueue } from "./consume-queue.ts";
import type { IndexService } from "./index-service.ts";
import {
  CONSUME_QUEUE_DESTROY_FORCIBLY_MS, diskThresholds, MANUAL_DELETE_PASSES, type RetentionSchedule, type RetentionSettings,
} from "./retention-settings.ts";
import type { RetiredSegment, SegmentedLog } from "./segmented-log.ts";
import type { StoreIoProblem } from "./store-health.ts";
import type { Logger } from "../core/log.ts";

/** Used fraction (0–1) of the file systems holding the commit log and the consume queues; −1 when unknown. */
export interface DiskUsage {
  readonly commitLog: { readonly path: string; readonly ratio: number };
  readonly consumeQueue: { readonly path: string; readonly ratio: number };
}

export interface RetentionParts {
  readonly clock: Clock;
  readonly log: Logger;
  readonly commitLog: SegmentedLog;
  /** Commit-log bytes below this are in the consume queues and the index. */
  readonly dispatchedOffset: () => number;
  readonly queues: () => readonly ConsumeQueue[];
  readonly index: IndexService | null;
  readonly diskUsage: () => Promise<DiskUsage>;
  /** Read at every pass: the live keys. */
  readonly settings: () => RetentionSettings;
}

/** What one pass did (tests, tools). */
export interface RetentionPass {
  /** Why commit-log deletion ran; empty when it did not. */
  readonly reasons: readonly string[];
  readonly commitLogSegments: number;
  readonly consumeQueueFiles: number;
  readonly indexFiles: number;
  readonly bytesFreed: number;
  readonly commitLogMinOffset: number;
}

interface Hanged {
  readonly what: string;
  readonly path: string;
  remove(): Promise<void>;
}

interface Tally {
  commitLogSegments: number;
  consumeQueueFiles: number;
  indexFiles: number;
  bytesFreed: number;
}

const mib = (bytes: number) => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${bytes} bytes`);
const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;

export class RetentionService {
  private readonly parts: RetentionParts;
  private manualPasses = 0;
  /** The commit log's min offset the consume queues were last cleaned for (Java's lastPhysicalMinOffset). */
  private lastPhysicalMinOffset = 0;
  private diskFull: StoreIoProblem | null = null;
  private refusal: SkiffError | null = null;
  private readonly hanged = new Map<string, Hanged>();
  private lastRedeleteMs = 0;
  private lastNote = "";
  private running: Promise<unknown> = Promise.resolve();
  private timer: TimerHandle | null = null;
  private stopped = false;
  private readonly wakers = new Set<() => void>();

  constructor(parts: RetentionParts) {
    this.parts = parts;
  }

  /**
   * Passes at a fixed rate, as RocketMQ's `scheduleAtFixedRate`: the first `initialDelayMs` after
   * start, then every `intervalMs`; a tick that finds the previous pass still running is skipped.
   */
  start(schedule: RetentionSchedule): void {
    if (this.stopped || this.timer) return;
    let busy = false;
    const tick = () => {
      if (busy || this.stopped) return;
      busy = true;
      void this.runPass().catch((error: unknown) => this.parts.log.error(`retention pass failed: ${(error as Error).message}`)).finally(() => {
        busy = false;
      });
    };
    this.timer = this.parts.clock.setTimeout(() => {
      if (this.stopped) return;
      this.timer = this.parts.clock.setInterval(tick, schedule.intervalMs);
      tick();
    }, schedule.initialDelayMs);
  }

  /** RocketMQ's `executeDeleteFilesManually`: the next 20 passes delete expired segments whatever the hour. */
  requestManualDeletion(): number {
    this.manualPasses = MANUAL_DELETE_PASSES;
    this.parts.log.info(`retention: manual deletion requested: the next ${MANUAL_DELETE_PASSES} passes delete expired commit-log segments whatever the hour`);
    return MANUAL_DELETE_PASSES;
  }

  /** The error sends are refused with while the disk is above diskSpaceWarningLevelRatio, else null. */
  get sendRefusal(): SkiffError | null {
    return this.refusal;
  }

  /** The disk-usage problem behind `sendRefusal`, for /health and /readyz. */
  get problem(): StoreIoProblem | null {
    return this.diskFull;
  }

  /** Runs one pass now (after any pass running). */
  runPass(): Promise<RetentionPass> {
    const pass = this.running.then(() => this.pass());
    this.running = pass.catch(() => undefined);
    return pass;
  }

  /** Stops scheduling, cuts short the pauses of a running pass and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    for (const wake of [...this.wakers]) wake();
    await this.running;
  }

  private async pass(): Promise<RetentionPass> {
    const tally: Tally = { commitLogSegments: 0, consumeQueueFiles: 0, indexFiles: 0, bytesFreed: 0 };
    if (this.stopped) return this.report([], tally);
    const settings = this.parts.settings();
    await this.redeleteHanged(settings);
    const disk = await this.checkDisk(settings);
    const reasons: string[] = [];
    if (isDeleteHour(settings.deleteWhen, this.parts.clock.now())) reasons.push(`deleteWhen ${settings.deleteWhen} includes hour ${new Date(this.parts.clock.now()).getHours()}`);
    if (disk.reason !== null) reasons.push(disk.reason);
    if (this.manualPasses > 0) reasons.push(`manual request (${--this.manualPasses} passes left)`);
    if (reasons.length > 0) {
      await this.deleteSegments(settings, settings.cleanFileForciblyEnable && disk.cleanImmediately, tally);
      if (tally.commitLogSegments === 0 && disk.reason !== null) this.note(`retention: ${disk.reason}, but no commit-log segment could be deleted`);
    }
    await this.cleanQueuesAndIndex(settings, tally);
    const report = this.report(reasons, tally);
    if (tally.bytesFreed > 0 || tally.commitLogSegments + tally.consumeQueueFiles + tally.indexFiles > 0) {
      this.parts.log.info(`retention pass (${reasons.length > 0 ? reasons.join("; ") : "consume queues and index follow the commit log"}): deleted ` +
        `${tally.commitLogSegments} commit-log segments, ${tally.consumeQueueFiles} consume-queue files, ${tally.indexFiles} index files, ` +
        `${mib(tally.bytesFreed)} freed; commit-log min offset ${report.commitLogMinOffset}`);
    }
    return report;
  }

  private report(reasons: readonly string[], tally: Tally): RetentionPass {
    return { reasons, ...tally, commitLogMinOffset: this.parts.commitLog.minOffset };
  }

  /** Step 1 (see the header): marks or clears the disk-full refusal; says whether and how to delete. */
  private async checkDisk(settings: RetentionSettings): Promise<{ reason: string | null; cleanImmediately: boolean }> {
    const usage = await this.parts.diskUsage();
    const { max, warning, forcibly } = diskThresholds(settings);
    const parts = [usage.commitLog, usage.consumeQueue];
    const full = parts.find((p) => p.ratio > warning);
    const forced = full ?? parts.find((p) => p.ratio > forcibly); // RocketMQ: either cleans immediately
    if (full) this.markDiskFull(full, warning, forcibly);
    else if (!forced) this.clearDiskFull(usage.commitLog);
    if (forced) {
      const limit = full ? `diskSpaceWarningLevelRatio ${percent(warning)}` : percent(forcibly);
      return { reason: `the disk holding ${forced.path} is ${percent(forced.ratio)} full (> ${limit}: delete whatever the age)`, cleanImmediately: true };
    }
    const over = parts.find((p) => p.ratio < 0 || p.ratio > max);
    if (over) return { reason: over.ratio < 0 ? `the usage of the disk holding ${over.path} is unknown` : `the disk holding ${over.path} is ${percent(over.ratio)} full (> diskMaxUsedSpaceRatio ${percent(max)})`, cleanImmediately: false };
    return { reason: null, cleanImmediately: false };
  }

  private markDiskFull(part: { path: string; ratio: number }, warning: number, forcibly: number): void {
    const message = `the disk holding ${part.path} is ${percent(part.ratio)} full, above diskSpaceWarningLevelRatio ${percent(warning)}: ` +
      `new messages are refused until space is freed (usage at or below ${percent(forcibly)}); retention deletes the oldest segments, or free space on that disk`;
    this.refusal = new SkiffError("STORE_DISK_FULL", message, { retriable: true });
    if (this.diskFull) {
      this.diskFull = { ...this.diskFull, message };
      return;
    }
    this.diskFull = { code: "STORE_DISK_FULL", where: part.path, message, sinceMs: this.parts.clock.now() };
    this.parts.log.error(`retention: ${message}`, { path: part.path, usedRatio: part.ratio });
  }

  private clearDiskFull(part: { path: string; ratio: number }): void {
    if (!this.diskFull) return;
    this.parts.log.info(`retention: the disk holding ${part.path} is ${percent(part.ratio)} full again: new messages are accepted`, { path: part.path, usedRatio: part.ratio });
    this.diskFull = null;
    this.refusal = null;
  }

  /** Step 2: expired commit-log segments, oldest first (see the header). */
  private async deleteSegments(settings: RetentionSettings, cleanAtOnce: boolean, tally: Tally): Promise<void> {
    const log = this.parts.commitLog;
    const reservedMs = settings.fileReservedTimeHours * 3_600_000;
    while (tally.commitLogSegments < settings.deleteFileBatchMax && !this.stopped) {
      const starts = log.segmentStarts;
      if (starts.length < 2 || [...this.hanged.values()].some((file) => file.what === "commit-log segment")) return;
      const start = starts[0];
      const mtimeMs = (await log.segmentStat(start))?.mtimeMs ?? 0; // a file gone counts as old, as Java's lastModified() = 0
      if (!cleanAtOnce && this.parts.clock.now() < mtimeMs + reservedMs) return;
      const retired = log.segmentStarts[0] === start ? log.retireFirstSegment(this.parts.dispatchedOffset()) : null;
      if (!retired) {
        this.note(`retention: commit-log segment ${log.pathOf(start)} is due but not yet fsync'd and dispatched; tried again at the next pass`);
        return;
      }
      if (!(await this.removeWhenUnread(retired, settings.destroyMapedFileIntervalForciblyMs, "commit-log segment"))) return;
      tally.commitLogSegments++;
      tally.bytesFreed += retired.sizeBytes;
      this.parts.log.info(`retention: deleted commit-log segment ${retired.path} (${mib(retired.sizeBytes)} freed, last modified ${new Date(mtimeMs).toISOString()}); ` +
        `commit-log min offset now ${log.minOffset}`);
      if (tally.commitLogSegments < settings.deleteFileBatchMax && log.segmentStarts.length >= 2) await this.pause(settings.deleteCommitLogFilesIntervalMs);
    }
  }

  /** Step 3: consume queues and index follow the commit log's min offset. */
  private async cleanQueuesAndIndex(settings: RetentionSettings, tally: Tally): Promise<void> {
    const min = this.parts.commitLog.minOffset;
    if (min <= this.lastPhysicalMinOffset) return;
    let complete = true;
    for (const queue of this.parts.queues()) {
      if (this.stopped) return;
      if (queue.closed) continue; // its topic is being deleted
      try {
        const deleted = await this.cleanQueue(queue, min, tally);
        if (deleted.due) complete = false;
        if (deleted.files > 0) await this.pause(settings.deleteConsumeQueueFilesIntervalMs);
      } catch (error) {
        if (queue.closed) continue;
        complete = false;
        this.note(`retention: consume queue ${queue.topic}/${queue.queueId} could not follow the commit log's min offset ${min}: ${(error as Error).message}`);
      }
    }
    if (this.parts.index) complete = (await this.cleanIndex(this.parts.index, min, tally)) && complete;
    if (complete) this.lastPhysicalMinOffset = min;
  }

  /** Files deleted from one queue; `due` when one must still go (not fsync'd yet, or its deletion failed): tried again. */
  private async cleanQueue(queue: ConsumeQueue, min: number, tally: Tally): Promise<{ files: number; due: boolean }> {
    await queue.correctMinOffset(min);
    let deleted = 0;
    for (;;) {
      const expired = await queue.retireExpiredFile(min);
      if (expired === null) return { files: deleted, due: false };
      if (expired === "later") return { files: deleted, due: true };
      if (!(await this.removeWhenUnread(expired.file, CONSUME_QUEUE_DESTROY_FORCIBLY_MS, "consume-queue file"))) return { files: deleted, due: true };
      deleted++;
      tally.consumeQueueFiles++;
      tally.bytesFreed += expired.file.sizeBytes;
      this.parts.log.info(`retention: deleted consume-queue file ${expired.file.path} (${mib(expired.file.sizeBytes)} freed; its last entry points at ` +
        `${expired.lastPhysicalOffset} < commit-log min ${min}); ${queue.topic}/${queue.queueId} min offset now ${queue.minOffset}`);
    }
  }

  private async cleanIndex(index: IndexService, min: number, tally: Tally): Promise<boolean> {
    for (;;) {
      const expired = await index.retireExpiredFile(min);
      if (!expired) return true;
      if (!(await this.removeNow({ what: "index file", path: expired.path, remove: expired.remove }))) return false;
      tally.indexFiles++;
      tally.bytesFreed += expired.sizeBytes;
      this.parts.log.info(`retention: deleted index file ${expired.path} (${mib(expired.sizeBytes)} freed; endPhyOffset ${expired.endPhyOffset} < commit-log min ${min})`);
    }
  }

  /** Waits for the reads of a retired file (at most `forciblyMs`), then deletes it; false when the deletion failed. */
  private async removeWhenUnread(file: RetiredSegment, forciblyMs: number, what: string): Promise<boolean> {
    if (file.readers > 0) {
      const forced = await this.firstOf(file.whenUnread(), forciblyMs);
      if (forced && !this.stopped) this.parts.log.warn(`retention: ${file.readers} reads of ${what} ${file.path} still run after ${forciblyMs} ms (destroyMapedFileIntervalForcibly); deleting it anyway (they finish on their open handle)`);
    }
    return this.removeNow({ what, path: file.path, remove: () => file.remove() });
  }

  private async removeNow(file: Hanged): Promise<boolean> {
    try {
      await file.remove();
      return true;
    } catch (error) {
      this.hanged.set(file.path, file);
      this.lastRedeleteMs = this.parts.clock.now(); // the next try one redeleteHangedFileInterval from now
      this.parts.log.warn(`retention: could not delete ${file.what} ${file.path} (${(error as Error).message}); tried again every redeleteHangedFileInterval`);
      return false;
    }
  }

  /** RocketMQ's `reDeleteHangedFile`: files whose deletion failed are tried again, every redeleteHangedFileInterval. */
  private async redeleteHanged(settings: RetentionSettings): Promise<void> {
    const now = this.parts.clock.now();
    if (this.hanged.size === 0 || now - this.lastRedeleteMs <= settings.redeleteHangedFileIntervalMs) return;
    this.lastRedeleteMs = now;
    for (const [path, file] of [...this.hanged]) {
      try {
        await file.remove();
        this.hanged.delete(path);
        this.parts.log.info(`retention: deleted ${file.what} ${path} at last`);
      } catch (error) {
        this.parts.log.warn(`retention: ${file.what} ${path} still cannot be deleted: ${(error as Error).message}`);
      }
    }
  }

  /** Logs `line` unless it is the line logged last (a condition that lasts is reported once). */
  private note(line: string): void {
    if (line === this.lastNote) return;
    this.lastNote = line;
    this.parts.log.warn(line);
  }

  /** Resolves after `ms`, or at once when retention stops. */
  private async pause(ms: number): Promise<void> {
    await this.firstOf(null, ms);
  }

  /** Resolves true when `ms` passed (or retention stopped) before `promise` settled, false when it settled first. */
  private firstOf(promise: Promise<void> | null, ms: number): Promise<boolean> {
    if (this.stopped || ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      let done = false;
      const finish = (timedOut: boolean) => {
        if (done) return;
        done = true;
        timer.cancel();
        this.wakers.delete(wake);
        resolve(timedOut);
      };
      const wake = () => finish(true);
      const timer = this.parts.clock.setTimeout(wake, ms);
      this.wakers.add(wake);
      void promise?.then(() => finish(false), () => finish(false));
    });
  }
}
