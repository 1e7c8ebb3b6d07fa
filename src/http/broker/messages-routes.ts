/**
 * Sending and pulling (DESIGN §1.3, §1.4):
 *
 *   POST /topics/{topic}/messages                   JSON message, {messages:[…]}, or a binary batch
 *   GET  /topics/{topic}/queues/{queueId}/messages  JSON, or the raw stored records
 *   GET  /messages?topic=&key=&maxNum=&begin=&end=   messages by key (KEYS word or UNIQ_KEY), from the index
 *   GET  /messages/{msgId}?topic=                    one message by offsetMsgId or UNIQ_KEY (broker/message-by-id.ts)
 *   GET  /topics/{topic}/queues/{queueId}/offset?timestamp=   the first queue offset stored at or after a time
 *
 * Binary forms are RocketMQ's own bytes: `application/x-rocketmq-batch` (the client batch encoding,
 * queue chosen by `?queueId=` or round-robin) and `Accept: application/x-rocketmq-messages` (the
 * stored records concatenated, status in `x-rocketmq-*` headers), as PULL_MESSAGE returns them.
 * The route reads the body (size-limited) and maps the answer; decoding the three body forms and
 * building messages is the broker's send entry (src/broker/send-entry.ts): a batch of either form
 * holds at most `BATCH_MESSAGES_MAX` (1024) messages, more is 413 BATCH_TOO_LARGE. The bodies,
 * statuses and header names: contract/broker-http.ts.
 */
import { Hono } from "hono";
import { z } from "zod";
import {
  BATCH_CONTENT_TYPE, PULL_HEADERS, QUERY_HEADERS, RECORDS_CONTENT_TYPE,
  type KeyQueryAnswerJson, type PullAnswerJson, type QueueOffsetAtJson, type PullAnswerStatus, type SendBatchResult, type SendResult,
} from "../../contract/broker-http.ts";
import { SkiffError } from "../../core/errors.ts";
import { concatBytes } from "../../core/bytes.ts";
import { MAX_PULL_BATCH, MAX_PULL_WAIT_MS, parseSubscription } from "../../broker/pull-service.ts";
import { checked } from "../errors.ts";
import { readBodyLimited } from "./body.ts";
import { messageJson } from "./message-json.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";
import type { MessageJson } from "../../contract/broker-http.ts";
import { MAX_QUERY_MESSAGES } from "../../store/message-store.ts";
import { findMessageById } from "../../broker/message-by-id.ts";

export const intParam = (name: string, min: number, max: number) =>
  z.string().regex(/^-?\d+$/, `${name} must be an integer`).transform(Number).pipe(z.number().int().min(min, `${name} must be >= ${min}`).max(max, `${name} must be <= ${max}`));

const pullQuery = z.object({
  offset: intParam("offset", 0, Number.MAX_SAFE_INTEGER),
  max: intParam("max", 1, MAX_PULL_BATCH).optional(),
  group: z.string().regex(/^[%|a-zA-Z0-9_-]{1,255}$/, "group must match ^[%|a-zA-Z0-9_-]{1,255}$").optional(),
  waitMs: intParam("waitMs", 0, MAX_PULL_WAIT_MS).optional(),
  tags: z.string().max(4096).optional(),
});

const keyQuery = z.object({
  topic: z.string().min(1, "topic is required").max(127),
  key: z.string().min(1, "key is required").max(32767),
  maxNum: intParam("maxNum", 1, MAX_QUERY_MESSAGES).optional(),
  begin: intParam("begin", 0, Number.MAX_SAFE_INTEGER).optional(),
  end: intParam("end", 0, Number.MAX_SAFE_INTEGER).optional(),
});

const topicParam = z.string().min(1, "topic must not be empty").max(127);
const idQuery = z.object({ topic: topicParam.optional() });
const timestampQuery = z.object({ timestamp: intParam("timestamp", 0, Number.MAX_SAFE_INTEGER) });

/** Whether a record found by hash really carries `key` (the index stores hashes only). */
function hasKey(message: MessageJson, key: string): boolean {
  return message.properties.UNIQ_KEY === key || (message.keys ?? "").split(" ").includes(key);
}

/** A record found by lookup (not by a queue read: its queue fields come from the record itself). */
function storedJson(bytes: Uint8Array): MessageJson {
  return messageJson({ bytes, physicalOffset: -1, queueOffset: -1, size: bytes.byteLength, tagsCode: 0 });
}

/** Whether the client asked for the stored records (`Accept: application/x-rocketmq-messages`). */
function wantsRecords(request: Request): boolean {
  return (request.headers.get("accept") ?? "").includes(RECORDS_CONTENT_TYPE);
}

/** The records concatenated, with `headers` and the record count. */
function recordsResponse(records: readonly Uint8Array[], headers: Record<string, string>): Response {
  return new Response(concatBytes(records), {
    status: 200,
    headers: { ...headers, "content-type": RECORDS_CONTENT_TYPE, [PULL_HEADERS.messageCount]: String(records.length) },
  });
}

