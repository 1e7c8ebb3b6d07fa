/**
 * One JSON metadata file (`config/topics.json`, …), persisted and loaded the RocketMQ way through
 * the FileSystem port. The JSON shape is the caller's: this file only moves text.
 *
 * Persist (RocketMQ's `MixAll.string2File`, made atomic):
 *   1. write `<file>.tmp` and fsync it;
 *   2. copy the previous `<file>` (if any and not empty) to `<file>.bak` (not fsynced: it only
 *      matters when `<file>` is unreadable, and `<file>` is only ever replaced by an fsynced tmp);
 *   3. rename `<file>.tmp` → `<file>`;
 *   4. fsync the directory, so the rename is durable.
 * Java deletes `<file>` before its rename, which leaves a moment with no file at all; rename(2)
 * replaces atomically, so we skip the delete: at every instant `<file>` is the old or the new text.
 * A failure in steps 1–3 (a full disk) leaves `<file>` untouched (the tmp is removed on a
 * best-effort basis); the caller keeps its state dirty and tries again at the next flush.
 *
 * Load (RocketMQ's `ConfigManager.load` + `loadBak`): `<file>`; if it is missing, empty or does
 * not decode, `<file>.bak`, with a warning. Both missing → `value: null` (the caller's defaults).
 * Deviation: when something was there but neither file decodes, RocketMQ starts with empty
 * tables if `.bak` is missing; we throw METADATA_CORRUPT instead, because starting empty would
 * silently drop topics or rewind consumers. `<file>.tmp` is never read.
 *
 * Writes are serialised (one writer per file) and coalesced: `markDirty()` is cheap; `flush()`
 * writes once if anything changed, rendering the state at the moment the write starts; callers
 * arriving while a write waits to start share it. `persist()` = `markDirty()` + `flush()`.
 */
import { SkiffError, errorCode } from "../core/errors.ts";
import { dirname } from "../core/path.ts";
import type { FileSystem } from "../core/platform.ts";
import { parseFastjson } from "../codec/fastjson.ts";

export interface LoadResult<T> {
  readonly value: T | null;
  readonly source: "file" | "bak" | "none";
  readonly warnings: readonly string[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export class ConfigFile {
  readonly path: string;
  private dirty = false;
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;
  private readonly fs: FileSystem;
  private readonly render: () => string;

  /** `render` gives the file's text at the moment a write starts. */
  constructor(fs: FileSystem, path: string, render: () => string) {
    this.fs = fs;
    this.path = path;
    this.render = render;
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  async load<T>(decode: (parsed: unknown) => T): Promise<LoadResult<T>> {
    const warnings: string[] = [];
    const main = await this.tryRead(this.path, decode);
    if (main.ok) return { value: main.value, source: "file", warnings };
    if (main.problem) warnings.push(`${this.path}: ${main.problem}; trying ${this.path}.bak`);
    const bak = await this.tryRead(this.path + ".bak", decode);
    if (bak.ok) {
      if (!main.problem) warnings.push(`${this.path} is missing; loaded ${this.path}.bak`);
      return { value: bak.value, source: "bak", warnings };
    }
    if (main.corrupt || bak.corrupt) {
      const problems = [main.problem && `${this.path}: ${main.problem}`, bak.problem && `${this.path}.bak: ${bak.problem}`];
      throw new SkiffError("METADATA_CORRUPT", `${problems.filter(Boolean).join("; ")}; no usable copy, fix or remove the files`);
    }
    if (bak.problem) warnings.push(`${this.path}.bak: ${bak.problem}`);
    return { value: null, source: "none", warnings };
  }

  markDirty(): void {
    this.dirty = true;
  }

  persist(): Promise<void> {
    this.dirty = true;
    return this.flush();
  }

  flush(): Promise<void> {
    if (this.queued) return this.queued;
    const run = this.chain.then(() => {
      this.queued = null;
      return this.writeIfDirty();
    });
    this.queued = run;
    this.chain = run.catch(() => {});
    return run;
  }

  private async writeIfDirty(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      await writeFileAtomically(this.fs, this.path, encoder.encode(this.render()));
    } catch (error) {
      this.dirty = true;
      throw new SkiffError("METADATA_PERSIST_FAILED", `could not persist ${this.path}: ${String(error)}`, { retriable: true, cause: error });
    }
  }

  private async tryRead<T>(path: string, decode: (parsed: unknown) => T): Promise<Attempt<T>> {
    let bytes: Uint8Array;
    try {
      bytes = await this.fs.readFile(path);
    } catch (error) {
      if (errorCode(error) === "ENOENT") return { ok: false, corrupt: false };
      throw error;
    }
    try {
      const text = decoder.decode(bytes);
      if (text.trim() === "") return { ok: false, corrupt: false, problem: "empty" };
      return { ok: true, value: decode(parseFastjson(text)) };
    } catch (error) {
      return { ok: false, corrupt: true, problem: error instanceof Error ? error.message : String(error) };
    }
  }
}

type Attempt<T> = { ok: true; value: T } | { ok: false; corrupt: boolean; problem?: string };

/** Steps 1–4 of the header. Exported for the store's own small files and for tests. */
export async function writeFileAtomically(fs: FileSystem, path: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = path + ".tmp";
  await fs.mkdir(dir);
  try {
    const handle = await fs.open(tmp, { create: true });
    try {
      await handle.truncate(0);
      await handle.write(bytes, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await fs.remove(tmp).catch(() => {});
    throw error;
  }
  try {
    const previous = await readIfPresent(fs, path);
    if (previous !== null && previous.byteLength > 0) await fs.writeFile(path + ".bak", previous);
    await fs.rename(tmp, path);
  } catch (error) {
    await fs.remove(tmp).catch(() => {}); // `<file>` is untouched (a full disk can stop the .bak copy)
    throw error;
  }
  await fs.syncDirectory(dir);
}

async function readIfPresent(fs: FileSystem, path: string): Promise<Uint8Array | null> {
  try {
    return await fs.readFile(path);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return null;
    throw error;
  }
}
