/**
 * A metadata file is replaced atomically (tmp + fsync, .bak copy, rename, directory fsync), so a
 * failure at any step leaves the old or the new content, and loading falls back to `.bak` when the
 * main file is missing, empty or corrupt. Writes never overlap and are coalesced: many changes
 * between two flushes cost one write.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { settle } from "../../adapters/memory/clock.ts";
import type { FileHandle, FileSystem, OpenOptions } from "../../src/core/platform.ts";
import { ConfigFile, writeFileAtomically } from "../../src/metadata/config-file.ts";

const PATH = "/store/config/topics.json";
const text = (fs: MemoryFileSystem, path: string) => new TextDecoder().decode(fs.bytes(path));
const identity = (parsed: unknown) => parsed;

async function writeText(fs: MemoryFileSystem, path: string, content: string): Promise<void> {
  await fs.mkdir("/store/config");
  await fs.writeFile(path, new TextEncoder().encode(content));
}

/** A FileSystem whose writes take a few event-loop turns, and that records overlapping writers. */
class SlowFileSystem implements FileSystem {
  inFlight = 0;
  maxInFlight = 0;
  readonly inner: MemoryFileSystem;
  constructor(inner: MemoryFileSystem) {
    this.inner = inner;
  }
  async open(path: string, options?: OpenOptions): Promise<FileHandle> {
    const handle = await this.inner.open(path, options);
    const self = this;
    return {
      ...handle,
      read: (t, p) => handle.read(t, p),
      readNow: (t, p) => handle.readNow(t, p),
      truncate: (n) => handle.truncate(n),
      size: () => handle.size(),
      sync: () => handle.sync(),
      close: () => handle.close(),
      writeNow: (source, position) => handle.writeNow(source, position),
      async write(source, position) {
        self.inFlight++;
        self.maxInFlight = Math.max(self.maxInFlight, self.inFlight);
        await settle(5);
        await handle.write(source, position);
        self.inFlight--;
      },
    };
  }
  readFile = (p: string) => this.inner.readFile(p);
  writeFile = (p: string, d: Uint8Array) => this.inner.writeFile(p, d);
  stat = (p: string) => this.inner.stat(p);
  readdir = (p: string) => this.inner.readdir(p);
  mkdir = (p: string) => this.inner.mkdir(p);
  rename = (a: string, b: string) => this.inner.rename(a, b);
  remove = (p: string) => this.inner.remove(p);
  syncDirectory = (p: string) => this.inner.syncDirectory(p);
  diskSpace = (p: string) => this.inner.diskSpace(p);
}

describe("writeFileAtomically", () => {
  it("writes the file, keeps the previous content in .bak, leaves no .tmp", async () => {
    const fs = new MemoryFileSystem();
    await writeFileAtomically(fs, PATH, new TextEncoder().encode("one"));
    assert.equal(text(fs, PATH), "one");
    assert.equal(await fs.stat(PATH + ".bak"), null, "nothing to back up the first time");
    await writeFileAtomically(fs, PATH, new TextEncoder().encode("two"));
    assert.equal(text(fs, PATH), "two");
    assert.equal(text(fs, PATH + ".bak"), "one");
    assert.equal(await fs.stat(PATH + ".tmp"), null);
  });

  it("a failed fsync of the tmp file leaves the old file and its content", async () => {
    const fs = new MemoryFileSystem();
    await writeFileAtomically(fs, PATH, new TextEncoder().encode("old"));
    fs.failSync(PATH + ".tmp");
    await assert.rejects(writeFileAtomically(fs, PATH, new TextEncoder().encode("new")), /EIO/);
    assert.equal(text(fs, PATH), "old");
    assert.equal(await fs.stat(PATH + ".tmp"), null);
    fs.crashPower();
    assert.equal(text(fs, PATH), "old", "the old content was durable and survives a power loss");
  });

  it("a completed write survives a power loss", async () => {
    const fs = new MemoryFileSystem();
    await writeFileAtomically(fs, PATH, new TextEncoder().encode("first"));
    await writeFileAtomically(fs, PATH, new TextEncoder().encode("second"));
    fs.crashPower();
    assert.equal(text(fs, PATH), "second");
  });
});

