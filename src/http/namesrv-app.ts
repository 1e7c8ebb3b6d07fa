/**
 * The name server's HTTP API (DESIGN §1.7): one Hono app, a fetch handler only (served by
 * `startNamesrv` through the runtime's HTTP port; tested with `app.request()`).
 *
 *   POST   /brokers                                   register → {masterAddr, haServerAddr, masterHttpAddr}
 *   DELETE /brokers/:clusterName/:brokerName/:brokerId  unregister → {removed} (idempotent, as RocketMQ's)
 *   GET    /routes/:topic                             TopicRouteData, 404 TOPIC_NOT_EXIST if unknown
 *   GET    /cluster                                   clusters → broker groups → brokers, last update
 *   GET    /health                                    {status:"UP", brokers, topics}
 *   GET    /healthz                                   {status:"ok", brokers, topics} (liveness, as the broker's)
 *   GET    /metrics                                   Prometheus's text format 0.0.4 (src/namesrv/namesrv-metrics.ts)
 *   GET    /dashboard, /dashboard/data                the cluster's dashboard (dashboard/routes.ts)
 *
 * Bad input is always a 4xx in the `{"error":{"code","message"}}` shape: malformed JSON or a body
 * that fails the schema is 400 BAD_REQUEST, a body over `maxBodyBytes` 413 PAYLOAD_TOO_LARGE,
 * a conflict with another broker or a full table 409 (see `route-table.ts`).
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { Clock, FetchFunction } from "../core/platform.ts";
import { PROMETHEUS_CONTENT_TYPE } from "../core/prometheus-text.ts";
import { SkiffError } from "../core/errors.ts";
import type { RouteTable } from "../namesrv/route-table.ts";
import { brokerIdSchema, NAME_LENGTH_MAX, registrationSchema } from "../namesrv/route-schema.ts";
import { namesrvDashboardRoutes } from "./dashboard/routes.ts";
import { checked, errorHandler, errorResponse, notFoundOrWrongMethod, readOrClientClosed } from "./errors.ts";
import type { Logger } from "../core/log.ts";
import type { AclPolicy } from "../acl/acl-policy.ts";
import { namesrvAclMiddleware } from "./namesrv-acl-middleware.ts";

/** RocketMQ's remoting frame limit; 100,000 topic configs fit in about a tenth of it. */
export const NAMESRV_BODY_BYTES_MAX = 16 * 1024 * 1024;

export interface NamesrvAppOptions {
  readonly routeTable: RouteTable;
  /** Registration times come from `now()` (wall clock, as the expiry scan's). */
  readonly clock: Pick<Clock, "now">;
  readonly maxBodyBytes?: number;
  /** Receives the details of unexpected (500) errors. */
  readonly log?: Logger;
  /** With aclEnable=true: the policy in force, and a callback per refusal (namesrv-acl-middleware.ts). */
  readonly acl?: { readonly policy: () => AclPolicy; refused(): void };
  /** `GET /metrics`; without it the route is 404. */
  readonly metrics?: { render(): Promise<string> };
  /** How the dashboard asks each broker for its figures; default `globalThis.fetch`. */
  readonly fetch?: FetchFunction;
}

const brokerPath = z.object({
  clusterName: z.string().min(1).max(NAME_LENGTH_MAX),
  brokerName: z.string().min(1).max(NAME_LENGTH_MAX),
  brokerId: z.string().regex(/^\d{1,10}$/, "must be a non-negative integer").transform(Number).pipe(brokerIdSchema),
});

export function namesrvApp(options: NamesrvAppOptions): Hono {
  const { routeTable, clock } = options;
  const maxBodyBytes = options.maxBodyBytes ?? NAMESRV_BODY_BYTES_MAX;
  const app = new Hono();
  app.onError(errorHandler(options.log));
  app.notFound(notFoundOrWrongMethod(app));
  if (options.acl) app.use("/brokers", namesrvAclMiddleware(options.acl)).use("/brokers/*", namesrvAclMiddleware(options.acl));

  app.post(
    "/brokers",
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) => errorResponse(c, 413, "PAYLOAD_TOO_LARGE", `request body is larger than the ${maxBodyBytes}-byte limit`),
    }),
    async (c) => {
      const registration = checked(registrationSchema, parseJson(await readOrClientClosed(c.req.text())));
      return c.json(routeTable.register(registration, clock.now()));
    },
  );

  app.delete("/brokers/:clusterName/:brokerName/:brokerId", (c) => {
    const { clusterName, brokerName, brokerId } = checked(brokerPath, c.req.param());
    return c.json({ removed: routeTable.unregister(clusterName, brokerName, brokerId) !== null });
  });

  app.get("/routes/:topic", (c) => {
    const topic = c.req.param("topic");
    const route = routeTable.route(topic);
    if (!route) throw new SkiffError("TOPIC_NOT_EXIST", `No topic route info in name server for the topic: ${topic}`);
    return c.json(route);
  });

  app.get("/cluster", (c) => c.json(routeTable.cluster()));

  app.get("/health", (c) => {
    const { brokerCount, topicCount } = routeTable.counts();
    return c.json({ status: "UP", brokers: brokerCount, topics: topicCount });
  });

  app.get("/healthz", (c) => {
    const { brokerCount, topicCount } = routeTable.counts();
    return c.json({ status: "ok", brokers: brokerCount, topics: topicCount });
  });

  const metrics = options.metrics;
  if (metrics) app.get("/metrics", async (c) => c.body(await metrics.render(), 200, { "content-type": PROMETHEUS_CONTENT_TYPE }));

  app.route("/", namesrvDashboardRoutes({ cluster: () => routeTable.cluster(), now: () => clock.now(), fetch: options.fetch }));
  return app;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SkiffError("BAD_REQUEST", `request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}
