/**
 * The current runtime's `FileSystem` adapter behaves as the port promises on real temp files:
 * positional reads and writes (out of order, concurrent, past the end), sync, truncate, and the
 * directory operations with their OS error codes. The same file runs under Bun, Deno and Node,
 * each against its own adapter (see `test/support/platform.ts`).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { joinPath } from "../../src/core/path.ts";
import { platform, removeDir, tempDir } from "../support/platform.ts";
import { codeOf, pattern } from "./helpers.ts";
import { execFileSync } from "node:child_process";
import { utimesSync } from "node:fs";

const fs = platform.fs;
const bytes = (...values: number[]) => new Uint8Array(values);
let root = "";

describe(`fs adapter (${platform.system.runtime})`, () => {
  before(async () => {
    root = await tempDir("fs-conformance");
  });

  after(() => removeDir(root));

  it("writes at offsets out of order and reads them back", async () => {
    const file = await fs.open(joinPath(root, "positional"), { create: true });
    try {
      await file.write(bytes(9, 10, 11, 12), 8);
      await file.write(bytes(1, 2, 3, 4), 0);
      await file.write(bytes(5, 6, 7, 8), 4);
      assert.equal(await file.size(), 12);
      const target = new Uint8Array(12);
      assert.equal(await file.read(target, 0), 12);
      assert.deepEqual(target, bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
      const middle = new Uint8Array(3);
      assert.equal(await file.read(middle, 5), 3);
      assert.deepEqual(middle, bytes(6, 7, 8));
    } finally {
      await file.close();
    }
  });

  it("returns a short count reading past the end, 0 at or beyond it, and leaves a hole as zeros", async () => {
    const file = await fs.open(joinPath(root, "short"), { create: true });
    try {
      await file.write(bytes(1, 2, 3), 0);
      const target = new Uint8Array(10).fill(0xee);
      assert.equal(await file.read(target, 1), 2);
      assert.deepEqual(target.subarray(0, 3), bytes(2, 3, 0xee));
      assert.equal(await file.read(target, 3), 0);
      assert.equal(await file.read(target, 1000), 0);
      await file.write(bytes(7), 6);
      const whole = new Uint8Array(7);
      assert.equal(await file.read(whole, 0), 7);
      assert.deepEqual(whole, bytes(1, 2, 3, 0, 0, 0, 7));
    } finally {
      await file.close();
    }
  });

  it("honours the byteOffset of subarray sources and targets", async () => {
    const file = await fs.open(joinPath(root, "views"), { create: true });
    try {
      const source = bytes(0, 1, 2, 3, 4, 5, 6, 7).subarray(2, 6);
      await file.write(source, 10);
      const backing = new Uint8Array(8);
      assert.equal(await file.read(backing.subarray(3, 7), 10), 4);
      assert.deepEqual(backing, bytes(0, 0, 0, 2, 3, 4, 5, 0));
    } finally {
      await file.close();
    }
  });

  it("writeNow writes at its offset before it returns, honours subarray sources, and throws the OS error", async () => {
    const path = joinPath(root, "write-now");
    const file = await fs.open(path, { create: true });
    try {
      file.writeNow(bytes(0, 1, 2, 3, 4, 5, 6, 7).subarray(2, 6), 4096);
      file.writeNow(bytes(9), 1);
      assert.equal(await file.size(), 4100); // before any await of a write
      const target = new Uint8Array(4);
      assert.equal(await file.read(target, 4096), 4);
      assert.deepEqual(target, bytes(2, 3, 4, 5));
      const head = new Uint8Array(2);
      await file.read(head, 0);
      assert.deepEqual(head, bytes(0, 9));
    } finally {
      await file.close();
    }
    const readOnly = await fs.open(path, { readOnly: true });
    try {
      assert.throws(() => readOnly.writeNow(bytes(1), 0), (error: unknown) => codeOf(error) === "EBADF");
    } finally {
      await readOnly.close();
    }
  });

  it("keeps concurrent positional writes and reads on one handle at their offsets", async () => {
    const file = await fs.open(joinPath(root, "concurrent"), { create: true });
    const blockBytes = 4096;
    const blocks = 512;
    const order = Array.from({ length: blocks }, (_, i) => (i * 337) % blocks); // a permutation
    try {
      await Promise.all(order.map((i) => file.write(new Uint8Array(blockBytes).fill(i & 0xff), i * blockBytes)));
      assert.equal(await file.size(), blocks * blockBytes);
      const intactBlocks = await Promise.all(
        order.map(async (i) => {
          const block = new Uint8Array(blockBytes);
          const count = await file.read(block, i * blockBytes);
          return count === blockBytes && block.every((b) => b === (i & 0xff));
        }),
      );
      assert.equal(intactBlocks.filter((intact) => !intact).length, 0);
    } finally {
      await file.close();
    }
  });

  it("writes one large buffer whole, and sync and syncDirectory resolve", async () => {
    const path = joinPath(root, "large");
    const data = pattern(8 * 1024 * 1024 + 3);
    const file = await fs.open(path, { create: true });
    try {
      await file.write(data, 1);
      await file.sync();
      assert.equal(await file.size(), data.byteLength + 1);
    } finally {
      await file.close();
    }
    await fs.syncDirectory(root);
    const whole = await fs.readFile(path);
    assert.deepEqual(whole.subarray(1), data);
  });

  it("truncate shrinks, then grows with zeros", async () => {
    const file = await fs.open(joinPath(root, "truncate"), { create: true });
    try {
      await file.write(bytes(1, 2, 3, 4, 5, 6), 0);
      await file.truncate(2);
      assert.equal(await file.size(), 2);
      await file.truncate(5);
      assert.equal(await file.size(), 5);
      const target = new Uint8Array(5);
      assert.equal(await file.read(target, 0), 5);
      assert.deepEqual(target, bytes(1, 2, 0, 0, 0));
    } finally {
      await file.close();
    }
  });

  it("opens with create without truncating, refuses exclusive on an existing file, and needs create for a missing one", async () => {
    const path = joinPath(root, "open-modes");
    await assert.rejects(fs.open(path), (error) => codeOf(error) === "ENOENT");
    const first = await fs.open(path, { exclusive: true });
    await first.write(bytes(1, 2, 3), 0);
    await first.close();
    await assert.rejects(fs.open(path, { exclusive: true }), (error) => codeOf(error) === "EEXIST");
    const again = await fs.open(path, { create: true });
    assert.equal(await again.size(), 3);
    await again.close();
    const readOnly = await fs.open(path, { readOnly: true });
    try {
      await assert.rejects(readOnly.write(bytes(9), 0));
      const target = new Uint8Array(3);
      assert.equal(await readOnly.read(target, 0), 3);
      assert.deepEqual(target, bytes(1, 2, 3));
    } finally {
      await readOnly.close();
    }
  });

  it("readFile/writeFile round-trip plain Uint8Arrays; a missing file is ENOENT", async () => {
    const path = joinPath(root, "whole");
    await fs.writeFile(path, bytes(1, 2, 3));
    await fs.writeFile(path, bytes(4, 5));
    const read = await fs.readFile(path);
    assert.equal(Object.getPrototypeOf(read), Uint8Array.prototype);
    assert.deepEqual(read, bytes(4, 5));
    await assert.rejects(fs.readFile(joinPath(root, "absent")), (error) => codeOf(error) === "ENOENT");
  });

  it("mkdir makes parents and tolerates an existing directory; stat, readdir, rename, remove", async () => {
    const dir = joinPath(root, "tree", "a", "b");
    await fs.mkdir(dir);
    await fs.mkdir(dir);
    await fs.writeFile(joinPath(dir, "one"), bytes(1));
    await fs.writeFile(joinPath(dir, "two"), bytes(2, 2));
    assert.deepEqual((await fs.readdir(dir)).sort(), ["one", "two"]);
    const { mtimeMs, ...two } = (await fs.stat(joinPath(dir, "two")))!;
    assert.deepEqual(two, { size: 2, isFile: true, isDirectory: false });
    assert.ok(Number.isSafeInteger(mtimeMs));
    assert.equal((await fs.stat(dir))?.isDirectory, true);
    assert.equal(await fs.stat(joinPath(dir, "absent")), null);
    assert.equal(await fs.stat(joinPath(dir, "one", "below-a-file")), null);

    await fs.rename(joinPath(dir, "one"), joinPath(dir, "two"));
    assert.deepEqual(await fs.readdir(dir), ["two"]);
    assert.deepEqual(await fs.readFile(joinPath(dir, "two")), bytes(1));

    await fs.remove(joinPath(root, "tree"));
    assert.equal(await fs.stat(joinPath(root, "tree")), null);
    await fs.remove(joinPath(root, "tree"));
    await assert.rejects(fs.readdir(joinPath(root, "tree")), (error) => codeOf(error) === "ENOENT");
  });

  it("stat's mtimeMs is the last modification in wall-clock ms: set by writes and truncations, not by reads or fsync", async () => {
    const path = joinPath(root, "aged");
    const before = Date.now();
    await fs.writeFile(path, bytes(1, 2, 3));
    const written = (await fs.stat(path))!.mtimeMs;
    assert.ok(written >= before - 1000 && written <= Date.now() + 1000, `mtime ${written}, written between ${before} and ${Date.now()}`);
    const past = new Date("2020-01-02T03:04:05.678Z");
    utimesSync(path, past, past);
    assert.equal((await fs.stat(path))!.mtimeMs, past.getTime(), "the OS's time, in ms");
    const file = await fs.open(path);
    try {
      await file.read(new Uint8Array(3), 0);
      await file.sync();
      assert.equal((await fs.stat(path))!.mtimeMs, past.getTime(), "reads and fsync leave it");
      await file.write(bytes(9), 0);
      assert.ok((await fs.stat(path))!.mtimeMs >= before - 1000, "a write moves it");
      utimesSync(path, past, past);
      await file.truncate(10);
      assert.ok((await fs.stat(path))!.mtimeMs >= before - 1000, "a truncation moves it");
    } finally {
      await file.close();
    }
  });

  it("an open file outlives its name: after remove, its handle still reads what it held (retention relies on it)", async () => {
    const path = joinPath(root, "unlinked");
    await fs.writeFile(path, bytes(7, 8, 9));
    const file = await fs.open(path, { readOnly: true });
    try {
      await fs.remove(path);
      assert.equal(await fs.stat(path), null);
      const target = new Uint8Array(3);
      assert.equal(await file.read(target, 0), 3);
      assert.deepEqual(target, bytes(7, 8, 9));
    } finally {
      await file.close();
    }
  });

  it("diskSpace reports the file system of a path as df does, and null for a missing path", async () => {
    const space = await fs.diskSpace(root);
    assert.ok(space !== null);
    const [size, avail] = execFileSync("df", ["-B1", "--output=size,avail", root], { encoding: "utf8" }).trim().split("\n")[1].trim().split(/\s+/).map(Number);
    assert.equal(space.totalBytes, size);
    assert.ok(Math.abs(space.usableBytes - avail) < 256 * 1024 * 1024, `usable ${space.usableBytes} vs df ${avail}`);
    assert.ok(space.freeBytes >= space.usableBytes && space.totalBytes >= space.freeBytes);
    assert.equal(await fs.diskSpace(joinPath(root, "absent")), null);
  });
});
