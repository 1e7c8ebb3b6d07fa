/**
 * Registration with the name servers (spec §7): at start and every `registerNameServerPeriod`
 * (already clamped to 10–60 s), to every address of `namesrvAddr` in parallel. A slave learns its
 * master's remoting, HA and HTTP addresses from the answer (nulls while the master is not registered); an
 * explicit `haMasterAddress` is never overwritten (RocketMQ 4.9's rule). With
 * `namesrvProtocol=rocketmq` the same happens over RocketMQ's remoting protocol
 * (`src/namesrv/register-broker-remoting.ts`).
 */
import type { Clock, TimerHandle } from "../core/platform.ts";
import { registerBroker, unregisterBroker, type FetchLike } from "../namesrv/namesrv-client.ts";
import type { Outcome } from "../namesrv/namesrv-client.ts";
import type { BrokerRegistration, RegisterBrokerResult, TopicConfigWrapper } from "../contract/namesrv-http.ts";
import type { Logger } from "../core/log.ts";

/** How registrations travel: Skiff's name-server HTTP API (default) or RocketMQ's remoting. */
export interface NamesrvTransport {
  register(addresses: readonly string[], registration: BrokerRegistration): Promise<Outcome<RegisterBrokerResult>[]>;
  unregister(addresses: readonly string[], registration: BrokerRegistration): Promise<Outcome<boolean>[]>;
  close?(): void;
}

export function httpNamesrvTransport(fetch: FetchLike): NamesrvTransport {
  return {
    register: (addresses, registration) => registerBroker(addresses, registration, fetch),
    unregister: (addresses, { clusterName, brokerName, brokerId }) => unregisterBroker(addresses, { clusterName, brokerName, brokerId }, fetch),
  };
}

export interface RegistrationOptions {
  readonly clock: Clock;
  readonly fetch: FetchLike;
  /** Default: `httpNamesrvTransport(fetch)`. */
  readonly transport?: NamesrvTransport;
  readonly addresses: () => string[];
  readonly registration: () => BrokerRegistration;
  readonly periodMs: () => number;
  readonly onResult: (result: RegisterBrokerResult) => void;
  readonly log: Logger;
}

export class NameServerRegistration {
  private readonly options: RegistrationOptions;
  private timer: TimerHandle | null = null;
  private lastErrors = new Map<string, string>();
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private readonly transport: NamesrvTransport;

  constructor(options: RegistrationOptions) {
    this.options = options;
    this.transport = options.transport ?? httpNamesrvTransport(options.fetch);
  }

  start(): void {
    this.stop();
    void this.registerNow();
    this.timer = this.options.clock.setInterval(() => void this.registerNow(), this.options.periodMs());
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /**
   * Registers after a topic change and resolves once a registration that includes the change has
   * finished (RocketMQ registers before it answers the request that changed a topic). One
   * registration runs at a time: changes made while one runs share the next, so a burst of topic
   * changes costs two registrations, not one each.
   */
  registerAfterChange(): Promise<void> {
    if (this.queued) return this.queued;
    const start = (): Promise<void> => {
      this.queued = null;
      // Failures are logged by registerNow; the change itself is made either way.
      const run: Promise<void> = this.registerNow().catch(() => undefined).finally(() => {
        if (this.inFlight === run) this.inFlight = null;
      });
      this.inFlight = run;
      return run;
    };
    if (!this.inFlight) return start();
    this.queued = this.inFlight.then(start, start);
    return this.queued;
  }

  async registerNow(): Promise<void> {
    const addresses = this.options.addresses();
    if (addresses.length === 0) return;
    const outcomes = await this.transport.register(addresses, this.options.registration());
    for (const outcome of outcomes) {
      if (outcome.ok) {
        if (this.lastErrors.delete(outcome.address)) this.options.log.info(`registered with name server ${outcome.address} again`, { namesrv: outcome.address });
        this.options.onResult(outcome.value);
      } else if (this.lastErrors.get(outcome.address) !== outcome.error.message) {
        this.lastErrors.set(outcome.address, outcome.error.message);
        this.options.log.warn(`registration with name server ${outcome.address} failed: ${outcome.error.message} (logged again when the error changes; retried every registerNameServerPeriod)`, { namesrv: outcome.address, reason: outcome.error.message });
      }
    }
  }

  async unregister(): Promise<void> {
    const addresses = this.options.addresses();
    if (addresses.length === 0) return;
    await this.transport.unregister(addresses, this.options.registration());
  }

  /** Releases the transport's connections (after `unregister`). */
  close(): void {
    this.transport.close?.();
  }
}

export type { TopicConfigWrapper };
