/**
 * The index file skips the slot read for a slot it never gave a value (a file this process
 * created): a key landing in an empty slot costs no read, one landing where an earlier key went
 * reads the slot (or its staged value), and every key is still found, newest first. A file found
 * on disk reads every slot, as before.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import type { FileHandle, FileSystem } from "../../src/core/platform.ts";
import { indexKeyHash } from "../../src/codec/index-file.ts";
import { IndexFile } from "../../src/store/index-file.ts";

const LIMITS = { slots: 64, maxIndex: 1000 };

/** `fs` whose handles count their `readNow` calls (the slot reads of `putKey`). */
function countingReads(fs: FileSystem): { fs: FileSystem; reads: () => number } {
  let reads = 0;
  const counting: FileSystem = Object.create(fs);
  counting.open = async (path, options) => {
    const handle = await fs.open(path, options);
    const wrapped: FileHandle = Object.create(handle);
    wrapped.readNow = (target, position) => (reads++, handle.readNow(target, position));
    return wrapped;
  };
  return { fs: counting, reads: () => reads };
}

describe("index file slot reads", () => {
  it("a created file reads a slot only once an earlier key gave it a value, and finds every key", async () => {
    const memory = new MemoryFileSystem();
    await memory.mkdir("/index");
    const { fs, reads } = countingReads(memory);
    const index = await IndexFile.create(fs, "/index/1", LIMITS, undefined);
    const keys = Array.from({ length: 200 }, (_, i) => `T#key-${i}`);
    const given = new Set<number>();
    let staged = new Set<number>();
    let expectedReads = 0;
    for (const [i, key] of keys.entries()) {
      const slot = indexKeyHash(key) % LIMITS.slots;
      if (given.has(slot) && !staged.has(slot)) expectedReads++; // a staged slot answers from memory
      given.add(slot);
      staged.add(slot);
      assert.ok(index.putKey(key, 1000 + i, 5000 + i));
      if (i % 50 === 49) {
        await index.writeDirty(); // later keys meet written slots, not staged ones
        staged = new Set();
      }
    }
    assert.equal(reads(), expectedReads, "a read only for a slot given a value in an earlier batch");
    assert.ok(expectedReads > 0 && given.size < keys.length, "200 keys in 64 slots share slots");
    for (const [i, key] of keys.entries()) {
      const found: number[] = [];
      await index.select(key, 32, 0, Number.MAX_SAFE_INTEGER, found);
      assert.ok(found.includes(1000 + i), `${key} is found`);
    }
    await index.close();
  });

  it("a file found on disk reads every slot it puts a key in", async () => {
    const memory = new MemoryFileSystem();
    await memory.mkdir("/index");
    const created = await IndexFile.create(memory, "/index/1", LIMITS, undefined);
    created.putKey("T#first", 1, 1);
    await created.close();
    const { fs, reads } = countingReads(memory);
    const index = await IndexFile.open(fs, "/index/1", LIMITS, { readOnly: false });
    for (let i = 0; i < 10; i++) index.putKey(`T#again-${i}`, 10 + i, 10 + i);
    assert.ok(reads() >= 1, "no bits for a file it did not create: slots are read");
    const found: number[] = [];
    await index.select("T#first", 32, 0, Number.MAX_SAFE_INTEGER, found);
    assert.deepEqual(found, [1]);
    await index.close();
  });
});
