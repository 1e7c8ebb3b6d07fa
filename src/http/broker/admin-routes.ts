/**
 * Topics, subscription groups and consumer offsets (DESIGN §1.3): reads straight from the metadata,
 * changes through the broker's AdminService (master only, existence checks, deletion of queues).
 *
 *   GET /topics · GET/PUT/DELETE /topics/{topic}   (DELETE: queues, counters, config and offsets,
 *                                                   see AdminService; answers {deleted, offsetsRemovedFor})
 *   GET /subscription-groups · GET/PUT /subscription-groups/{group}
 *   GET/PUT /consumer-offsets/{group}/{topic}/{queueId}   (-1: nothing committed yet)
 *   POST /admin/delete-expired-commitlog   RocketMQ's DELETE_EXPIRED_COMMITLOG: the next 20 retention
 *                                          passes delete expired segments whatever deleteWhen says
 *
 * The request bodies are checked against their shapes in contract/broker-http.ts at compile time.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { ConsumerOffsetJson, DeleteExpiredCommitLogJson, SubscriptionGroupBody, TopicConfigBody } from "../../contract/broker-http.ts";
import { SkiffError } from "../../core/errors.ts";
import { checked } from "../errors.ts";
import { parseJsonBytes } from "../../core/checked.ts";
import { readBodyLimited } from "./body.ts";
import { intParam } from "./messages-routes.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";

const JSON_LIMIT = 64 * 1024;
const queueNums = z.number().int().min(1).max(1024);
const topicBody: z.ZodType<TopicConfigBody & { readonly perm: number }, TopicConfigBody> = z.object({
  readQueueNums: queueNums,
  writeQueueNums: queueNums,
  perm: z.number().int().min(0).max(15).default(6),
  order: z.boolean().optional(),
}).strict();
const groupBody: z.ZodType<SubscriptionGroupBody> = z.object({
  consumeEnable: z.boolean().optional(),
  consumeFromMinEnable: z.boolean().optional(),
  consumeBroadcastEnable: z.boolean().optional(),
  retryQueueNums: z.number().int().min(0).max(64).optional(),
  retryMaxTimes: z.number().int().min(0).max(1000).optional(),
  brokerId: z.number().int().min(0).optional(),
  whichBrokerWhenConsumeSlowly: z.number().int().min(0).optional(),
  notifyConsumerIdsChangedEnable: z.boolean().optional(),
}).strict();
const offsetBody: z.ZodType<ConsumerOffsetJson> = z.object({ offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }).strict();
const groupName = z.string().regex(/^[%|a-zA-Z0-9_-]{1,255}$/, "group must match ^[%|a-zA-Z0-9_-]{1,255}$");

export function adminRoutes(runtime: BrokerRuntime): Hono {
  const app = new Hono();
  const { metadata, admin } = runtime;
  const body = async (request: Request) => parseJsonBytes(await readBodyLimited(request, JSON_LIMIT));

  app.get("/topics", (c) => c.json({ dataVersion: metadata.topics.dataVersion.toJson(), topics: metadata.topics.all() }));
  app.get("/topics/:topic", (c) => {
    const found = metadata.topics.get(c.req.param("topic"));
    if (!found) throw new SkiffError("TOPIC_NOT_EXIST", `topic ${c.req.param("topic")} does not exist`);
    return c.json(found);
  });
  app.put("/topics/:topic", async (c) => {
    const fields = checked(topicBody, await body(c.req.raw));
    return c.json(await admin.putTopic(c.req.param("topic"), fields));
  });
  app.delete("/topics/:topic", async (c) => {
    const name = c.req.param("topic");
    const { offsetsRemovedFor } = await admin.deleteTopic(name);
    return c.json({ deleted: name, offsetsRemovedFor });
  });

  app.get("/subscription-groups", (c) => c.json({ dataVersion: metadata.subscriptionGroups.dataVersion.toJson(), groups: metadata.subscriptionGroups.all() }));
  app.get("/subscription-groups/:group", (c) => {
    const found = metadata.subscriptionGroups.get(c.req.param("group"));
    if (!found) throw new SkiffError("SUBSCRIPTION_GROUP_NOT_EXIST", `subscription group ${c.req.param("group")} does not exist`);
    return c.json(found);
  });
  app.put("/subscription-groups/:group", async (c) => {
    const name = checked(groupName, c.req.param("group"));
    const fields = checked(groupBody, await body(c.req.raw));
    return c.json(await admin.putSubscriptionGroup(name, fields));
  });

  app.get("/consumer-offsets/:group/:topic/:queueId", (c) => {
    const group = checked(groupName, c.req.param("group"));
    const queueId = checked(intParam("queueId", 0, 0x7fffffff), c.req.param("queueId"));
    return c.json<ConsumerOffsetJson>({ offset: metadata.consumerOffsets.query(group, c.req.param("topic"), queueId) });
  });
  app.put("/consumer-offsets/:group/:topic/:queueId", async (c) => {
    const group = checked(groupName, c.req.param("group"));
    const queueId = checked(intParam("queueId", 0, 0x7fffffff), c.req.param("queueId"));
    const { offset } = checked(offsetBody, await body(c.req.raw));
    admin.commitConsumerOffset(group, c.req.param("topic"), queueId, offset);
    return c.json<ConsumerOffsetJson>({ offset });
  });

  app.post("/admin/delete-expired-commitlog", (c) => c.json<DeleteExpiredCommitLogJson>({ manualPasses: runtime.store.deleteExpiredFilesManually() }));
  return app;
}
