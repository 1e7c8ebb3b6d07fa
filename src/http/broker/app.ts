/**
 * The broker's HTTP API (DESIGN §1.3): one Hono app, a fetch handler only. Served by whichever
 * runtime adapter runs the broker; tested with `app.request()`.
 */
import { Hono } from "hono";
import { errorHandler, notFound } from "../errors.ts";
import { adminRoutes } from "./admin-routes.ts";
import { messagesRoutes } from "./messages-routes.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";
import { statsRoutes } from "./stats-routes.ts";
import { syncRoutes } from "./sync-routes.ts";

export function brokerApp(runtime: BrokerRuntime): Hono {
  const app = new Hono();
  app.onError(errorHandler((line) => runtime.log(line)));
  app.notFound(notFound);
  // Liveness: the process serves (pulls at least); DEGRADED names what fails (a full disk).
  app.get("/health", (c) => {
    const problems = runtime.store.ioProblems();
    const role = runtime.config().brokerRole;
    if (problems.length === 0) return c.json({ status: "UP", role });
    return c.json({ status: "DEGRADED", role, problems: problems.map(({ code, where, message, sinceMs }) => ({ code, where, message, sinceMs })) });
  });
  // Readiness for sends: 503 with the reasons while the store cannot write.
  app.get("/readyz", (c) => {
    const reasons = runtime.store.ioProblems().map((p) => `${p.code}: ${p.message}`);
    const divergence = runtime.haStatus().divergence;
    if (divergence) reasons.push(`HA_DIVERGED: ${divergence.reason}`);
    return reasons.length === 0 ? c.json({ ready: true }) : c.json({ ready: false, reasons }, 503);
  });
  app.route("/", messagesRoutes(runtime));
  app.route("/", adminRoutes(runtime));
  app.route("/", syncRoutes(runtime));
  app.route("/", statsRoutes(runtime));
  return app;
}
