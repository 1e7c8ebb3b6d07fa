/**
 * What a Java slave of a Skiff master pulls every 10 s (RocketMQ's SlaveSynchronize, store spec §5;
 * src/broker/slave-sync-remoting.ts is Skiff's own client side of the same four requests). Each
 * answer is 0 with the metadata wrapper as fastjson writes it on a Java master: compact, bean
 * fields in alphabetical order, Integer-keyed maps with unquoted keys (`{0:12,1:7}`) — the same
 * wrappers as `config/*.json` and the HTTP `/sync/*` routes. A 5.x slave also asks for the timer
 * checkpoint every 3 s, on the fast channel (binary; `emptyTimerWheelCheckpoint` says what it holds),
 * and with the other four, every 60 s, for the timer metrics and the groups' message request modes;
 * Skiff has neither timer messages nor POP consumption, so these are a Java master's empty answers
 * (captured from a fresh 5.3.3 master). Unanswered, the Java slave logs an ERROR with a stack trace
 * for each of them each time.
 *
 * | code                                 | body                                                        |
 * |--------------------------------------|-------------------------------------------------------------|
 * | 21 GET_ALL_TOPIC_CONFIG              | `{"dataVersion":{…},"topicConfigTable":{"T":{…},…}}`        |
 * | 43 GET_ALL_CONSUMER_OFFSET           | `{"dataVersion":{…},"offsetTable":{"T@g":{0:12}}}` (+ Skiff's `skiffResetVersions`) |
 * | 45 GET_ALL_DELAY_OFFSET              | `{"dataVersion":{…},"offsetTable":{1:0,2:15}}`               |
 * | 201 GET_ALL_SUBSCRIPTIONGROUP_CONFIG | `{"dataVersion":{…},"subscriptionGroupTable":{"g":{…}}}`     |
 * | 60 GET_TIMER_CHECK_POINT (5.x)       | 56 bytes: TimerCheckpoint.encode (codec/timer-checkpoint.ts) |
 * | 61 GET_TIMER_METRICS (5.x)           | `{"dataVersion":{"counter":0,"stateVersion":0,"timestamp":<boot>},"timingCount":{}}` |
 * | 402 GET_ALL_MESSAGE_REQUEST_MODE (5.x) | `{"messageRequestModeMap":{}}`                            |
 *
 * A 4.9 slave ignores the fields it does not know (`dataVersion` of offsets, Skiff's reset
 * versions); a Java master serves 21 on the fast channel (listenPort − 2) as well.
 */
import { utf8Encode } from "../../core/bytes.ts";
import { stringifyFastjson, type FastjsonValue } from "../../codec/fastjson.ts";
import { encodeTimerCheckpoint, type TimerCheckpoint } from "../../codec/timer-checkpoint.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";
import { RequestCode, ResponseCode } from "../../remoting/codes.ts";
import type { RemotingAnswer } from "../../remoting/remoting-command.ts";
import type { RemotingProcessor } from "../../remoting/remoting-server.ts";

export interface SlaveSyncProcessorDeps {
  readonly runtime: BrokerRuntime;
}

/** RocketMQ's `timerPrecisionMs` default: a timer wheel reads one slot of this many ms at a time. */
export const TIMER_PRECISION_MS = 1000;

/**
 * Skiff has no timer wheel (no `rmq_sys_wheel_timer` topic: delay levels go through SCHEDULE_TOPIC),
 * so its checkpoint is that of a 5.3.3 master whose wheel is empty and keeps up with the clock: read
 * up to the current slot, nothing in the timer log or its queue, and a data version that moved once
 * per slot since the broker booted. A fresh 5.3.3 master, captured: for its first seconds a read time
 * 7 days back (its wheel's span), then caught up, the current slot or the one before, its version
 * bumped on its 1 s flush whenever the read time moved (timestamp: the flush's time). A slave copies
 * the read time, the master's queue offset (0: it enqueues nothing) and the data version; nothing else.
 */
export function emptyTimerWheelCheckpoint(nowMs: number, bootMs: number): TimerCheckpoint {
  const slot = (ms: number) => Math.floor(ms / TIMER_PRECISION_MS) * TIMER_PRECISION_MS;
  const lastReadTimeMs = slot(nowMs);
  return {
    lastReadTimeMs,
    lastTimerLogFlushPos: 0,
    lastTimerQueueOffset: 0,
    masterTimerQueueOffset: 0,
    dataVersion: { stateVersion: 0, timestamp: lastReadTimeMs, counter: Math.max(0, (lastReadTimeMs - slot(bootMs)) / TIMER_PRECISION_MS) },
  };
}

export function slaveSyncProcessors(deps: SlaveSyncProcessorDeps): ReadonlyArray<readonly [number, RemotingProcessor]> {
  const { metadata, clock, store } = deps.runtime;
  const body = (snapshot: () => FastjsonValue): RemotingProcessor => (): RemotingAnswer =>
    ({ code: ResponseCode.SUCCESS, body: utf8Encode(stringifyFastjson(snapshot())) });
  return [
    [RequestCode.GET_ALL_TOPIC_CONFIG, body(() => metadata.topics.snapshot())],
    [RequestCode.GET_ALL_CONSUMER_OFFSET, body(() => metadata.consumerOffsets.snapshot())],
    [RequestCode.GET_ALL_DELAY_OFFSET, body(() => metadata.delayOffsets.snapshot())],
    [RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, body(() => metadata.subscriptionGroups.snapshot())],
    [RequestCode.GET_TIMER_CHECK_POINT, () => ({
      code: ResponseCode.SUCCESS,
      body: encodeTimerCheckpoint(emptyTimerWheelCheckpoint(clock.now(), store.traffic.bootTimestamp)),
    })],
    // No timer message was ever counted: the version the metrics got when the broker booted.
    [RequestCode.GET_TIMER_METRICS, body(() => ({ dataVersion: { counter: 0, stateVersion: 0, timestamp: store.traffic.bootTimestamp }, timingCount: {} }))],
    [RequestCode.GET_ALL_MESSAGE_REQUEST_MODE, body(() => ({ messageRequestModeMap: {} }))],
  ];
}
