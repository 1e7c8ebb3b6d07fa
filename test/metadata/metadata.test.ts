/**
 * openMetadata loads all four files from `<root>/config/`, reports `.bak` fallbacks as warnings,
 * flushes coalesced offset changes on its timer and on close, and reopens to the same state. A
 * corrupt file with no usable backup stops the opening with METADATA_CORRUPT.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { openMetadata } from "../../src/metadata/metadata.ts";
import { topicConfig } from "../../src/metadata/topic-config.ts";

const ROOT = "/store";
const OPTIONS = { brokerClusterName: "DefaultCluster", brokerName: "broker-a" };

describe("openMetadata", () => {
  it("opens empty, persists all four files, and reopens to the same state", async () => {
    const fs = new MemoryFileSystem();
    const clock = new ManualClock();
    const meta = await openMetadata(fs, clock, ROOT, { ...OPTIONS, flushIntervalMs: 0 });
    assert.deepEqual(meta.warnings, []);
    await meta.topics.put(topicConfig("T", { readQueueNums: 2, writeQueueNums: 2 }));
    await meta.subscriptionGroups.findOrCreate("g");
    meta.consumerOffsets.commit("g", "T", 1, 42);
    meta.delayOffsets.set(3, 7);
    await meta.close();
    assert.deepEqual(await fs.readdir("/store/config"), [
      "consumerOffset.json", "delayOffset.json", "subscriptionGroup.json", "topics.json",
    ]);

    const again = await openMetadata(fs, clock, ROOT, { ...OPTIONS, flushIntervalMs: 0 });
    assert.equal(again.topics.get("T")?.readQueueNums, 2);
    assert.ok(again.subscriptionGroups.get("g"));
    assert.equal(again.consumerOffsets.query("g", "T", 1), 42);
    assert.equal(again.delayOffsets.get(3), 7);
    await again.close();
  });

  it("flushes offsets on its timer, once per period however many commits", async () => {
    const fs = new MemoryFileSystem();
    const clock = new ManualClock();
    const meta = await openMetadata(fs, clock, ROOT, { ...OPTIONS, flushIntervalMs: 5_000 });
    for (let i = 0; i < 500; i++) meta.consumerOffsets.commit("g", "T", 0, i);
    await clock.advance(4_999);
    assert.equal(await fs.stat("/store/config/consumerOffset.json"), null);
    const syncs = fs.syncCount;
    await clock.advance(1);
    assert.equal(fs.syncCount - syncs, 2, "one file written: tmp fsync + directory fsync");
    await clock.advance(5_000);
    assert.equal(fs.syncCount - syncs, 2, "nothing changed, nothing written");
    await meta.close();
    assert.equal(clock.pendingTimers, 0, "close stops the timer");
  });

  it("reports a background flush failure and retries on the next tick", async () => {
    const fs = new MemoryFileSystem();
    const clock = new ManualClock();
    const errors: unknown[] = [];
    const meta = await openMetadata(fs, clock, ROOT, { ...OPTIONS, flushIntervalMs: 1_000, onFlushError: (e) => errors.push(e) });
    meta.consumerOffsets.commit("g", "T", 0, 1);
    await fs.mkdir("/store/config");
    fs.failSync("/store/config/consumerOffset.json.tmp");
    await clock.advance(1_000);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /could not persist .*consumerOffset\.json/);
    await clock.advance(1_000);
    assert.ok(await fs.stat("/store/config/consumerOffset.json"));
    await meta.close();
  });

  it("collects .bak warnings, and refuses a corrupt file with no backup", async () => {
    const fs = new MemoryFileSystem();
    const clock = new ManualClock();
    const meta = await openMetadata(fs, clock, ROOT, { ...OPTIONS, flushIntervalMs: 0 });
    await meta.subscriptionGroups.findOrCreate("a");
    await meta.subscriptionGroups.findOrCreate("b");
    await meta.close();
    await fs.writeFile("/store/config/subscriptionGroup.json", new Uint8Array(0));
    const fallback = await openMetadata(fs, clock, ROOT, { ...OPTIONS, flushIntervalMs: 0 });
    assert.equal(fallback.warnings.length, 1);
    assert.match(fallback.warnings[0], /subscriptionGroup\.json: empty; trying/);
    assert.ok(fallback.subscriptionGroups.get("a"));
    await fallback.close();

    await fs.writeFile("/store/config/delayOffset.json", new TextEncoder().encode("{\"offsetTable\":{1:"));
    await assert.rejects(openMetadata(fs, clock, ROOT, OPTIONS), (e: Error & { code?: string }) => e.code === "METADATA_CORRUPT");
  });
});
