/**
 * What an operator's probes and Prometheus read (the checks are the broker's: src/broker/readiness.ts,
 * src/broker/broker-metrics.ts):
 *
 *   GET /healthz   liveness: 200 `{status:"ok", role, brokerName, uptimeSeconds}` while the broker serves
 *   GET /readyz    readiness: 200 `{ready:true, role, reasons:[], checks}`, or 503 `{ready:false, …}`
 *                  whose `reasons` say what is wrong (`HA_NO_SLAVE_IN_SYNC: …`)
 *   GET /health    the older liveness page, kept: `UP`, or `DEGRADED` with the store's `problems`
 *   GET /metrics   Prometheus's text format 0.0.4
 */
import { Hono } from "hono";
import { PROMETHEUS_CONTENT_TYPE } from "../../core/prometheus-text.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";

export function healthRoutes(runtime: BrokerRuntime): Hono {
  const app = new Hono();
  const startedMs = runtime.clock.monotonicMs();

  app.get("/healthz", (c) => {
    const config = runtime.config();
    return c.json({ status: "ok", role: config.brokerRole, brokerName: config.brokerName, uptimeSeconds: Math.floor((runtime.clock.monotonicMs() - startedMs) / 1000) });
  });

  app.get("/readyz", (c) => {
    const ready = runtime.readiness();
    return c.json(ready, ready.ready ? 200 : 503);
  });

  // Liveness: the process serves (pulls at least); DEGRADED names what fails (a full disk).
  app.get("/health", (c) => {
    const problems = runtime.store.ioProblems();
    const role = runtime.config().brokerRole;
    if (problems.length === 0) return c.json({ status: "UP", role });
    return c.json({ status: "DEGRADED", role, problems: problems.map(({ code, where, message, sinceMs }) => ({ code, where, message, sinceMs })) });
  });

  app.get("/metrics", async (c) => c.body(await runtime.metrics.render(), 200, { "content-type": PROMETHEUS_CONTENT_TYPE }));
  return app;
}
