/**
 * The name server's client codes (spec §2.1): GET_ROUTEINFO_BY_TOPIC (105),
 * GET_BROKER_CLUSTER_INFO (106) and GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206), over the route
 * table. Each client is answered as the name server of its own generation answers it: a 5.x
 * client (version ≥ V5_0_0) gets 5.3.3's fields and remark, an older one 4.9.7's; a client of
 * version ≥ V4_9_4, or one asking `acceptStandardJsonOnly`, gets its route in standard JSON
 * (`namesrv-bodies.ts` has the bytes). An unknown topic is TOPIC_NOT_EXIST (17) with Java's
 * remark and no header fields, as the stock clients expect.
 *
 * DELETE_TOPIC_IN_NAMESRV (216, `mqadmin deleteTopic` after it deleted the topic on the brokers):
 * header `topic!` and, from 5.x, `clusterName`; the topic's queue data leaves the table (of that
 * cluster's broker names when named); SUCCESS, also for a topic the table does not hold (as Java).
 */
import { VERSION_5_0_0 } from "../../codec/register-broker-body.ts";
import type { RouteTable } from "../../namesrv/route-table.ts";
import { RequestCode, ResponseCode } from "../../remoting/codes.ts";
import type { RemotingCommand } from "../../remoting/remoting-command.ts";
import { RequestHeader } from "../../remoting/request-header.ts";
import type { RemotingProcessor } from "../../remoting/remoting-server.ts";
import { clusterInfoBody, topicListBody, topicRouteBody, type AnswerStyle } from "./namesrv-bodies.ts";

/** MQVersion.Version.V4_9_4's ordinal: from here on clients get routes in standard JSON. */
export const VERSION_4_9_4 = 401;

const FAQ_URL_4 = "http://rocketmq.apache.org/docs/faq/";
const FAQ_URL_5 = "https://rocketmq.apache.org/docs/bestPractice/06FAQ";

export interface RouteProcessorDeps {
  readonly routeTable: RouteTable;
}

export function routeProcessors({ routeTable }: RouteProcessorDeps): ReadonlyArray<readonly [number, RemotingProcessor]> {
  const deleteTopic: RemotingProcessor = (request) => {
    const header = new RequestHeader(request.extFields);
    const topic = header.string("topic");
    const clusterName = header.optionalString("clusterName");
    routeTable.deleteTopic(topic, clusterName === undefined || clusterName === "" ? null : clusterName);
    return { code: ResponseCode.SUCCESS };
  };

  const getRoute: RemotingProcessor = (request) => {
    const header = new RequestHeader(request.extFields);
    const topic = header.string("topic");
    const route = routeTable.route(topic);
    const v5 = isV5(request);
    if (!route) {
      const remark = `No topic route info in name server for the topic: ${topic}\nSee ${v5 ? FAQ_URL_5 : FAQ_URL_4} for further details.`;
      return { code: ResponseCode.TOPIC_NOT_EXIST, remark };
    }
    const style: AnswerStyle = { standardJson: request.version >= VERSION_4_9_4 || header.bool("acceptStandardJsonOnly"), v5 };
    return { code: ResponseCode.SUCCESS, body: topicRouteBody(route, style) };
  };
  return [
    [RequestCode.GET_ROUTEINFO_BY_TOPIC, getRoute],
    [RequestCode.GET_BROKER_CLUSTER_INFO, (request) => ({ code: ResponseCode.SUCCESS, body: clusterInfoBody(routeTable.cluster(), { v5: isV5(request) }) })],
    [RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, () => ({ code: ResponseCode.SUCCESS, body: topicListBody(routeTable.topicNames()) })],
    [RequestCode.DELETE_TOPIC_IN_NAMESRV, deleteTopic],
  ];
}

function isV5(request: RemotingCommand): boolean {
  return request.version >= VERSION_5_0_0;
}
