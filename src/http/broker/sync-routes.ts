/**
 * What slaves pull from their master (DESIGN §1.3, spec §5), in the JSON shapes of the
 * `config/*.json` files (strict JSON: numeric keys quoted, which fastjson also reads), plus the
 * replication view and the run-time role switch.
 *
 *   GET /sync/topic-config · /sync/consumer-offsets · /sync/delay-offset · /sync/subscription-groups
 *   GET /ha/status · POST /admin/role {brokerRole, brokerId?}
 */
import { Hono } from "hono";
import { z } from "zod";
import { stringifyFastjson, type FastjsonValue } from "../../metadata/fastjson.ts";
import { checked } from "../errors.ts";
import { parseJsonBytes, readBodyLimited } from "./body.ts";
import type { BrokerRuntime } from "./runtime.ts";

const roleBody = z.object({
  brokerRole: z.enum(["ASYNC_MASTER", "SYNC_MASTER", "SLAVE"]),
  brokerId: z.number().int().min(0).optional(),
}).strict();

export function syncRoutes(runtime: BrokerRuntime): Hono {
  const app = new Hono();
  const { metadata } = runtime;
  const json = (value: FastjsonValue) =>
    new Response(stringifyFastjson(value, { quoteNumericKeys: true }), { headers: { "content-type": "application/json" } });

  app.get("/sync/topic-config", () => json(metadata.topics.snapshot()));
  app.get("/sync/consumer-offsets", () => json(metadata.consumerOffsets.snapshot()));
  app.get("/sync/delay-offset", () => json(metadata.delayOffsets.snapshot()));
  app.get("/sync/subscription-groups", () => json(metadata.subscriptionGroups.snapshot()));

  app.get("/ha/status", (c) => c.json(runtime.haStatus()));
  app.post("/admin/role", async (c) => {
    const body = checked(roleBody, parseJsonBytes(await readBodyLimited(c.req.raw, 4096)));
    return c.json(await runtime.switchRole(body.brokerRole, body.brokerId));
  });
  return app;
}
