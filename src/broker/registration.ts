/**
 * Registration with the name servers (spec §7): at start and every `registerNameServerPeriod`
 * (already clamped to 10–60 s), to every address of `namesrvAddr` in parallel. A slave learns its
 * master's HTTP and HA addresses from the answer (nulls while the master is not registered); an
 * explicit `haMasterAddress` is never overwritten (RocketMQ 4.9's rule).
 */
import type { Clock, TimerHandle } from "../core/platform.ts";
import { registerBroker, unregisterBroker, type FetchLike } from "../namesrv/namesrv-client.ts";
import type { BrokerRegistration, RegisterBrokerResult, TopicConfigWrapper } from "../namesrv/route-types.ts";

export interface RegistrationOptions {
  readonly clock: Clock;
  readonly fetch: FetchLike;
  readonly addresses: () => string[];
  readonly registration: () => BrokerRegistration;
  readonly periodMs: () => number;
  readonly onResult: (result: RegisterBrokerResult) => void;
  readonly log: (line: string) => void;
}

export class NameServerRegistration {
  private readonly options: RegistrationOptions;
  private timer: TimerHandle | null = null;
  private lastErrors = new Map<string, string>();

  constructor(options: RegistrationOptions) {
    this.options = options;
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

  async registerNow(): Promise<void> {
    const addresses = this.options.addresses();
    if (addresses.length === 0) return;
    const outcomes = await registerBroker(addresses, this.options.registration(), this.options.fetch);
    for (const outcome of outcomes) {
      if (outcome.ok) {
        if (this.lastErrors.delete(outcome.address)) this.options.log(`registered with name server ${outcome.address} again`);
        this.options.onResult(outcome.value);
      } else if (this.lastErrors.get(outcome.address) !== outcome.error.message) {
        this.lastErrors.set(outcome.address, outcome.error.message);
        this.options.log(`registration with name server ${outcome.address} failed: ${outcome.error.message}`);
      }
    }
  }

  async unregister(): Promise<void> {
    const addresses = this.options.addresses();
    if (addresses.length === 0) return;
    const { clusterName, brokerName, brokerId } = this.options.registration();
    await unregisterBroker(addresses, { clusterName, brokerName, brokerId }, this.options.fetch);
  }
}

export type { TopicConfigWrapper };
