/**
 * The JSON bodies of the name server's answers, byte for byte as real 4.9.7 and 5.3.3 name
 * servers write them (fastjson; spec §2.2, golden-tested against the captured conversations):
 *
 * | code | body                                                                                          |
 * |------|-----------------------------------------------------------------------------------------------|
 * | 105  | TopicRouteData `{"brokerDatas":[{"brokerAddrs":{"0":"ip:port"},"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}` |
 * | 106  | ClusterInfo `{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"ip:port"},"brokerName":"broker-a","cluster":"DefaultCluster"}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}` |
 * | 206  | TopicList `{"topicList":["TBW102","TopicTest",…]}`                                            |
 * | 322  | DataVersion `{"counter":3,"stateVersion":0,"timestamp":1700000000000}` (stateVersion from 5.x brokers only) |
 *
 * Keys are in alphabetical order. `brokerAddrs` (broker id → address) has numeric keys: a route
 * in "standard JSON" (clients of version ≥ V4_9_4, or asking `acceptStandardJsonOnly`) quotes
 * them and escapes strings the BrowserCompatible way; older clients get fastjson's native
 * unquoted keys, and so does every 106 (both versions answer it so). `style.v5` (a client of
 * version ≥ V5_0_0) adds 5.x's `"enableActingMaster":false` to each broker data: Skiff's name
 * server never makes a slave act as master. Broker data and topics come in name order and broker
 * ids ascending (Java's HashMap order carries no meaning). Filter servers (4.x's class filter,
 * gone in 5.x) are not kept: `filterServerTable` is always `{}`. Skiff's `brokerHttpAddrs` stay in
 * the HTTP route: RocketMQ clients have no use for them.
 */
import { NumericKeyMap, stringifyFastjson, type FastjsonObject, type FastjsonValue } from "../../codec/fastjson.ts";
import { utf8Encode } from "../../core/bytes.ts";
import type { BrokerData, ClusterInfo, DataVersionJson, TopicRouteData } from "../../contract/namesrv-http.ts";

export interface AnswerStyle {
  /** Quoted numeric keys and BrowserCompatible strings (105 only). */
  readonly standardJson: boolean;
  /** 5.x fields (`enableActingMaster`). */
  readonly v5: boolean;
}

export function topicRouteBody(route: TopicRouteData, style: AnswerStyle): Uint8Array {
  const body: FastjsonObject = {
    brokerDatas: route.brokerDatas.map((data) => brokerDataJson(data, style.v5)),
    filterServerTable: {},
    queueDatas: route.queueDatas.map(({ brokerName, perm, readQueueNums, topicSysFlag, writeQueueNums }) => ({
      brokerName, perm, readQueueNums, topicSysFlag, writeQueueNums,
    })),
  };
  return utf8Encode(stringifyFastjson(body, { browserCompatible: style.standardJson }));
}

export function clusterInfoBody(cluster: ClusterInfo, style: Pick<AnswerStyle, "v5">): Uint8Array {
  const brokerAddrTable: Record<string, FastjsonValue> = {};
  const clusterAddrTable: Record<string, FastjsonValue> = {};
  for (const { clusterName, brokerGroups } of cluster.clusters) {
    clusterAddrTable[clusterName] = brokerGroups.map((group) => group.brokerName).sort();
    for (const { brokerName, brokers } of brokerGroups) {
      const brokerAddrs = Object.fromEntries(brokers.map((b) => [String(b.brokerId), b.brokerAddr]));
      brokerAddrTable[brokerName] = brokerDataJson({ cluster: clusterName, brokerName, brokerAddrs }, style.v5);
    }
  }
  return utf8Encode(stringifyFastjson({ brokerAddrTable, clusterAddrTable }));
}

export function topicListBody(topics: readonly string[]): Uint8Array {
  return utf8Encode(stringifyFastjson({ topicList: [...topics].sort() }));
}

export function dataVersionBody({ counter, stateVersion, timestamp }: DataVersionJson): Uint8Array {
  return utf8Encode(stringifyFastjson({ counter, stateVersion, timestamp }));
}

function brokerDataJson({ cluster, brokerName, brokerAddrs }: BrokerData, v5: boolean): FastjsonObject {
  const addresses = new NumericKeyMap(Object.entries(brokerAddrs).map(([id, address]) => [Number(id), address] as const));
  return { brokerAddrs: addresses, brokerName, cluster, ...(v5 ? { enableActingMaster: false } : {}) };
}
