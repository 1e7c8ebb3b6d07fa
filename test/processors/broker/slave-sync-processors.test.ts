// The four bodies a Java slave pulls from its master (GET_ALL_TOPIC_CONFIG, GET_ALL_CONSUMER_OFFSET, GET_ALL_DELAY_OFFSET,
// GET_ALL_SUBSCRIPTIONGROUP_CONFIG), served by a Skiff master's processors: they are fastjson as a Java master writes it
// (compact, Integer keys unquoted), and Skiff's own remoting sync client (slave-sync-remoting.ts, what a Skiff slave of a
// Java master uses) parses them into metadata equal to the master's: topics, offsets, delay offsets, groups, versions.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Decode } from "../../../src/core/bytes.ts";
import { SlaveSync } from "../../../src/broker/slave-sync.ts";
import { remotingSyncSource } from "../../../src/broker/slave-sync-remoting.ts";
import { openMetadata } from "../../../src/metadata/metadata.ts";
import { RequestCode, ResponseCode } from "../../../src/remoting/codes.ts";
import { RemotingClientPool } from "../../../src/remoting/remoting-client.ts";
import { platform, removeDir, tempDir } from "../../support/platform.ts";
import { remotingBroker } from "../../support/processor-broker.ts";
import { request } from "./requests.ts";

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
        periodMs: 60_000, masterAddress: () => rb.address, onDelayOffsetsChanged: () => undefined, log: (line) => logs.push(line),
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
});
