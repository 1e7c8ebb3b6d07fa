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
 * included. Writes are pipelined: the next bytes go out while earlier writes are still being taken
 * by the kernel, within one read-ahead (1 MiB) of bytes in flight plus read (bounded buffers =
 * back-pressure), so bytes that become shippable during a write do not wait for it. With nothing to send it waits
 * for new shippable bytes — at once when a send waits for the slave (SYNC_MASTER), else gathered
 * for up to `haAsyncGatherMs` or a frame's worth (a write and a slave ack per turn cost master and
 * slave more than the bytes; RocketMQ's master waits up to 100 ms there, `allWaitForRunning(100)`,
 * woken only by SYNC_MASTER puts) — or the heartbeat deadline: `[nextOffset][0]` after
 * `haSendHeartbeatIntervalMs` without a write (its clock starts at accept, as Java's, so a slave
 * that reports late gets a heartbeat first — harmless).
 *
 * Housekeeping (§4.4 step 6): nothing read for `haHousekeepingIntervalMs` → close.
 *
 * A slave whose next offset lies before this log's first segment (it was offline longer than the
 * retention, or retention overtook it) cannot be served: as RocketMQ's masters (§4.4 step 7), the
 * connection stays open with heartbeats at the slave's offset — the classic protocol has no error
 * frame, and closing would only make a RocketMQ slave reconnect in a loop without learning why —
 * and the master says it once per connection in its log and for as long as it lasts in
 * `behindRetention` (its `/ha/status`). A Skiff slave learns it from the master's HTTP API
 * (ha-client.ts).
 */
import { SkiffError, assert } from "../core/errors.ts";
import type { Clock, Connection, TimerHandle } from "../core/platform.ts";
import type { ReplicationSource } from "../store/replication-source.ts";
import { OffsetReportDecoder } from "./codec/offset-report.ts";
import { TRANSFER_HEADER_SIZE, writeTransferHeader } from "./codec/transfer-frame.ts";
import { formatHostPort } from "../core/host-port.ts";
import { reasonOf, type HaOptions } from "./ha-options.ts";
import { idleTimer } from "../core/idle-timer.ts";

/** How much the master reads from the commit log at once for one slave (sent as several frames). */
const READ_AHEAD_BYTES = 1 << 20;

export interface HaConnectionDeps {
  readonly connection: Connection;
  readonly source: ReplicationSource;
  readonly clock: Clock;
  readonly options: HaOptions;
  /** Every accepted report (an ack). */
  readonly onReport: (connection: HaConnection, offset: number) => void;
  /** `refused` is true when the slave was turned away for what it reported (not a network end). */
  readonly onClose: (connection: HaConnection, reason: string, refused: boolean) => void;
  /**
   * Whether a send waits for this slave now (a SYNC_MASTER put): then new bytes go out at once;
   * otherwise they are gathered for `haAsyncGatherMs`. Absent: always at once.
   */
  readonly awaited?: () => boolean;
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
  /** End of the bytes handed to the connection so far: no honest ack goes beyond it. */
  private sentEnd = -1;
  private closeReason: string | null = null;
  private lastReadAtMs: number;
  private lastWriteAtMs: number;
  private housekeeping: TimerHandle | null = null;
  private readonly firstReport: Promise<void>;
  private resolveFirstReport!: () => void;
  private wakeWriter: (() => void) | null = null;
  /** Set by `shutdown`: nothing more is written, and the slave's close ends the connection with this reason. */
  private drainReason: string | null = null;
  /** Bytes handed to `connection.write` whose writes have not finished yet. */
  private inFlightBytes = 0;
  /** Wakes a writer that waits for room (an in-flight write finished, or the connection closed). */
  private wakeForRoom: (() => void) | null = null;

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
  /** Set while the slave's next offset lies before this log's first segment: it cannot be served. */
  get behindRetention(): { readonly slaveOffset: number; readonly masterMinOffset: number } | null {
    const min = this.deps.source.minOffset;
    return this.next >= 0 && this.next < min ? { slaveOffset: this.next, masterMinOffset: min } : null;
  }

  start(): void {
    const { clock, options } = this.deps;
    this.housekeeping = idleTimer(clock, options.haHousekeepingIntervalMs, () => this.lastReadAtMs, () =>
      this.close(`nothing read from the slave for ${options.haHousekeepingIntervalMs} ms`),
    );
    void this.readLoop();
    void this.writeLoop();
  }

