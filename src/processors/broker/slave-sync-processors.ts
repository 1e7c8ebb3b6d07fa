/**
 * What a Java slave of a Skiff master pulls every 10 s (RocketMQ's SlaveSynchronize, store spec §5;
 * src/broker/slave-sync-remoting.ts is Skiff's own client side of the same four requests). Each
 * answer is 0 with the metadata wrapper as fastjson writes it on a Java master: compact, bean
 * fields in alphabetical order, Integer-keyed maps with unquoted keys (`{0:12,1:7}`) — the same
 * wrappers as `config/*.json` and the HTTP `/sync/*` routes.
 *
 * | code                                 | body                                                        |
 * |--------------------------------------|-------------------------------------------------------------|
 * | 21 GET_ALL_TOPIC_CONFIG              | `{"dataVersion":{…},"topicConfigTable":{"T":{…},…}}`        |
 * | 43 GET_ALL_CONSUMER_OFFSET           | `{"dataVersion":{…},"offsetTable":{"T@g":{0:12}}}` (+ Skiff's `skiffResetVersions`) |
 * | 45 GET_ALL_DELAY_OFFSET              | `{"dataVersion":{…},"offsetTable":{1:0,2:15}}`               |
 * | 201 GET_ALL_SUBSCRIPTIONGROUP_CONFIG | `{"dataVersion":{…},"subscriptionGroupTable":{"g":{…}}}`     |
 *
 * A 4.9 slave ignores the fields it does not know (`dataVersion` of offsets, Skiff's reset
 * versions); a Java master serves 21 on the fast channel (listenPort − 2) as well.
 */
import { utf8Encode } from "../../core/bytes.ts";
import { stringifyFastjson, type FastjsonValue } from "../../codec/fastjson.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";
import { RequestCode, ResponseCode } from "../../remoting/codes.ts";
import type { RemotingAnswer } from "../../remoting/remoting-command.ts";
import type { RemotingProcessor } from "../../remoting/remoting-server.ts";

export interface SlaveSyncProcessorDeps {
  readonly runtime: BrokerRuntime;
}

export function slaveSyncProcessors(deps: SlaveSyncProcessorDeps): ReadonlyArray<readonly [number, RemotingProcessor]> {
  const { metadata } = deps.runtime;
  const body = (snapshot: () => FastjsonValue): RemotingProcessor => (): RemotingAnswer =>
    ({ code: ResponseCode.SUCCESS, body: utf8Encode(stringifyFastjson(snapshot())) });
  return [
    [RequestCode.GET_ALL_TOPIC_CONFIG, body(() => metadata.topics.snapshot())],
    [RequestCode.GET_ALL_CONSUMER_OFFSET, body(() => metadata.consumerOffsets.snapshot())],
    [RequestCode.GET_ALL_DELAY_OFFSET, body(() => metadata.delayOffsets.snapshot())],
    [RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, body(() => metadata.subscriptionGroups.snapshot())],
  ];
}
