/**
 * The name server's composition root: the route table and its expiry scan (src/namesrv) and the
 * two fronts over them: RocketMQ remoting on `host:listenPort` (9876; src/processors/namesrv, for
 * Java clients, mqadmin and brokers of either kind) and the HTTP app (src/http/namesrv-app.ts) on
 * `host:httpListenPort` (default listenPort + 1 = 9877). A remoting connection silent for
 * `serverChannelMaxIdleTimeSeconds` is closed, as by RocketMQ's NettyServerConfig. It logs where it listens (the real ports)
 * and the table's changes; the boot banner is the caller's, built from the returned addresses.
 */
import type { NamesrvConfig } from "../config/namesrv-config.ts";
import type { FetchFunction, Platform } from "../core/platform.ts";
import { formatHostPort } from "../core/host-port.ts";
import { namesrvApp } from "../http/namesrv-app.ts";
import { createNamesrvCore, type NamesrvOptions } from "../namesrv/namesrv.ts";
import type { RouteTable } from "../namesrv/route-table.ts";
import { namesrvListenLine } from "../config/describe.ts";
import { errorAnswer } from "../processors/error-answers.ts";
import { namesrvProcessors } from "../processors/namesrv/index.ts";
import { RemotingServer } from "../remoting/remoting-server.ts";
import { NamesrvMetrics } from "../namesrv/namesrv-metrics.ts";
import { checkPortsFree } from "./port-check.ts";
import { loadTlsPolicy, withTls } from "./tls-policy.ts";
import { AclFileWatch } from "../acl/acl-file-watch.ts";
import { aclGuard } from "../processors/acl-guard.ts";
import { namesrvAccess } from "../processors/namesrv/namesrv-acl.ts";
import { silentLogger } from "../core/log.ts";

export type { NamesrvOptions } from "../namesrv/namesrv.ts";

export interface Namesrv {
  /** `host:port` of the HTTP API (the port the OS chose when `httpListenPort` is 0). */
  readonly httpAddress: string;
  /** `host:port` of RocketMQ's remoting (the port the OS chose when `listenPort` is 0). */
  readonly remotingAddress: string;
  readonly routeTable: RouteTable;
  /** Stops the scan and the servers; idempotent. */
  stop(): Promise<void>;
}

export async function startNamesrv(
  config: NamesrvConfig,
  platform: Pick<Platform, "clock" | "http" | "net"> & Partial<Pick<Platform, "system" | "fs">>,
  options: NamesrvOptions = {},
): Promise<Namesrv> {
  const log = options.log ?? silentLogger;
  const { clock } = platform;
  if ((config.tlsMode !== "disabled" || config.aclEnable) && platform.fs === undefined) throw new Error("startNamesrv: tlsMode and aclEnable need the platform's file system (to read the certificate, the ACL file)");
  // Before any port: a broken ACL file stops the start.
  const acl = config.aclEnable ? await AclFileWatch.open(platform.fs!, config.plainAclFile!, log.child("acl")) : null;
  // Both listeners follow tlsMode; the port check binds plain sockets.
  const secured = config.tlsMode === "disabled" ? platform : withTls(platform, await loadTlsPolicy(platform.fs!, config));
  const core = createNamesrvCore(config, clock, {
    ...options,
    log: log.child("routes"),
    onChange: (event) => {
      metrics.changed(event); // only after start: `metrics` is set by then
      options.onChange?.(event);
    },
  });
  const metrics = new NamesrvMetrics(core.routeTable, clock, platform.system);
  // The dashboard's calls to brokers: the platform's client, made at the first of them.
  let brokerClient: FetchFunction | undefined;
  const app = namesrvApp({
    routeTable: core.routeTable, clock, log: log.child("http"), metrics, fetch: (url, init) => (brokerClient ??= platform.http.fetcher())(url, init),
    acl: acl ? { policy: () => acl.current, refused: () => metrics.aclRefused("http") } : undefined,
  });
  const guard = acl ? aclGuard({ policy: () => acl.current, clock, log: log.child("acl"), access: namesrvAccess, onRefused: () => metrics.aclRefused("remoting") }) : undefined;
  await checkPortsFree(platform.net, [
    { key: "listenPort", what: "remoting", host: config.host, port: config.listenPort },
    { key: "httpListenPort", what: "HTTP", host: config.host, port: config.httpListenPort },
  ]);
  const remoting = await RemotingServer.listen({
    net: secured.net,
    clock,
    at: { host: config.host, port: config.listenPort },
    name: "namesrv remoting",
    processors: namesrvProcessors({ routeTable: core.routeTable, clock }),
    log: log.child("remoting"),
    errorAnswer,
    limits: { idleTimeoutMs: config.serverChannelMaxIdleTimeSeconds * 1000 },
    guard,
  });
  const server = await secured.http.serve({ host: config.host, port: config.httpListenPort }, (request) => app.fetch(request)).catch(async (error: unknown) => {
    await remoting.close();
    throw error;
  });
  core.start();
  metrics.start();
  acl?.watch(clock);
  log.info(namesrvListenLine({ host: config.host, listenPort: remoting.address.port, httpListenPort: server.address.port, tlsMode: config.tlsMode }));
  let stopping: Promise<void> | undefined;
  return {
    httpAddress: formatHostPort(server.address),
    remotingAddress: formatHostPort(remoting.address),
    routeTable: core.routeTable,
    stop: () => {
      core.stop();
      metrics.stop();
      acl?.stop();
      stopping ??= Promise.all([server.close(), remoting.close()]).then(() => undefined);
      return stopping;
    },
  };
}
