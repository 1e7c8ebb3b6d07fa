/**
 * HEART_BEAT's body, RocketMQ's `HeartbeatData` (spec §5.2), as fastjson writes it: keys in
 * alphabetical order, no whitespace. Decoded leniently (unknown keys ignored, nulls as absent),
 * bounded, and mapped to the broker's `Heartbeat` (src/broker/client-manager.ts).
 *
 * | key                  | type               | notes                                                 |
 * |----------------------|--------------------|-------------------------------------------------------|
 * | clientID             | string             | `clientIP@instanceName` (lite pull `…@STREAM`)         |
 * | consumerDataSet      | ConsumerData[]     | one per consumer group of the client instance         |
 * | heartbeatFingerprint | long               | 5.x only                                              |
 * | producerDataSet      | `{groupName}`[]    | one per producer group (`CLIENT_INNER_PRODUCER` too)   |
 * | withoutSub           | boolean            | 5.x only; true = subscriptions unchanged (v2 mode)     |
 *
 * ConsumerData: `consumeFromWhere`, `consumeType` (CONSUME_PASSIVELY push, CONSUME_ACTIVELY pull,
 * CONSUME_POP), `groupName`, `messageModel` (CLUSTERING, BROADCASTING), `subscriptionDataSet`,
 * `unitMode`. SubscriptionData: `classFilterMode`, `codeSet` (int[]), `expressionType` (TAG,
 * SQL92), `subString`, `subVersion` (long), `tagsSet` (string[]), `topic`.
 *
 * Example (4.9.7 push consumer, fixture `v4.9.7-push-first-concurrent-02-broker`):
 * `{"clientID":"127.0.0.1@push-cg_push","consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_FIRST_OFFSET",
 * "consumeType":"CONSUME_PASSIVELY","groupName":"cg_push","messageModel":"CLUSTERING","subscriptionDataSet":[
 * {"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":1796150893139,
 * "tagsSet":[],"topic":"TopicTest"},…],"unitMode":false}],"producerDataSet":[{"groupName":"CLIENT_INNER_PRODUCER"}]}`
 *
 * Bounds (a heartbeat of a real client is a few hundred bytes): names up to 255 characters (RocketMQ's
 * group-name limit), client ids up to 1024, expressions up to 4096, 1024 tags per expression.
 */
import { z } from "zod";
import { utf8Encode } from "../../core/bytes.ts";
import { stringifyFastjson, type FastjsonValue } from "../../codec/fastjson.ts";
import type { Heartbeat } from "../../broker/client-manager.ts";
import { tagSubscription, type SubscriptionData } from "../../broker/subscription.ts";
import type { RemotingCommand } from "../../remoting/remoting-command.ts";
import { jsonBody } from "../request-body.ts";

export const NAME_MAX_LENGTH = 255;
export const CLIENT_ID_MAX_LENGTH = 1024;
export const EXPRESSION_MAX_LENGTH = 4096;
export const TAGS_MAX = 1024;

const name = z.string().min(1).max(NAME_MAX_LENGTH);
const list = <T extends z.ZodType>(item: T) => z.array(item).nullish().transform((items) => items ?? []);

export const subscriptionDataSchema = z.object({
  classFilterMode: z.boolean().nullish().transform((v) => v ?? undefined),
  codeSet: list(z.number().int()).pipe(z.array(z.number()).max(TAGS_MAX)),
  expressionType: z.string().max(32).nullish().transform((v) => v ?? undefined),
  subString: z.string().max(EXPRESSION_MAX_LENGTH).nullish().transform((v) => v ?? undefined),
  subVersion: z.number().int(),
  tagsSet: list(z.string().max(EXPRESSION_MAX_LENGTH)).pipe(z.array(z.string()).max(TAGS_MAX)),
  topic: name,
});

const consumerDataSchema = z.object({
  consumeFromWhere: z.string().max(64),
  consumeType: z.enum(["CONSUME_ACTIVELY", "CONSUME_PASSIVELY", "CONSUME_POP"]),
  groupName: name,
  messageModel: z.enum(["CLUSTERING", "BROADCASTING"]),
  subscriptionDataSet: list(subscriptionDataSchema),
  unitMode: z.boolean().nullish().transform((v) => v ?? undefined),
});

export const heartbeatDataSchema = z.object({
  clientID: z.string().min(1).max(CLIENT_ID_MAX_LENGTH),
  consumerDataSet: list(consumerDataSchema),
  heartbeatFingerprint: z.number().int().nullish().transform((v) => v ?? undefined),
  producerDataSet: list(z.object({ groupName: name })),
  withoutSub: z.boolean().nullish().transform((v) => v ?? undefined),
});

export type SubscriptionDataBody = z.output<typeof subscriptionDataSchema>;
export type HeartbeatDataBody = z.output<typeof heartbeatDataSchema>;

export function decodeHeartbeatData(request: RemotingCommand): HeartbeatDataBody {
  return jsonBody(heartbeatDataSchema, request, "HeartbeatData");
}

export function encodeHeartbeatData(body: HeartbeatDataBody): Uint8Array {
  return utf8Encode(stringifyFastjson(body as unknown as FastjsonValue));
}

/** What the broker keeps of a subscription: its tag sets follow its expression (subscription.ts). */
export function toSubscription(body: SubscriptionDataBody): SubscriptionData {
  return tagSubscription({
    topic: body.topic,
    subString: body.subString ?? "",
    expressionType: body.expressionType ?? "",
    subVersion: body.subVersion,
    classFilterMode: body.classFilterMode ?? false,
    tagsSet: body.tagsSet,
    codeSet: body.codeSet,
  });
}

/** A subscription as SubscriptionData JSON (in ConsumerConnection answers). */
export function subscriptionJson(sub: SubscriptionData): FastjsonValue {
  const { classFilterMode, codeSet, expressionType, subString, subVersion, tagsSet, topic } = sub;
  return { classFilterMode, codeSet, expressionType, subString, subVersion, tagsSet, topic };
}

/** The broker's view of one heartbeat: the request's header gives the client's language and version. */
export function toHeartbeat(body: HeartbeatDataBody, request: Pick<RemotingCommand, "language" | "version">): Heartbeat {
  return {
    client: { clientId: body.clientID, language: request.language, version: request.version },
    consumers: body.consumerDataSet.map((data) => ({
      group: data.groupName,
      consumeType: data.consumeType,
      messageModel: data.messageModel,
      consumeFromWhere: data.consumeFromWhere,
      ...(body.withoutSub ? {} : { subscriptions: data.subscriptionDataSet.map(toSubscription) }),
    })),
    producerGroups: body.producerDataSet.map((data) => data.groupName),
  };
}
