/**
 * One capture session replayed in its order against a fresh Skiff broker: the producer's sends,
 * then (once its delayed message is due and delivered, as it was before the consumers ran) the
 * push consumer's and the lite pull consumer's pulls and offset requests, then the producer with
 * binary headers. Every answer is compared with the real broker's (replay.ts says what is
 * normalized). Requests of other processors (heartbeats, rebalance) are not replayed; the retry
 * topic a heartbeat creates is created by the test, as the Java heartbeat did.
 *
 * Two changes to the replayed requests, both about time: a pull the real broker held for 15–20 s
 * (answered more than 1 s after it was sent) is replayed with suspendTimeoutMillis 300; the four
 * 4.9.7 pulls answered 25 SUBSCRIPTION_NOT_LATEST (a race between the consumer's heartbeat and its
 * pulls on the real broker, spec §6.2) are left out. 5.3.3 answers an empty queue's
 * QUERY_CONSUMER_OFFSET with 22 where 4.9.7 (and Skiff) answer 0 (spec §7.1): that answer must be 0.
 */
import assert from "node:assert/strict";
import { RequestCode, ResponseCode } from "../../../src/remoting/codes.ts";
import { isOneway, type RemotingCommand } from "../../../src/remoting/remoting-command.ts";
import { remotingBroker, waitFor, type RemotingBroker } from "../../support/processor-broker.ts";
import { capturedExchanges } from "../../support/remoting-fixtures.ts";
import { ADDED_BY_5X_BROKER, assertPullAnswer, EXACT, OFFSETS_DIFFER, replaySends, type Normalization } from "./replay.ts";

const PULL_CODES = new Set<number>([RequestCode.PULL_MESSAGE, RequestCode.LITE_PULL_MESSAGE]);
const OFFSET_CODES = new Set<number>([RequestCode.QUERY_CONSUMER_OFFSET, RequestCode.UPDATE_CONSUMER_OFFSET, RequestCode.GET_MAX_OFFSET]);
const HELD_LONGER_THAN_S = 1;
const REPLAYED_HOLD_MS = "300";

/** Replays the pulls and offset requests of `base`; returns how many answers were compared, per request code. */
export async function replayConsumer(rb: RemotingBroker, base: string, n: Normalization, version: "4.9.7" | "5.3.3"): Promise<Record<number, number>> {
  const client = await rb.client();
  const compared: Record<number, number> = {};
  for (const exchange of capturedExchanges(base)) {
    const { request, answer } = exchange;
    if (!PULL_CODES.has(request.code) && !OFFSET_CODES.has(request.code)) continue;
    if (answer?.code === ResponseCode.SUBSCRIPTION_NOT_LATEST) continue;
    if (isOneway(request)) {
      await client.send(request); // handled synchronously before the next frame of this connection
      continue;
    }
    if (!answer) continue; // a held pull the client abandoned at shutdown
    const what = `${base} opaque ${request.opaque} (code ${request.code})`;
    const held = exchange.answerAtS !== undefined && exchange.answerAtS - exchange.requestAtS > HELD_LONGER_THAN_S;
    const replayed: RemotingCommand = held ? { ...request, extFields: { ...request.extFields, suspendTimeoutMillis: REPLAYED_HOLD_MS } } : request;
    const skiff = await client.call(replayed);
    if (PULL_CODES.has(request.code)) {
      assertPullAnswer(skiff, answer, n, what);
    } else if (version === "5.3.3" && answer.code === ResponseCode.QUERY_NOT_FOUND && rb.broker.store.maxOffsetInQueue(request.extFields!.topic, Number(request.extFields!.queueId)) === 0) {
      assert.deepEqual([skiff.code, skiff.extFields], [ResponseCode.SUCCESS, { offset: "0" }], `${what}: 4.9.7's zero rule for an empty queue`);
    } else {
      assert.deepEqual([skiff.code, skiff.remark, skiff.extFields], [answer.code, answer.remark, answer.extFields ?? {}], what);
    }
    compared[request.code] = (compared[request.code] ?? 0) + 1;
  }
  return compared;
}

/** The offsets the consumer's last UPDATE_CONSUMER_OFFSET (oneway) per queue named become the group's offsets. */
async function assertCommitted(rb: RemotingBroker, base: string): Promise<void> {
  const last = new Map<string, string>();
  for (const { request } of capturedExchanges(base)) {
    if (request.code !== RequestCode.UPDATE_CONSUMER_OFFSET) continue;
    const { consumerGroup, topic, queueId, commitOffset } = request.extFields!;
    last.set(`${consumerGroup} ${topic} ${queueId}`, commitOffset);
  }
  assert.ok(last.size > 0, `${base} commits offsets`);
  const { consumerOffsets } = rb.broker.metadata;
  const committed = () => [...last.keys()].map((key) => {
    const [group, topic, queueId] = key.split(" ");
    return [key, String(consumerOffsets.query(group, topic, Number(queueId)))];
  });
  await waitFor(`${base}: the last commits (oneway) applied`, () => committed().every(([key, offset]) => last.get(key) === offset), 5000)
    .catch(() => assert.deepEqual(Object.fromEntries(committed()), Object.fromEntries(last), `${base}: committed offsets`));
}

export async function replaySession(version: "4.9.7" | "5.3.3"): Promise<void> {
  const v = `v${version}/v${version}`;
  const exact = version === "4.9.7";
  const records: Normalization = exact ? EXACT : { physicalOffsets: true, ignoredProperties: ADDED_BY_5X_BROKER };
  const sends = exact ? EXACT : OFFSETS_DIFFER;
  const rb = await remotingBroker();
  try {
    const { admin } = rb.broker.runtime;
    await admin.putTopic("TopicTest", { readQueueNums: 4, writeQueueNums: 4 });
    await admin.putTopic("%RETRY%cg_push", { readQueueNums: 1, writeQueueNums: 1, perm: 6 });
    await replaySends(rb, `${v}-producer-02-broker`, sends);
    const delayedQueue = exact ? 2 : 1; // the queue the captured producer chose for its delayed message
    await waitFor("the delayed message's delivery (level 2: 5 s)", () => rb.broker.store.maxOffsetInQueue("TopicTest", delayedQueue) === 1, 15_000);
    const push = `${v}-push-first-concurrent-02-broker`;
    assert.deepEqual(await replayConsumer(rb, push, records, version), { 11: 9, 14: 5 });
    await assertCommitted(rb, push);
    const lite = `${v}-lite-pull-02-broker`;
    assert.deepEqual(await replayConsumer(rb, lite, records, version), exact ? { 11: 4, 14: 4 } : { 361: 4, 14: 4 });
    await assertCommitted(rb, lite);
    await replaySends(rb, `${v}-producer-rocketmq-ser-02-broker`, OFFSETS_DIFFER); // the real store held retry copies by then
  } finally {
    await rb.stop();
  }
}
