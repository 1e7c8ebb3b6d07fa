/**
 * The name server's composition root: the route table and its expiry scan (src/namesrv) and the
 * HTTP app over them (src/http/namesrv-app.ts), served on `host:listenPort`. Nothing is printed
 * but the table's changes: the boot banner is the caller's, built from the returned `address`.
 */
import type { NamesrvConfig } from "../config/namesrv-config.ts";
import type { HostPort, Platform } from "../core/platform.ts";
import { namesrvApp } from "../http/namesrv-app.ts";
import { createNamesrvCore, type NamesrvOptions } from "../namesrv/namesrv.ts";
import type { RouteTable } from "../namesrv/route-table.ts";

export type { NamesrvOptions } from "../namesrv/namesrv.ts";

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
  const core = createNamesrvCore(config, clock, options);
  const app = namesrvApp({ routeTable: core.routeTable, clock, log });
  const server = await platform.http.serve({ host: config.host, port: config.listenPort }, (request) => app.fetch(request));
  core.start();
  let stopping: Promise<void> | undefined;
  return {
    address: formatAddress(server.address),
    routeTable: core.routeTable,
    stop: () => {
      core.stop();
      stopping ??= server.close();
      return stopping;
    },
  };
}

function formatAddress(address: HostPort): string {
  return address.host.includes(":") ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
