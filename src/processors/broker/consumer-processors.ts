/**
 * The broker's consumer-management request codes (spec §5.2, §5.3, §5.5, §5.9, §5.10, §5.12): each
 * processor decodes its header or body, calls a broker service (ClientManager, RebalanceLockManager,
 * SendBackService) and encodes the answer as a 4.9.7 broker does.
 *
 * | code | request                      | answer                                                                |
 * |------|------------------------------|-----------------------------------------------------------------------|
 * | 34   | HEART_BEAT (HeartbeatData)   | 0, no extFields (no heartbeat-v2 fields: clients send full heartbeats) |
 * | 35   | UNREGISTER_CLIENT            | 0, extFields `{}`                                                      |
 * | 38   | GET_CONSUMER_LIST_BY_GROUP   | 0 + `{"consumerIdList":[…]}`, extFields `{}`; none: SYSTEM_ERROR        |
 * |      |                              | `no consumer for this group, <g>`                                      |
 * | 36   | CONSUMER_SEND_MSG_BACK       | 0, no extFields                                                        |
 * | 41   | LOCK_BATCH_MQ                | 0 + `{"lockOKMQSet":[…]}`                                              |
 * | 42   | UNLOCK_BATCH_MQ              | 0, no body                                                             |
 * | 46   | CHECK_CLIENT_CONFIG          | 0 for a TAG subscription; SYSTEM_ERROR for any other filter type        |
 * | 203  | GET_CONSUMER_CONNECTION_LIST | 0 + ConsumerConnection; no consumer: 206 `the consumer group[<g>] not online` |
 *
 * Refusals from the services are SkiffErrors, answered by the server's errorAnswer (26 for an
 * unknown group, 16 for a topic without write permission, SYSTEM_ERROR with the reason otherwise).
 */
import type { ClientManager } from "../../broker/client-manager.ts";
import type { RebalanceLockManager } from "../../broker/rebalance-locks.ts";
import type { SendBackService } from "../../broker/send-back.ts";
import { requireTagFilter } from "../../broker/subscription.ts";
import { RequestCode, ResponseCode } from "../../remoting/codes.ts";
import { RequestHeader } from "../../remoting/request-header.ts";
import type { RemotingProcessor } from "../../remoting/remoting-server.ts";
import { decodeCheckClientSubscription, encodeConsumerConnection, encodeConsumerIdList } from "./consumer-bodies.ts";
import { decodeHeartbeatData, toHeartbeat } from "./heartbeat-body.ts";
import { decodeLockBatchRequest, encodeLockBatchResponse } from "./lock-body.ts";

/**
 * `MQVersion.Version.V3_4_9`: clients from this version on send the consumer's maxReconsumeTimes
 * (CONSUMER_SEND_MSG_BACK, and header `l` of a retry-topic SEND_MESSAGE_V2); older ones' is ignored.
 */
export const MAX_RECONSUME_TIMES_SINCE_VERSION = 121;

export interface ConsumerProcessorDeps {
  readonly clients: ClientManager;
  readonly rebalanceLocks: RebalanceLockManager;
  readonly sendBack: SendBackService;
}

const { SUCCESS, SYSTEM_ERROR, CONSUMER_NOT_ONLINE } = ResponseCode;

export function consumerProcessors(deps: ConsumerProcessorDeps): ReadonlyArray<readonly [number, RemotingProcessor]> {
  const { clients, rebalanceLocks, sendBack } = deps;
  return [
    [RequestCode.HEART_BEAT, async (request, channel) => {
      await clients.heartbeat(channel, toHeartbeat(decodeHeartbeatData(request), request));
      return { code: SUCCESS };
    }],

    [RequestCode.UNREGISTER_CLIENT, (request) => {
      const header = new RequestHeader(request.extFields);
      const clientId = header.string("clientID");
      clients.unregister(clientId, { producerGroup: header.optionalString("producerGroup"), consumerGroup: header.optionalString("consumerGroup") });
      return { code: SUCCESS, extFields: {} };
    }],

    [RequestCode.GET_CONSUMER_LIST_BY_GROUP, (request) => {
      const group = new RequestHeader(request.extFields).string("consumerGroup");
      const clientIds = clients.consumerIds(group);
      if (clientIds.length === 0) return { code: SYSTEM_ERROR, remark: `no consumer for this group, ${group}`, extFields: {} };
      return { code: SUCCESS, extFields: {}, body: encodeConsumerIdList(clientIds) };
    }],

    [RequestCode.GET_CONSUMER_CONNECTION_LIST, (request) => {
      const group = new RequestHeader(request.extFields).string("consumerGroup");
      const view = clients.consumerGroup(group);
      if (!view) return { code: CONSUMER_NOT_ONLINE, remark: `the consumer group[${group}] not online` };
      return { code: SUCCESS, body: encodeConsumerConnection(view) };
    }],

    [RequestCode.CHECK_CLIENT_CONFIG, (request) => {
      const subscription = decodeCheckClientSubscription(request);
      if (subscription) requireTagFilter(subscription.expressionType);
      return { code: SUCCESS };
    }],

    [RequestCode.LOCK_BATCH_MQ, (request) => {
      const body = decodeLockBatchRequest(request);
      return { code: SUCCESS, body: encodeLockBatchResponse(rebalanceLocks.tryLockBatch(body.consumerGroup, body.mqSet, body.clientId)) };
    }],

    [RequestCode.UNLOCK_BATCH_MQ, (request) => {
      const body = decodeLockBatchRequest(request);
      rebalanceLocks.unlockBatch(body.consumerGroup, body.mqSet, body.clientId);
      return { code: SUCCESS };
    }],

    [RequestCode.CONSUMER_SEND_MSG_BACK, async (request) => {
      const header = new RequestHeader(request.extFields);
      const physicalOffset = header.long("offset");
      const group = header.string("group");
      const delayLevel = header.int("delayLevel");
      const maxReconsumeTimes = request.version >= MAX_RECONSUME_TIMES_SINCE_VERSION ? header.optionalInt("maxReconsumeTimes") : undefined;
      await sendBack.sendBack({ physicalOffset, group, delayLevel, maxReconsumeTimes });
      return { code: SUCCESS };
    }],
  ];
}
