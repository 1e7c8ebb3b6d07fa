/**
 * The master's HA service: RocketMQ 4.9's `HAService` with its `AcceptSocketService` and
 * `GroupTransferService` (spec §4.1, §4.4, §4.6).
 *
 * - Accepts slaves on `haListenPort`; one `HaConnection` each (`ha-connection.ts`), at most
 *   `haMaxConnections` at once and `haMaxConnectionsPerAddress` from one remote host: a connection
 *   beyond either cap is closed at once (the peer reads a FIN), and logged at most once per
 *   `CAP_REFUSAL_LOG_INTERVAL_MS` with the count refused since the last such line.
 * - With `haAuthSecret`, a connection is served only after the slave passed the authenticated
 *   link's handshake (`codec/auth-handshake.ts`, within `HANDSHAKE_TIMEOUT_MS`; counted against the
 *   caps meanwhile); one that fails is closed and listed in `refusedSlaves`. Only served
 *   connections ack, so only an authenticated slave counts towards SYNC_MASTER.
 * - Every write to a slave must finish within `haHousekeepingIntervalMs` (`write-deadline.ts`): a
 *   slave that keeps reporting but never reads is closed, and the read-ahead it held is freed. So
 *   the master's memory for slaves is bounded by about haMaxConnections × (one read-ahead, 1 MiB).
 * - `push2SlaveMaxOffset` is the largest ack of any slave, ever: monotonic, never lowered when a
 *   slave leaves (as Java's `notifyTransferSome`).
 * - `isSlaveOk(masterPutWhere)` = a slave is connected and `masterPutWhere - push2SlaveMaxOffset <
 *   haSlaveFallbehindMax` (§4.6; false → the broker answers SLAVE_NOT_AVAILABLE).
 * - `waitForReplication(endOffset, timeoutMs)` is SYNC_MASTER's wait (§4.6): PUT_OK as soon as an
 *   ack reaches `endOffset` (acks resolve waiters directly, no polling), FLUSH_SLAVE_TIMEOUT at the
 *   deadline. Waiters are kept sorted by end offset; each belongs to one in-flight send and leaves
 *   on ack or deadline, and their number is capped (`MAX_REPLICATION_WAITERS`: beyond it the answer
 *   is FLUSH_SLAVE_TIMEOUT at once — the message is stored either way).
 * - Logs every connect and disconnect (with its reason: refused reports included), and each
 *   slave's lag once a minute.
 * - A slave's lag in seconds (`status()`) is the age of the oldest byte it has not acknowledged:
 *   how long ago that byte became shippable (`shippable-times.ts`, 100 ms granularity).
 */
import { assert, assertSafeOffset, fail } from "../core/errors.ts";
import type { Clock, Connection, HostPort, Listener, Network, TimerHandle } from "../core/platform.ts";
import type { ReplicationSource } from "../store/replication-source.ts";
import { HaConnection } from "./ha-connection.ts";
import { formatHostPort } from "../core/host-port.ts";
import { reasonOf, type HaOptions } from "./ha-options.ts";
import { withWriteDeadline } from "../core/write-deadline.ts";
import { ShippableTimes } from "./shippable-times.ts";
import { RepeatGate } from "../core/log-repeats.ts";
import { authenticateSlave, HANDSHAKE_TIMEOUT_MS } from "./codec/auth-handshake.ts";

/** How long a stopping master waits for its slaves to close their side of the HA connection. */
export const SHUTDOWN_GRACE_MS = 1000;

export type ReplicationStatus = "PUT_OK" | "FLUSH_SLAVE_TIMEOUT";

export interface SlaveStatus {
  readonly address: string;
  /** -1 until the slave's first report. */
  readonly ackOffset: number;
  readonly lagBytes: number;
  /** Seconds since the oldest byte the slave has not acknowledged became shippable; 0 when it has them all. */
  readonly lagSeconds: number;
  /** Present while the slave needs bytes this master no longer holds (ha-connection.ts). */
  readonly behindMasterRetention?: { readonly slaveOffset: number; readonly masterMinOffset: number; readonly fix: string };
}

