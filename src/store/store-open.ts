/**
 * Opening a store directory, step by step, into the parts `MessageStore` is made of: take the
 * `lock`, read `abort` (was the last stop clean?) and the checkpoint, recover the commit log (a
 * torn tail is cut: commit-log-recovery.ts), load and trim the consume queues to it, open the
 * index, and start the dispatcher where the queues (or, after a crash, the index) end. The store
 * then writes `abort` (removed again by a clean close) and starts flushing.
 *
 * Closing undoes it: every part is flushed and closed even when one fails (a full disk), and
 * `abort` is removed only when everything was written; otherwise it stays (the next start
 * recovers from the commit log) and the close rejects with STORE_SHUTDOWN_INCOMPLETE.
 */
import { SkiffError } from "../core/errors.ts";
import { joinPath } from "../core/path.ts";
import type { Platform } from "../core/platform.ts";
import { utf8Decode, utf8Encode } from "../core/bytes.ts";
import { CheckpointFile } from "./checkpoint-file.ts";
import { recoverCommitLog, type RecoveryResult } from "./commit-log-recovery.ts";
import { CommitLog } from "./commit-log.ts";
import { ConsumeQueueTable } from "./consume-queue-table.ts";
import { Dispatcher } from "./dispatcher.ts";
import { FlushService } from "./flush-service.ts";
import { IndexService } from "./index-service.ts";
import { SegmentedLog } from "./segmented-log.ts";
import { StoreHealth } from "./store-health.ts";
import type { StoreOptions } from "./store-options.ts";

/** The ports the store uses: files, time, and the machine's memory size. */
export type StorePlatform = Pick<Platform, "fs" | "clock" | "system">;

/** Hears of each commit-log flush that moved the flushed offset (`onCommitLogFlush`). */
export type FlushListener = (elapsedMs: number, bytes: number) => void;

/** What an open store is made of (all recovered; the flush service not started yet). */
export interface StoreParts {
  readonly platform: StorePlatform;
  readonly options: StoreOptions;
  readonly commitLog: CommitLog;
  readonly queues: ConsumeQueueTable;
  readonly dispatcher: Dispatcher;
  readonly index: IndexService | null;
  readonly flush: FlushService;
  readonly checkpoint: CheckpointFile;
  readonly recovery: RecoveryResult;
  readonly health: StoreHealth;
  readonly flushListeners: Set<FlushListener>;
}

export async function openStoreParts(platform: StorePlatform, options: StoreOptions): Promise<StoreParts> {
  const { fs, clock } = platform;
  const root = options.rootDir;
  await fs.mkdir(root);
  await lockStore(platform, root);
  const abnormal = (await fs.stat(joinPath(root, "abort"))) !== null;
  const checkpoint = await CheckpointFile.open(fs, joinPath(root, "checkpoint"));
  const health = new StoreHealth({ clock, log: options.log });
  // The commit log's writer waits for the event loop's turn: every request served in it shares one
  // write, one HA frame to the slave and one dispatch step (per request, HTTP sends cost 2–3× the
  // CPU of remoting ones, whose requests arrive together on one connection).
  const log = await SegmentedLog.open({
    fs, dir: options.commitLogDir ?? joinPath(root, "commitlog"), segmentSizeBytes: options.segmentSizeCommitLogBytes, health, scheduleWriter: clock.nextTurn,
  });
  const recovery = await recoverCommitLog(log, { checkCrc: options.checkCrcOnRecover, abnormal, checkpoint: checkpoint.value });
  if (recovery.stoppedBecause) options.log.warn(`commit-log recovery truncated the log at ${recovery.endOffset}: ${recovery.stoppedBecause}`);
  const commitLog = new CommitLog({ log, clock, maxMessageSizeBytes: options.maxMessageSizeBytes });
  const queues = new ConsumeQueueTable(fs, joinPath(root, "consumequeue"), options.segmentSizeConsumeQueueBytes, health);
  await queues.load();
  await queues.truncateFrom(recovery.endOffset);
  await queues.correctMinOffsets(log.minOffset); // retention may have deleted segments their first entries point into
  const index = options.messageIndexEnable
    ? await IndexService.open({
      fs, dir: joinPath(root, "index"), limits: { slots: options.maxHashSlotNum, maxIndex: options.maxIndexNum },
      now: () => clock.now(), log: options.log.child("index"),
    }, abnormal)
    : null;
  let stalls = 0;
  const dispatcher: Dispatcher = new Dispatcher({
    commitLog, queues, index: index ?? undefined, delayLevelsMs: options.delayLevelsMs, onProblem: (problem) => options.log.child("dispatch").warn(problem),
    onStall: () => health.retryLater("dispatch", ++stalls, () => void dispatcher.wake()),
  });
  // A message becomes visible (dispatched) once written; a stalled dispatch resumes with the writes.
  log.onProgress(() => void dispatcher.wake());
  health.onRecovered(() => void dispatcher.wake());
  // After a crash the index may lag the consume queues: records past its last indexed message are dispatched again.
  const indexResume = abnormal && index ? index.resumeOffset() : null;
  const queuesResume = abnormal ? Math.min(recovery.scannedFrom, queues.maxPhysicalEnd()) : queues.maxPhysicalEnd();
  const resumeAt = indexResume === null ? queuesResume : Math.min(queuesResume, indexResume);
  dispatcher.startAt(Math.max(resumeAt, log.minOffset));
  await dispatcher.wake();
  const flushListeners = new Set<FlushListener>();
  const flush = new FlushService({
    clock, commitLog, queues, dispatcher, checkpoint, index: index ?? undefined,
    flushDiskType: options.flushDiskType,
    flushIntervalMs: options.flushIntervalCommitLogMs,
    flushConsumeQueueIntervalMs: options.flushIntervalConsumeQueueMs,
    syncFlushTimeoutMs: options.syncFlushTimeoutMs,
    onProblem: (problem) => options.log.child("flush").error(problem),
    onCommitLogFlushed: (elapsedMs, bytes) => {
      for (const listener of flushListeners) listener(elapsedMs, bytes);
    },
  });
  return { platform, options, commitLog, queues, dispatcher, index, flush, checkpoint, recovery, health, flushListeners };
}