  /**
   * A clean goodbye (the master stops): no more frames, a FIN after the queued ones, then the
   * slave's own FIN is awaited while its reports are still read, so the slave sees the end of the
   * stream and not a reset (closing with a report in flight would answer that report with a RST,
   * which the slave reads as ECONNRESET). At most `graceMs`; then `close` as usual.
   */
  async shutdown(reason: string, graceMs: number): Promise<void> {
    if (this.closeReason !== null) return;
    this.drainReason = reason;
    this.wakeWriter?.();
    this.wakeForRoom?.();
    let timer: TimerHandle | undefined;
    const deadline = new Promise<void>((resolve) => (timer = this.deps.clock.setTimeout(resolve, graceMs)));
    const goodbye = this.deps.connection.end().catch(() => undefined).then(() => this.deps.connection.closed);
    await Promise.race([goodbye, deadline]);
    timer?.cancel();
    this.close(reason);
  }

  /** A send now waits for this slave: bytes being gathered go out at once. */
  nudge(): void {
    if (this.sendable()) this.wakeWriter?.();
  }

  /** Closes the connection (idempotent); `onClose` is told why, once. */
  close(reason: string, refused = false): void {
    if (this.closeReason !== null) return;
    this.closeReason = reason;
    this.housekeeping?.cancel();
    this.deps.connection.close();
    this.resolveFirstReport();
    this.wakeWriter?.();
    this.wakeForRoom?.();
    this.deps.onClose(this, reason, refused);
  }

  private async readLoop(): Promise<void> {
    try {
      for await (const chunk of this.deps.connection.readable) {
        this.lastReadAtMs = this.deps.clock.monotonicMs();
        const offset = this.decoder.pushLast(chunk);
        if (offset !== undefined && !(await this.accept(offset))) return;
      }
      this.close(this.drainReason ?? "the slave closed the connection");
    } catch (error) {
      const refused = error instanceof SkiffError;
      this.close(refused ? `refused report: ${error.message}` : `read failed: ${reasonOf(error)}`, refused);
    }
  }

  /** Checks a report (spec §4.4 step 5, plus Skiff's prefix rules); false when it closed the connection. */
  private async accept(offset: number): Promise<boolean> {
    const refusal = this.request < 0 ? await this.firstReportRefusal(offset) : this.ackRefusal(offset);
    if (refusal !== null) {
      this.close(`refused report: ${refusal}`, true);
      return false;
    }
    if (this.closed) return false;
    assert(offset <= this.deps.source.maxOffset, "an accepted report never passes the master's max offset");
    assert(this.request < 0 || (offset >= this.ack && offset <= Math.max(this.request, this.sentEnd)), "an accepted ack never moves back nor passes the bytes sent");
    this.ack = offset;
    if (this.request < 0) {
      this.request = offset;
      this.resolveFirstReport();
    }
    this.deps.onReport(this, offset);
    return true;
  }

  /**
   * A slave's first report says where its log ends. It may only continue this log: the offset must
   * not be beyond what this master ever shipped, and it must be a record boundary here (a slave left
   * ahead by a master that lost its tail, or a slave of another master, usually ends mid-record).
   * Offset 0 (an empty slave) and offsets before this log's first segment are always accepted.
   */
  private async firstReportRefusal(offset: number): Promise<string | null> {
    const source = this.deps.source;
    if (offset > source.maxOffset) return `slave offset ${offset} is greater than the master's max offset ${source.maxOffset}`;
    if (offset === 0 || offset < source.minOffset) return null;
    if (offset > source.shippableOffset) {
      return `slave offset ${offset} is beyond what this master has made durable (${source.shippableOffset}): the slave holds bytes this master never sent`;
    }
    if (!(await source.recordBoundary(offset))) {
      return `slave offset ${offset} is not a record boundary of the master's log: the slave's log diverged from the master's; see "Recover a diverged slave" in the README`;
    }
    return null;
  }

  /** Later reports are acks: never backwards, never beyond the bytes sent on this connection. */
  private ackRefusal(offset: number): string | null {
    const max = this.deps.source.maxOffset;
    if (offset > max) return `slave offset ${offset} is greater than the master's max offset ${max}`;
    if (offset < this.ack) return `slave offset ${offset} went backwards from ${this.ack}`;
    const limit = Math.max(this.request, this.sentEnd);
    if (offset > limit) return `slave acked offset ${offset}, beyond the ${limit} sent to it`;
    return null;
  }

  /** Where a slave's first report makes the transfer start (spec §4.4 step 3). */
  private startOffset(request: number): number {
    const source = this.deps.source;
    if (request !== 0) return request;
    if (this.deps.options.sendFromFirstSegment) return source.minOffset;
    const max = source.maxOffset;
    return max - (max % source.segmentSizeBytes);
  }

