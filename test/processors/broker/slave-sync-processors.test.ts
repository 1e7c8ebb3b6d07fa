// The four bodies a Java slave pulls from its master (GET_ALL_TOPIC_CONFIG, GET_ALL_CONSUMER_OFFSET, GET_ALL_DELAY_OFFSET,
// GET_ALL_SUBSCRIPTIONGROUP_CONFIG), served by a Skiff master's processors: they are fastjson as a Java master writes it
// (compact, Integer keys unquoted), and Skiff's own remoting sync client (slave-sync-remoting.ts, what a Skiff slave of a
// Java master uses) parses them into metadata equal to the master's: topics, offsets, delay offsets, groups, versions.
// A 5.x slave's GET_TIMER_CHECK_POINT (also on the fast channel) is answered with the 56 bytes of an empty timer wheel
// that has read up to the current 1 s slot, its data version one step per slot since boot; GET_TIMER_METRICS and
// GET_ALL_MESSAGE_REQUEST_MODE with a fresh 5.3.3 master's empty bodies.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Decode } from "../../../src/core/bytes.ts";
import { SlaveSync } from "../../../src/broker/slave-sync.ts";
import { remotingSyncSource } from "../../../src/broker/slave-sync-remoting.ts";
import { openMetadata } from "../../../src/metadata/metadata.ts";
import { decodeTimerCheckpoint, TIMER_CHECKPOINT_BYTES } from "../../../src/codec/timer-checkpoint.ts";
import { brokerProcessors } from "../../../src/processors/broker/index.ts";
import { emptyTimerWheelCheckpoint } from "../../../src/processors/broker/slave-sync-processors.ts";
import { RequestCode, ResponseCode } from "../../../src/remoting/codes.ts";
import { RemotingClientPool } from "../../../src/remoting/remoting-client.ts";
import { platform, removeDir, tempDir } from "../../support/platform.ts";
import { remotingBroker } from "../../support/processor-broker.ts";
import { request } from "./requests.ts";
import { lineLogger } from "../../support/log.ts";

