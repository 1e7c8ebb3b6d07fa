/**
 * Retention by disk usage (spec rocketmq-remoting §11.1), on the memory platform whose disk is as
 * large as the test says (`limitSpace`): above diskMaxUsedSpaceRatio deletion runs whatever the
 * hour (expired segments only); above diskSpaceCleanForciblyRatio it ignores fileReservedTime
 * (unless cleanFileForciblyEnable=false), never the newest segment; above diskSpaceWarningLevelRatio
 * sends are refused with STORE_DISK_FULL naming the ratio, until usage is back at or below
 * diskSpaceCleanForciblyRatio.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { HOUR_MS, retentionWorld, type RetentionWorld } from "../support/retention.ts";
import { message } from "../support/store.ts";

/** Sets the disk's size so that what the files hold now is `percent` of it. */
function diskAt(w: RetentionWorld, percent: number): void {
  w.fs.limitSpace(Math.ceil((w.fs.usedBytes * 100) / percent));
}

/** Two expired segments (written 2 h ago), one fresh full segment, and the newest. */
async function agedStore(settings: Parameters<typeof retentionWorld>[0] = {}): Promise<RetentionWorld> {
  const w = await retentionWorld({ fileReservedTimeHours: 1, deleteWhen: "99", ...settings });
  await w.fillSegments(3);
  await w.clock.advance(2 * HOUR_MS);
  await w.fillSegments(1);
  await w.fillSegments(1);
  await w.store.flushAll();
  assert.equal(w.segments().length, 5);
  return w;
}

describe("retention by disk usage", () => {
  it("above diskMaxUsedSpaceRatio deletes expired segments whatever the hour, and only those", async () => {
    const w = await agedStore();
    diskAt(w, 80);
    const pass = await w.pass();
    assert.match(pass.reasons.join(), /the disk holding \/store\/commitlog is 80\.\d% full \(> diskMaxUsedSpaceRatio 75\.0%\)/);
    assert.equal(pass.commitLogSegments, 2, "the two written 2 h ago");
    assert.equal(w.segments().length, 3);
    assert.equal(w.store.sendRefusal, null);
    w.settings = { ...w.settings, diskMaxUsedSpaceRatio: 5 };
    diskAt(w, 12);
    assert.match((await w.pass()).reasons.join(), /is 12\.\d% full \(> diskMaxUsedSpaceRatio 10\.0%\)/, "clamped to 10–95 as RocketMQ does");
    w.settings = { ...w.settings, diskSpaceCleanForciblyRatio: 100 };
    diskAt(w, 86);
    assert.match((await w.pass()).reasons.join(), /is 86\.\d% full \(> 85\.0%: delete whatever the age\)/, "clamped to 30–85");
    await w.store.close();
  });

  it("above diskSpaceCleanForciblyRatio deletes segments whatever their age, never the newest; not with cleanFileForciblyEnable=false", async () => {
    const kept = await agedStore({ cleanFileForciblyEnable: false });
    diskAt(kept, 87);
    const restrained = await kept.pass();
    assert.match(restrained.reasons.join(), /is 87\.\d% full \(> 85\.0%: delete whatever the age\)/);
    assert.equal(restrained.commitLogSegments, 2, "cleanFileForciblyEnable=false: only the expired ones");
    await kept.store.close();

    const w = await agedStore();
    diskAt(w, 87);
    const pass = await w.pass();
    assert.equal(pass.commitLogSegments, 4, "all but the newest");
    assert.deepEqual(w.segments().length, 1);
    await w.store.close();

    const low = await agedStore({ diskSpaceWarningLevelRatio: 40 });
    diskAt(low, 50);
    const warned = await low.pass();
    assert.match(warned.reasons.join(), /is 50\.\d% full \(> diskSpaceWarningLevelRatio 40\.0%: delete whatever the age\)/);
    assert.equal(warned.commitLogSegments, 4, "above the warning level, RocketMQ cleans immediately too");
    await low.store.close();
  });

  it("above diskSpaceWarningLevelRatio refuses sends with STORE_DISK_FULL until usage is at or below diskSpaceCleanForciblyRatio", async () => {
    // Nothing may be deleted here (fresh segments, cleanFileForciblyEnable=false): the usage moves only by the disk's size.
    const w = await retentionWorld({ fileReservedTimeHours: 72, deleteWhen: "99", cleanFileForciblyEnable: false });
    await w.fillSegments(3);
    await w.store.flushAll(); // the checkpoint's first write takes its 4 KiB before the disk is sized
    diskAt(w, 92);
    await w.pass();
    const refusal = w.store.sendRefusal;
    assert.equal(refusal?.code, "STORE_DISK_FULL");
    assert.equal(refusal?.retriable, true);
    assert.match(refusal!.message, /^the disk holding \/store\/commitlog is 92\.\d% full, above diskSpaceWarningLevelRatio 90\.0%: new messages are refused until space is freed \(usage at or below 85\.0%\)/);
    await assert.rejects(w.store.put([message("T", "refused")]), (error: { code?: string }) => error.code === "STORE_DISK_FULL");
    assert.deepEqual(w.store.ioProblems().map((p) => [p.code, p.where]), [["STORE_DISK_FULL", "/store/commitlog"]]);
    assert.equal(w.store.traffic.putFailures, 1);
    assert.ok(w.logs.some((line) => line.startsWith("retention: the disk holding /store/commitlog is 92")));

    diskAt(w, 87);
    await w.pass();
    assert.ok(w.store.sendRefusal, "between the two ratios the refusal stays (RocketMQ marks the disk OK only at or below 85 %)");
    diskAt(w, 80);
    await w.pass();
    assert.equal(w.store.sendRefusal, null);
    assert.deepEqual(w.store.ioProblems(), []);
    assert.equal((await w.store.put([message("T", "accepted")])).status, "PUT_OK");
    assert.ok(w.logs.some((line) => /retention: the disk holding \/store\/commitlog is 80\.\d% full again: new messages are accepted/.test(line)));
    await w.store.close();
  });
});
