/**
 * Retention on the layout of the real RocketMQ 4.9.7 run (fixtures `remoting/v4.9.7-retention/`):
 * 300 messages stored at exactly the physical offsets the real broker gave them (64 KiB segments,
 * 30-entry consume-queue files, 100-entry index files), `fileReservedTime=0`, `deleteWhen` first
 * an hour that never comes, then switched to the current hour. Skiff keeps the files the real broker
 * kept, and reaches the same min offsets (commit log 196608, queue 240 of 300).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_RETENTION_SETTINGS, type RetentionSettings } from "../../src/store/retention-settings.ts";
import { fillLikeTheRun, realListing, RUN_STORE, RUN_TOPIC as TOPIC } from "../support/retention-run.ts";
import { memoryStoreWorld } from "../support/store.ts";

describe("retention on the real 4.9.7 run's layout", () => {
  it("keeps the files the real broker kept, with min offsets 196608 (commit log) and 240 of 300 (queue)", async () => {
    const world = memoryStoreWorld(RUN_STORE);
    const store = await world.open();
    let settings: RetentionSettings = { ...DEFAULT_RETENTION_SETTINGS, fileReservedTimeHours: 0, deleteWhen: "99" };
    store.startRetention(() => settings, null);

    await fillLikeTheRun(store);
    const names = async (dir: string) => (await world.fs.readdir(`/store/${dir}`)).sort();
    assert.deepEqual(await names("commitlog"), realListing("after 300 messages", "commitlog").filter((name) => name !== "00000000000000262144"),
      "the same segments (RocketMQ had also pre-allocated the next one)");
    assert.deepEqual(await names("consumequeue/RetTopic/0"), realListing("after 300 messages", "consumequeue/RetTopic/0"));
    assert.equal((await names("index")).length, realListing("after 300 messages", "index").length, "10 index files");

    const never = await store.runRetentionPass();
    assert.deepEqual([never.reasons, never.commitLogSegments, store.offsets.minOffset], [[], 0, 0], "deleteWhen=99: no hour matches");

    settings = { ...settings, deleteWhen: `${new Date(world.clock.now()).getHours()};20` }; // updateBrokerConfig deleteWhen=<this hour>;…
    const pass = await world.whileRunning(store.runRetentionPass()); // the clock moves through the 100 ms pauses between deletions
    assert.equal(pass.commitLogSegments, 3);
    assert.equal(pass.consumeQueueFiles, 8);
    assert.equal(pass.indexFiles, 7);
    assert.equal(store.offsets.minOffset, 196608);
    assert.deepEqual([store.minOffsetInQueue(TOPIC, 0), store.maxOffsetInQueue(TOPIC, 0)], [240, 300]);
    assert.deepEqual(await names("commitlog"), realListing("after deletion", "commitlog").filter((name) => name !== "00000000000000262144"));
    assert.deepEqual(await names("consumequeue/RetTopic/0"), realListing("after deletion", "consumequeue/RetTopic/0"));
    const index = await names("index");
    assert.equal(index.length, realListing("after deletion", "index").length, "3 index files kept");

    // What clients see (spec §11.3): below the min, OFFSET_TOO_SMALL with the min; a kept key is found, a deleted one is not.
    const below = await store.get({ topic: TOPIC, queueId: 0, offset: 5, maxMsgNums: 32 });
    assert.deepEqual([below.status, below.nextBeginOffset, below.minOffset, below.maxOffset], ["OFFSET_TOO_SMALL", 240, 240, 300]);
    const kept = await store.get({ topic: TOPIC, queueId: 0, offset: 240, maxMsgNums: 32 });
    assert.deepEqual([kept.status, kept.messages[0].physicalOffset], ["FOUND", 196608]);
    assert.equal((await store.queryMessages(TOPIC, "rk-254", 64, 0, Number.MAX_SAFE_INTEGER)).records.length, 1);
    assert.equal((await store.queryMessages(TOPIC, "rk-3", 64, 0, Number.MAX_SAFE_INTEGER)).records.length, 0);
    assert.equal(await store.readMessageAt(2439), null, "VIEW_MESSAGE_BY_ID at a deleted offset finds nothing");

    for (const name of ["00000000000000000000", "00000000000000065536", "00000000000000131072"]) {
      assert.ok(world.logs.some((line) => line.includes(`deleted commit-log segment /store/commitlog/${name} (65536 bytes freed`)), name);
    }
    assert.ok(world.logs.some((line) => /deleted consume-queue file \/store\/consumequeue\/RetTopic\/0\/00000000000000004200 \(600 bytes freed; its last entry points at \d+ < commit-log min 196608\); RetTopic\/0 min offset now 240/.test(line)), world.logs.join("\n"));
    assert.ok(world.logs.some((line) => line.includes("commit-log min offset now 196608")));
    await store.close();
  });
});
