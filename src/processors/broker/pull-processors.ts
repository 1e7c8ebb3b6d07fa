/**
 * The broker's pull processors (spec §5.8, §6): PULL_MESSAGE (11) and LITE_PULL_MESSAGE (361, the
 * 5.x lite pull consumer), the same request and answer. The header (pull-message-header.ts) becomes
 * a pull of the broker's one pull path (PullService + LongPollHub: group and topic checks, commit
 * of `commitOffset`, tag filter, long polling, slave rules); the answer:
 *
 * | pullStatus      | code | body                          | remark           |
 * |-----------------|------|-------------------------------|------------------|
 * | FOUND           | 0    | the stored records, verbatim  | the store status |
 * | NO_NEW_MSG      | 19   |                               | (FOUND,          |
 * | NO_MATCHED_MSG  | 20   |                               | OFFSET_TOO_SMALL |
 * | OFFSET_ILLEGAL  | 21   |                               | …)               |
 *
 * (a queue never written says NO_MESSAGE_IN_QUEUE, as Java's, which creates a consume queue on
 * its first lookup; Skiff's store calls it NO_MATCHED_LOGIC_QUEUE) *
 * with extFields suggestWhichBrokerId, nextBeginOffset, minOffset, maxOffset (5.x clients also
 * topicSysFlag, groupSysFlag, as a 5.3.3 broker sends them).
 *
 * - **Long polling**: with the SUSPEND flag a pull that finds nothing new is held for
 *   `suspendTimeoutMillis`, at most `SUSPEND_MAX_MS` (below the client's own 30 s timeout), and
 *   answered the moment a message lands in its queue. When the client's connection closes the
 *   hold ends and nothing is answered.
 * - **Filter**: with the SUBSCRIPTION flag, the request's `subscription` (`*` or `TagA || TagB`);
 *   otherwise the group's heartbeat subscription from `subscriptionOf` (the broker's client
 *   registry): when it is older than the request's `subVersion` the answer is 25
 *   SUBSCRIPTION_NOT_LATEST, as Java's; when the broker knows none (no registry, or no heartbeat
 *   yet), every tag passes. Only TAG expressions are supported (SQL92 is SYSTEM_ERROR, as a Java
 *   broker without `enablePropertyFilter` answers).
 */
import { parseSubscription, type PullResult } from "../../broker/pull-service.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";
import type { PullStatus } from "../../contract/broker-http.ts";
import { MQVersion, RequestCode, ResponseCode } from "../../remoting/codes.ts";
import type { RemotingAnswer, RemotingCommand } from "../../remoting/remoting-command.ts";
import type { RemotingChannel, RemotingProcessor } from "../../remoting/remoting-server.ts";
import { decodePullMessageHeader, PullSysFlag, type PullMessageHeader } from "./pull-message-header.ts";

/** A consumer group's subscription to a topic, as its heartbeat carried it (`SubscriptionData`). */
export interface HeartbeatSubscription {
  /** `TAG` or `SQL92`. */
  readonly expressionType: string;
  /** `*` or `TagA || TagB`. */
  readonly subString: string;
  readonly subVersion: number;
}

export interface PullProcessorDeps {
  readonly runtime: BrokerRuntime;
  /** The group's heartbeat subscription to the topic; undefined when the broker has none. */
  readonly subscriptionOf?: (group: string, topic: string) => HeartbeatSubscription | undefined;
}

/** The longest hold, below the Java client's 30 s wait for a suspended pull (CONSUMER_TIMEOUT_MILLIS_WHEN_SUSPEND). */
export const SUSPEND_MAX_MS = 25_000;

const CODE_BY_STATUS: Readonly<Record<PullStatus, number>> = {
  FOUND: ResponseCode.SUCCESS,
  NO_NEW_MSG: ResponseCode.PULL_NOT_FOUND,
  NO_MATCHED_MSG: ResponseCode.PULL_RETRY_IMMEDIATELY,
  OFFSET_ILLEGAL: ResponseCode.PULL_OFFSET_MOVED,
};

