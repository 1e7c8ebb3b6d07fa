/**
 * Topics, subscription groups and consumer offsets (DESIGN §1.3). Changes are accepted only on a
 * master (a slave's metadata comes from its master's sync and would be overwritten).
 *
 *   GET /topics · GET/PUT/DELETE /topics/{topic}
 *   GET /subscription-groups · GET/PUT /subscription-groups/{group}
 *   GET/PUT /consumer-offsets/{group}/{topic}/{queueId}   (-1: nothing committed yet)
 */
import { Hono } from "hono";
import { z } from "zod";
import { SkiffError } from "../../core/errors.ts";
import { validateTopic } from "../../codec/message-limits.ts";
import { subscriptionGroupConfig } from "../../metadata/subscription-groups.ts";
import { topicConfig } from "../../metadata/topic-config.ts";
import { checked } from "../errors.ts";
import { parseJsonBytes, readBodyLimited } from "./body.ts";
import { intParam } from "./messages-routes.ts";
import type { BrokerRuntime } from "./runtime.ts";

const JSON_LIMIT = 64 * 1024;
const queueNums = z.number().int().min(1).max(1024);
const topicBody = z.object({
  readQueueNums: queueNums,
  writeQueueNums: queueNums,
  perm: z.number().int().min(0).max(15).default(6),
  order: z.boolean().optional(),
}).strict();
const groupBody = z.object({
  consumeEnable: z.boolean().optional(),
  consumeFromMinEnable: z.boolean().optional(),
  consumeBroadcastEnable: z.boolean().optional(),
  retryQueueNums: z.number().int().min(0).max(64).optional(),
  retryMaxTimes: z.number().int().min(0).max(1000).optional(),
  brokerId: z.number().int().min(0).optional(),
  whichBrokerWhenConsumeSlowly: z.number().int().min(0).optional(),
  notifyConsumerIdsChangedEnable: z.boolean().optional(),
}).strict();
const offsetBody = z.object({ offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }).strict();
const groupName = z.string().regex(/^[%|a-zA-Z0-9_-]{1,255}$/, "group must match ^[%|a-zA-Z0-9_-]{1,255}$");

export function adminRoutes(runtime: BrokerRuntime): Hono {
  const app = new Hono();
  const { metadata } = runtime;
  const requireMaster = () => {
    if (runtime.config().brokerRole === "SLAVE") {
      throw new SkiffError("NOT_MASTER", "this broker is a slave: change metadata on its master, it reaches the slave by sync");
    }
  };
  const body = async (request: Request) => parseJsonBytes(await readBodyLimited(request, JSON_LIMIT));

  app.get("/topics", (c) => c.json({ dataVersion: metadata.topics.dataVersion.toJson(), topics: metadata.topics.all() }));
  app.get("/topics/:topic", (c) => {
    const found = metadata.topics.get(c.req.param("topic"));
    if (!found) throw new SkiffError("TOPIC_NOT_EXIST", `topic ${c.req.param("topic")} does not exist`);
    return c.json(found);
  });
  app.put("/topics/:topic", async (c) => {
    requireMaster();
    const name = c.req.param("topic");
    validateTopic(name);
    const fields = checked(topicBody, await body(c.req.raw));
    const config = topicConfig(name, { ...metadata.topics.get(name), ...fields });
    await metadata.topics.put(config);
    return c.json(config);
  });
  app.delete("/topics/:topic", async (c) => {
    requireMaster();
    const name = c.req.param("topic");
    if (!(await metadata.topics.delete(name))) throw new SkiffError("TOPIC_NOT_EXIST", `topic ${name} does not exist`);
    await runtime.store.deleteTopicQueues(name);
    return c.json({ deleted: name });
  });

  app.get("/subscription-groups", (c) => c.json({ dataVersion: metadata.subscriptionGroups.dataVersion.toJson(), groups: metadata.subscriptionGroups.all() }));
  app.get("/subscription-groups/:group", (c) => {
    const found = metadata.subscriptionGroups.get(c.req.param("group"));
    if (!found) throw new SkiffError("SUBSCRIPTION_GROUP_NOT_EXIST", `subscription group ${c.req.param("group")} does not exist`);
    return c.json(found);
  });
  app.put("/subscription-groups/:group", async (c) => {
    requireMaster();
    const name = checked(groupName, c.req.param("group"));
    const fields = checked(groupBody, await body(c.req.raw));
    const config = subscriptionGroupConfig(name, { ...metadata.subscriptionGroups.get(name), ...fields });
    await metadata.subscriptionGroups.put(config);
    return c.json(config);
  });

  app.get("/consumer-offsets/:group/:topic/:queueId", (c) => {
    const group = checked(groupName, c.req.param("group"));
    const queueId = checked(intParam("queueId", 0, 0x7fffffff), c.req.param("queueId"));
    return c.json({ offset: metadata.consumerOffsets.query(group, c.req.param("topic"), queueId) });
  });
  app.put("/consumer-offsets/:group/:topic/:queueId", async (c) => {
    requireMaster();
    const group = checked(groupName, c.req.param("group"));
    const topic = c.req.param("topic");
    const queueId = checked(intParam("queueId", 0, 0x7fffffff), c.req.param("queueId"));
    const { offset } = checked(offsetBody, await body(c.req.raw));
    if (!metadata.topics.get(topic)) throw new SkiffError("TOPIC_NOT_EXIST", `topic ${topic} does not exist`);
    metadata.consumerOffsets.commit(group, topic, queueId, offset);
    return c.json({ offset });
  });
  return app;
}
