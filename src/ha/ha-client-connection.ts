/**
 * One connection of a slave to its master: the inner loop of RocketMQ's `HAClient` (spec §4.2,
 * §4.5; reconnecting is `ha-client.ts`'s job).
 *
 * - Reports (8-byte big-endian offsets): at once on connect (the master sends nothing before the
 *   first), after each applied frame if the offset grew, and as a heartbeat after
 *   `haSendHeartbeatIntervalMs` without a write. The value is the log's *written* offset (bytes
 *   handed to the OS), so an ack never covers bytes a crash of this process could lose; the first
 *   report waits until everything appended is written, so it is also the exact max offset.
 * - Frames are parsed with the push decoder, and their bodies verified record by record by a
 *   `ReplicaStream` (replica-stream.ts): length, magic, BODYCRC, PHYSICALOFFSET, topic and queue id.
 *   Only whole verified records are appended (`replica.appendReplicated`); the unfinished record at
 *   a frame's end waits in memory for the next frame. So the log, and every ack, ends on a record
 *   boundary. A bad record, or a frame (heartbeats included) that breaks the continuity rule
 *   (store/replica.ts: where this log plus the carried record ends; an empty log at a segment start,
 *   once a verified record begins there) closes the connection with a logged reason; the records
 *   before it are kept. The offset check also runs on a header whose body is still on its way.
 * - On connect an unfinished record at the log's end (left by an older version) is dropped first.
 * - Records are appended one frame after another, without waiting for the disk write; acks follow
 *   the bytes written, one report in flight at a time.
 * - Nothing read from the master for `haHousekeepingIntervalMs` → close (5.x's rule, §4.5 step 3).
 */
import { fail } from "../core/errors.ts";
import type { Clock, Connection, TimerHandle } from "../core/platform.ts";
import type { Replica } from "../store/replica.ts";
import { encodeOffsetReport } from "./codec/offset-report.ts";
import { TransferFrameDecoder, type TransferFrame } from "./codec/transfer-frame.ts";
import { reasonOf, type HaOptions } from "./ha-options.ts";
import { idleTimer } from "../core/idle-timer.ts";
import { RECORD_OVERHEAD_MAX_BYTES, ReplicaStream } from "./replica-stream.ts";

export interface HaClientConnectionDeps {
  readonly connection: Connection;
  readonly clock: Clock;
  /** The slave's store, through its replica port (`store.replica`). */
  readonly replica: Replica;
  readonly options: HaOptions;
}

export class HaClientConnection {
  /** Wall-clock ms of the last byte from the master; null before the first. */
  lastReadAt: number | null = null;
  /** Whether any frame body was applied on this connection. */
  progressed = false;
  private readonly deps: HaClientConnectionDeps;
  private readonly decoder = new TransferFrameDecoder();
  private stream: ReplicaStream | null = null;
  private reportedOffset = -1;
  private reporting = false;
  private lastReadAtMs: number;
  private lastWriteAtMs: number;
  private closeReason: string | null = null;
  private timers: TimerHandle[] = [];

  constructor(deps: HaClientConnectionDeps) {
    this.deps = deps;
    this.lastReadAtMs = this.lastWriteAtMs = deps.clock.monotonicMs();
  }

  get closed(): boolean {
    return this.closeReason !== null;
  }

  /** Runs until the connection closes; resolves with the reason. */
  async run(): Promise<string> {
    const { clock, options, connection, replica } = this.deps;
    if (this.closed) return this.closeReason!;
    this.timers = [
      idleTimer(clock, options.haSendHeartbeatIntervalMs, () => this.lastWriteAtMs, () => void this.report()),
      idleTimer(clock, options.haHousekeepingIntervalMs, () => this.lastReadAtMs, () =>
        this.close(`nothing read from the master for ${options.haHousekeepingIntervalMs} ms`),
      ),
    ];
    try {
      await replica.dropUnfinishedTail();
      await replica.waitWritten(replica.maxOffset);
      this.stream = new ReplicaStream({
        segmentSizeBytes: replica.segmentSizeBytes,
        maxRecordBytes: replica.maxMessageSizeBytes + RECORD_OVERHEAD_MAX_BYTES,
        logEnd: replica.logEnd,
      });
      await this.report();
      for await (const chunk of connection.readable) {
        this.lastReadAtMs = clock.monotonicMs();
        this.lastReadAt = clock.now();
        for (const frame of this.decoder.push(chunk)) {
          if (this.closed || !(await this.apply(frame))) break;
        }
        const pending = this.decoder.pendingHeader;
        if (pending !== null && !this.closed) this.check(pending.offset);
        if (this.closed) break;
      }
      this.close("the master closed the connection");
    } catch (error) {
      this.close(reasonOf(error));
    }
    return this.closeReason!;
  }

  close(reason: string): void {
    if (this.closeReason !== null) return;
    this.closeReason = reason;
    for (const timer of this.timers) timer.cancel();
    this.deps.connection.close();
  }

  /** Applies one frame's verified records; false when it was refused (and the connection closed). */
  private async apply(frame: TransferFrame): Promise<boolean> {
    const { records, refused } = this.stream!.push(frame.offset, frame.body);
    for (const run of records) {
      await this.deps.replica.appendReplicated(run.offset, run.bytes, { waitWritten: false });
      this.progressed = true;
    }
    if (records.length > 0) this.reportWhenWritten();
    if (refused === null) return true;
    this.close(reasonOf(refused));
    return false;
  }

  /**
   * Acks what reached the OS, without holding up the next frame: one report in flight at a time,
   * each covering every frame written by then ("report plus", coalesced).
   */
  private reportWhenWritten(): void {
    if (this.reporting || this.closed) return;
    this.reporting = true;
    const replica = this.deps.replica;
    void replica
      .waitWritten(replica.maxOffset)
      .then(async () => {
        if (replica.writtenOffset > this.reportedOffset) await this.report();
      }, (error) => this.close(`writing replicated bytes failed: ${reasonOf(error)}`))
      .finally(() => {
        this.reporting = false;
        if (!this.closed && replica.maxOffset > this.reportedOffset) this.reportWhenWritten();
      });
  }

  /** The consistency check of spec §4.5 step 2, on a header whose body is still on its way. */
  private check(masterOffset: number): boolean {
    try {
      this.stream!.checkOffset(masterOffset);
      return true;
    } catch (error) {
      this.close(reasonOf(error));
      return false;
    }
  }

  private async report(): Promise<void> {
    if (this.closed) return;
    const offset = this.deps.replica.writtenOffset;
    const previous = this.reportedOffset;
    this.reportedOffset = offset;
    this.lastWriteAtMs = this.deps.clock.monotonicMs();
    try {
      // Nothing truncates the log while a connection follows: an ack never moves back (a bug would
      // close the connection with the assertion as its reason).
      if (!(offset >= previous)) fail(`a slave's report never moves back (${previous} → ${offset})`);
      await this.deps.connection.write(encodeOffsetReport(offset));
    } catch (error) {
      this.close(`report failed: ${reasonOf(error)}`);
    }
  }
}
