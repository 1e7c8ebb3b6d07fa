/**
 * bench/profile-top.ts reads a V8 .cpuprofile: self time per function as a share of the profile,
 * and with --callers the call paths into one function, largest first.
 */
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { repo } from "../support/skiff-process.ts";

const frame = (functionName: string, url = "file:///app/src/store/x.ts", lineNumber = 9) => ({ functionName, url, lineNumber });
/** root → main → {writeSync via put (3 samples), writeSync via flush (1), crc32 (4)}; 10 ms each. */
const PROFILE = {
  nodes: [
    { id: 1, callFrame: frame("(root)", ""), children: [2] },
    { id: 2, callFrame: frame("main"), children: [3, 5, 7] },
    { id: 3, callFrame: frame("put"), children: [4] },
    { id: 4, callFrame: frame("writeSync", "node:fs", 235) },
    { id: 5, callFrame: frame("flush"), children: [6] },
    { id: 6, callFrame: frame("writeSync", "node:fs", 235) },
    { id: 7, callFrame: frame("crc32", "file:///app/src/codec/crc32.ts", 30) },
  ],
  samples: [4, 4, 4, 6, 7, 7, 7, 7],
  timeDeltas: Array(8).fill(10_000),
};

describe("profile-top", () => {
  let dir = "";
  after(async () => {
    if (dir) await removeDir(dir);
  });

  it("lists self time per function and the paths into one", { skip: runtimeName !== "node" ? "a Node script, run once" : false }, async () => {
    dir = await tempDir("profile-top");
    const file = join(dir, "p.cpuprofile");
    writeFileSync(file, JSON.stringify(PROFILE));
    const run = (...args: string[]) => execFileSync(process.execPath, [join(repo, "bench/profile-top.ts"), file, ...args], { encoding: "utf8" }).trim().split("\n");
    const top = run("--top=2");
    assert.match(top[0], /: 80 ms sampled$/);
    assert.deepEqual(top.slice(1), [" 50.0%  writeSync node:fs:236", " 50.0%  crc32 codec/crc32.ts:31"]);
    const callers = run("--callers=writeSync", "--depth=2");
    assert.match(callers[0], /paths into writeSync$/);
    assert.deepEqual(callers.slice(1), [" 37.5%  put store/x.ts:10 < main store/x.ts:10", " 12.5%  flush store/x.ts:10 < main store/x.ts:10"]);
  });
});
