/**
 * Retention in a real broker process on the runtime running this test, configured from the
 * command line with RocketMQ's keys (and Skiff's first-pass delay): with deleteWhen=99 nothing is
 * deleted; `curl -XPOST …/admin/delete-expired-commitlog` (the README's example) makes the next
 * passes delete every segment but the newest; a consumer behind the new min is moved to it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { Producer, PullConsumer } from "../../src/client/index.ts";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { startSkiff } from "../support/skiff-process.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`retention in a broker process on ${runtimeName}`, () => {
  const { defer } = cleanupAfterSuite();

  it("deletes old segments when asked, and moves a consumer behind the min to it", async () => {
    const store = await tempDir("e2e-retention");
    defer(() => removeDir(store));
    const broker = await startSkiff(runtimeName, "broker", [
      `--storePathRootDir=${store}`, "--listenPort=0", "--defaultTopicQueueNums=1",
      "--mappedFileSizeCommitLog=4096", "--mappedFileSizeConsumeQueue=400", "--maxHashSlotNum=64", "--maxIndexNum=256",
      "--fileReservedTime=0", "--deleteWhen=99", "--cleanResourceInterval=200", "--cleanResourceInitialDelay=0",
      "--flushIntervalCommitLog=50", "--flushIntervalConsumeQueue=50",
    ]);
    defer(() => broker.kill());
    const producer = new Producer({ broker: broker.address });
    for (let i = 0; i < 60; i++) assert.equal((await producer.send("Kept", { body: `m-${i}-`.padEnd(900, "x"), queueId: 0 })).status, "SEND_OK");
    const segments = () => readdirSync(join(store, "commitlog")).length;
    const written = segments();
    assert.ok(written >= 10, `${written} segments`);
    await sleep(800);
    assert.equal(segments(), written, "deleteWhen=99: no pass deletes");

    // The README's example.
    const armed = await (await fetch(`http://${broker.address}/admin/delete-expired-commitlog`, { method: "POST" })).json();
    assert.deepEqual(armed, { manualPasses: 20 });
    await broker.waitFor(/retention pass \(manual request \(\d+ passes left\)\): deleted \d+ commit-log segments/, 10_000);
    const deadline = Date.now() + 10_000;
    while (segments() > 1) {
      assert.ok(Date.now() < deadline, `${segments()} segments left`);
      await sleep(50);
    }
    const consumer = new PullConsumer({ group: "late_group", broker: broker.address });
    const moved = await consumer.pull("Kept", 0, 0);
    assert.equal(moved.pullStatus, "OFFSET_ILLEGAL");
    assert.ok(moved.nextBeginOffset > 0 && moved.nextBeginOffset === moved.minOffset && moved.maxOffset === 60, JSON.stringify({ ...moved, messages: moved.messages.length }));
    const found = await consumer.pull("Kept", 0, moved.nextBeginOffset);
    assert.equal(found.pullStatus, "FOUND");
    assert.equal(new TextDecoder().decode(found.messages[0].body).split("-x")[0], `m-${moved.nextBeginOffset}`);
    assert.ok(broker.output.some((line) => line.startsWith("retention: deleted commit-log segment ")));
    const stopped = await broker.stop();
    assert.ok(stopped.clean);
  });
});
