/**
 * The broker's offset processors (spec §5.6, §5.7, §5.11, §7), over the offset path: consumer
 * offsets through AdminService (`queryConsumerOffset` with 4.9.7's zero rule, `commitConsumerOffset`:
 * master only, the topic must exist) and queue offsets from the store.
 *
 * | code                           | header (all `!`)                           | answer extFields         |
 * |--------------------------------|--------------------------------------------|--------------------------|
 * | 14 QUERY_CONSUMER_OFFSET       | consumerGroup, topic, queueId              | offset; or 22 QUERY_NOT_FOUND with Java's remark |
 * | 15 UPDATE_CONSUMER_OFFSET      | consumerGroup, topic, queueId, commitOffset | {} (mostly sent oneway)  |
 * | 30 GET_MAX_OFFSET              | topic, queueId                             | offset (next to be written) |
 * | 31 GET_MIN_OFFSET              | topic, queueId                             | offset (oldest still held) |
 * | 29 SEARCH_OFFSET_BY_TIMESTAMP  | topic, queueId, timestamp                  | offset (first stored at or after it) |
 * | 32 GET_EARLIEST_MSG_STORETIME  | topic, queueId                             | timestamp (-1: none)     |
 *
 * As in 4.9.7, 29–32 do not check the topic: an unknown queue reads as empty (offset 0).
 */
import { RequestCode, ResponseCode } from "../../remoting/codes.ts";
import { RequestHeader } from "../../remoting/request-header.ts";
import type { RemotingAnswer, RemotingCommand } from "../../remoting/remoting-command.ts";
import type { RemotingProcessor } from "../../remoting/remoting-server.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";

export interface OffsetProcessorDeps {
  readonly runtime: BrokerRuntime;
}

export const QUERY_NOT_FOUND_REMARK = "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first";

export function offsetProcessors(deps: OffsetProcessorDeps): ReadonlyArray<readonly [number, RemotingProcessor]> {
  const { runtime } = deps;
  const { store, admin } = runtime;
  const queue = (request: RemotingCommand) => {
    const header = new RequestHeader(request.extFields);
    return { header, topic: header.string("topic"), queueId: header.int("queueId") };
  };
  const answer = (fields: Record<string, number>): RemotingAnswer =>
    ({ code: ResponseCode.SUCCESS, extFields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)])) });
  return [
    [RequestCode.QUERY_CONSUMER_OFFSET, async (request) => {
      const { header, topic, queueId } = queue(request);
      const offset = await admin.queryConsumerOffset(header.string("consumerGroup"), topic, queueId);
      return offset === undefined ? { code: ResponseCode.QUERY_NOT_FOUND, remark: QUERY_NOT_FOUND_REMARK, extFields: {} } : answer({ offset });
    }],
    [RequestCode.UPDATE_CONSUMER_OFFSET, (request) => {
      const { header, topic, queueId } = queue(request);
      admin.commitConsumerOffset(header.string("consumerGroup"), topic, queueId, header.long("commitOffset"));
      return { code: ResponseCode.SUCCESS, extFields: {} };
    }],
    [RequestCode.GET_MAX_OFFSET, (request) => {
      const { topic, queueId } = queue(request);
      return answer({ offset: store.maxOffsetInQueue(topic, queueId) });
    }],
    [RequestCode.GET_MIN_OFFSET, (request) => {
      const { topic, queueId } = queue(request);
      return answer({ offset: store.minOffsetInQueue(topic, queueId) });
    }],
    [RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, async (request) => {
      const { header, topic, queueId } = queue(request);
      return answer({ offset: await store.searchOffsetByTimestamp(topic, queueId, header.long("timestamp")) });
    }],
    [RequestCode.GET_EARLIEST_MSG_STORETIME, async (request) => {
      const { topic, queueId } = queue(request);
      return answer({ timestamp: await store.earliestStoreTimestamp(topic, queueId) });
    }],
  ];
}
