/**
 * scripts/build.ts: the bundle Node and Deno run Skiff from is built when it is missing or a
 * source is newer than it, and left alone otherwise; it runs as `skiff` does. Built in a copy of
 * the checkout, so touching a source here changes nothing in the real one.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, lstatSync, mkdirSync, readdirSync, symlinkSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { bundlePath, ensureBundle } from "../../scripts/build.ts";
import { removeDir, tempDir } from "../support/platform.ts";
import { repo } from "../support/skiff-process.ts";

/** An hour ago: every copied file's time, so the times set below are all in the past and ordered. */
const T0 = Date.now() - 3_600_000;

function setTime(path: string, ms: number): void {
  utimesSync(path, new Date(ms), new Date(ms));
}

function setTimeAll(path: string, ms: number): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return; // node_modules: the real checkout's
  if (stat.isDirectory()) for (const name of readdirSync(path)) setTimeAll(join(path, name), ms);
  else setTime(path, ms);
}

/** A copy of the checkout's sources (its node_modules linked), every file's time T0. */
async function copyOfCheckout(): Promise<string> {
  const root = await tempDir("bundle");
  for (const dir of ["src", "adapters"]) cpSync(join(repo, dir), join(root, dir), { recursive: true });
  mkdirSync(join(root, "scripts"));
  for (const file of ["package.json", "package-lock.json", "deno.json", "scripts/build.ts"]) cpSync(join(repo, file), join(root, file));
  symlinkSync(join(repo, "node_modules"), join(root, "node_modules"));
  setTimeAll(root, T0);
  return root;
}

describe("the Node and Deno bundles", () => {
  const roots: string[] = [];
  after(async () => {
    for (const root of roots) await removeDir(root);
  });

  for (const runtime of ["node", "deno"] as const) {
    it(`${runtime}: built when missing, kept while fresh, rebuilt after a source changes`, { timeout: 60_000 }, async () => {
      const root = await copyOfCheckout();
      roots.push(root);
      const first = ensureBundle(runtime, root);
      assert.deepEqual(first, { path: join(root, bundlePath(runtime)), built: true });
      assert.equal(ensureBundle(runtime, root).built, false, "nothing changed: not rebuilt");
      setTime(first.path, T0 + 10_000);
      assert.equal(ensureBundle(runtime, root).built, false, "older than the bundle, the sources are not looked at again");
      setTime(join(root, "src/store/index-file.ts"), T0 + 20_000);
      assert.equal(ensureBundle(runtime, root).built, true, "a source newer than the bundle");
      assert.equal(ensureBundle(runtime, root).built, false);
      setTime(first.path, T0 + 30_000);
      setTime(join(root, "package-lock.json"), T0 + 40_000);
      assert.equal(ensureBundle(runtime, root).built, true, "the dependencies changed");
    });
  }

  it("the Node bundle is Skiff: `skiff admin` lists its commands", { timeout: 60_000 }, async () => {
    const root = await copyOfCheckout();
    roots.push(root);
    const { path } = ensureBundle("node", root);
    let stdout = "";
    try {
      stdout = execFileSync("node", [path, "admin"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      stdout = String((error as { stdout?: string }).stdout ?? "") + String((error as { stderr?: string }).stderr ?? "");
    }
    assert.match(stdout, /clusterList/);
    assert.match(stdout, /haStatus/);
  });
});
