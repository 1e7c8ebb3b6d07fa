/**
 * The message index in the store (index/, RocketMQ's layout): every written message is indexed
 * under its UNIQ_KEY and each KEYS word and found again by `queryMessages`; a file rolls over at
 * maxIndexNum; after a crash the entries that never reached the index file are rebuilt from the
 * commit log; the default 420 MB file is written sparsely, through the OS (as Java maps it).
 * The memory platform for the crash cases, the runtime's real file system for the sparse file.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { decodeMessageRecord, type DecodedMessage } from "../../src/codec/message-record-decode.ts";
import { decodeProperties } from "../../src/codec/properties.ts";
import { decodeIndexHeader } from "../../src/codec/index-file.ts";
import { TransactionType } from "../../src/codec/sys-flag.ts";
import { MessageStore } from "../../src/store/message-store.ts";
import { defaultStoreOptions } from "../../src/store/store-options.ts";
import { message, memoryStoreWorld } from "../support/store.ts";
import { platform, removeDir, tempDir } from "../support/platform.ts";

const ALL_TIME = [0, Number.MAX_SAFE_INTEGER] as const;

function keyed(topic: string, i: number, keys = `order-${i} shared`) {
  return message(topic, `body-${i}`, { properties: new Map([["UNIQ_KEY", `U-${i}`], ["KEYS", keys]]) });
}

function decoded(bytes: Uint8Array): DecodedMessage {
  const record = decodeMessageRecord(bytes, 0, { readBody: true });
  assert.equal(record.kind, "message");
  return record as DecodedMessage;
}

const uniqKeysOf = (records: Uint8Array[]) => records.map((r) => decodeProperties(decoded(r).properties).get("UNIQ_KEY"));

async function indexFiles(world: ReturnType<typeof memoryStoreWorld>): Promise<string[]> {
  return (await world.fs.readdir("/store/index")).sort();
}

describe("message index", () => {
  it("indexes UNIQ_KEY and each KEYS word of every message, found by key and by unique key", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    const stored: number[] = [];
    for (let i = 0; i < 10; i++) {
      await world.clock.advance(1000);
      stored.push((await store.put([keyed("T", i)])).storeTimestamp);
    }
    await store.put([keyed("Other", 99, "order-3")]);
    await store.put([{ ...keyed("T", 100, "half"), sysFlag: TransactionType.PREPARED }]);
    await store.waitDispatched(store.offsets.maxOffset);

    const byKey = await store.queryMessages("T", "order-3", 64, ...ALL_TIME);
    assert.deepEqual(uniqKeysOf(byKey.records), ["U-3"]);
    assert.deepEqual(byKey.records[0], await store.readMessageAt(decoded(byKey.records[0]).physicalOffset));
    assert.deepEqual(uniqKeysOf((await store.queryMessages("T", "U-7", 64, ...ALL_TIME)).records), ["U-7"]);
    assert.deepEqual(uniqKeysOf((await store.queryMessages("T", "shared", 64, ...ALL_TIME)).records), Array.from({ length: 10 }, (_, i) => `U-${i}`));
    assert.equal((await store.queryMessages("T", "shared", 4, ...ALL_TIME)).records.length, 4, "maxNum");
    assert.deepEqual(uniqKeysOf((await store.queryMessages("Other", "order-3", 64, ...ALL_TIME)).records), ["U-99"], "keys are per topic");
    assert.equal((await store.queryMessages("T", "half", 64, ...ALL_TIME)).records.length, 0, "a transaction half is not indexed");
    // The time window: messages 5..9 were stored at stored[5]…stored[9].
    const late = await store.queryMessages("T", "shared", 64, stored[5], Number.MAX_SAFE_INTEGER);
    assert.deepEqual(uniqKeysOf(late.records), ["U-5", "U-6", "U-7", "U-8", "U-9"]);
    assert.equal(late.indexLastUpdateTimestamp, stored[9], "the newest index file ends at the last indexed message");
    const none = await store.queryMessages("T", "no-such-key", 64, ...ALL_TIME);
    assert.deepEqual([none.records.length, none.indexLastUpdateTimestamp, none.indexLastUpdatePhyoffset], [0, 0, 0]);

    await store.close();
    const [name] = await indexFiles(world);
    assert.match(name, /^\d{17}$/, "named yyyyMMddHHmmssSSS");
    const header = decodeIndexHeader(world.fs.bytes(`/store/index/${name}`));
    assert.equal(header.indexCount, 1 + 10 * 3 + 2, "3 keys for each T message, 2 for Other's, none for the half; entry 0 unused");
    assert.equal(header.beginPhyOffset, 0);
    assert.equal(header.beginTimestamp, stored[0]);
    const reopened = await world.open();
    assert.deepEqual(uniqKeysOf((await reopened.queryMessages("T", "order-9", 64, ...ALL_TIME)).records), ["U-9"], "found after a restart");
    await reopened.close();
  });

  it("starts a new index file when one holds maxIndexNum - 1 keys, and queries span the files", async () => {
    const world = memoryStoreWorld({ maxHashSlotNum: 8, maxIndexNum: 10 });
    const store = await world.open();
    for (let i = 0; i < 10; i++) {
      await world.clock.advance(5);
      await store.put([keyed("T", i, `k-${i}`)]);
    }
    await store.waitDispatched(store.offsets.maxOffset);
    assert.equal(store.stats().indexFiles, 3, "20 keys, 9 per file");
    for (let i = 0; i < 10; i++) {
      assert.deepEqual(uniqKeysOf((await store.queryMessages("T", `k-${i}`, 64, ...ALL_TIME)).records), [`U-${i}`], `k-${i}`);
    }
    await store.close();
    const names = await indexFiles(world);
    assert.equal(names.length, 3);
    const headers = names.map((name) => decodeIndexHeader(world.fs.bytes(`/store/index/${name}`)));
    assert.deepEqual(headers.map((h) => h.indexCount), [10, 10, 3]);
    // A new file starts where the full one ended (RocketMQ's IndexFile constructor), then its first put sets the begin.
    assert.ok(headers[1].beginPhyOffset >= headers[0].endPhyOffset && headers[1].beginTimestamp >= headers[0].endTimestamp);
    assert.equal(world.fs.bytes(`/store/index/${names[0]}`).byteLength, 40 + 8 * 4 + 10 * 20);
  });

  it("after a crash, rebuilds from the commit log the entries that never reached the index file", async () => {
    const world = memoryStoreWorld();
    let store = await world.open();
    for (let i = 0; i < 20; i++) await store.put([keyed("T", i)]);
    await store.waitDispatched(store.offsets.maxOffset);
    const [name] = await indexFiles(world);
    const path = `/store/index/${name}`;
    const early = world.fs.bytes(path).slice();
    for (let i = 20; i < 40; i++) await store.put([keyed("T", i)]);
    await store.waitDispatched(store.offsets.maxOffset);
    // The process dies with the index file as it was after message 19: its later pages never reached the OS.
    world.fs.bytes(path).set(early);
    world.fs.crashProcess();
    store = await world.open();
    for (const i of [0, 19, 20, 39]) {
      assert.deepEqual(uniqKeysOf((await store.queryMessages("T", `order-${i}`, 64, ...ALL_TIME)).records), [`U-${i}`], `order-${i}`);
    }
    assert.equal((await store.queryMessages("T", "shared", 64, ...ALL_TIME)).records.length, 40);
    const header = decodeIndexHeader(world.fs.bytes(path));
    assert.equal(header.indexCount, 1 + 40 * 3, "each message indexed once: nothing twice after the rebuild");
    await store.close();
  });

  it("after a crash that wrote slots past the header, repairs them so older entries stay chained", async () => {
    const world = memoryStoreWorld({ maxHashSlotNum: 4, maxIndexNum: 4096 });
    let store = await world.open();
    for (let i = 0; i < 10; i++) await store.put([keyed("T", i)]);
    await store.waitDispatched(store.offsets.maxOffset);
    const [name] = await indexFiles(world);
    const path = `/store/index/${name}`;
    const headerBefore = world.fs.bytes(path).slice(0, 40);
    for (let i = 10; i < 20; i++) await store.put([keyed("T", i)]);
    await store.waitDispatched(store.offsets.maxOffset);
    // Killed after the entries and slots were written, before the header: the header counts 10 messages.
    world.fs.bytes(path).set(headerBefore, 0);
    world.fs.crashProcess();
    store = await world.open();
    assert.ok(world.logs.some((line) => /slots written after its header/.test(line)), world.logs.join("\n"));
    assert.equal((await store.queryMessages("T", "shared", 64, ...ALL_TIME)).records.length, 20);
    for (const i of [0, 9, 10, 19]) assert.deepEqual(uniqKeysOf((await store.queryMessages("T", `U-${i}`, 64, ...ALL_TIME)).records), [`U-${i}`]);
    await store.close();
  });

  it("keeps indexing while index writes fail, and writes what waited once they work again", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    await store.put([keyed("T", 0)]);
    await store.waitDispatched(store.offsets.maxOffset);
    world.fs.failWrites("/store/index/");
    for (let i = 1; i < 30; i++) await store.put([keyed("T", i)]);
    await world.clock.advance(5000); // the dispatcher's retries meanwhile
    world.fs.stopFailingWrites();
    await store.put([keyed("T", 30)]);
    await store.waitDispatched(store.offsets.maxOffset);
    await world.clock.advance(5000);
    assert.equal((await store.queryMessages("T", "shared", 64, ...ALL_TIME)).records.length, 31);
    for (const i of [0, 1, 29, 30]) assert.deepEqual(uniqKeysOf((await store.queryMessages("T", `U-${i}`, 64, ...ALL_TIME)).records), [`U-${i}`]);
    await store.close();
    const [name] = await indexFiles(world);
    assert.equal(decodeIndexHeader(world.fs.bytes(`/store/index/${name}`)).indexCount, 1 + 31 * 3, "each key once, after the retries");
  });

  it("after a power loss that left no usable index file, rebuilds the whole index", async () => {
    const world = memoryStoreWorld({ flushDiskType: "SYNC_FLUSH" });
    let store = await world.open();
    for (let i = 0; i < 15; i++) await store.put([keyed("T", i)]);
    world.fs.crashPower(); // the commit log was fsync'd (SYNC_FLUSH); the index file never was
    store = await world.open();
    assert.equal((await store.queryMessages("T", "shared", 64, ...ALL_TIME)).records.length, 15);
    await store.close();
  });

  it("writes nothing when messageIndexEnable is false", async () => {
    const world = memoryStoreWorld({ messageIndexEnable: false });
    const store = await world.open();
    await store.put([keyed("T", 1)]);
    await store.waitDispatched(store.offsets.maxOffset);
    assert.equal((await store.queryMessages("T", "order-1", 64, ...ALL_TIME)).records.length, 0);
    await store.close();
    assert.equal(await world.fs.stat("/store/index"), null);
  });

  it("writes the default 420 MB index file sparsely and finds keys in it again after a restart", async () => {
    const dir = await tempDir("index-sparse");
    try {
      const store = await MessageStore.open(platform, defaultStoreOptions(dir, { segmentSizeCommitLogBytes: 16 << 20 }));
      for (let batch = 0; batch < 100; batch++) {
        await store.put(Array.from({ length: 20 }, (_, j) => keyed("T", batch * 20 + j)));
      }
      await store.waitDispatched(store.offsets.maxOffset);
      assert.deepEqual(uniqKeysOf((await store.queryMessages("T", "order-1234", 64, ...ALL_TIME)).records), ["U-1234"]);
      await store.close();
      const [name] = (await platform.fs.readdir(join(dir, "index")));
      const stat = statSync(join(dir, "index", name));
      assert.equal(stat.size, 40 + 5_000_000 * 4 + 20_000_000 * 20, "full size, as RocketMQ maps it");
      if (typeof stat.blocks === "number" && stat.blocks > 0) {
        assert.ok(stat.blocks * 512 < 32 << 20, `${stat.blocks * 512} bytes on disk for 6000 keys`);
      }
      const reopened = await MessageStore.open(platform, defaultStoreOptions(dir, { segmentSizeCommitLogBytes: 16 << 20 }));
      assert.deepEqual(uniqKeysOf((await reopened.queryMessages("T", "U-1999", 64, ...ALL_TIME)).records), ["U-1999"]);
      await reopened.close();
    } finally {
      await removeDir(dir);
    }
  });
});
