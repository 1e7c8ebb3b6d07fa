/**
 * What operators read about a broker, its topics and its consumer groups, and the one change they
 * make to a group (DESIGN §1.3; shapes in contract/broker-http.ts; `skiff admin` prints them):
 *
 *   GET  /broker/status                          RocketMQ's runtime table (runtime-info.ts)
 *   GET  /topics/{topic}/status                  min / max offset and last store time per queue
 *   GET  /consumer-groups/{group}/progress?topic= lag per queue (admin-stats.ts, as consumerProgress)
 *   POST /consumer-groups/{group}/reset-offset   {topic, timestamp} (broker/offset-reset.ts)
 *
 * The answers are the ones the remoting front gives mqadmin (stats-processors.ts), from the same
 * services, in JSON.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { BrokerStatusJson, ConsumerProgressJson, ResetOffsetBody, ResetOffsetJson, TopicStatusJson } from "../../contract/broker-http.ts";
import { AdminStats } from "../../broker/admin-stats.ts";
import { resetOffsetsToTime } from "../../broker/offset-reset.ts";
import { brokerRuntimeInfo } from "../../broker/runtime-info.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";
import { parseJsonBytes } from "../../core/checked.ts";
import { SKIFF_REMOTING_VERSION, SKIFF_REMOTING_VERSION_DESC } from "../../remoting/remoting-command.ts";
import { checked } from "../errors.ts";
import { readBodyLimited } from "./body.ts";

const groupName = z.string().regex(/^[%|a-zA-Z0-9_-]{1,255}$/, "group must match ^[%|a-zA-Z0-9_-]{1,255}$");
const progressQuery = z.object({ topic: z.string().min(1, "topic must not be empty").max(127).optional() });
const resetBody: z.ZodType<ResetOffsetBody> = z.object({
  topic: z.string().min(1, "topic is required").max(127),
  timestamp: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
}).strict();

export function statsRoutes(runtime: BrokerRuntime): Hono {
  const app = new Hono();
  const stats = new AdminStats({ config: runtime.config, store: runtime.store, metadata: runtime.metadata, subscriptions: runtime.clients });
  const onlineConsumers = (group: string) => runtime.clients.consumerIds(group).length;

  app.get("/broker/status", async (c) => {
    const config = runtime.config();
    const table = await brokerRuntimeInfo({
      config: runtime.config, store: runtime.store, metadata: runtime.metadata, clock: runtime.clock,
      version: { ordinal: SKIFF_REMOTING_VERSION, desc: SKIFF_REMOTING_VERSION_DESC },
    });
    const sorted = [...table.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return c.json<BrokerStatusJson>({ brokerName: config.brokerName, brokerId: config.brokerId, brokerRole: config.brokerRole, table: Object.fromEntries(sorted) });
  });

  app.get("/topics/:topic/status", async (c) => {
    const topic = c.req.param("topic");
    const { offsetTable } = await stats.topicStats(topic);
    return c.json<TopicStatusJson>({ topic, queues: offsetTable.map(({ queue, value }) => ({ queueId: queue.queueId, ...value })) });
  });

  app.get("/consumer-groups/:group/progress", async (c) => {
    const group = checked(groupName, c.req.param("group"));
    const { topic } = checked(progressQuery, c.req.query());
    const { consumeTps = 0, offsetTable } = await stats.consumeStats(group, topic === undefined ? undefined : [topic]);
    const queues = offsetTable
      .map(({ queue, value }) => ({
        topic: queue.topic, queueId: queue.queueId, brokerOffset: value.brokerOffset, consumerOffset: value.consumerOffset,
        lag: Math.max(0, value.brokerOffset - value.consumerOffset), lastTimestamp: value.lastTimestamp,
      }))
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.queueId - b.queueId));
    const totalLag = queues.reduce((sum, q) => sum + q.lag, 0);
    return c.json<ConsumerProgressJson>({ group, consumeTps, totalLag, onlineConsumers: onlineConsumers(group), queues });
  });

  app.post("/consumer-groups/:group/reset-offset", async (c) => {
    const group = checked(groupName, c.req.param("group"));
    const { topic, timestamp } = checked(resetBody, parseJsonBytes(await readBodyLimited(c.req.raw, 4096)));
    const answer = await resetOffsetsToTime({ config: runtime.config, metadata: runtime.metadata, store: runtime.store, onlineConsumers }, group, topic, timestamp);
    return c.json<ResetOffsetJson>(answer);
  });

  return app;
}
