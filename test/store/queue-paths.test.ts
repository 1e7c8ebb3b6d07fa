/**
 * Defence in depth for a store written by something else: records whose topic or queue id could
 * name a path outside the store (`../../../../outside`, -1, 2^31-1) get no consume-queue entry and
 * no directory, anywhere, and the dispatcher logs each one and goes on with the next record; the
 * consume-queue table refuses such names outright, and skips such directories found on disk.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { ConsumeQueueTable } from "../../src/store/consume-queue-table.ts";
import { MessageStore } from "../../src/store/message-store.ts";
import { defaultStoreOptions } from "../../src/store/store-options.ts";
import { craftedRecord } from "../support/hostile-records.ts";
import { platform, removeDir, tempDir } from "../support/platform.ts";
import { lineLogger } from "../support/log.ts";

const dirs: string[] = [];

after(async () => {
  for (const dir of dirs) await removeDir(dir);
});

async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length + 1)).sort();
}

describe("consume-queue paths come only from valid topics and queue ids", () => {
  it("the dispatcher skips and logs records with hostile names, and dispatches the valid ones around them", async () => {
    const parent = await tempDir("queue-paths");
    dirs.push(parent);
    const logs: string[] = [];
    const options = defaultStoreOptions(join(parent, "store"), { segmentSizeCommitLogBytes: 1024 * 1024, segmentSizeConsumeQueueBytes: 1000 * 20, log: lineLogger((l) => logs.push(l) )});
    const store = await MessageStore.open({ fs: platform.fs, clock: platform.clock, system: platform.system }, options);
    const specs = [
      { topic: "TopicTest", queueId: 0 },
      { topic: "../../../../outside", queueId: 0 },
      { topic: "TopicTest", queueId: -1 },
      { topic: "TopicTest", queueId: 2 ** 31 - 1 },
      { topic: "a/b", queueId: 1 },
      { topic: "TopicTest", queueId: 0, queueOffset: 1 },
    ];
    let at = 0;
    for (const spec of specs) {
      const record = craftedRecord({ physicalOffset: at, ...spec });
      await store.replica.appendReplicated(at, record); // as a store written by an unchecked writer would hold it
      at += record.length;
    }
    await store.waitDispatched(at);
    assert.equal(store.offsets.dispatchedOffset, at, "dispatch went past every hostile record");
    assert.equal(store.maxOffsetInQueue("TopicTest", 0), 2);
    assert.equal(store.stats().consumeQueues, 1);
    assert.equal(logs.filter((l) => l.includes("gets no consume-queue entry")).length, 4, logs.join("\n"));
    await store.close();
    const paths = await tree(parent);
    assert.deepEqual(paths.filter((p) => !p.startsWith("store/") && p !== "store"), [], "nothing outside the store");
    assert.deepEqual(paths.filter((p) => p.startsWith("store/consumequeue/")), ["store/consumequeue/TopicTest", "store/consumequeue/TopicTest/0", "store/consumequeue/TopicTest/0/00000000000000000000"]);
  });

  it("the table refuses hostile names and skips hostile directories found on disk", async () => {
    const parent = await tempDir("queue-table");
    dirs.push(parent);
    const root = join(parent, "consumequeue");
    await mkdir(join(root, "TopicTest", "3"), { recursive: true });
    await mkdir(join(root, "TopicTest", "-1"), { recursive: true });
    await mkdir(join(root, "TopicTest", "2147483647"), { recursive: true });
    await mkdir(join(root, "bad topic", "0"), { recursive: true });
    const table = new ConsumeQueueTable(platform.fs, root, 1000 * 20);
    await table.load();
    assert.deepEqual(table.all().map((q) => `${q.topic}/${q.queueId}`), ["TopicTest/3"]);
    for (const [topic, queueId] of [["../../outside", 0], ["TopicTest", -1], ["TopicTest", 65535], ["", 0]] as const) {
      await assert.rejects(table.getOrCreate(topic, queueId), /QUEUE_PATH_ILLEGAL|no consume queue/);
    }
    await table.deleteTopic("..");
    await table.close();
    assert.deepEqual((await readdir(parent)).sort(), ["consumequeue"]);
    assert.ok((await readdir(root)).includes("TopicTest"));
  });
});
