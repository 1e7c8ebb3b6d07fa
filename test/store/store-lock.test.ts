/**
 * The store's `lock` file records its holder's pid and start time (`skiff <pid> <start time>`), so
 * a broker restarted after its predecessor died takes the store over even when that pid now
 * belongs to another process, and is still refused while the holder itself runs. A lock in the
 * older `skiff <pid>` form is still honoured.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Decode, utf8Encode } from "../../src/core/bytes.ts";
import { memorySystem } from "../../adapters/memory/system.ts";
import { MessageStore } from "../../src/store/message-store.ts";
import { memoryStoreWorld } from "../support/store.ts";

const isLocked = (pid: number) => (e: Error & { code?: string }) => e.code === "STORE_LOCKED" && e.message.includes(`process ${pid}`);

describe("store lock", () => {
  it("records the holder's start time, refuses while it runs, and takes over once its pid is another process", async () => {
    const world = memoryStoreWorld();
    const alive = new Set<number>();
    const startTimes = new Map([[100, "5000"], [200, "7000"]]);
    const first = await MessageStore.open({ ...world.platform, system: memorySystem(undefined, { pid: 100, alive, startTimes }) }, world.options);
    assert.equal(utf8Decode(world.fs.bytes("/store/lock")), "skiff 100 5000\n");
    const second = { ...world.platform, system: memorySystem(undefined, { pid: 200, alive, startTimes }) };
    await assert.rejects(MessageStore.open(second, world.options), isLocked(100));

    startTimes.set(100, "6500"); // pid 100 died and was given to an unrelated process
    const taken = await MessageStore.open(second, world.options);
    assert.equal(utf8Decode(world.fs.bytes("/store/lock")), "skiff 200 7000\n");
    await taken.close();
    void first;
  });

  it("honours a lock without a start time while its pid runs, and takes it over once it does not", async () => {
    const world = memoryStoreWorld();
    await world.fs.mkdir("/store");
    await world.fs.writeFile("/store/lock", utf8Encode("skiff 300\n"));
    const alive = new Set<number>([300]);
    const startTimes = new Map([[300, "100"], [400, "900"]]);
    const platform = { ...world.platform, system: memorySystem(undefined, { pid: 400, alive, startTimes }) };
    await assert.rejects(MessageStore.open(platform, world.options), isLocked(300));
    alive.delete(300);
    const taken = await MessageStore.open(platform, world.options);
    assert.equal(utf8Decode(world.fs.bytes("/store/lock")), "skiff 400 900\n");
    await taken.close();
  });
});
