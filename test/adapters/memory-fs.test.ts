/**
 * The in-memory file system keeps the two POSIX behaviours retention depends on: modification
 * times (from the platform's simulated clock) move with writes and truncations only, and an open
 * handle keeps its file after the name is removed, its bytes still taking space until it closes.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { createMemoryPlatform } from "../../adapters/memory/platform.ts";

describe("memory file system", () => {
  it("stamps modifications with the simulated clock: writes and truncations, not reads or fsync", async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const { fs } = createMemoryPlatform({ clock });
    await fs.mkdir("/d");
    await fs.writeFile("/d/f", new Uint8Array([1, 2]));
    assert.equal((await fs.stat("/d/f"))!.mtimeMs, 1_800_000_000_000);
    await clock.advance(5000);
    const file = await fs.open("/d/f");
    await file.read(new Uint8Array(2), 0);
    await file.sync();
    assert.equal((await fs.stat("/d/f"))!.mtimeMs, 1_800_000_000_000);
    await file.write(new Uint8Array([3]), 0);
    assert.equal((await fs.stat("/d/f"))!.mtimeMs, 1_800_000_005_000);
    await clock.advance(1000);
    await file.truncate(1);
    assert.equal((await fs.stat("/d/f"))!.mtimeMs, 1_800_000_006_000);
    await file.close();
    assert.equal(new MemoryFileSystem().hasClock, false, "a file system made alone stamps 0 until given a clock");
  });

  it("keeps a removed file for its open handles, and its space until the last one closes", async () => {
    const fs = new MemoryFileSystem();
    await fs.mkdir("/d");
    await fs.writeFile("/d/f", new Uint8Array(1000).fill(7));
    const file = await fs.open("/d/f");
    await fs.remove("/d/f");
    assert.equal(await fs.stat("/d/f"), null);
    assert.equal(fs.usedBytes, 1000, "still taken while open");
    const back = new Uint8Array(3);
    assert.equal(await file.read(back, 10), 3);
    assert.deepEqual(back, new Uint8Array([7, 7, 7]));
    await fs.writeFile("/d/f", new Uint8Array([1])); // a new file under the old name is another file
    assert.equal(await file.read(back, 0), 3);
    assert.deepEqual(back, new Uint8Array([7, 7, 7]));
    await file.close();
    assert.equal(fs.usedBytes, 1, "freed with the last handle");
    assert.equal(fs.openHandles, 0);
  });
});