describe("ConfigFile.load", () => {
  it("reads the main file when it is good", async () => {
    const fs = new MemoryFileSystem();
    await writeText(fs, PATH, "{0:1}");
    await writeText(fs, PATH + ".bak", '{"stale":true}');
    const loaded = await new ConfigFile(fs, PATH, () => "").load(identity);
    assert.deepEqual(loaded, { value: { "0": 1 }, source: "file", warnings: [] });
  });

  for (const [name, content] of [["corrupt", '{"topicConfigTable":{"A":'], ["empty", ""], ["not UTF-8", "\u00ff"]] as const) {
    it(`falls back to .bak when the main file is ${name}, with a warning`, async () => {
      const fs = new MemoryFileSystem();
      await writeText(fs, PATH + ".bak", '{"ok":1}');
      if (name === "not UTF-8") {
        await fs.writeFile(PATH, new Uint8Array([0x7b, 0xff, 0x7d]));
      } else {
        await writeText(fs, PATH, content);
      }
      const loaded = await new ConfigFile(fs, PATH, () => "").load(identity);
      assert.deepEqual(loaded.value, { ok: 1 });
      assert.equal(loaded.source, "bak");
      assert.equal(loaded.warnings.length, 1);
      assert.match(loaded.warnings[0], /topics\.json: .*trying .*topics\.json\.bak/);
    });
  }

  it("falls back to .bak when a decoder rejects the main file", async () => {
    const fs = new MemoryFileSystem();
    await writeText(fs, PATH, "[1]");
    await writeText(fs, PATH + ".bak", "{}");
    const loaded = await new ConfigFile(fs, PATH, () => "").load((v) => {
      if (Array.isArray(v)) throw new Error("wrong shape");
      return v;
    });
    assert.equal(loaded.source, "bak");
    assert.match(loaded.warnings[0], /wrong shape/);
  });

  it("uses .bak when only it exists, and defaults when neither does", async () => {
    const fs = new MemoryFileSystem();
    assert.deepEqual(await new ConfigFile(fs, PATH, () => "").load(identity), { value: null, source: "none", warnings: [] });
    await writeText(fs, PATH + ".bak", "{}");
    const loaded = await new ConfigFile(fs, PATH, () => "").load(identity);
    assert.equal(loaded.source, "bak");
    assert.match(loaded.warnings[0], /missing; loaded .*\.bak/);
  });

  it("refuses to start empty when something is there but nothing decodes", async () => {
    const fs = new MemoryFileSystem();
    await writeText(fs, PATH, "{garbage");
    await assert.rejects(new ConfigFile(fs, PATH, () => "").load(identity), (e: Error & { code?: string }) => {
      assert.equal(e.code, "METADATA_CORRUPT");
      assert.match(e.message, /topics\.json: invalid fastjson at line 1 column 2/);
      return true;
    });
    await writeText(fs, PATH + ".bak", "also garbage");
    await assert.rejects(new ConfigFile(fs, PATH, () => "").load(identity), /topics\.json\.bak: invalid fastjson/);
  });
});

describe("ConfigFile persistence", () => {
  it("coalesces many changes into one write", async () => {
    const fs = new MemoryFileSystem();
    let renders = 0;
    let state = 0;
    const file = new ConfigFile(fs, PATH, () => (renders++, `{"state":${state}}`));
    await fs.mkdir("/store/config");
    const syncsBefore = fs.syncCount;
    for (state = 1; state <= 1000; state++) file.markDirty();
    state = 1000;
    await file.flush();
    assert.equal(renders, 1);
    assert.equal(fs.syncCount - syncsBefore, 2, "one file fsync and one directory fsync");
    assert.equal(text(fs, PATH), '{"state":1000}');
    await file.flush();
    assert.equal(renders, 1, "nothing dirty, nothing written");
  });

  it("serialises writers and lets callers that arrive during a write share the next one", async () => {
    const fs = new SlowFileSystem(new MemoryFileSystem());
    let renders = 0;
    let state = 0;
    const file = new ConfigFile(fs, PATH, () => (renders++, `{"state":${state}}`));
    const writes: Promise<void>[] = [];
    for (let i = 1; i <= 20; i++) {
      state = i;
      writes.push(file.persist());
      await settle(2); // let the running write make progress, so later calls arrive mid-write
    }
    await Promise.all(writes);
    assert.equal(fs.maxInFlight, 1, "never two writers of the same file");
    assert.ok(renders > 1 && renders < 20, `calls during a write share the queued one, got ${renders} writes`);
    assert.equal(text(fs.inner, PATH), '{"state":20}', "the last state is written");
  });

  it("keeps the data dirty after a failed write, so the next flush retries", async () => {
    const fs = new MemoryFileSystem();
    const file = new ConfigFile(fs, PATH, () => "{}");
    fs.failSync("/store/config/topics.json.tmp");
    await assert.rejects(file.persist(), (e: Error & { code?: string; retriable?: boolean }) => {
      assert.equal(e.code, "METADATA_PERSIST_FAILED");
      assert.equal(e.retriable, true);
      return true;
    });
    assert.equal(file.isDirty, true);
    await file.flush();
    assert.equal(file.isDirty, false);
    assert.equal(text(fs, PATH), "{}");
  });
});
