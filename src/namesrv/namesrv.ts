/**
 * The name server process: a route table, its expiry scan every `scanIntervalMs` on the platform's
 * clock (RocketMQ 4.9 scans every 10 s and drops a broker 120 s after its last registration),
 * and the HTTP app served on `host:listenPort`. Every change of the table (a new, moved or
 * re-configured broker, an unregistration, an expiry, a broker name losing its queue data) is one
 * line to `log`; refreshes that change nothing are silent. Nothing is printed otherwise: the boot
 * banner is the caller's, built from the returned `address`.
 */
import type { NamesrvConfig } from "../config/namesrv-config.ts";
import type { HostPort, Platform } from "../core/platform.ts";
import { namesrvApp } from "../http/namesrv-app.ts";
import { RouteTable, type RouteTableEvent, type RouteTableLimits } from "./route-table.ts";
import type { BrokerInfo } from "../contract/namesrv-http.ts";

export interface NamesrvOptions {
  readonly log?: (line: string) => void;
  readonly limits?: Partial<RouteTableLimits>;
}

export interface Namesrv {
  /** `host:port` the server is bound to (the port the OS chose when `listenPort` is 0). */
  readonly address: string;
  readonly routeTable: RouteTable;
  /** Stops the scan and the HTTP server; idempotent. */
  stop(): Promise<void>;
}

export async function startNamesrv(
  config: NamesrvConfig,
  platform: Pick<Platform, "clock" | "http">,
  options: NamesrvOptions = {},
): Promise<Namesrv> {
  const log = options.log ?? (() => {});
  const { clock } = platform;
  const routeTable = new RouteTable({
    limits: options.limits,
    brokerExpiryMs: config.brokerExpiryMs,
    onChange: (event) => log(describeEvent(event)),
  });
  const app = namesrvApp({ routeTable, clock, log });
  const server = await platform.http.serve({ host: config.host, port: config.listenPort }, (request) => app.fetch(request));
  const scan = clock.setInterval(() => routeTable.scanExpired(clock.now()), config.scanIntervalMs);
  let stopping: Promise<void> | undefined;
  return {
    address: formatAddress(server.address),
    routeTable,
    stop: () => {
      scan.cancel();
      stopping ??= server.close();
      return stopping;
    },
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
    case "expired":
      return `expired: ${name(event.broker)} at ${event.broker.brokerAddr}, no registration for ${event.idleMs} ms`;
    case "queue-data-dropped":
      return `no master: broker ${event.brokerName} leaves the routes of ${event.topics} topic(s)`;
  }
}

function name(broker: BrokerInfo): string {
  return `${broker.clusterName}/${broker.brokerName}/${broker.brokerId}`;
}

function formatAddress(address: HostPort): string {
  return address.host.includes(":") ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
