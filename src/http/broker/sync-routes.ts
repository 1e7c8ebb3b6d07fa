/**
 * What slaves pull from their master (DESIGN §1.3, spec §5), in the JSON shapes of the
 * `config/*.json` files (strict JSON: numeric keys quoted, which fastjson also reads), plus the
 * replication view and the run-time role switch.
 *
 *   GET /sync/topic-config · /sync/consumer-offsets · /sync/delay-offset · /sync/subscription-groups
 *   GET /ha/status · POST /admin/role {brokerRole, brokerId?}
 *   GET /ha/log?offset=&length=   this node's shippable commit-log bytes, for a slave's check that its
 *                                 log continues this one (src/ha/log-agreement.ts): 200 with the raw
 *                                 bytes, or 416 when they are not held; both carry
 *                                 `x-skiff-min-offset` and `x-skiff-shippable-offset`
 *   POST /admin/ha/truncate       a diverged slave drops what its master does not hold (the bytes
 *                                 beyond the common prefix) and follows again
 *   POST /admin/ha/resync-from-master  a slave behind its master's retention discards its log
 *                                 (consume queues and index too) and starts again, empty, at the
 *                                 master's first segment
 */
import { Hono } from "hono";
import { z } from "zod";
import { stringifyFastjson, type FastjsonValue } from "../../codec/fastjson.ts";
import type { ErrorBody } from "../../contract/error-body.ts";
import { SkiffError } from "../../core/errors.ts";
import { PROBE_MAX_BYTES } from "../../ha/log-agreement.ts";
import { checked } from "../errors.ts";
import { parseJsonBytes } from "../../core/checked.ts";
import { readBodyLimited } from "./body.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";

const roleBody = z.object({
  brokerRole: z.enum(["ASYNC_MASTER", "SYNC_MASTER", "SLAVE"]),
  brokerId: z.number().int().min(0).optional(),
}).strict();
const logRange = z.object({
  offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  length: z.coerce.number().int().min(1).max(PROBE_MAX_BYTES),
});

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
  app.get("/ha/log", async (c) => {
    const { offset, length } = checked(logRange, c.req.query());
    const source = runtime.store.replicationSource;
    const { minOffset, shippableOffset, segmentSizeBytes } = source;
    const headers = { "x-skiff-min-offset": String(minOffset), "x-skiff-shippable-offset": String(shippableOffset) };
    const sameSegment = Math.floor(offset / segmentSizeBytes) === Math.floor((offset + length - 1) / segmentSizeBytes);
    if (!sameSegment) throw new SkiffError("BAD_REQUEST", `[${offset}, +${length}) crosses a commit-log segment end`);
    if (offset < minOffset || offset + length > shippableOffset) {
      const error = { code: "HA_RANGE_NOT_HELD", message: `this node holds [${minOffset}, ${shippableOffset}) of its commit log` };
      return c.json<ErrorBody, 416>({ error }, 416, headers);
    }
    const bytes = new Uint8Array(await source.read(offset, length)); // a copy: the log's cache may change
    return new Response(bytes, { headers: { ...headers, "content-type": "application/octet-stream" } });
  });
  app.post("/admin/ha/truncate", async (c) => c.json(await runtime.truncateToMaster()));
  app.post("/admin/ha/resync-from-master", async (c) => c.json(await runtime.resyncFromMaster()));
  app.post("/admin/role", async (c) => {
    const body = checked(roleBody, parseJsonBytes(await readBodyLimited(c.req.raw, 4096)));
    return c.json(await runtime.switchRole(body.brokerRole, body.brokerId));
  });
  return app;
}
