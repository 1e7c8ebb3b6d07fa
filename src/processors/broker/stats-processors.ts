/**
 * What the admin tools read about the broker, its topics and its consumer groups (spec §5.12):
 * `clusterList` / `brokerStatus`, `topicStatus`, `consumerProgress` and `queryMsgById`'s "who
 * consumes". The numbers come from the broker's services (runtime-info.ts, admin-stats.ts); these
 * processors read the header and encode the answer.
 *
 * | code                         | header                                   | body                                     |
 * |------------------------------|------------------------------------------|------------------------------------------|
 * | 28 GET_BROKER_RUNTIME_INFO   | none                                     | KVTable `{"table":{"putTps":"0.0 0.0 ",…}}` |
 * | 202 GET_TOPIC_STATS_INFO     | topic! (17 `topic[<t>] not exist`)       | TopicStatsTable (admin-stats-body.ts)    |
 * | 208 GET_CONSUME_STATS        | consumerGroup!, topic, 5.x topicList (`;`-separated) | ConsumeStats (admin-stats-body.ts) |
 * | 300 QUERY_TOPIC_CONSUME_BY_WHO | topic!                                 | GroupList `{"groupList":["g1",…]}`       |
 *
 * Map and set bodies list their entries in the order Java's HashMap / HashSet iterates them (a Java
 * broker's answer, entry for entry); JSON.stringify keeps the KVTable's insertion order, which is
 * safe because no key of it is an integer.
 */
import { utf8Encode } from "../../core/bytes.ts";
import { encodeConsumeStats, encodeTopicStatsTable } from "../../codec/admin-stats-body.ts";
import { javaHashMapOrder } from "../../codec/java-hash-map-order.ts";
import { AdminStats } from "../../broker/admin-stats.ts";
import { brokerRuntimeInfo } from "../../broker/runtime-info.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";
import { RequestCode, ResponseCode } from "../../remoting/codes.ts";
import { SKIFF_REMOTING_VERSION, SKIFF_REMOTING_VERSION_DESC } from "../../remoting/remoting-command.ts";
import { RequestHeader } from "../../remoting/request-header.ts";
import type { RemotingProcessor } from "../../remoting/remoting-server.ts";

/** Java fills the runtime table into `new HashMap<>(64)`: at least 64 buckets (48 = 3/4 of 64 entries). */
const RUNTIME_TABLE_CAPACITY = 48;

export function statsProcessors(runtime: BrokerRuntime, stats: AdminStats): ReadonlyArray<readonly [number, RemotingProcessor]> {
  const getBrokerRuntimeInfo: RemotingProcessor = async () => {
    const table = await brokerRuntimeInfo({
      config: runtime.config, store: runtime.store, metadata: runtime.metadata, clock: runtime.clock,
      version: { ordinal: SKIFF_REMOTING_VERSION, desc: SKIFF_REMOTING_VERSION_DESC },
    });
    const ordered = javaHashMapOrder([...table.keys()], Math.max(table.size, RUNTIME_TABLE_CAPACITY));
    return { code: ResponseCode.SUCCESS, body: utf8Encode(JSON.stringify({ table: Object.fromEntries(ordered.map((key) => [key, table.get(key)])) })) };
  };

  const getTopicStatsInfo: RemotingProcessor = async (request) => {
    const topic = new RequestHeader(request.extFields).string("topic");
    return { code: ResponseCode.SUCCESS, body: encodeTopicStatsTable(await stats.topicStats(topic)) };
  };

  const getConsumeStats: RemotingProcessor = async (request) => {
    const h = new RequestHeader(request.extFields);
    const group = h.string("consumerGroup");
    const topicList = (h.optionalString("topicList") ?? "").split(";").filter((t) => t.length > 0);
    const topic = h.optionalString("topic");
    const topics = topicList.length > 0 ? topicList : topic !== undefined ? [topic] : undefined;
    return { code: ResponseCode.SUCCESS, body: encodeConsumeStats(await stats.consumeStats(group, topics)) };
  };

  const queryTopicConsumeByWho: RemotingProcessor = (request) => {
    const topic = new RequestHeader(request.extFields).string("topic");
    return { code: ResponseCode.SUCCESS, body: utf8Encode(JSON.stringify({ groupList: javaHashMapOrder(stats.topicConsumers(topic)) })) };
  };

  return [
    [RequestCode.GET_BROKER_RUNTIME_INFO, getBrokerRuntimeInfo],
    [RequestCode.GET_TOPIC_STATS_INFO, getTopicStatsInfo],
    [RequestCode.GET_CONSUME_STATS, getConsumeStats],
    [RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, queryTopicConsumeByWho],
  ];
}
