/**
 * The real platform of the runtime running the tests, so one test file exercises the Bun adapter
 * under `bun test`, the Deno adapter under `deno test` and the Node adapter under `node --test`.
 * Runtime detection uses `globalThis.Bun`/`globalThis.Deno`: under both, `process.version` still
 * reports a Node version. Also temp-directory helpers that work on all three.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Platform } from "../../src/core/platform.ts";

export type RuntimeName = "bun" | "deno" | "node";

export const runtimeName: RuntimeName =
  "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";

async function loadPlatform(): Promise<Platform> {
  if (runtimeName === "bun") return (await import("../../adapters/bun/platform.ts")).platform;
  if (runtimeName === "deno") return (await import("../../adapters/deno/platform.ts")).platform;
  return (await import("../../adapters/node/platform.ts")).platform;
}

export const platform: Platform = await loadPlatform();

/** A fresh, empty directory under the OS temp dir; its name starts with `prefix`. */
export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `skiff-${prefix}-`));
}

/** Removes a directory tree; no error if it is already gone. */
export function removeDir(path: string): Promise<void> {
  return rm(path, { recursive: true, force: true });
}
