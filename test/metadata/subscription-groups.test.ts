/**
 * Subscription groups carry RocketMQ 4.9's fields and defaults in subscriptionGroup.json's shape,
 * auto-create on first use, keep 5.x fields they do not know, and round-trip through the file.
 * A slave's replaceFromMaster follows the topic rule: no-op on an equal version, full replace
 * (deletions included) on any other.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { parseFastjson, stringifyFastjson } from "../../src/codec/fastjson.ts";
import { SubscriptionGroupManager, subscriptionGroupConfig } from "../../src/metadata/subscription-groups.ts";

const ROOT = "/store";
const FILE = "/store/config/subscriptionGroup.json";
const fileJson = (fs: MemoryFileSystem) => parseFastjson(new TextDecoder().decode(fs.bytes(FILE))) as Record<string, any>;

async function open(fs = new MemoryFileSystem(), clock = new ManualClock(), autoCreateSubscriptionGroup = true) {
  return { fs, clock, groups: await SubscriptionGroupManager.load(fs, clock, ROOT, { autoCreateSubscriptionGroup }) };
}

describe("SubscriptionGroupManager", () => {
  it("findOrCreate creates a group with RocketMQ 4.9's defaults and persists it", async () => {
    const { fs, groups } = await open();
    const created = await groups.findOrCreate("g1");
    assert.equal(await groups.findOrCreate("g1"), created);
    assert.equal(groups.dataVersion.counter, 1);
    assert.deepEqual(fileJson(fs), {
      dataVersion: groups.dataVersion.toJson(),
      subscriptionGroupTable: {
        g1: {
          brokerId: 0, consumeBroadcastEnable: true, consumeEnable: true, consumeFromMinEnable: true, groupName: "g1",
          notifyConsumerIdsChangedEnable: true, retryMaxTimes: 16, retryQueueNums: 1, whichBrokerWhenConsumeSlowly: 1,
        },
      },
    });
    const off = await open(new MemoryFileSystem(), new ManualClock(), false);
    assert.equal(await off.groups.findOrCreate("g1"), undefined);
  });

  it("put, get, delete and round-trip", async () => {
    const { fs, clock, groups } = await open();
    await groups.put(subscriptionGroupConfig("slow", { whichBrokerWhenConsumeSlowly: 2, consumeEnable: false }));
    await groups.put(subscriptionGroupConfig("gone"));
    assert.equal(await groups.delete("gone"), true);
    assert.equal(await groups.delete("gone"), false);
    const reopened = await SubscriptionGroupManager.load(fs, clock, ROOT);
    assert.deepEqual(reopened.all(), groups.all());
    assert.equal(reopened.get("slow")?.consumeEnable, false);
    assert.deepEqual(reopened.dataVersion.toJson(), { counter: 3, timestamp: clock.now() });
    await assert.rejects(groups.put(subscriptionGroupConfig("")), /groupName is empty/);
  });

  it("keeps 5.x fields and forbiddenTable when writing back", async () => {
    const fs = new MemoryFileSystem();
    await fs.mkdir("/store/config");
    const java5 = '{"dataVersion":{"counter":2,"stateVersion":0,"timestamp":7},"forbiddenTable":{},"subscriptionGroupTable":' +
      '{"g5":{"attributes":{},"brokerId":0,"consumeMessageOrderly":false,"consumeTimeoutMinute":15,"groupName":"g5",' +
      '"groupRetryPolicy":{"type":"CUSTOMIZED"},"retryMaxTimes":3}}}';
    await fs.writeFile(FILE, new TextEncoder().encode(java5));
    const { groups } = await open(fs);
    assert.equal(groups.get("g5")?.retryMaxTimes, 3);
    assert.equal(groups.get("g5")?.consumeEnable, true, "missing fields take the Java default");
    await groups.put({ ...groups.get("g5")!, retryMaxTimes: 4 });
    const json = fileJson(fs);
    assert.deepEqual(json.forbiddenTable, {});
    assert.equal(json.subscriptionGroupTable.g5.consumeTimeoutMinute, 15);
    assert.deepEqual(json.subscriptionGroupTable.g5.groupRetryPolicy, { type: "CUSTOMIZED" });
    assert.equal(json.subscriptionGroupTable.g5.retryMaxTimes, 4);
  });
});

describe("SubscriptionGroupManager.replaceFromMaster", () => {
  it("no-op on an equal version, full replace with deletions otherwise", async () => {
    const master = await open();
    const slave = await open();
    await master.groups.findOrCreate("a");
    await master.groups.findOrCreate("b");
    await slave.groups.findOrCreate("slaveOnly");
    assert.equal(await slave.groups.replaceFromMaster(stringifyFastjson(master.groups.snapshot())), true);
    assert.deepEqual(slave.groups.all().map((g) => g.groupName), ["a", "b"]);
    const syncs = slave.fs.syncCount;
    assert.equal(await slave.groups.replaceFromMaster(master.groups.snapshot()), false);
    assert.equal(slave.fs.syncCount, syncs);

    await master.groups.delete("b");
    assert.equal(await slave.groups.replaceFromMaster(master.groups.snapshot()), true);
    assert.deepEqual(slave.groups.all().map((g) => g.groupName), ["a"]);
    assert.deepEqual(slave.groups.dataVersion.toJson(), master.groups.dataVersion.toJson());
    assert.deepEqual(Object.keys(fileJson(slave.fs).subscriptionGroupTable), ["a"]);
  });

  it("rejects bad bodies and leaves the table as it was", async () => {
    const { groups } = await open();
    await groups.findOrCreate("keep");
    await assert.rejects(groups.replaceFromMaster('{"subscriptionGroupTable":{}}'), /dataVersion is missing/);
    await assert.rejects(
      groups.replaceFromMaster('{"dataVersion":{"counter":1,"timestamp":1},"subscriptionGroupTable":{"x":{"consumeEnable":"yes"}}}'),
      /consumeEnable must be true or false/,
    );
    assert.ok(groups.get("keep"));
  });
});
