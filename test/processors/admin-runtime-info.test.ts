/**
 * GET_BROKER_RUNTIME_INFO replayed from mqadmin's clusterList captures (4.9.7 and 5.3.3) against a
 * real broker: the answer has the real broker's shape, every key the tools read, every other
 * captured key or a documented reason for leaving it out, and values that are this broker's own —
 * counts of what was sent and read, offsets of its commit log, its disk as `df` sees it, its
 * delay-level progress.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { utf8Decode } from "../../src/core/bytes.ts";
import { RequestCode, ResponseCode } from "../../src/remoting/codes.ts";
import { platform } from "../support/platform.ts";
import { until } from "../support/poll.ts";
import { capturedExchange } from "../support/remoting-conversation.ts";
import { answerShape, startAdminWorld, type AdminWorld } from "./admin-harness.ts";

const CLUSTER_LIST = { "4.9.7": "v4.9.7/v4.9.7-admin-clusterList-02-broker", "5.3.3": "v5.3.3/v5.3.3-admin-clusterList-02-broker" };

/** Captured keys Skiff leaves out, and why (also in src/broker/runtime-info.ts). */
const LEFT_OUT: Record<string, string> = {
  dispatchMaxBuffer: "never set by a Java broker either; Skiff's dispatcher has no such buffer",
  remainTransientStoreBufferNumbs: "no transient store pool",
  startAcceptSendRequestTimeStamp: "no such setting",
  EndTransactionQueueSize: "no transactions", EndTransactionThreadPoolQueueCapacity: "no transactions",
  sendThreadPoolQueueCapacity: "no worker pools", pullThreadPoolQueueCapacity: "no worker pools", queryThreadPoolQueueCapacity: "no worker pools",
  ackThreadPoolQueueCapacity: "no pop", ackThreadPoolQueueHeadWaitTimeMills: "no pop", ackThreadPoolQueueSize: "no pop",
  litePullThreadPoolQueueCapacity: "no worker pools", litePullThreadPoolQueueHeadWaitTimeMills: "no worker pools", litePullThreadPoolQueueSize: "no worker pools",
  timerCongestNum: "no timer wheel", timerDequeueTps: "no timer wheel", timerEnqueueTps: "no timer wheel", timerOffsetBehind: "no timer wheel", timerReadBehind: "no timer wheel",
};
/** What the 4.9.7 and 5.3.3 clusterList commands read (ClusterListSubCommand). */
const CLUSTER_LIST_READS = [
  "brokerVersionDesc", "putTps", "sendThreadPoolQueueSize", "pullThreadPoolQueueSize", "sendThreadPoolQueueHeadWaitTimeMills", "pullThreadPoolQueueHeadWaitTimeMills",
  "pageCacheLockTimeMills", "earliestMessageTimeStamp", "commitLogDiskRatio", "msgPutTotalYesterdayMorning", "msgPutTotalTodayMorning", "msgPutTotalTodayNow",
  "msgGetTotalYesterdayMorning", "msgGetTotalTodayMorning", "msgGetTotalTodayNow",
];

const DISK_KEY = /^commitLogDiskRatio_/;
/** Present for each delay level used so far (the captured broker had delivered levels 2 and 3). */
const DELAY_KEY = /^scheduleMessageOffset_\d+$/;

