/**
 * The other bodies of consumer management, fastjson with keys in alphabetical order:
 *
 * | body                                   | code      | layout                                                   |
 * |----------------------------------------|-----------|----------------------------------------------------------|
 * | GetConsumerListByGroupResponseBody     | 38 answer | `{"consumerIdList":["127.0.0.1@push-cg_push"]}`            |
 * | ConsumerConnection                     | 203 answer| `{"connectionSet":[Connection…],"consumeFromWhere":…,     |
 * |                                        |           | "consumeType":…,"messageModel":…,"subscriptionTable":     |
 * |                                        |           | {"<topic>":SubscriptionData,…}}`                          |
 * | Connection                             |           | `{"clientAddr":"ip:port","clientId":…,"language":"JAVA",   |
 * |                                        |           | "version":407}`                                           |
 * | CheckClientRequestBody                 | 46 request| `{"clientId":…,"group":…,"subscriptionData":SubscriptionData}` |
 *
 * SubscriptionData is heartbeat-body.ts's. A ConsumerConnection is what `mqadmin consumerConnection`
 * and `queryMsgById`'s consumer check print.
 */
import { z } from "zod";
import { utf8Decode, utf8Encode } from "../../core/bytes.ts";
import { checked } from "../../core/checked.ts";
import { parseFastjson, stringifyFastjson } from "../../codec/fastjson.ts";
import type { ConsumerGroupView } from "../../broker/client-manager.ts";
import type { RemotingCommand } from "../../remoting/remoting-command.ts";
import { jsonBody } from "../request-body.ts";
import { subscriptionDataSchema, subscriptionJson, type SubscriptionDataBody } from "./heartbeat-body.ts";

export function encodeConsumerIdList(clientIds: readonly string[]): Uint8Array {
  return utf8Encode(stringifyFastjson({ consumerIdList: [...clientIds] }));
}

export function encodeConsumerConnection(group: ConsumerGroupView): Uint8Array {
  return utf8Encode(stringifyFastjson({
    connectionSet: group.connections.map(({ clientAddr, clientId, language, version }) => ({ clientAddr, clientId, language, version })),
    consumeFromWhere: group.consumeFromWhere,
    consumeType: group.consumeType,
    messageModel: group.messageModel,
    subscriptionTable: Object.fromEntries(group.subscriptions.map((sub) => [sub.topic, subscriptionJson(sub)])),
  }));
}

const consumerConnectionSchema = z.object({
  connectionSet: z.array(z.object({ clientAddr: z.string(), clientId: z.string(), language: z.string(), version: z.number().int() })),
  consumeFromWhere: z.string(),
  consumeType: z.string(),
  messageModel: z.string(),
  subscriptionTable: z.record(z.string(), subscriptionDataSchema),
});

export type ConsumerConnectionBody = z.output<typeof consumerConnectionSchema>;

/** What an admin client reads from a 203 answer (the round-trip twin of the encoder). */
export function decodeConsumerConnection(body: Uint8Array): ConsumerConnectionBody {
  return checked(consumerConnectionSchema, parseFastjson(utf8Decode(body)));
}

const checkClientSchema = z.object({
  clientId: z.string().max(1024).nullish(),
  group: z.string().max(1024).nullish(),
  subscriptionData: subscriptionDataSchema.nullish(),
});

/** CHECK_CLIENT_CONFIG's body: the subscription a consumer asks about (none: nothing to check). */
export function decodeCheckClientSubscription(request: RemotingCommand): SubscriptionDataBody | undefined {
  if (request.body.byteLength === 0) return undefined;
  return jsonBody(checkClientSchema, request, "CheckClientRequestBody").subscriptionData ?? undefined;
}
