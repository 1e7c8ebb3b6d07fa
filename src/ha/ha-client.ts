/**
 * The slave's HA client: RocketMQ's `HAClient` outer loop (spec §4.1, §4.5 steps 1 and 4).
 *
 * While started it asks `masterAddress()` for the master's HA address (`host:port` from
 * `haMasterAddress`, or learned from a name server later, so it may change or be null), connects,
 * and runs one `HaClientConnection` (`ha-client-connection.ts`) until it closes. Then it waits and
 * connects again: bounded exponential backoff, 100 ms doubling to 5 s, back to 100 ms after a
 * connection that applied data (so a master that keeps refusing us is not hammered). A new
 * connection's first report re-synchronises the master to this log's end.
 *
 * Its log: each connect and close with the reason (a close while running is a warning), a master
 * it cannot reach once a minute with a count (`CONNECT_FAILURE_LOG_INTERVAL_MS`), and, while it is
 * well behind a Skiff master, the catch-up report (`catch-up-progress.ts`: bytes, percent, rate,
 * time left), from the master's `maxPhyOffset` asked every `CATCH_UP_PROBE_INTERVAL_MS`.
 *
 * A connect that has not completed after `CONNECT_TIMEOUT_MS` (Java's 5 s) counts as failed. The
 * provider is asked again every heartbeat interval while connected: a different answer (a name
 * server naming a new master) closes the connection, and the next one goes to the new address.
 *
 * A slave behind its master's retention (its log ends before the master's now starts: the classic
 * protocol cannot say so, the master just sends heartbeats, spec §4.4 step 7) is found by the same
 * probe of a Skiff master (`GET /ha/log`): before every connect, and on every heartbeat tick of a
 * connection that applied nothing since the last one (retention that overtook a lagging slave, or
 * a probe that failed at connect). It then does not follow, says so once in its log and in
 * `behindMasterRetention` (both offsets and the fix), and checks again after the backoff. An
 * empty slave is moved to the master's first segment by itself (it discards nothing); one holding
 * data waits for the operator (`replica.restartAt` through `POST /admin/ha/resync-from-master`).
 */
import { SkiffError } from "../core/errors.ts";
import type { Clock, Connection, HostPort, Network, TimerHandle } from "../core/platform.ts";
import type { Replica } from "../store/replica.ts";
import { HaClientConnection } from "./ha-client-connection.ts";
import { BEHIND_RETENTION_FIX, checkAgreement, checkNextByte, type MasterLogProbe } from "./log-agreement.ts";
import { parseHostPort } from "../core/host-port.ts";
import { reasonOf, type HaOptions } from "./ha-options.ts";
import { CatchUpProgress } from "./catch-up-progress.ts";
import { authenticateMaster, HANDSHAKE_TIMEOUT_MS } from "./codec/auth-handshake.ts";
import { RepeatGate } from "../core/log-repeats.ts";

/** A master that cannot be reached is logged at most once per this interval (with a count). */
export const CONNECT_FAILURE_LOG_INTERVAL_MS = 60_000;
/** The master's end is asked at most this often, for the catch-up report. */
export const CATCH_UP_PROBE_INTERVAL_MS = 5000;

export interface HaClientDeps {
  readonly net: Network;
  readonly clock: Clock;
  /** The slave's store, through its replica port (`store.replica`). */
  readonly replica: Replica;
  readonly masterAddress: () => string | null;
  readonly options: HaOptions;
  /** Skiff masters: asked before every connect whether this log continues theirs (log-agreement.ts). */
  readonly probe?: MasterLogProbe;
}

/** Why this slave does not follow its master: its log does not continue the master's. */
export interface Divergence {
  /** This slave's end offset when the check ran. */
  readonly slaveOffset: number;
  readonly reason: string;
  /** Wall-clock ms of the first check that found it. */
  readonly since: number;
}

