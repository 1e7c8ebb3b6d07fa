/**
 * The dashboard's routes, mounted by the broker's app (its own figures) and by the name server's
 * (every registered broker's, fetched by the name server: cluster-poll.ts says why and how bounded):
 *
 *   GET /dashboard        the page (page.ts): HTML with its inline style and script, strict CSP
 *   GET /dashboard/data   broker: BrokerDashboardJson · name server: ClusterDashboardJson
 *                         (contract/dashboard.ts); never cached
 *
 * The page keeps its chart points itself: the servers keep no history (the name server reuses its
 * last answer for 250 ms, cluster-poll.ts).
 */
import { Hono } from "hono";
import type { BrokerDashboardJson, ClusterDashboardJson } from "../../contract/dashboard.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";
import { brokerSnapshot } from "./broker-snapshot.ts";
import { ClusterDashboard, type ClusterDashboardDeps } from "./cluster-poll.ts";
import { dashboardPage } from "./page.ts";

const NO_STORE = { "cache-control": "no-store" };

function withPage(app: Hono): Hono {
  app.get("/dashboard", async () => {
    const { html, headers } = await dashboardPage();
    return new Response(html, { headers });
  });
  return app;
}

export function brokerDashboardRoutes(runtime: BrokerRuntime): Hono {
  const app = withPage(new Hono());
  app.get("/dashboard/data", (c) => c.json<BrokerDashboardJson>({ source: "broker", broker: brokerSnapshot(runtime) }, 200, NO_STORE));
  return app;
}

export function namesrvDashboardRoutes(deps: ClusterDashboardDeps): Hono {
  const app = withPage(new Hono());
  const dashboard = new ClusterDashboard(deps);
  app.get("/dashboard/data", async (c) => c.json<ClusterDashboardJson>(await dashboard.data(), 200, NO_STORE));
  return app;
}
