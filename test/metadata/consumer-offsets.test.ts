/**
 * Consumer offsets are kept in RocketMQ's consumerOffset.json shape (unquoted queue ids, dataVersion,
 * Skiff's reset versions as an extra field), and many commits cost one write at the next flush.
 * A slave's merge never moves an offset backwards, except that a reset on the master (a backwards
 * commit, a group or a topic deletion) propagates exactly once.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { ConsumerOffsetManager } from "../../src/metadata/consumer-offsets.ts";
import { parseFastjson, stringifyFastjson } from "../../src/codec/fastjson.ts";

const ROOT = "/store";
const FILE = "/store/config/consumerOffset.json";
const fileText = (fs: MemoryFileSystem) => new TextDecoder().decode(fs.bytes(FILE));
const fileJson = (fs: MemoryFileSystem) => parseFastjson(fileText(fs)) as Record<string, any>;

async function open(fs = new MemoryFileSystem(), clock = new ManualClock()) {
  return { fs, clock, offsets: await ConsumerOffsetManager.load(fs, clock, ROOT) };
}

describe("ConsumerOffsetManager", () => {
  it("commits and queries, -1 when unknown", async () => {
    const { offsets } = await open();
    offsets.commit("g1", "TopicTest", 0, 12);
    offsets.commit("g1", "TopicTest", 1, 7);
    assert.equal(offsets.query("g1", "TopicTest", 0), 12);
    assert.equal(offsets.query("g1", "TopicTest", 2), -1);
    assert.equal(offsets.query("g2", "TopicTest", 0), -1);
    assert.deepEqual([...offsets.queryAll("g1", "TopicTest")], [[0, 12], [1, 7]]);
    assert.deepEqual([...offsets.queryAll("g1", "Other")], []);
    assert.throws(() => offsets.commit("g1", "TopicTest", 0, -5), /non-negative safe integer/);
  });

  it("coalesces: a thousand commits write nothing until one flush writes once", async () => {
    const { fs, offsets } = await open();
    for (let i = 1; i <= 1000; i++) offsets.commit("g1", "TopicTest", i % 4, i);
    assert.equal(await fs.stat(FILE), null);
    const syncs = fs.syncCount;
    await offsets.flush();
    await offsets.flush();
    assert.equal(fs.syncCount - syncs, 2, "one tmp fsync and one directory fsync");
    assert.equal(fileJson(fs).offsetTable["TopicTest@g1"]["0"], 1000);
  });

  it("writes RocketMQ's shape with unquoted queue ids, and round-trips", async () => {
    const { fs, clock, offsets } = await open();
    offsets.commit("g1", "TopicTest", 1, 7);
    offsets.commit("g1", "TopicTest", 0, 12);
    await offsets.flush();
    const version = offsets.dataVersion.toJson();
    assert.equal(
      fileText(fs),
      `{\n\t"dataVersion":{\n\t\t"counter":2,\n\t\t"timestamp":${version.timestamp}\n\t},\n\t"offsetTable":{\n\t\t"TopicTest@g1":{0:12,1:7\n\t\t}\n\t}\n}`,
    );
    offsets.commit("g1", "TopicTest", 0, 3); // backwards: a reset
    await offsets.flush();
    assert.deepEqual(fileJson(fs).skiffResetVersions, { "TopicTest@g1": 1 });
    const reopened = await ConsumerOffsetManager.load(fs, clock, ROOT);
    assert.equal(reopened.query("g1", "TopicTest", 0), 3);
    assert.equal(reopened.resetVersion("g1", "TopicTest"), 1);
    assert.deepEqual(reopened.dataVersion.toJson(), offsets.dataVersion.toJson());
  });

  it("reads a 5.3 file and ignores groupTopicMap and lmqOffsetTable", async () => {
    const fs = new MemoryFileSystem();
    await fs.mkdir("/store/config");
    const java = '{"dataVersion":{"counter":0,"stateVersion":0,"timestamp":1569126408715},"groupTopicMap":{"g":["T"]},' +
      '"lmqOffsetTable":{"%LMQ%x":5},"offsetTable":{"T@g":{0:250,1:251},"%RETRY%g@g":{0:0}}}';
    await fs.writeFile(FILE, new TextEncoder().encode(java));
    const { offsets } = await open(fs);
    assert.equal(offsets.query("g", "T", 1), 251);
    assert.equal(offsets.query("g", "%RETRY%g", 0), 0);
    offsets.commit("g", "T", 0, 260);
    await offsets.flush();
    assert.deepEqual(Object.keys(fileJson(fs)), ["dataVersion", "offsetTable"]);
  });

  it("deleteGroup removes every topic of the group", async () => {
    const { offsets } = await open();
    offsets.commit("g1", "A", 0, 1);
    offsets.commit("g1", "B", 0, 1);
    offsets.commit("g2", "A", 0, 1);
    assert.deepEqual(offsets.deleteGroup("g1").sort(), ["A@g1", "B@g1"]);
    assert.equal(offsets.query("g1", "A", 0), -1);
    assert.equal(offsets.query("g2", "A", 0), 1);
    assert.deepEqual(offsets.deleteGroup("nobody"), []);
  });

  it("deleteTopic removes every group's offsets of the topic, and a name that only starts the same stays", async () => {
    const { offsets } = await open();
    offsets.commit("g1", "A", 0, 1);
    offsets.commit("g2", "A", 3, 5);
    offsets.commit("g1", "A-1", 0, 2);
    offsets.commit("g1", "B", 0, 1);
    assert.deepEqual(offsets.deleteTopic("A").sort(), ["g1", "g2"]);
    assert.equal(offsets.query("g2", "A", 3), -1);
    assert.equal(offsets.query("g1", "A-1", 0), 2);
    assert.deepEqual([offsets.resetVersion("g1", "A"), offsets.resetVersion("g1", "A-1")], [1, 0]);
    assert.deepEqual(offsets.deleteTopic("A"), []);
  });
});

describe("ConsumerOffsetManager.mergeFromMaster", () => {
  it("never moves an offset backwards and keeps what the master lacks", async () => {
    const master = await open();
    const slave = await open();
    master.offsets.commit("g", "T", 0, 10);
    master.offsets.commit("g", "T", 1, 20);
    slave.offsets.commit("g", "T", 0, 15); // slave ahead on queue 0 (e.g. a stale master snapshot)
    slave.offsets.commit("g", "T", 2, 5); // a queue the master does not have
    slave.offsets.commit("h", "T", 0, 1); // a key the master does not have
    const result = await slave.offsets.mergeFromMaster(stringifyFastjson(master.offsets.snapshot()));
    assert.deepEqual(result, { advanced: ["T@g"], reset: [] });
    assert.deepEqual([...slave.offsets.queryAll("g", "T")], [[0, 15], [2, 5], [1, 20]]);
    assert.equal(slave.offsets.query("h", "T", 0), 1);
    assert.equal(fileJson(slave.fs).offsetTable["T@g"]["1"], 20, "persisted");
  });

  it("takes a 4.9 body (no dataVersion, no reset versions) as a max-merge", async () => {
    const slave = await open();
    slave.offsets.commit("g", "T", 0, 9);
    const result = await slave.offsets.mergeFromMaster('{"offsetTable":{"T@g":{0:4,1:2}}}');
    assert.deepEqual(result, { advanced: ["T@g"], reset: [] });
    assert.deepEqual([...slave.offsets.queryAll("g", "T")], [[0, 9], [1, 2]]);
  });

  it("propagates a reset on the master exactly once", async () => {
    const master = await open();
    const slave = await open();
    master.offsets.commit("g", "T", 0, 100);
    master.offsets.commit("g", "T", 1, 100);
    await slave.offsets.mergeFromMaster(master.offsets.snapshot());

    master.offsets.commit("g", "T", 0, 5); // reset backwards
    assert.equal(master.offsets.resetVersion("g", "T"), 1);
    const first = await slave.offsets.mergeFromMaster(stringifyFastjson(master.offsets.snapshot()));
    assert.deepEqual(first, { advanced: [], reset: ["T@g"] });
    assert.equal(slave.offsets.query("g", "T", 0), 5);
    assert.equal(slave.offsets.resetVersion("g", "T"), 1);

    const again = await slave.offsets.mergeFromMaster(master.offsets.snapshot());
    assert.deepEqual(again, { advanced: [], reset: [] }, "the same reset is not applied twice");

    // After the reset, the usual rule is back: forward moves merge, nothing goes backwards.
    master.offsets.commit("g", "T", 0, 8);
    const stale = parseFastjson(stringifyFastjson(master.offsets.snapshot())) as any;
    stale.offsetTable["T@g"]["0"] = 6;
    await slave.offsets.mergeFromMaster(master.offsets.snapshot());
    await slave.offsets.mergeFromMaster(stale);
    assert.equal(slave.offsets.query("g", "T", 0), 8);
  });

  it("a slave restarted after a reset does not apply it again", async () => {
    const master = await open();
    const slave = await open();
    master.offsets.commit("g", "T", 0, 50);
    master.offsets.commit("g", "T", 0, 10);
    await slave.offsets.mergeFromMaster(master.offsets.snapshot());
    slave.offsets.commit("g", "T", 0, 10); // no change, stays a no-op
    const restarted = await ConsumerOffsetManager.load(slave.fs, slave.clock, ROOT);
    assert.equal(restarted.resetVersion("g", "T"), 1);
    master.offsets.commit("g", "T", 0, 30);
    const result = await restarted.mergeFromMaster(master.offsets.snapshot());
    assert.deepEqual(result, { advanced: ["T@g"], reset: [] });
  });

  it("propagates a group deletion on the master once, as a reset to nothing", async () => {
    const master = await open();
    const slave = await open();
    master.offsets.commit("g", "T", 0, 10);
    master.offsets.commit("g2", "T", 0, 3);
    await slave.offsets.mergeFromMaster(master.offsets.snapshot());
    master.offsets.deleteGroup("g");
    const result = await slave.offsets.mergeFromMaster(master.offsets.snapshot());
    assert.deepEqual(result, { advanced: [], reset: ["T@g"] });
    assert.equal(slave.offsets.query("g", "T", 0), -1);
    assert.equal(slave.offsets.query("g2", "T", 0), 3);
    master.offsets.commit("g", "T", 0, 2); // the group comes back, from scratch
    await slave.offsets.mergeFromMaster(master.offsets.snapshot());
    assert.equal(slave.offsets.query("g", "T", 0), 2);
  });

  it("propagates a topic deletion on the master once; a slave drops a topic's offsets itself when its config left the sync", async () => {
    const master = await open();
    const slave = await open();
    master.offsets.commit("g", "T", 0, 10);
    master.offsets.commit("g", "U", 0, 4);
    await slave.offsets.mergeFromMaster(master.offsets.snapshot());
    master.offsets.deleteTopic("T");
    assert.deepEqual(await slave.offsets.mergeFromMaster(master.offsets.snapshot()), { advanced: [], reset: ["T@g"] });
    assert.equal(slave.offsets.query("g", "T", 0), -1);
    // An Apache RocketMQ master sends no reset versions: the slave drops the offsets of a topic whose config it lost.
    const javaMaster = '{"offsetTable":{"U@g":{0:4}}}';
    await slave.offsets.mergeFromMaster(javaMaster);
    assert.equal(slave.offsets.dropTopicOnSlave("U"), 1);
    assert.equal(slave.offsets.resetVersion("g", "U"), 0, "a slave's own drop bumps no version");
    await slave.offsets.flush();
    assert.deepEqual(Object.keys(fileJson(slave.fs).offsetTable), []);
  });

  it("takes the master's dataVersion, and rejects a malformed body untouched", async () => {
    const master = await open(new MemoryFileSystem(), new ManualClock(5_000));
    const slave = await open();
    master.offsets.commit("g", "T", 0, 1);
    await slave.offsets.mergeFromMaster(master.offsets.snapshot());
    assert.deepEqual(slave.offsets.dataVersion.toJson(), master.offsets.dataVersion.toJson());
    await assert.rejects(slave.offsets.mergeFromMaster('{"offsetTable":{"T@g":{"zero":1}}}'), /key "zero" is not an integer/);
    await assert.rejects(slave.offsets.mergeFromMaster("{offsetTable"), /invalid fastjson/);
    assert.equal(slave.offsets.query("g", "T", 0), 1);
  });
});