  private async writeLoop(): Promise<void> {
    await this.firstReport;
    if (this.closed) return;
    const { source, options, clock } = this.deps;
    this.next = this.startOffset(this.request);
    this.sentEnd = this.next;
    let behindLogged = false;
    const budget = Math.max(READ_AHEAD_BYTES, options.haTransferBatchSize);
    try {
      while (!this.closed && this.drainReason === null) {
        if (clock.monotonicMs() - this.lastWriteAtMs >= options.haSendHeartbeatIntervalMs) await this.send(this.next, EMPTY);
        const room = budget - this.inFlightBytes;
        if (this.inFlightBytes > 0 && room < options.haTransferBatchSize) {
          await this.writeFinished();
          continue;
        }
        // The read bytes go straight into `framed`: only the framed copy is held while the write waits.
        const ahead = this.framed(this.next, await source.readForTransfer(this.next, room));
        if (this.closed || this.drainReason !== null) return;
        if (ahead.bodyBytes > 0) {
          this.writeInFlight(ahead.frames, ahead.bodyBytes);
          this.next += ahead.bodyBytes;
        } else {
          if (!behindLogged && this.next < source.minOffset) {
            behindLogged = true;
            options.log.warn(`HA slave ${this.address} needs offset ${this.next}, but this master's log now starts at ${source.minOffset} (older segments deleted): it cannot catch up and gets heartbeats only; on the slave, discard its log and start again from this master's first segment (a Skiff slave: POST /admin/ha/resync-from-master)`, { slave: this.address, slaveOffset: this.next, masterMinOffset: source.minOffset });
          }
          await this.dataOrHeartbeatDue();
        }
      }
    } catch (error) {
      this.close(`write failed: ${reasonOf(error)}`);
    }
  }

  /** Hands frames to the connection without waiting for the kernel to take them; a failure closes. */
  private writeInFlight(frames: Uint8Array, bodyBytes: number): void {
    this.inFlightBytes += bodyBytes;
    this.deps.connection.write(frames).then(
      () => {
        this.inFlightBytes -= bodyBytes;
        this.lastWriteAtMs = this.deps.clock.monotonicMs();
        this.wakeForRoom?.();
      },
      (error: unknown) => this.close(`write failed: ${reasonOf(error)}`),
    );
  }

  /** Resolves when an in-flight write finishes (or the connection closes). */
  private writeFinished(): Promise<void> {
    return new Promise((resolve) => {
      this.wakeForRoom = () => {
        this.wakeForRoom = null;
        resolve();
      };
      if (this.closed) this.wakeForRoom();
    });
  }

  /**
   * Bytes read ahead (up to 1 MiB, never across a segment end) go out as consecutive frames of at
   * most `haTransferBatchSize` each, in one write: fewer reads and syscalls, the same frames on the wire.
   * Not async, so `bytes` is not kept alive by a suspended frame (as an async function's parameter
   * would be) while the write waits: a slave that does not read holds one copy, not two.
   */
  private framed(offset: number, bytes: Uint8Array): { frames: Uint8Array; bodyBytes: number } {
    const batch = this.deps.options.haTransferBatchSize;
    assert(offset === this.sentEnd, "frames continue the bytes already sent");
    this.sentEnd = offset + bytes.byteLength;
    assert(this.sentEnd <= this.deps.source.maxOffset, "frames never carry bytes beyond the master's max offset");
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
    const source = this.deps.source;
    return this.next < source.shippableOffset && this.next >= source.minOffset;
  }

  /** Resolves when bytes past `next` become shippable, at the heartbeat deadline, or on close. */
  private dataOrHeartbeatDue(): Promise<void> {
    const { clock, source, options } = this.deps;
    return new Promise((resolve) => {
      let done = false;
      let gather: TimerHandle | null = null;
      const wake = (): void => {
        if (done) return;
        done = true;
        heartbeat.cancel();
        gather?.cancel();
        stopListening();
        this.wakeWriter = null;
        resolve();
      };
      const dueInMs = this.lastWriteAtMs + options.haSendHeartbeatIntervalMs - clock.monotonicMs();
      const heartbeat = clock.setTimeout(wake, Math.max(0, dueInMs));
      const stopListening = source.onShippable(() => {
        if (!this.sendable()) return;
        const gathering = options.haAsyncGatherMs > 0 && this.deps.awaited?.() === false;
        if (!gathering || source.shippableOffset - this.next >= options.haTransferBatchSize) wake();
        else gather ??= clock.setTimeout(wake, options.haAsyncGatherMs);
      });
      this.wakeWriter = wake; // `nudge`, `shutdown` and `close` end the wait too
      if (this.closed || this.sendable()) wake();
    });
  }
}