/** Why this slave cannot catch up: its master no longer holds what it needs next. */
export interface BehindMasterRetention {
  /** This slave's end offset when the check ran. */
  readonly slaveOffset: number;
  /** Where the master's log starts now. */
  readonly masterMinOffset: number;
  readonly reason: string;
  /** What the operator does about it. */
  readonly fix: string;
  /** Wall-clock ms of the first check that found it. */
  readonly since: number;
}

export interface HaClientState {
  readonly masterAddress: string | null;
  readonly connected: boolean;
  /** Wall-clock ms of the last byte from the master; null if none yet. */
  readonly lastReadAt: number | null;
  readonly maxOffset: number;
  readonly lastError: string | null;
  /** Set while this slave refuses to follow because its log diverged from the master's. */
  readonly divergence: Divergence | null;
  /** Set while this slave cannot follow because the master deleted what it needs next. */
  readonly behindMasterRetention: BehindMasterRetention | null;
}

export const RECONNECT_BACKOFF_MIN_MS = 100;
export const RECONNECT_BACKOFF_MAX_MS = 5000;
export const CONNECT_TIMEOUT_MS = 5000;

export class HaClient {
  private readonly deps: HaClientDeps;
  private started = false;
  private running: Promise<void> | null = null;
  private current: HaClientConnection | null = null;
  private address: string | null = null;
  private lastReadAt: number | null = null;
  private lastError: string | null = null;
  private divergence: Divergence | null = null;
  private behind: BehindMasterRetention | null = null;
  private unverifiedLogged = false;
  private backoffMs = RECONNECT_BACKOFF_MIN_MS;
  private pause: { timer: TimerHandle; resolve: () => void } | null = null;
  private readonly connectFailures: RepeatGate;
  private readonly progress = new CatchUpProgress();

  constructor(deps: HaClientDeps) {
    this.deps = deps;
    this.connectFailures = new RepeatGate(deps.clock, CONNECT_FAILURE_LOG_INTERVAL_MS);
  }

  get state(): HaClientState {
    return {
      masterAddress: this.address,
      connected: this.current !== null && !this.current.closed,
      lastReadAt: this.current?.lastReadAt ?? this.lastReadAt,
      maxOffset: this.deps.replica.maxOffset,
      lastError: this.lastError,
      divergence: this.divergence,
      behindMasterRetention: this.behind,
    };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.backoffMs = RECONNECT_BACKOFF_MIN_MS;
    this.running = this.run();
  }

  /** Stops reconnecting, closes the connection, and resolves once the client is idle. */
  async stop(): Promise<void> {
    this.started = false;
    this.current?.close("the slave's HA client is stopping");
    if (this.pause) {
      this.pause.timer.cancel();
      this.pause.resolve();
    }
    await this.running;
    this.running = null;
  }

  private async run(): Promise<void> {
    while (this.started) {
      const progressed = await this.connectOnce();
      if (!this.started) break;
      if (progressed) this.backoffMs = RECONNECT_BACKOFF_MIN_MS;
      await this.sleep(this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, RECONNECT_BACKOFF_MAX_MS);
    }
  }

