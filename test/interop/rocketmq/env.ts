/**
 * Where the interop tests run: the RocketMQ versions, the cache outside git (SKIFF_INTEROP_CACHE),
 * the repository root, the time bounds, and the rule that they run once, under `node --test`.
 */
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runtimeName } from "../../support/platform.ts";

export type RocketMQVersion = "4.9.7" | "5.3.3";
const ALL_VERSIONS: readonly RocketMQVersion[] = ["4.9.7", "5.3.3"];
/** The versions tested: both, or those listed in SKIFF_INTEROP_VERSIONS (e.g. `4.9.7`), for a quicker local run. */
export const ROCKETMQ_VERSIONS: readonly RocketMQVersion[] = process.env.SKIFF_INTEROP_VERSIONS
  ? ALL_VERSIONS.filter((v) => process.env.SKIFF_INTEROP_VERSIONS!.split(/[ ,]+/).includes(v))
  : ALL_VERSIONS;

export const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(HERE, "..", "..", "..");

export const FETCH_TIMEOUT_MS = 10 * 60_000;
export const BOOT_TIMEOUT_MS = 60_000;
export const STOP_TIMEOUT_MS = 45_000;

export function cacheDir(): string {
  return process.env.SKIFF_INTEROP_CACHE ?? join(process.env.HOME ?? "/tmp", ".cache", "skiff-interop");
}

/** Why interop tests are skipped under Bun and Deno: they run once, under `node --test`. */
export const INTEROP_SKIP: string | false = runtimeName === "node"
  ? false
  : "the RocketMQ interop tests run once, under node --test (they start JVMs and take minutes)";

/** Removes a test's run directory, unless it failed or SKIFF_INTEROP_KEEP=1 (then says where it is). */
export async function finishRun(run: string, passed: boolean): Promise<void> {
  if (passed && process.env.SKIFF_INTEROP_KEEP !== "1") {
    await rm(run, { recursive: true, force: true });
    return;
  }
  console.error(`interop run kept for inspection: ${run}`);
}
