/**
 * Delay offsets are kept per delay level in delayOffset.json's fastjson shape (unquoted levels,
 * plus dataVersion), written on flush rather than on every change. A slave's replaceFromMaster
 * takes the master's table and version, persists them and hands the table back for the schedule
 * service.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { DelayOffsetManager } from "../../src/metadata/delay-offsets.ts";
import { stringifyFastjson } from "../../src/codec/fastjson.ts";

const ROOT = "/store";
const FILE = "/store/config/delayOffset.json";
const fileText = (fs: MemoryFileSystem) => new TextDecoder().decode(fs.bytes(FILE));

describe("DelayOffsetManager", () => {
  it("sets per level, writes on flush in fastjson's shape, and round-trips", async () => {
    const fs = new MemoryFileSystem();
    const clock = new ManualClock();
    const delay = await DelayOffsetManager.load(fs, clock, ROOT);
    assert.equal(delay.get(1), undefined);
    delay.set(2, 15);
    delay.set(1, 0);
    delay.set(2, 15);
    assert.equal(await fs.stat(FILE), null, "set only marks the file dirty");
    await delay.flush();
    assert.equal(fileText(fs), `{\n\t"dataVersion":{\n\t\t"counter":2,\n\t\t"timestamp":${clock.now()}\n\t},\n\t"offsetTable":{1:0,2:15\n\t}\n}`);
    const reopened = await DelayOffsetManager.load(fs, clock, ROOT);
    assert.deepEqual([...reopened.all()], [[1, 0], [2, 15]]);
    assert.throws(() => delay.set(0, 1), /delay level must be an integer ≥ 1/);
  });

  it("reads a 4.9 file without dataVersion", async () => {
    const fs = new MemoryFileSystem();
    await fs.mkdir("/store/config");
    await fs.writeFile(FILE, new TextEncoder().encode('{\n\t"offsetTable":{1:3,18:40\n\t}\n}'));
    const delay = await DelayOffsetManager.load(fs, new ManualClock(), ROOT);
    assert.equal(delay.get(18), 40);
    assert.equal(delay.dataVersion.counter, 0);
  });

  it("replaceFromMaster takes the table and version, persists, and returns the table", async () => {
    const master = await DelayOffsetManager.load(new MemoryFileSystem(), new ManualClock(9_000), ROOT);
    master.set(3, 30);
    const fs = new MemoryFileSystem();
    const slave = await DelayOffsetManager.load(fs, new ManualClock(), ROOT);
    slave.set(1, 99);
    const table = await slave.replaceFromMaster(stringifyFastjson(master.snapshot()));
    assert.deepEqual([...table], [[3, 30]]);
    assert.equal(slave.get(1), undefined);
    assert.deepEqual(slave.dataVersion.toJson(), master.dataVersion.toJson());
    assert.match(fileText(fs), /"offsetTable":\{3:30\n\t\}/);
    await assert.rejects(slave.replaceFromMaster('{"offsetTable":{0:-1}}'), /out of range/);
    assert.equal(slave.get(3), 30);
  });
});