  /** One connection, start to end; true when it applied data. */
  private async connectOnce(): Promise<boolean> {
    const { clock, replica, options } = this.deps;
    const address = this.deps.masterAddress();
    this.address = address;
    if (address === null || address === "") {
      this.lastError = "no master HA address yet";
      return false;
    }
    if (!(await this.logAgrees(address))) return false;
    let session: HaClientConnection;
    try {
      const connection = await this.authenticated(await this.connect(parseHostPort(address)));
      session = new HaClientConnection({ connection, clock, replica, options });
      if (!this.started) session.close("the slave's HA client is stopping");
    } catch (error) {
      this.lastError = `connect to ${address} failed: ${reasonOf(error)}`;
      this.connectFailures.log(options.log, "warn", address, `HA cannot connect to master ${address}: ${reasonOf(error)}; retrying (every ${RECONNECT_BACKOFF_MAX_MS / 1000} s at most)`, { master: address, reason: reasonOf(error) });
      return false;
    }
    this.current = session;
    this.lastError = null;
    this.connectFailures.clear(address);
    options.log.info(`HA connected to master ${address}, slave max offset ${replica.maxOffset}`, { master: address, slaveOffset: replica.maxOffset });
    let offsetAtLastTick = replica.maxOffset;
    let checking = false;
    let lastProbeMs = Number.NEGATIVE_INFINITY;
    const reportProgress = () => {
      const probe = this.deps.probe;
      if (!probe?.maxOffset || clock.monotonicMs() - lastProbeMs < CATCH_UP_PROBE_INTERVAL_MS) return;
      lastProbeMs = clock.monotonicMs();
      // This log's end when the master is asked: its answer is at least that far on (a fast
      // catch-up may be over before the answer arrives, and still be reported).
      const slaveOffset = replica.maxOffset;
      void probe.maxOffset().then((masterOffset) => {
        if (session.closed) return;
        const line = this.progress.sample({ atMs: lastProbeMs, slaveOffset, masterOffset });
        if (line) options.log[line.level](line.message, { master: address, ...line.fields });
      }, () => undefined);
    };
    reportProgress();
    const watch = clock.setInterval(() => {
      const now = this.deps.masterAddress();
      if (now !== address) session.close(`the master HA address changed to ${now}`);
      reportProgress();
      const idle = replica.maxOffset === offsetAtLastTick;
      offsetAtLastTick = replica.maxOffset;
      if (!idle || checking || session.closed || !this.deps.probe) return;
      checking = true; // an idle connection: is it idle because the master no longer holds what we need?
      void this.behindRetention(address).then((behind) => {
        if (behind) session.close(behind.reason);
      }, () => undefined).finally(() => (checking = false));
    }, options.haSendHeartbeatIntervalMs);
    const reason = await session.run();
    watch.cancel();
    this.current = null;
    this.lastReadAt = session.lastReadAt ?? this.lastReadAt;
    this.lastError = reason;
    this.progress.reset();
    const closed = `HA connection to master ${address} closed: ${reason}`;
    if (this.started) options.log.warn(closed, { master: address, reason, slaveOffset: replica.maxOffset });
    else options.log.info(closed, { master: address, reason, slaveOffset: replica.maxOffset });
    return session.progressed;
  }

  /**
   * Asks a Skiff master whether this log continues its own (a RocketMQ master cannot be asked:
   * then only the master's checks of the first report apply). A diverged slave does not connect;
   * it says why in its log (once per reason) and in its state, and checks again after the backoff.
   */
  private async logAgrees(address: string): Promise<boolean> {
    const { probe, replica, clock, options } = this.deps;
    if (!probe) return true;
    let verdict;
    try {
      verdict = await checkAgreement(replica, probe);
    } catch (error) {
      verdict = { kind: "unknown" } as const;
      options.log.warn(`HA could not compare this log with master ${address}'s: ${reasonOf(error)}`, { master: address });
    }
    if (verdict.kind === "behind") return this.onBehind(address, verdict);
    if (verdict.kind === "diverged") {
      if (this.divergence?.reason !== verdict.reason) {
        options.log.error(`HA refusing to follow master ${address}: ${verdict.reason}`, { master: address, slaveOffset: verdict.slaveOffset });
        this.divergence = { slaveOffset: verdict.slaveOffset, reason: verdict.reason, since: clock.now() };
      }
      this.lastError = verdict.reason;
      return false;
    }
    if (this.divergence) options.log.info(`HA log agrees with master ${address} again at offset ${replica.maxOffset}`, { master: address, slaveOffset: replica.maxOffset });
    this.divergence = null;
    if (this.behind) options.log.info(`HA master ${address} holds this slave's next bytes again (from offset ${replica.maxOffset})`, { master: address, slaveOffset: replica.maxOffset });
    this.behind = null;
    if (verdict.kind === "unknown" && !this.unverifiedLogged) {
      this.unverifiedLogged = true;
      options.log.warn(`HA could not ask master ${address} for its log (not a Skiff master, or its HTTP API is unreachable): relying on the master's checks of the first report`, { master: address });
    }
    return true;
  }

