/**
 * The bodies of LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42) (spec §5.10), fastjson, keys in
 * alphabetical order; neither request has a header.
 *
 * | body                                | key            | type            | notes                          |
 * |-------------------------------------|----------------|-----------------|--------------------------------|
 * | LockBatchRequestBody (41 request),  | clientId       | string          | the consumer's client id       |
 * | UnlockBatchRequestBody (42 request) | consumerGroup  | string          |                                |
 * |                                     | mqSet          | MessageQueue[]  | the queues to lock / unlock    |
 * |                                     | onlyThisBroker | boolean         | 5.x only (false from clients)  |
 * | LockBatchResponseBody (41 answer)   | lockOKMQSet    | MessageQueue[]  | the queues the client now holds |
 *
 * MessageQueue: `{"brokerName":"broker-a","queueId":3,"topic":"TopicTest"}`. 42 answers no body.
 * Example (5.3.3 orderly consumer): `{"clientId":"127.0.0.1@push-cg_orderly","consumerGroup":"cg_orderly",
 * "mqSet":[{"brokerName":"broker-a","queueId":3,"topic":"TopicTest"}],"onlyThisBroker":false}`.
 */
import { z } from "zod";
import { utf8Decode, utf8Encode } from "../../core/bytes.ts";
import { checked } from "../../core/checked.ts";
import { parseFastjson, stringifyFastjson, type FastjsonValue } from "../../codec/fastjson.ts";
import { RequestCode } from "../../remoting/codes.ts";
import type { MessageQueueRef } from "../../broker/rebalance-locks.ts";
import type { RemotingCommand } from "../../remoting/remoting-command.ts";
import { jsonBody } from "../request-body.ts";
import { NAME_MAX_LENGTH } from "./heartbeat-body.ts";

const name = z.string().min(1).max(NAME_MAX_LENGTH);

export const messageQueueSchema = z.object({
  brokerName: z.string().max(NAME_MAX_LENGTH),
  queueId: z.number().int().min(0).max(0x7fffffff),
  topic: name,
});

export const lockBatchRequestSchema = z.object({
  clientId: z.string().min(1).max(1024),
  consumerGroup: name,
  mqSet: z.array(messageQueueSchema).nullish().transform((set) => set ?? []),
  onlyThisBroker: z.boolean().nullish().transform((v) => v ?? undefined),
});

export type LockBatchRequestBody = z.output<typeof lockBatchRequestSchema>;

/** The body of a LOCK_BATCH_MQ or UNLOCK_BATCH_MQ request (the same shape). */
export function decodeLockBatchRequest(request: RemotingCommand): LockBatchRequestBody {
  return jsonBody(lockBatchRequestSchema, request, request.code === RequestCode.UNLOCK_BATCH_MQ ? "UnlockBatchRequestBody" : "LockBatchRequestBody");
}

export function encodeLockBatchRequest(body: LockBatchRequestBody): Uint8Array {
  return utf8Encode(stringifyFastjson(body as unknown as FastjsonValue));
}

export function encodeLockBatchResponse(locked: readonly MessageQueueRef[]): Uint8Array {
  const lockOKMQSet = locked.map(({ brokerName, queueId, topic }) => ({ brokerName, queueId, topic }));
  return utf8Encode(stringifyFastjson({ lockOKMQSet }));
}

/** The answer's queues (what a client reads; the round-trip twin of the encoder). */
export function decodeLockBatchResponse(body: Uint8Array): MessageQueueRef[] {
  return checked(z.object({ lockOKMQSet: z.array(messageQueueSchema) }), parseFastjson(utf8Decode(body))).lockOKMQSet;
}
