/**
 * The broker's HTTP API (DESIGN §1.3): one Hono app, a fetch handler only. Served by whichever
 * runtime adapter runs the broker; tested with `app.request()`.
 */
import { Hono } from "hono";
import { errorHandler, notFoundOrWrongMethod } from "../errors.ts";
import { brokerDashboardRoutes } from "../dashboard/routes.ts";
import { aclMiddleware } from "./acl-middleware.ts";
import { adminRoutes } from "./admin-routes.ts";
import { healthRoutes } from "./health-routes.ts";
import { messagesRoutes } from "./messages-routes.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";
import { statsRoutes } from "./stats-routes.ts";
import { syncRoutes } from "./sync-routes.ts";

export function brokerApp(runtime: BrokerRuntime): Hono {
  const app = new Hono();
  app.onError(errorHandler(runtime.log.child("http")));
  app.notFound(notFoundOrWrongMethod(app));
  if (runtime.acl) app.use("*", aclMiddleware(runtime.acl));
  app.route("/", healthRoutes(runtime));
  app.route("/", messagesRoutes(runtime));
  app.route("/", adminRoutes(runtime));
  app.route("/", syncRoutes(runtime));
  app.route("/", statsRoutes(runtime));
  app.route("/", brokerDashboardRoutes(runtime));
  return app;
}