  /**
   * The master no longer holds this log's next byte. An empty log starts over at the master's
   * first segment by itself (true: connect); one holding data is reported (false: do not connect).
   */
  private async onBehind(address: string, verdict: { slaveOffset: number; masterMinOffset: number; reason: string }): Promise<boolean> {
    const { replica, options } = this.deps;
    if (replica.logEnd === null) {
      options.log.info(`HA this slave's log is empty at ${verdict.slaveOffset} and master ${address}'s now starts at ${verdict.masterMinOffset}: starting there`, { master: address, slaveOffset: verdict.slaveOffset, masterMinOffset: verdict.masterMinOffset });
      try {
        await replica.restartAt(verdict.masterMinOffset);
      } catch (error) {
        this.lastError = `could not start the empty log at ${verdict.masterMinOffset}: ${reasonOf(error)}`;
        return false;
      }
      this.behind = null;
      return true;
    }
    this.noteBehind(address, verdict.slaveOffset, verdict.masterMinOffset, verdict.reason);
    this.lastError = verdict.reason;
    return false;
  }

  /** While connected: asks the master whether it still holds this log's next byte; the finding, or null. */
  private async behindRetention(address: string): Promise<BehindMasterRetention | null> {
    const { probe, replica } = this.deps;
    if (!probe) return null;
    const verdict = await checkNextByte(replica, probe);
    if (verdict.kind !== "behind") return null;
    return this.noteBehind(address, verdict.slaveOffset, verdict.masterMinOffset, verdict.reason);
  }

  /** Records the finding for `/ha/status` and logs it once per (slave end, master start). */
  private noteBehind(address: string, slaveOffset: number, masterMinOffset: number, reason: string): BehindMasterRetention {
    const { clock, options } = this.deps;
    if (this.behind?.slaveOffset !== slaveOffset || this.behind.masterMinOffset !== masterMinOffset) {
      options.log.error(`HA cannot follow master ${address}: ${reason}; to recover, ${BEHIND_RETENTION_FIX}`, { master: address, slaveOffset, masterMinOffset });
      this.behind = { slaveOffset, masterMinOffset, reason, fix: BEHIND_RETENTION_FIX, since: this.behind?.since ?? clock.now() };
    }
    return this.behind;
  }

  /**
   * With haAuthSecret, the master must prove it knows the secret (and this slave proves it) before
   * the classic protocol starts (codec/auth-handshake.ts); a failed or slow handshake closes it.
   */
  private async authenticated(connection: Connection): Promise<Connection> {
    const secret = this.deps.options.haAuthSecret;
    if (secret === undefined) return connection;
    const timer = this.deps.clock.setTimeout(() => connection.close(), HANDSHAKE_TIMEOUT_MS);
    try {
      return await authenticateMaster(connection, secret, this.deps.options.brokerName);
    } catch (error) {
      connection.close();
      throw error;
    } finally {
      timer.cancel();
    }
  }

  /** `net.connect` with a deadline; a connection completing after it is closed at once. */
  private connect(to: HostPort): Promise<Connection> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = this.deps.clock.setTimeout(() => {
        settled = true;
        reject(new SkiffError("HA_CONNECT_TIMEOUT", `no connection after ${CONNECT_TIMEOUT_MS} ms`, { retriable: true }));
      }, CONNECT_TIMEOUT_MS);
      this.deps.net.connect(to).then(
        (connection) => {
          if (settled) return connection.close();
          settled = true;
          timer.cancel();
          resolve(connection);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          timer.cancel();
          reject(error);
        },
      );
    });
  }

  private sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.deps.clock.setTimeout(() => {
        this.pause = null;
        resolve();
      }, delayMs);
      this.pause = { timer, resolve };
    });
  }
}