/** What the master's status says an operator does about a slave behind its retention. */
const BEHIND_FIX = "discard the slave's log and start it again from this master's first segment: POST /admin/ha/resync-from-master on a Skiff slave; a RocketMQ slave: stop it, empty its store, start it";

export interface HaMasterDeps {
  readonly net: Network;
  readonly clock: Clock;
  readonly source: ReplicationSource;
  readonly options: HaOptions;
}

/** A slave turned away for what it reported (its log does not continue this master's). */
export interface RefusedSlave {
  readonly address: string;
  readonly reason: string;
  /** Wall-clock ms. */
  readonly at: number;
}

interface Waiter {
  readonly endOffset: number;
  readonly resolve: (status: ReplicationStatus) => void;
  timer: TimerHandle | null;
}

export const MAX_REPLICATION_WAITERS = 100_000;
export const LAG_LOG_INTERVAL_MS = 60_000;
/** The newest refusals kept for `/ha/status`. */
export const REFUSED_SLAVES_KEPT = 8;
/** The same refused report (address aside) is logged at most once per this interval. */
export const REFUSAL_LOG_INTERVAL_MS = 60_000;
/** Connections turned away by the caps are logged at most once per this interval. */
export const CAP_REFUSAL_LOG_INTERVAL_MS = 10_000;

export class HaMaster {
  private readonly deps: HaMasterDeps;
  private readonly liveConnections = new Set<HaConnection>();
  /** Connections still in the authenticated link's handshake (haAuthSecret). */
  private readonly handshakes = new Set<Connection>();
  /** Open connections per remote host. */
  private readonly perHost = new Map<string, number>();
  /** Refusals by the caps (key `cap`) and of diverged slaves (key: the reason), rate-limited. */
  private readonly capRefusals: RepeatGate;
  private readonly refusalLog: RepeatGate;
  private readonly waiters: Waiter[] = [];
  private readonly refusals: RefusedSlave[] = [];
  private push2SlaveMaxOffsetValue = 0;
  private listener: Listener | null = null;
  private lagTimer: TimerHandle | null = null;
  private stopped = false;
  private readonly shippableTimes: ShippableTimes;
  private readonly unwatchShippable: () => void;

  private constructor(deps: HaMasterDeps) {
    this.deps = deps;
    const { source, clock } = deps;
    this.capRefusals = new RepeatGate(clock, CAP_REFUSAL_LOG_INTERVAL_MS);
    this.refusalLog = new RepeatGate(clock, REFUSAL_LOG_INTERVAL_MS, { maxKeys: REFUSED_SLAVES_KEPT });
    const times = (this.shippableTimes = new ShippableTimes(source.shippableOffset, clock.monotonicMs()));
    this.unwatchShippable = source.onShippable(() => times.note(source.shippableOffset, clock.monotonicMs()));
  }

  /** Listens on `haListenHost:haListenPort` (port 0 → any free port, see `address`). */
  static async start(deps: HaMasterDeps): Promise<HaMaster> {
    const master = new HaMaster(deps);
    const { haListenHost, haListenPort } = deps.options;
    master.listener = await deps.net.listen({ host: haListenHost, port: haListenPort }, (c) => master.accept(c));
    master.lagTimer = deps.clock.setInterval(() => master.logLag(), LAG_LOG_INTERVAL_MS);
    deps.options.log.info(`HA master listening on ${haListenHost}:${master.listener.address.port}`, { host: haListenHost, port: master.listener.address.port });
    return master;
  }

  get address(): HostPort {
    return this.listener!.address;
  }
  get push2SlaveMaxOffset(): number {
    return this.push2SlaveMaxOffsetValue;
  }
  get connectionCount(): number {
    return this.liveConnections.size;
  }
  /** SYNC_MASTER sends waiting for an ack. */
  get replicationWaiters(): number {
    return this.waiters.length;
  }
  connections(): HaConnection[] {
    return [...this.liveConnections];
  }