function sendJson(result: SendResult): SendResult {
  return {
    status: result.status,
    msgId: result.msgId,
    offsetMsgId: result.offsetMsgId,
    topic: result.topic,
    queueId: result.queueId,
    queueOffset: result.queueOffset,
    commitLogOffset: result.commitLogOffset,
  };
}

export function messagesRoutes(runtime: BrokerRuntime): Hono {
  const app = new Hono();

  app.post("/topics/:topic/messages", async (c) => {
    const type = (c.req.header("content-type") ?? "application/json").split(";")[0].trim().toLowerCase();
    if (type !== BATCH_CONTENT_TYPE && type !== "application/json") {
      throw new SkiffError("UNSUPPORTED_MEDIA_TYPE", `Content-Type ${type} is not accepted; use application/json or ${BATCH_CONTENT_TYPE}`);
    }
    const form = type === BATCH_CONTENT_TYPE ? "rocketmq-batch" : "json";
    const bytes = await readBodyLimited(c.req.raw, runtime.send.bodyLimitBytes(form));
    const queueText = form === "rocketmq-batch" ? c.req.query("queueId") : undefined;
    const queueId = queueText === undefined ? undefined : checked(intParam("queueId", 0, 0x7fffffff), queueText);
    const answer = await runtime.send.sendBody(c.req.param("topic"), form === "json" ? { form, bytes } : { form, bytes, queueId });
    return answer.kind === "single" ? c.json(sendJson(answer.result)) : c.json<SendBatchResult>({ results: answer.results.map(sendJson) });
  });

  app.get("/topics/:topic/queues/:queueId/messages", async (c) => {
    const queueId = checked(intParam("queueId", 0, 0x7fffffff), c.req.param("queueId"));
    const query = checked(pullQuery, c.req.query());
    const result = await runtime.pull.pull({
      topic: c.req.param("topic"),
      queueId,
      offset: query.offset,
      max: query.max ?? 32,
      group: query.group,
      waitMs: query.waitMs ?? 0,
      tags: parseSubscription(query.tags),
      signal: c.req.raw.signal,
    });
    const status: PullAnswerStatus = {
      status: result.status,
      pullStatus: result.pullStatus,
      nextBeginOffset: result.nextBeginOffset,
      minOffset: result.minOffset,
      maxOffset: result.maxOffset,
      suggestWhichBrokerId: result.suggestWhichBrokerId,
    };
    if (wantsRecords(c.req.raw)) {
      const headers: Record<string, string> = {};
      for (const key of Object.keys(status) as (keyof PullAnswerStatus)[]) headers[PULL_HEADERS[key]] = String(status[key]);
      return recordsResponse(result.messages.map((m) => m.bytes), headers);
    }
    return c.json<PullAnswerJson>({ ...status, messages: result.messages.map(messageJson) });
  });

  app.get("/messages", async (c) => {
    const query = checked(keyQuery, c.req.query());
    const found = await runtime.store.queryMessages(query.topic, query.key, query.maxNum ?? MAX_QUERY_MESSAGES, query.begin ?? 0, query.end ?? Number.MAX_SAFE_INTEGER);
    const matches = found.records.map((bytes) => ({ bytes, json: storedJson(bytes) })).filter((m) => hasKey(m.json, query.key));
    const messages = matches.map((m) => m.json);
    if (wantsRecords(c.req.raw)) {
      return recordsResponse(matches.map((m) => m.bytes), {
        [QUERY_HEADERS.indexLastUpdateTimestamp]: String(found.indexLastUpdateTimestamp),
        [QUERY_HEADERS.indexLastUpdatePhyoffset]: String(found.indexLastUpdatePhyoffset),
      });
    }
    return c.json<KeyQueryAnswerJson>({
      indexLastUpdateTimestamp: found.indexLastUpdateTimestamp,
      indexLastUpdatePhyoffset: found.indexLastUpdatePhyoffset,
      messages,
    });
  });

  app.get("/messages/:msgId", async (c) => {
    const id = c.req.param("msgId");
    const { topic } = checked(idQuery, c.req.query());
    const deps = { store: runtime.store, topicNames: () => runtime.metadata.topics.all().map((t) => t.topicName) };
    const bytes = await findMessageById(deps, id, topic);
    if (!bytes) {
      throw new SkiffError("MESSAGE_NOT_FOUND", `no message with id ${id}${topic === undefined ? "" : ` in topic ${topic}`} on this broker (neither an offsetMsgId of a record held here nor a UNIQ_KEY in the index)`);
    }
    return wantsRecords(c.req.raw) ? recordsResponse([bytes], {}) : c.json<MessageJson>(storedJson(bytes));
  });

  app.get("/topics/:topic/queues/:queueId/offset", async (c) => {
    const topic = c.req.param("topic");
    const queueId = checked(intParam("queueId", 0, 0x7fffffff), c.req.param("queueId"));
    const { timestamp } = checked(timestampQuery, c.req.query());
    if (!runtime.metadata.topics.get(topic)) throw new SkiffError("TOPIC_NOT_EXIST", `topic ${topic} does not exist`);
    const offset = await runtime.store.searchOffsetByTimestamp(topic, queueId, timestamp);
    return c.json<QueueOffsetAtJson>({ timestamp, offset });
  });

  return app;
}