/**
 * The `lock` file: Java takes an fcntl lock on it (and writes `lock`); the runtimes Skiff runs on
 * have no portable fcntl, so Skiff writes `skiff <pid> [<start time>]` and refuses to open a store
 * whose lock names another live process. A stale lock is taken over: its process gone (e.g. after
 * SIGKILL) or a zombie not yet reaped, or its pid now another process (start times differ).
 */
async function lockStore(platform: StorePlatform, root: string): Promise<void> {
  const { system } = platform;
  const path = joinPath(root, "lock");
  const held = await platform.fs.readFile(path).then(utf8Decode, () => "");
  const holder = /^skiff (\d+)(?: (\d+))?/.exec(held);
  const pid = holder ? Number(holder[1]) : null;
  const startedNow = pid === null ? undefined : system.processStartTime(pid);
  const reused = holder?.[2] !== undefined && startedNow !== undefined && startedNow !== holder[2];
  if (pid !== null && pid !== system.pid && system.isProcessAlive(pid) && !reused) {
    throw new SkiffError("STORE_LOCKED", `the store ${root} is in use by process ${pid}; stop it first (or use another storePathRootDir)`);
  }
  const startTime = system.processStartTime(system.pid);
  await platform.fs.writeFile(path, utf8Encode(`skiff ${system.pid}${startTime === undefined ? "" : ` ${startTime}`}\n`));
}

/** Flushes and closes every part (each even when another fails); removes `abort` when all was written. */
export async function closeStoreParts(parts: StoreParts): Promise<void> {
  parts.flush.stop();
  const log = parts.commitLog.log;
  const problems: string[] = [];
  const attempt = async (what: string, step: () => Promise<unknown>) => {
    try {
      await step();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  await attempt("flush", () => parts.flush.flushAll());
  const unwrittenBytes = log.maxOffset - log.writtenOffset;
  await attempt("consume queues", () => parts.queues.close());
  await attempt("message index", () => parts.index?.close() ?? Promise.resolve());
  await attempt("commit log", () => log.close());
  await attempt("checkpoint", () => parts.checkpoint.close());
  parts.health.close();
  if (problems.length === 0) {
    await parts.platform.fs.remove(joinPath(parts.options.rootDir, "abort"));
    await parts.platform.fs.syncDirectory(parts.options.rootDir);
    return;
  }
  const lost = unwrittenBytes > 0 ? `${unwrittenBytes} bytes of the commit log were never written (never acknowledged nor served) and are dropped; ` : "";
  throw new SkiffError("STORE_SHUTDOWN_INCOMPLETE", `the store closed without writing everything: ${lost}${problems.join("; ")}; abort is kept, so the next start recovers from the commit log`);
}