describe("slave sync processors", () => {
  it("serve the master's metadata in Java's shapes, which Skiff's remoting sync client applies as they are", async () => {
    const rb = await remotingBroker();
    const slaveDir = await tempDir("slave-metadata");
    const pool = new RemotingClientPool(platform.net, platform.clock);
    try {
      const { admin, metadata } = rb.broker.runtime;
      await admin.putTopic("T", { readQueueNums: 2, writeQueueNums: 2 });
      await admin.putSubscriptionGroup("g", { retryMaxTimes: 3 });
      admin.commitConsumerOffset("g", "T", 0, 5);
      admin.commitConsumerOffset("g", "T", 1, 7);
      metadata.delayOffsets.set(2, 15);

      const client = await rb.client();
      const body = async (code: number) => {
        const answer = await client.call(request(code, {}));
        assert.equal(answer.code, ResponseCode.SUCCESS);
        return utf8Decode(answer.body);
      };
      const offsets = await body(RequestCode.GET_ALL_CONSUMER_OFFSET);
      assert.match(offsets, /"offsetTable":\{"T@g":\{0:5,1:7\}\}/, "queue ids unquoted, as fastjson writes them");
      assert.match(await body(RequestCode.GET_ALL_DELAY_OFFSET), /"offsetTable":\{2:15\}/);
      assert.match(await body(RequestCode.GET_ALL_TOPIC_CONFIG), /^\{"dataVersion":\{"counter":\d+,"timestamp":\d+\},"topicConfigTable":\{.*"T":\{"order":false,"perm":6,"readQueueNums":2,/);
      assert.match(await body(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG), /"g":\{"brokerId":0,.*"retryMaxTimes":3,/);

      const slave = await openMetadata(platform.fs, platform.clock, slaveDir, { brokerClusterName: "DefaultCluster", brokerName: "broker-a", flushIntervalMs: 0 });
      const logs: string[] = [];
      const sync = new SlaveSync({
        clock: platform.clock, metadata: slave, fetch: () => Promise.reject(new Error("not over HTTP")), source: remotingSyncSource(pool),
        periodMs: 60_000, masterAddress: () => rb.address, onDelayOffsetsChanged: () => undefined, log: lineLogger((line) => logs.push(line)),
      });
      await sync.syncNow();
      assert.deepEqual([sync.lastError, logs], [null, []]);
      assert.deepEqual(slave.topics.all(), metadata.topics.all());
      assert.deepEqual(slave.topics.dataVersion.toJson(), metadata.topics.dataVersion.toJson());
      assert.deepEqual(slave.subscriptionGroups.all(), metadata.subscriptionGroups.all());
      assert.deepEqual([...slave.consumerOffsets.queryAll("g", "T")], [[0, 5], [1, 7]]);
      assert.deepEqual([...slave.delayOffsets.all()], [...metadata.delayOffsets.all()]);
      await slave.close();
    } finally {
      pool.closeAll();
      await rb.stop();
      await removeDir(slaveDir);
    }
  });

  it("answer GET_TIMER_CHECK_POINT (the fast channel serves it too) as a master with an empty timer wheel that keeps up with the clock, and the timer metrics and request modes as empty", async () => {
    const rb = await remotingBroker();
    try {
      assert.ok(brokerProcessors(rb.broker.runtime).fast.has(RequestCode.GET_TIMER_CHECK_POINT), "a 5.3.3 slave asks on the fast channel");
      const client = await rb.client();
      const ask = async () => {
        const before = Date.now();
        const answer = await client.call(request(RequestCode.GET_TIMER_CHECK_POINT, {}));
        assert.deepEqual([answer.code, answer.remark, answer.body.length], [ResponseCode.SUCCESS, undefined, TIMER_CHECKPOINT_BYTES]);
        return { before, after: Date.now(), checkpoint: decodeTimerCheckpoint(answer.body) };
      };
      const first = await ask();
      const { lastReadTimeMs, dataVersion } = first.checkpoint;
      assert.equal(lastReadTimeMs % 1000, 0, "a slot boundary");
      assert.ok(lastReadTimeMs > first.before - 1000 && lastReadTimeMs <= first.after, `read up to now: ${lastReadTimeMs} vs ${first.before}`);
      assert.deepEqual(first.checkpoint, {
        lastReadTimeMs, lastTimerLogFlushPos: 0, lastTimerQueueOffset: 0, masterTimerQueueOffset: 0,
        dataVersion: { stateVersion: 0, timestamp: lastReadTimeMs, counter: dataVersion!.counter },
      });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const second = await ask();
      assert.ok(second.checkpoint.lastReadTimeMs > lastReadTimeMs, "the read time moves with the clock");
      assert.equal(second.checkpoint.dataVersion!.counter - dataVersion!.counter, (second.checkpoint.lastReadTimeMs - lastReadTimeMs) / 1000, "one version per slot");

      // The other two a 5.x slave asks every 60 s, as a fresh 5.3.3 master answers them.
      const boot = rb.broker.runtime.store.traffic.bootTimestamp;
      for (const [code, expected] of [
        [RequestCode.GET_TIMER_METRICS, `{"dataVersion":{"counter":0,"stateVersion":0,"timestamp":${boot}},"timingCount":{}}`],
        [RequestCode.GET_ALL_MESSAGE_REQUEST_MODE, `{"messageRequestModeMap":{}}`],
      ] as const) {
        const answer = await client.call(request(code, {}));
        assert.deepEqual([answer.code, utf8Decode(answer.body)], [ResponseCode.SUCCESS, expected], `code ${code}`);
      }
    } finally {
      await rb.stop();
    }
  });

  it("count an empty wheel's data version in slots since boot", () => {
    assert.deepEqual(emptyTimerWheelCheckpoint(1_700_000_005_999, 1_700_000_000_500), {
      lastReadTimeMs: 1_700_000_005_000, lastTimerLogFlushPos: 0, lastTimerQueueOffset: 0, masterTimerQueueOffset: 0,
      dataVersion: { stateVersion: 0, timestamp: 1_700_000_005_000, counter: 5 },
    });
    assert.equal(emptyTimerWheelCheckpoint(1_700_000_000_700, 1_700_000_000_500).dataVersion!.counter, 0, "within the boot slot");
  });
});
