/**
 * The master's side of one slave connection: RocketMQ's `HAConnection` (spec §4.2–§4.4).
 *
 * Read side (§4.2, §4.4 step 5): the slave sends only 8-byte big-endian offsets. Of the values a
 * chunk completes, the last wins; the first ever is where to start (`requestOffset`), and every one
 * is an ack (`ackOffset`). A report beyond the master's own max offset, or bytes that cannot be a
 * report (negative/unsafe i64), close the connection with a logged reason and never move the ack
 * (4.9's check, applied from the first report on).
 *
 * Write side (§4.3, §4.4 steps 2–4): nothing until the first report; then from the requested
 * offset — a request of 0 starts at the master's first segment (`sendFromFirstSegment`, default)
 * or at its last segment's start (4.x behaviour). Frames are `[i64 offset][i32 size]` + raw
 * commit-log bytes, at most `haTransferBatchSize`, never across a segment end, blank padding
 * included; each write is awaited (bounded buffers = back-pressure). With nothing to send it waits
 * for the commit log's `onAppend` or the heartbeat deadline: `[nextOffset][0]` after
 * `haSendHeartbeatIntervalMs` without a write (its clock starts at accept, as Java's, so a slave
 * that reports late gets a heartbeat first — harmless).
 *
 * Housekeeping (§4.4 step 6): nothing read for `haHousekeepingIntervalMs` → close.
 */
import { SkiffError } from "../core/errors.ts";
import type { Clock, Connection, TimerHandle } from "../core/platform.ts";
import type { CommitLog } from "../store/commit-log.ts";
import { OffsetReportDecoder } from "./codec/offset-report.ts";
import { TRANSFER_HEADER_SIZE, writeTransferHeader } from "./codec/transfer-frame.ts";
import { formatHostPort, reasonOf, type HaOptions } from "./ha-options.ts";
import { idleTimer } from "./idle-timer.ts";

/** How much the master reads from the commit log at once for one slave (sent as several frames). */
const READ_AHEAD_BYTES = 1 << 20;

export interface HaConnectionDeps {
  readonly connection: Connection;
  readonly commitLog: CommitLog;
  readonly clock: Clock;
  readonly options: HaOptions;
  /** Every accepted report (an ack). */
  readonly onReport: (connection: HaConnection, offset: number) => void;
  readonly onClose: (connection: HaConnection, reason: string) => void;
}

const EMPTY = new Uint8Array(0);

export class HaConnection {
  /** The slave's `host:port`. */
  readonly address: string;
  /** Wall-clock ms of the accept. */
  readonly connectedAt: number;
  private readonly deps: HaConnectionDeps;
  private readonly decoder = new OffsetReportDecoder();
  private ack = -1;
  private request = -1;
  private next = -1;
  private closeReason: string | null = null;
  private lastReadAtMs: number;
  private lastWriteAtMs: number;
  private housekeeping: TimerHandle | null = null;
  private readonly firstReport: Promise<void>;
  private resolveFirstReport!: () => void;
  private wakeWriter: (() => void) | null = null;

  constructor(deps: HaConnectionDeps) {
    this.deps = deps;
    this.address = formatHostPort(deps.connection.remote);
    this.connectedAt = deps.clock.now();
    this.lastReadAtMs = this.lastWriteAtMs = deps.clock.monotonicMs();
    this.firstReport = new Promise((resolve) => {
      this.resolveFirstReport = resolve;
    });
  }

  /** The slave's last report; -1 before the first. */
  get ackOffset(): number {
    return this.ack;
  }
  /** The slave's first report; -1 before it. */
  get requestOffset(): number {
    return this.request;
  }
  /** The next offset this connection will send; -1 before the first report. */
  get nextTransferOffset(): number {
    return this.next;
  }
  get closed(): boolean {
    return this.closeReason !== null;
  }

  start(): void {
    const { clock, options } = this.deps;
    this.housekeeping = idleTimer(clock, options.haHousekeepingIntervalMs, () => this.lastReadAtMs, () =>
      this.close(`nothing read from the slave for ${options.haHousekeepingIntervalMs} ms`),
    );
    void this.readLoop();
    void this.writeLoop();
  }

  /** Closes the connection (idempotent); `onClose` is told why, once. */
  close(reason: string): void {
    if (this.closeReason !== null) return;
    this.closeReason = reason;
    this.housekeeping?.cancel();
    this.deps.connection.close();
    this.resolveFirstReport();
    this.wakeWriter?.();
    this.deps.onClose(this, reason);
  }

  private async readLoop(): Promise<void> {
    try {
      for await (const chunk of this.deps.connection.readable) {
        this.lastReadAtMs = this.deps.clock.monotonicMs();
        const offset = this.decoder.pushLast(chunk);
        if (offset !== undefined && !this.accept(offset)) return;
      }
      this.close("the slave closed the connection");
    } catch (error) {
      this.close(error instanceof SkiffError ? `refused report: ${error.message}` : `read failed: ${reasonOf(error)}`);
    }
  }