  isSlaveOk(masterPutWhere: number): boolean {
    return this.liveConnections.size > 0 && masterPutWhere - this.push2SlaveMaxOffsetValue < this.deps.options.haSlaveFallbehindMax;
  }

  waitForReplication(endOffset: number, timeoutMs: number): Promise<ReplicationStatus> {
    assertSafeOffset(endOffset, "replication end offset");
    if (this.push2SlaveMaxOffsetValue >= endOffset) return Promise.resolve("PUT_OK");
    if (this.stopped || this.waiters.length >= MAX_REPLICATION_WAITERS) return Promise.resolve("FLUSH_SLAVE_TIMEOUT");
    return new Promise((resolve) => {
      const waiter: Waiter = { endOffset, resolve, timer: null };
      waiter.timer = this.deps.clock.setTimeout(() => this.expire(waiter), timeoutMs);
      let at = this.waiters.length; // sends finish in offset order: almost always appended at the end
      while (at > 0 && this.waiters[at - 1].endOffset > endOffset) at--;
      this.waiters.splice(at, 0, waiter);
      if (this.waiters.length === 1) for (const connection of this.liveConnections) connection.nudge(); // stop gathering
    });
  }

  /** The newest slaves refused for a log that does not continue this one, newest first. */
  refusedSlaves(): readonly RefusedSlave[] {
    return [...this.refusals].reverse();
  }

  status(): SlaveStatus[] {
    const max = this.deps.source.maxOffset;
    const nowMs = this.deps.clock.monotonicMs();
    return this.connections().map((c) => {
      const acked = Math.max(0, c.ackOffset);
      const status: SlaveStatus = { address: c.address, ackOffset: c.ackOffset, lagBytes: Math.max(0, max - acked), lagSeconds: this.shippableTimes.ageMs(acked, nowMs) / 1000 };
      const behind = c.behindRetention;
      return behind ? { ...status, behindMasterRetention: { ...behind, fix: BEHIND_FIX } } : status;
    });
  }

