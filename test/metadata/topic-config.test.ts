/**
 * The topic config manager keeps RocketMQ's topics.json shape (system topics at start, every change
 * bumping the DataVersion and persisting, unknown 5.x fields written back) and round-trips it. A
 * slave's replaceFromMaster is a no-op on an equal version and a full replace, deletions included,
 * on any other version.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { parseFastjson, stringifyFastjson } from "../../src/codec/fastjson.ts";
import { Perm, TopicConfigManager, topicConfig } from "../../src/metadata/topic-config.ts";

const ROOT = "/store";
const FILE = "/store/config/topics.json";
const OPTIONS = { brokerClusterName: "DefaultCluster", brokerName: "broker-a", autoCreateTopicEnable: true, defaultTopicQueueNums: 8 };
const fileJson = (fs: MemoryFileSystem) => parseFastjson(new TextDecoder().decode(fs.bytes(FILE))) as Record<string, any>;

async function open(fs = new MemoryFileSystem(), clock = new ManualClock(), options = OPTIONS) {
  return { fs, clock, topics: await TopicConfigManager.load(fs, clock, ROOT, options) };
}

describe("TopicConfigManager", () => {
  it("creates RocketMQ's system topics at start without writing or bumping the version", async () => {
    const { fs, topics } = await open();
    assert.deepEqual(topics.all().map((t) => [t.topicName, t.readQueueNums, t.perm]), [
      ["DefaultCluster", 16, 7],
      ["OFFSET_MOVED_EVENT", 1, 6],
      ["SCHEDULE_TOPIC_XXXX", 18, 6],
      ["SELF_TEST_TOPIC", 1, 6],
      ["TBW102", 8, 7],
      ["broker-a", 1, 7],
    ]);
    assert.equal(topics.dataVersion.counter, 0);
    assert.equal(await fs.stat(FILE), null);
    const noAuto = await open(new MemoryFileSystem(), new ManualClock(), { ...OPTIONS, autoCreateTopicEnable: false });
    assert.equal(noAuto.topics.get("TBW102"), undefined);
  });

  it("put and delete bump the version and persist the RocketMQ shape", async () => {
    const { fs, clock, topics } = await open();
    await clock.advance(10);
    await topics.put(topicConfig("TopicTest", { readQueueNums: 4, writeQueueNums: 4 }));
    assert.deepEqual(topics.dataVersion.toJson(), { counter: 1, timestamp: clock.now() });
    const json = fileJson(fs);
    assert.deepEqual(Object.keys(json), ["dataVersion", "topicConfigTable"]);
    assert.deepEqual(json.topicConfigTable.TopicTest, {
      order: false, perm: 6, readQueueNums: 4, topicFilterType: "SINGLE_TAG", topicName: "TopicTest", topicSysFlag: 0, writeQueueNums: 4,
    });
    assert.match(new TextDecoder().decode(fs.bytes(FILE)), /^\{\n\t"dataVersion":\{\n\t\t"counter":1,/);
    assert.equal(await topics.delete("TopicTest"), true);
    assert.equal(await topics.delete("TopicTest"), false);
    assert.equal(topics.dataVersion.counter, 2);
    assert.equal(fileJson(fs).topicConfigTable.TopicTest, undefined);
  });

  it("round-trips through the file, and snapshot is the file's shape", async () => {
    const { fs, clock, topics } = await open();
    await topics.put(topicConfig("Orders", { readQueueNums: 2, writeQueueNums: 3, order: true, perm: Perm.READ, attributes: { "message.type": "FIFO" } }));
    const reopened = await TopicConfigManager.load(fs, clock, ROOT, OPTIONS);
    assert.deepEqual(reopened.get("Orders"), topics.get("Orders"));
    assert.deepEqual(reopened.dataVersion.toJson(), topics.dataVersion.toJson());
    assert.deepEqual(reopened.loadWarnings, []);
    assert.deepEqual(parseFastjson(stringifyFastjson(topics.snapshot())), fileJson(fs));
  });

  it("keeps fields of a 5.x file it does not know when writing back", async () => {
    const fs = new MemoryFileSystem();
    await fs.mkdir("/store/config");
    const java5 =
      '{\n\t"dataVersion":{\n\t\t"counter":4,\n\t\t"stateVersion":0,\n\t\t"timestamp":1670616895921\n\t},\n\t"futureTopLevel":{"x":1},\n' +
      '\t"topicConfigTable":{\n\t\t"T5":{\n\t\t\t"attributes":{"message.type":"NORMAL"},\n\t\t\t"futureField":[1,2],\n\t\t\t"order":false,\n' +
      '\t\t\t"perm":6,\n\t\t\t"readQueueNums":2,\n\t\t\t"topicFilterType":"SINGLE_TAG",\n\t\t\t"topicName":"T5",\n\t\t\t"topicSysFlag":0,\n\t\t\t"writeQueueNums":2\n\t\t}\n\t}\n}';
    await fs.writeFile(FILE, new TextEncoder().encode(java5));
    const { topics } = await open(fs);
    assert.deepEqual(topics.get("T5")?.attributes, { "message.type": "NORMAL" });
    await topics.put({ ...topics.get("T5")!, writeQueueNums: 3 });
    const json = fileJson(fs);
    assert.deepEqual(json.futureTopLevel, { x: 1 });
    assert.deepEqual(json.topicConfigTable.T5.futureField, [1, 2]);
    assert.equal(json.topicConfigTable.T5.writeQueueNums, 3);
    assert.equal(json.dataVersion.stateVersion, 0);
    assert.equal(json.dataVersion.counter, 5);
  });

  it("createTopicIfAbsent creates once with defaultTopicQueueNums and READ|WRITE", async () => {
    const { topics } = await open();
    const created = await topics.createTopicIfAbsent("Auto");
    assert.deepEqual([created.readQueueNums, created.writeQueueNums, created.perm], [8, 8, 6]);
    assert.equal((await topics.createTopicIfAbsent("Auto", 2)).readQueueNums, 8);
    assert.equal((await topics.createTopicIfAbsent("Two", 2)).writeQueueNums, 2);
    assert.equal(topics.dataVersion.counter, 2);
  });

  it("rejects invalid configs", async () => {
    const { topics } = await open();
    await assert.rejects(topics.put(topicConfig("", {})), /topicName is empty/);
    await assert.rejects(topics.put(topicConfig("X", { readQueueNums: -1 })), /readQueueNums must be 0…65535/);
    await assert.rejects(topics.put(topicConfig("X", { perm: 16 })), /perm must be 0…15/);
  });

  it("falls back to topics.json.bak when topics.json is corrupt", async () => {
    const { fs, clock, topics } = await open();
    await topics.put(topicConfig("A"));
    await topics.put(topicConfig("B"));
    await fs.writeFile(FILE, new TextEncoder().encode('{"dataVersion":{"coun'));
    const reopened = await TopicConfigManager.load(fs, clock, ROOT, OPTIONS);
    assert.ok(reopened.get("A"));
    assert.equal(reopened.get("B"), undefined, ".bak holds the state before the last write");
    assert.equal(reopened.dataVersion.counter, 1);
    assert.match(reopened.loadWarnings[0], /topics\.json: invalid fastjson/);
  });
});

describe("TopicConfigManager.replaceFromMaster", () => {
  it("is a no-op when the master's version equals ours", async () => {
    const master = await open();
    await master.topics.put(topicConfig("T1"));
    const slave = await open();
    assert.equal(await slave.topics.replaceFromMaster(master.topics.snapshot()), true);
    const syncs = slave.fs.syncCount;
    assert.equal(await slave.topics.replaceFromMaster(stringifyFastjson(master.topics.snapshot())), false);
    assert.equal(slave.fs.syncCount, syncs, "nothing written");
  });

  it("replaces the whole table on a different version, deletions included, and persists", async () => {
    const master = await open();
    await master.topics.put(topicConfig("Kept"));
    await master.topics.put(topicConfig("Deleted"));
    const slave = await open();
    await slave.topics.put(topicConfig("SlaveOnly"));
    await slave.topics.replaceFromMaster(stringifyFastjson(master.topics.snapshot()));
    assert.ok(slave.topics.get("Deleted"));
    assert.equal(slave.topics.get("SlaveOnly"), undefined);

    await master.topics.delete("Deleted");
    assert.equal(await slave.topics.replaceFromMaster(master.topics.snapshot()), true);
    assert.equal(slave.topics.get("Deleted"), undefined);
    assert.ok(slave.topics.get("Kept"));
    assert.deepEqual(slave.topics.dataVersion.toJson(), master.topics.dataVersion.toJson());
    assert.deepEqual(fileJson(slave.fs), parseFastjson(stringifyFastjson(master.topics.snapshot())));
  });

  it("takes an older version too: equality, not ordering, decides", async () => {
    const slave = await open();
    for (const name of ["a", "b", "c"]) await slave.topics.put(topicConfig(name));
    const body = '{"dataVersion":{"counter":1,"timestamp":5},"topicConfigTable":{"z":{"topicName":"z","perm":6,"readQueueNums":1,"writeQueueNums":1}}}';
    assert.equal(await slave.topics.replaceFromMaster(body), true);
    assert.deepEqual(slave.topics.all().map((t) => t.topicName), ["z"]);
    assert.deepEqual(slave.topics.dataVersion.toJson(), { counter: 1, timestamp: 5 });
  });

  it("rejects a body without a dataVersion or with a bad table", async () => {
    const { topics } = await open();
    await assert.rejects(topics.replaceFromMaster('{"topicConfigTable":{}}'), /dataVersion is missing/);
    await assert.rejects(topics.replaceFromMaster('{"dataVersion":{"counter":1,"timestamp":1},"topicConfigTable":{"x":{"perm":"rw"}}}'), /perm must be an integer/);
    assert.ok(topics.get("TBW102"), "the table is untouched after a rejected body");
  });
});
