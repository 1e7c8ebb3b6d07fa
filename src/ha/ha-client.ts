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
 * A connect that has not completed after `CONNECT_TIMEOUT_MS` (Java's 5 s) counts as failed. The
 * provider is asked again every heartbeat interval while connected: a different answer (a name
 * server naming a new master) closes the connection, and the next one goes to the new address.
 */
import { SkiffError } from "../core/errors.ts";
import type { Clock, Connection, HostPort, Network, TimerHandle } from "../core/platform.ts";
import type { Replica } from "../store/replica.ts";
import { HaClientConnection } from "./ha-client-connection.ts";
import { checkAgreement, type MasterLogProbe } from "./log-agreement.ts";
import { parseHostPort } from "../core/host-port.ts";
import { reasonOf, type HaOptions } from "./ha-options.ts";

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

export interface HaClientState {
  readonly masterAddress: string | null;
  readonly connected: boolean;
  /** Wall-clock ms of the last byte from the master; null if none yet. */
  readonly lastReadAt: number | null;
  readonly maxOffset: number;
  readonly lastError: string | null;
  /** Set while this slave refuses to follow because its log diverged from the master's. */
  readonly divergence: Divergence | null;
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
  private unverifiedLogged = false;
  private backoffMs = RECONNECT_BACKOFF_MIN_MS;
  private pause: { timer: TimerHandle; resolve: () => void } | null = null;

  constructor(deps: HaClientDeps) {
    this.deps = deps;
  }

  get state(): HaClientState {
    return {
      masterAddress: this.address,
      connected: this.current !== null && !this.current.closed,
      lastReadAt: this.current?.lastReadAt ?? this.lastReadAt,
      maxOffset: this.deps.replica.maxOffset,
      lastError: this.lastError,
      divergence: this.divergence,
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
      const connection = await this.connect(parseHostPort(address));
      session = new HaClientConnection({ connection, clock, replica, options });
      if (!this.started) session.close("the slave's HA client is stopping");
    } catch (error) {
      this.lastError = `connect to ${address} failed: ${reasonOf(error)}`;
      return false;
    }
    this.current = session;
    this.lastError = null;
    options.log(`HA connected to master ${address}, slave max offset ${replica.maxOffset}`);
    const watch = clock.setInterval(() => {
      const now = this.deps.masterAddress();
      if (now !== address) session.close(`the master HA address changed to ${now}`);
    }, options.haSendHeartbeatIntervalMs);
    const reason = await session.run();
    watch.cancel();
    this.current = null;
    this.lastReadAt = session.lastReadAt ?? this.lastReadAt;
    this.lastError = reason;
    options.log(`HA connection to master ${address} closed: ${reason}`);
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
      options.log(`HA could not compare this log with master ${address}'s: ${reasonOf(error)}`);
    }
    if (verdict.kind === "diverged") {
      if (this.divergence?.reason !== verdict.reason) {
        options.log(`HA refusing to follow master ${address}: ${verdict.reason}`);
        this.divergence = { slaveOffset: verdict.slaveOffset, reason: verdict.reason, since: clock.now() };
      }
      this.lastError = verdict.reason;
      return false;
    }
    if (this.divergence) options.log(`HA log agrees with master ${address} again at offset ${replica.maxOffset}`);
    this.divergence = null;
    if (verdict.kind === "unknown" && !this.unverifiedLogged) {
      this.unverifiedLogged = true;
      options.log(`HA could not ask master ${address} for its log (not a Skiff master, or its HTTP API is unreachable): relying on the master's checks of the first report`);
    }
    return true;
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