describe(`GET_BROKER_RUNTIME_INFO (${platform.system.runtime})`, () => {
  let world: AdminWorld;
  let firstStoreTime = 0;
  const startedAt = Date.now();

  before(async () => {
    world = await startAdminWorld();
    for (let i = 0; i < 5; i++) {
      const sent = await world.send("TopicTest", { body: `message ${i}`, tags: "TagA", queueId: i % 2 });
      if (i === 0) {
        const record = decodeMessageRecord((await world.broker.store.readMessageAt(sent.commitLogOffset))!, 0, { readBody: false });
        firstStoreTime = record.kind === "message" ? record.storeTimestamp : -1;
      }
    }
    await world.broker.store.waitDispatched(world.broker.store.offsets.maxOffset);
    await world.broker.runtime.pull.pull({ topic: "TopicTest", queueId: 0, offset: 0, max: 32, group: "cg", waitMs: 0 });
  });
  after(() => world.stop());

  const table = async (version: keyof typeof CLUSTER_LIST): Promise<Record<string, string>> => {
    const { request, response } = capturedExchange(CLUSTER_LIST[version], RequestCode.GET_BROKER_RUNTIME_INFO);
    const answer = await world.replay(request);
    assert.deepEqual({ ...answerShape(answer), bodyLength: 0 }, { ...answerShape(response), bodyLength: 0 });
    return JSON.parse(utf8Decode(answer.body)).table;
  };

  for (const version of ["4.9.7", "5.3.3"] as const) {
    it(`has every key the ${version} broker sent, or a reason to leave it out, and both TPS spellings`, async () => {
      const ours = await table(version);
      const captured = JSON.parse(utf8Decode(capturedExchange(CLUSTER_LIST[version], RequestCode.GET_BROKER_RUNTIME_INFO).response.body)).table;
      const missing = Object.keys(captured).filter((key) => !(key in ours) && !(key in LEFT_OUT) && !DISK_KEY.test(key) && !DELAY_KEY.test(key));
      assert.deepEqual(missing, []);
      assert.equal(Object.keys(ours).filter((key) => DISK_KEY.test(key)).length, 1);
      for (const key of Object.keys(LEFT_OUT)) assert.ok(!(key in ours), `${key} is left out`);
      for (const key of [...CLUSTER_LIST_READS, "getTransferedTps", "getTransferredTps", "brokerActive"]) assert.ok(key in ours, key);
      assert.equal(ours.getTransferedTps, ours.getTransferredTps);
      for (const value of Object.values(ours)) assert.equal(typeof value, "string");
    });
  }

  it("reports this broker's own counts, offsets and times", async () => {
    const t = await table("4.9.7");
    const { store } = world.broker;
    assert.equal(t.brokerVersionDesc, "V4_9_8");
    assert.equal(t.brokerVersion, "409");
    assert.equal(t.brokerActive, "true");
    assert.equal(t.msgPutTotalTodayNow, "5");
    assert.equal(t.putMessageTimesTotal, "5");
    assert.equal(t.putMessageFailedTimes, "0");
    assert.equal(t.msgGetTotalTodayNow, "3", "the pull of queue 0 handed out 3 messages");
    assert.equal(t.commitLogMinOffset, "0");
    assert.equal(t.commitLogMaxOffset, String(store.offsets.maxOffset));
    assert.equal(t.putMessageSizeTotal, String(store.offsets.maxOffset));
    assert.equal(Number(t.putMessageAverageSize), store.offsets.maxOffset / 5);
    assert.equal(t.earliestMessageTimeStamp, String(firstStoreTime));
    assert.equal(t.dispatchBehindBytes, "0");
    assert.match(t.remainHowManyDataToFlush, /^\d+(\.\d)? (B|KiB|MiB)$/);
    const boot = Number(t.bootTimestamp);
    assert.ok(boot >= startedAt - 1000 && boot <= Date.now(), t.bootTimestamp);
    assert.match(t.runtime, /^\[ 0 days, 0 hours, \d+ minutes, \d+ seconds \]$/);
    for (const key of ["putTps", "getFoundTps", "getMissTps", "getTransferedTps"]) assert.match(t[key], /^(\d+\.\d+(E-?\d+)?)? (\d+\.\d+(E-?\d+)?)? (\d+\.\d+(E-?\d+)?)?$/, key);
    assert.match(t.getTotalTps, /^\d+\.\d+(E-?\d+)? \d+\.\d+(E-?\d+)? \d+\.\d+(E-?\d+)?$/);
    assert.match(t.putLatency99, /^\d+\.\d\d$/);
    assert.match(t.putMessageDistributeTime, /^(\[[^\]]+\]:\d+ ){13}$/);
    for (const pool of ["send", "pull", "query"]) {
      assert.equal(t[`${pool}ThreadPoolQueueSize`], "0");
      assert.equal(t[`${pool}ThreadPoolQueueHeadWaitTimeMills`], "0");
    }
    assert.equal(t.pageCacheLockTimeMills, "0");
  });

  it("reports the store's disk as df does", async () => {
    const t = await table("5.3.3");
    const commitLogDir = join(world.storeDir, "commitlog");
    assert.equal(t[`commitLogDiskRatio_${commitLogDir}`], t.commitLogDiskRatio);
    const [size, usePercent] = execFileSync("df", ["-P", "-B1", commitLogDir], { encoding: "utf8" }).trim().split("\n")[1].trim().split(/\s+/).filter((_, i) => i === 1 || i === 4);
    assert.ok(Math.abs(Number(t.commitLogDiskRatio) * 100 - Number(usePercent.replace("%", ""))) <= 1, `${t.commitLogDiskRatio} vs df ${usePercent}`);
    assert.equal(t.consumeQueueDiskRatio, t.commitLogDiskRatio, "one file system under the temp dir");
    const total = Number(size);
    const unit = ["KiB", "MiB", "GiB", "TiB"][Math.floor(Math.log(total) / Math.log(1024)) - 1];
    assert.match(t.commitLogDirCapacity, new RegExp(`^Total : ${(total / 1024 ** (["KiB", "MiB", "GiB", "TiB"].indexOf(unit) + 1)).toFixed(1)} ${unit}, Free : \\d+\\.\\d [KMGT]iB\\.$`));
  });

  it("reports each delay level's delivered and stored offsets once a delayed message was delivered", async () => {
    await world.send("TopicTest", { body: "delayed", delayLevel: 1, queueId: 0 });
    const t = await until("the delayed message's delivery", async () => {
      const answer = await world.call(RequestCode.GET_BROKER_RUNTIME_INFO);
      assert.equal(answer.code, ResponseCode.SUCCESS);
      const parsed = JSON.parse(utf8Decode(answer.body)).table;
      return parsed.scheduleMessageOffset_1 === "1,1" ? parsed : undefined;
    }, 15_000);
    // One table is one moment: the delivery that moved the level's offset is a put already counted.
    assert.equal(t.msgPutTotalTodayNow, "7", "the delayed message and its delivery are both puts");
    assert.equal(t.msgGetTotalTodayNow, "3", "the schedule service's own reads are not consumer reads");
  });
});