export function pullProcessors(deps: PullProcessorDeps): ReadonlyArray<readonly [number, RemotingProcessor]> {
  const closed = new ChannelSignals();
  const pull: RemotingProcessor = (request, channel) => pullMessage(deps, request, channel, closed.of(channel));
  return [
    [RequestCode.PULL_MESSAGE, pull],
    [RequestCode.LITE_PULL_MESSAGE, pull],
  ];
}

async function pullMessage(deps: PullProcessorDeps, request: RemotingCommand, channel: RemotingChannel, signal: AbortSignal): Promise<RemotingAnswer | null> {
  const header = decodePullMessageHeader(request.extFields);
  const filter = subscriptionFilter(deps, header);
  if ("answer" in filter) return filter.answer;
  const { runtime } = deps;
  const flag = (bit: number) => (header.sysFlag & bit) !== 0;
  const result = await runtime.pull.pull({
    topic: header.topic,
    queueId: header.queueId,
    offset: header.queueOffset,
    max: header.maxMsgNums,
    group: header.consumerGroup,
    waitMs: flag(PullSysFlag.SUSPEND) ? Math.min(Math.max(0, header.suspendTimeoutMillis), SUSPEND_MAX_MS) : 0,
    tags: filter.tags,
    ...(flag(PullSysFlag.COMMIT_OFFSET) ? { commitOffset: header.commitOffset } : {}),
    signal,
  });
  if (!channel.isOpen) return null;
  const topicSysFlag = runtime.metadata.topics.get(header.topic)?.topicSysFlag ?? 0;
  return {
    code: CODE_BY_STATUS[result.pullStatus],
    // Java creates a queue's consume queue on its first lookup: a queue never written is an empty one.
    remark: result.status === "NO_MATCHED_LOGIC_QUEUE" ? "NO_MESSAGE_IN_QUEUE" : result.status,
    extFields: {
      suggestWhichBrokerId: String(result.suggestWhichBrokerId),
      nextBeginOffset: String(result.nextBeginOffset),
      minOffset: String(result.minOffset),
      maxOffset: String(result.maxOffset),
      ...(request.version >= MQVersion.V5_0_0 ? { topicSysFlag: String(topicSysFlag), groupSysFlag: "0" } : {}),
    },
    body: result.pullStatus === "FOUND" ? concatRecords(result) : new Uint8Array(0),
  };
}

/** The tags the pull keeps (undefined: all), or the answer that refuses it. */
function subscriptionFilter(deps: PullProcessorDeps, header: PullMessageHeader): { tags: string[] | undefined } | { answer: RemotingAnswer } {
  let expressionType = header.expressionType;
  let expression = header.subscription;
  if ((header.sysFlag & PullSysFlag.SUBSCRIPTION) === 0) {
    const known = deps.subscriptionOf?.(header.consumerGroup, header.topic);
    if (!known) return { tags: undefined };
    if (known.subVersion < header.subVersion) {
      return { answer: { code: ResponseCode.SUBSCRIPTION_NOT_LATEST, remark: "the consumer's subscription not latest", extFields: {} } };
    }
    [expressionType, expression] = [known.expressionType, known.subString];
  }
  if (expressionType !== undefined && expressionType !== "TAG") {
    return { answer: { code: ResponseCode.SYSTEM_ERROR, remark: `The broker does not support consumer to filter message by ${expressionType}` } };
  }
  return { tags: parseSubscription(expression) };
}

function concatRecords(result: PullResult): Uint8Array {
  const total = result.messages.reduce((sum, m) => sum + m.bytes.byteLength, 0);
  const body = new Uint8Array(total);
  let at = 0;
  for (const message of result.messages) {
    body.set(message.bytes, at);
    at += message.bytes.byteLength;
  }
  return body;
}

/** One abort signal per connection, aborted when it closes (one close listener per channel, not per pull). */
class ChannelSignals {
  private readonly signals = new WeakMap<RemotingChannel, AbortSignal>();

  of(channel: RemotingChannel): AbortSignal {
    let signal = this.signals.get(channel);
    if (!signal) {
      const controller = new AbortController();
      channel.onClose(() => controller.abort());
      this.signals.set(channel, (signal = controller.signal));
    }
    return signal;
  }
}
