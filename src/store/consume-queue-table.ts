/**
 * All consume queues of a store, `consumequeue/<topic>/<queueId>/`, opened lazily and found again
 * at start-up by listing the directory (topics are used verbatim as directory names, as RocketMQ does:
 * `%RETRY%group`, `SCHEDULE_TOPIC_XXXX`). Only a topic and queue id that pass the API's rules
 * (`queuePathProblem`) ever name a directory: anything else is refused (`QUEUE_PATH_ILLEGAL`), and
 * such entries found on disk are skipped.
 *
 * Deleting queues (a topic's, or all of them for a slave that starts over) waits for a flush in
 * progress and a flush waits for a deletion: a queue is never flushed after it was closed (which
 * would create its file again in a removed directory).
 */
import { SkiffError } from "../core/errors.ts";
import { joinPath } from "../core/path.ts";
import type { FileSystem } from "../core/platform.ts";
import { queuePathProblem } from "../codec/message-limits.ts";
import { ConsumeQueue } from "./consume-queue.ts";
import { FileHandlePool } from "./file-handle-pool.ts";
import type { StoreHealth } from "./store-health.ts";

export class ConsumeQueueTable {
  private readonly queues = new Map<string, Map<number, ConsumeQueue>>();
  private readonly opening = new Map<string, Promise<ConsumeQueue>>();
  private readonly fs: FileSystem;
  private readonly rootDir: string;
  private readonly segmentSizeBytes: number;
  /** All queues share this many open files (RocketMQ maps them all; we must not hold one fd each). */
  private readonly handles = new FileHandlePool(256);
  private readonly health?: StoreHealth;
  /** Flushes and deletions, one at a time. */
  private exclusiveTail: Promise<unknown> = Promise.resolve();

  constructor(fs: FileSystem, rootDir: string, segmentSizeBytes: number, health?: StoreHealth) {
    this.fs = fs;
    this.rootDir = rootDir;
    this.segmentSizeBytes = segmentSizeBytes;
    this.health = health;
  }

  /** Opens every queue found on disk (recovering each one's end). */
  async load(): Promise<void> {
    await this.fs.mkdir(this.rootDir);
    for (const topic of await this.fs.readdir(this.rootDir)) {
      if ((await this.fs.stat(joinPath(this.rootDir, topic)))?.isDirectory !== true) continue;
      for (const name of await this.fs.readdir(joinPath(this.rootDir, topic))) {
        const queueId = Number(name);
        if (String(queueId) === name && queuePathProblem(topic, queueId) === null) await this.getOrCreate(topic, queueId);
      }
    }
  }

  find(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.queues.get(topic)?.get(queueId);
  }

  async getOrCreate(topic: string, queueId: number): Promise<ConsumeQueue> {
    const found = this.find(topic, queueId);
    if (found) return found;
    const refused = queuePathProblem(topic, queueId);
    if (refused !== null) throw new SkiffError("QUEUE_PATH_ILLEGAL", `no consume queue for topic/queue ${JSON.stringify(topic)}/${queueId}: ${refused}`);
    const key = `${topic}\u0000${queueId}`;
    let pending = this.opening.get(key);
    if (!pending) {
      pending = ConsumeQueue.open({
        fs: this.fs,
        dir: joinPath(this.rootDir, topic, String(queueId)),
        topic,
        queueId,
        segmentSizeBytes: this.segmentSizeBytes,
        handlePool: this.handles,
        health: this.health,
      }).then(
        (queue) => {
          let byId = this.queues.get(topic);
          if (!byId) this.queues.set(topic, (byId = new Map()));
          byId.set(queueId, queue);
          this.opening.delete(key);
          return queue;
        },
        (error: unknown) => {
          this.opening.delete(key); // a failed open (disk full: no room for the directory) is tried again
          throw error;
        },
      );
      this.opening.set(key, pending);
    }
    return pending;
  }

  all(): ConsumeQueue[] {
    return [...this.queues.values()].flatMap((byId) => [...byId.values()]);
  }

  queuesOf(topic: string): ConsumeQueue[] {
    return [...(this.queues.get(topic)?.values() ?? [])];
  }

  /** Open consume-queue files right now (bounded by the shared pool). */
  get openFiles(): number {
    return this.handles.openCount;
  }

  /** Closes `topic`'s queues and removes their directory (nothing happens for a topic with none). */
  deleteTopic(topic: string): Promise<void> {
    if (queuePathProblem(topic, 0) !== null) return Promise.resolve(); // never named a directory
    return this.exclusive(() => this.removeTopic(topic));
  }

  /** Closes and removes every queue: the directory is left empty (a slave that starts over). */
  deleteAll(): Promise<void> {
    return this.exclusive(async () => {
      for (const topic of [...this.queues.keys()]) await this.removeTopic(topic);
      for (const name of await this.fs.readdir(this.rootDir)) await this.fs.remove(joinPath(this.rootDir, name));
      await this.fs.syncDirectory(this.rootDir);
    });
  }

  private async removeTopic(topic: string): Promise<void> {
    const queues = this.queuesOf(topic);
    this.queues.delete(topic);
    await settleAll(queues.map((queue) => () => queue.close().catch(() => undefined))); // its bytes are dropped anyway
    await this.fs.remove(joinPath(this.rootDir, topic));
  }

  /** The highest commit-log end covered by any queue: where dispatch resumes after a clean stop. */
  maxPhysicalEnd(): number {
    return this.all().reduce((max, q) => Math.max(max, q.maxPhysicalEnd), 0);
  }

  /** Every queue's min offset follows the commit log's first segment (at open: RocketMQ's `recoverTopicQueueTable`). */
  async correctMinOffsets(commitLogMin: number): Promise<void> {
    for (const queue of this.all()) await queue.correctMinOffset(commitLogMin);
  }

  async truncateFrom(commitLogEnd: number): Promise<void> {
    for (const queue of this.all()) await queue.truncateFrom(commitLogEnd);
  }

  /** Flushes every queue (all are tried); rejects with the first failure. */
  flush(): Promise<void> {
    return this.exclusive(() => settleAll(this.all().map((queue) => () => queue.flush())));
  }

  /** Closes every queue (all are tried, files closed); rejects with the first failure. */
  async close(): Promise<void> {
    await settleAll(this.all().map((queue) => () => queue.close()));
  }

  private exclusive(task: () => Promise<void>): Promise<void> {
    const run = this.exclusiveTail.then(task);
    this.exclusiveTail = run.catch(() => undefined);
    return run;
  }
}

async function settleAll(tasks: ReadonlyArray<() => Promise<unknown>>): Promise<void> {
  let first: unknown = null;
  for (const task of tasks) {
    try {
      await task();
    } catch (error) {
      first ??= error;
    }
  }
  if (first !== null) throw first;
}
