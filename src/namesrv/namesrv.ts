/**
 * The name server without its fronts: a route table and its expiry scan every `scanIntervalMs` on
 * the platform's clock (RocketMQ 4.9 scans every 10 s and drops a broker 120 s after its last
 * registration). Every change of the table (a new, moved or re-configured broker, an
 * unregistration, an expiry, a broker name losing its queue data) is one line to `log`; refreshes
 * that change nothing are silent. The composition root (`startNamesrv`, src/app/start-namesrv.ts)
 * serves the HTTP app over it.
 */
import type { NamesrvConfig } from "../config/namesrv-config.ts";
import type { Clock, TimerHandle } from "../core/platform.ts";
import { RouteTable, type RouteTableEvent, type RouteTableLimits } from "./route-table.ts";
import type { BrokerInfo } from "../contract/namesrv-http.ts";
import { silentLogger, type Logger } from "../core/log.ts";

export interface NamesrvOptions {
  readonly log?: Logger;
  readonly limits?: Partial<RouteTableLimits>;
  /** Hears every change of the table after it is logged (the name server's metrics). */
  readonly onChange?: (event: RouteTableEvent) => void;
}

export interface NamesrvCore {
  readonly routeTable: RouteTable;
  /** Starts the expiry scan. */
  start(): void;
  /** Stops the expiry scan; idempotent. */
  stop(): void;
}

export function createNamesrvCore(config: NamesrvConfig, clock: Clock, options: NamesrvOptions = {}): NamesrvCore {
  const log = options.log ?? silentLogger;
  const routeTable = new RouteTable({
    limits: options.limits,
    brokerExpiryMs: config.brokerExpiryMs,
    onChange: (event) => {
      if (event.kind === "refused") log.warn(describeEvent(event), { broker: `${event.broker.clusterName}/${event.broker.brokerName}/${event.broker.brokerId}`, holder: event.broker.brokerAddr, from: event.fromAddr });
      else log.info(describeEvent(event));
      options.onChange?.(event);
    },
  });
  let scan: TimerHandle | null = null;
  return {
    routeTable,
    start: () => void (scan ??= clock.setInterval(() => routeTable.scanExpired(clock.now()), config.scanIntervalMs)),
    stop: () => scan?.cancel(),
  };
}

/** One log line per table change. */
export function describeEvent(event: RouteTableEvent): string {
  switch (event.kind) {
    case "registered": {
      const what = { new: "registered", address: "moved", topics: "new topic config" }[event.change];
      const replaced = event.replaced.map((b) => `; replaces ${name(b)} at the same address`).join("");
      return `${what}: ${name(event.broker)} at ${event.broker.brokerAddr} (HA ${event.broker.haServerAddr}), dataVersion ${event.broker.dataVersion.counter}${replaced}`;
    }
    case "unregistered":
      return `unregistered: ${name(event.broker)} at ${event.broker.brokerAddr}`;
    case "disconnected":
      return `unregistered: ${name(event.broker)} at ${event.broker.brokerAddr}, the connection it registered on closed`;
    case "expired":
      return `expired: ${name(event.broker)} at ${event.broker.brokerAddr}, no registration for ${event.idleMs} ms`;
    case "queue-data-dropped":
      return `no master: broker ${event.brokerName} leaves the routes of ${event.topics} topic(s)`;
    case "refused":
      return `refused: a registration of ${name(event.broker)} from ${event.fromAddr}, which ${event.broker.brokerAddr} holds (alive); not replaced`;
    case "topic-deleted":
      return `topic ${event.topic} deleted${event.clusterName === null ? "" : ` in cluster ${event.clusterName}`}: its route leaves broker(s) ${event.brokerNames.join(", ")}`;
  }
}

function name(broker: BrokerInfo): string {
  return `${broker.clusterName}/${broker.brokerName}/${broker.brokerId}`;
}