  /**
   * Stops accepting, says goodbye to every slave (a FIN now; each connection closes when its slave
   * answers with its own FIN, at most SHUTDOWN_GRACE_MS later: see HaConnection.shutdown), and
   * answers every waiter FLUSH_SLAVE_TIMEOUT. The goodbyes are not awaited: a slave that does not
   * answer must not hold up the stop (and tests' manual clocks never reach the grace).
   */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.lagTimer?.cancel();
    this.unwatchShippable();
    await this.listener?.close();
    for (const connection of this.connections()) void connection.shutdown("the master is shutting down", SHUTDOWN_GRACE_MS);
    for (const connection of this.handshakes) connection.close();
    for (const waiter of this.waiters.splice(0)) {
      waiter.timer?.cancel();
      waiter.resolve("FLUSH_SLAVE_TIMEOUT");
    }
  }

  private accept(connection: Connection): void {
    if (this.stopped) {
      connection.close();
      return;
    }
    const host = connection.remote.host;
    const refusal = this.refusalOf(host);
    if (refusal !== undefined) {
      connection.close();
      this.logRefusal(`${formatHostPort(connection.remote)}: ${refusal}`);
      return;
    }
    const secret = this.deps.options.haAuthSecret;
    if (secret === undefined) return this.serve(connection, host);
    // The authenticated link: nothing is read from the log until the slave proved it knows the
    // secret. A handshake in progress counts against the caps, and is bounded in time.
    this.handshakes.add(connection);
    this.countHost(host, +1);
    const timer = this.deps.clock.setTimeout(() => connection.close(), HANDSHAKE_TIMEOUT_MS);
    const done = () => {
      timer.cancel();
      this.handshakes.delete(connection);
      this.countHost(host, -1);
    };
    authenticateSlave(connection, secret, this.deps.options.brokerName).then(
      (authenticated) => {
        done();
        if (this.stopped) authenticated.close();
        else this.serve(authenticated, host);
      },
      (error: unknown) => {
        done();
        connection.close();
        this.refused(formatHostPort(connection.remote), `HA handshake failed: ${reasonOf(error)}`);
      },
    );
  }

  /** Serves one slave connection (authenticated when haAuthSecret is set). */
  private serve(connection: Connection, host: string): void {
    const { clock, options } = this.deps;
    const ha = new HaConnection({
      connection: withWriteDeadline(connection, clock, options.haHousekeepingIntervalMs, "HA_WRITE_STALLED"),
      source: this.deps.source,
      clock,
      options,
      onReport: (_, offset) => this.acked(offset),
      awaited: () => this.waiters.length > 0,
      onClose: (c, reason, refused) => {
        if (this.liveConnections.delete(c)) this.countHost(host, -1);
        if (refused) this.refused(c.address, reason);
        else options.log.info(`HA slave ${c.address} disconnected: ${reason}`, { slave: c.address, reason, ackOffset: c.ackOffset });
      },
    });
    this.liveConnections.add(ha);
    this.countHost(host, +1);
    this.deps.options.log.info(`HA slave ${ha.address} connected`, { slave: ha.address, connections: this.liveConnections.size });
    ha.start();
  }

  /** Remembers a refusal for `/ha/status` and logs it, the same reason at most once a minute. */
  private refused(address: string, reason: string): void {
    const { clock, options } = this.deps;
    this.refusals.push({ address, reason, at: clock.now() });
    if (this.refusals.length > REFUSED_SLAVES_KEPT) this.refusals.shift();
    this.refusalLog.log(options.log, "warn", reason, `HA slave ${address} refused and disconnected: ${reason}`, { slave: address, reason });
  }

  /** Why a new connection from `host` is refused, if it is. */
  private refusalOf(host: string): string | undefined {
    const { haMaxConnections, haMaxConnectionsPerAddress } = this.deps.options;
    const open = this.liveConnections.size + this.handshakes.size;
    if (open >= haMaxConnections) {
      return `${open} HA connections are open, the limit (haMaxConnections) is ${haMaxConnections}`;
    }
    const fromHost = this.perHost.get(host) ?? 0;
    if (fromHost >= haMaxConnectionsPerAddress) {
      return `${fromHost} HA connections from ${host} are open, the limit (haMaxConnectionsPerAddress) is ${haMaxConnectionsPerAddress}`;
    }
    return undefined;
  }

  private countHost(host: string, delta: 1 | -1): void {
    const count = (this.perHost.get(host) ?? 0) + delta;
    if (!(count >= 0)) fail(`HA connections from ${host} went below zero`);
    if (count === 0) this.perHost.delete(host);
    else this.perHost.set(host, count);
  }

  /** One line per CAP_REFUSAL_LOG_INTERVAL_MS at most: a flood of connects cannot flood the log. */
  private logRefusal(what: string): void {
    this.capRefusals.log(this.deps.options.log, "warn", "cap", `HA connection refused and closed, ${what}`);
  }

  private acked(offset: number): void {
    assert(offset <= this.deps.source.maxOffset, "an accepted ack never passes the master's max offset");
    if (offset <= this.push2SlaveMaxOffsetValue) return; // the largest ack ever: it never moves back
    this.push2SlaveMaxOffsetValue = offset;
    let released = 0;
    while (released < this.waiters.length && this.waiters[released].endOffset <= offset) released++;
    for (const waiter of this.waiters.splice(0, released)) {
      waiter.timer?.cancel();
      waiter.resolve("PUT_OK");
    }
    assert(this.waiters.length === 0 || this.waiters[0].endOffset > offset, "waiters stay sorted by end offset");
  }

  private expire(waiter: Waiter): void {
    const at = this.waiters.indexOf(waiter);
    if (at < 0) return;
    this.waiters.splice(at, 1);
    waiter.resolve("FLUSH_SLAVE_TIMEOUT");
  }

  private logLag(): void {
    for (const s of this.status()) this.deps.options.log.info(`HA slave ${s.address}: ack ${s.ackOffset}, ${s.lagBytes} bytes behind`, { slave: s.address, ackOffset: s.ackOffset, lagBytes: s.lagBytes, lagSeconds: s.lagSeconds });
  }
}