  private accept(offset: number): boolean {
    const max = this.deps.commitLog.maxOffset;
    if (offset > max) {
      this.close(`refused report: slave offset ${offset} is greater than the master's max offset ${max}`);
      return false;
    }
    this.ack = offset;
    if (this.request < 0) {
      this.request = offset;
      this.resolveFirstReport();
    }
    this.deps.onReport(this, offset);
    return true;
  }

  /** Where a slave's first report makes the transfer start (spec §4.4 step 3). */
  private startOffset(request: number): number {
    const log = this.deps.commitLog;
    if (request !== 0) return request;
    if (this.deps.options.sendFromFirstSegment) return log.minOffset;
    const max = log.maxOffset;
    return max - (max % log.log.segmentSizeBytes);
  }

  private async writeLoop(): Promise<void> {
    await this.firstReport;
    if (this.closed) return;
    const { commitLog, options, clock } = this.deps;
    this.next = this.startOffset(this.request);
    if (this.next < commitLog.minOffset) {
      options.log(`HA slave ${this.address} asks for offset ${this.next}, older than the master's first offset ${commitLog.minOffset}: heartbeats only`);
    }
    try {
      while (!this.closed) {
        if (clock.monotonicMs() - this.lastWriteAtMs >= options.haSendHeartbeatIntervalMs) await this.send(this.next, EMPTY);
        // The read bytes go straight into `framed`: only the framed copy is held while the write waits.
        const ahead = this.framed(this.next, await commitLog.readForTransfer(this.next, Math.max(READ_AHEAD_BYTES, options.haTransferBatchSize)));
        if (this.closed) return;
        if (ahead.bodyBytes > 0) {
          await this.deps.connection.write(ahead.frames);
          this.lastWriteAtMs = clock.monotonicMs();
          this.next += ahead.bodyBytes;
        } else {
          await this.dataOrHeartbeatDue();
        }
      }
    } catch (error) {
      this.close(`write failed: ${reasonOf(error)}`);
    }
  }

  /**
   * Bytes read ahead (up to 1 MiB, never across a segment end) go out as consecutive frames of at
   * most `haTransferBatchSize` each, in one write: fewer reads and syscalls, the same frames on the wire.
   * Not async, so `bytes` is not kept alive by a suspended frame (as an async function's parameter
   * would be) while the write waits: a slave that does not read holds one copy, not two.
   */
  private framed(offset: number, bytes: Uint8Array): { frames: Uint8Array; bodyBytes: number } {
    const batch = this.deps.options.haTransferBatchSize;
    const frames = Math.ceil(bytes.byteLength / batch);
    const out = new Uint8Array(bytes.byteLength + frames * TRANSFER_HEADER_SIZE);
    let at = 0;
    for (let done = 0; done < bytes.byteLength; done += batch) {
      const size = Math.min(batch, bytes.byteLength - done);
      writeTransferHeader(out, at, offset + done, size);
      out.set(bytes.subarray(done, done + size), at + TRANSFER_HEADER_SIZE);
      at += TRANSFER_HEADER_SIZE + size;
    }
    return { frames: out, bodyBytes: bytes.byteLength };
  }

  /** One frame, header and body in one write (the body is copied out of the log's cache). */
  private async send(offset: number, body: Uint8Array): Promise<void> {
    const frame = new Uint8Array(TRANSFER_HEADER_SIZE + body.byteLength);
    writeTransferHeader(frame, 0, offset, body.byteLength);
    frame.set(body, TRANSFER_HEADER_SIZE);
    await this.deps.connection.write(frame);
    this.lastWriteAtMs = this.deps.clock.monotonicMs();
  }

  private sendable(): boolean {
    const log = this.deps.commitLog;
    return this.next < log.maxOffset && this.next >= log.minOffset;
  }

  /** Resolves on an append past `next`, at the heartbeat deadline, or on close. */
  private dataOrHeartbeatDue(): Promise<void> {
    const { clock, commitLog, options } = this.deps;
    return new Promise((resolve) => {
      let done = false;
      const wake = (): void => {
        if (done) return;
        done = true;
        timer.cancel();
        stopListening();
        this.wakeWriter = null;
        resolve();
      };
      const dueInMs = this.lastWriteAtMs + options.haSendHeartbeatIntervalMs - clock.monotonicMs();
      const timer = clock.setTimeout(wake, Math.max(0, dueInMs));
      const stopListening = commitLog.onAppend(() => {
        if (this.sendable()) wake();
      });
      this.wakeWriter = wake;
      if (this.closed || this.sendable()) wake();
    });
  }
}
