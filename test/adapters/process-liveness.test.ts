/**
 * The current runtime's `isProcessAlive` counts a zombie (a process that exited but that its
 * parent has not reaped) as dead, although signal 0 still reaches it, and `processStartTime` tells
 * one process from another: what lets a broker restarted right after a SIGKILL take over its store
 * while the old pid lingers as a zombie (a supervisor, or a container whose PID 1 does not reap).
 */
import { hasProc, procState } from "../support/proc.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";

import { platform } from "../support/platform.ts";
import { sleep } from "./helpers.ts";


/**
 * `sh` forks a child, prints its pid, then becomes `sleep 30`, which never reaps it: a zombie of a
 * live parent. The child exits only once its parent is `sleep` (or gone): a child that exited
 * first could be reaped by the shell before its `exec` (a loaded machine showed that).
 */
const childExitsAfterParentExec = `while read -r name < /proc/$PPID/comm && [ "$name" != sleep ]; do :; done`;

async function zombieOfLiveParent() {
  const parent = spawn("sh", ["-c", `sh -c '${childExitsAfterParentExec}' & echo $!; exec sleep 30`], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const exited = new Promise<void>((resolve) => parent.once("exit", () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    parent.stdout!.once("data", (chunk: Buffer) => resolve(chunk.toString("utf8").trim()));
    parent.once("error", reject);
  });
  const zombiePid = Number(line);
  assert.ok(Number.isSafeInteger(zombiePid) && zombiePid > 0, `zombie pid ${line}`);
  const deadlineMs = performance.now() + 10_000;
  while (procState(zombiePid) !== "Z" && performance.now() < deadlineMs) await sleep(20);
  return {
    parentPid: parent.pid!,
    zombiePid,
    async stop() {
      parent.kill("SIGKILL");
      await exited;
    },
  };
}

describe(`process liveness (${platform.system.runtime})`, () => {
  it("counts a zombie whose parent does not reap it as dead, though signal 0 still reaches it", { skip: !hasProc && "no /proc" }, async () => {
    const zombie = await zombieOfLiveParent();
    try {
      const states = `child ${procState(zombie.zombiePid) ?? "gone"}, parent ${procState(zombie.parentPid) ?? "gone"}`;
      assert.equal(procState(zombie.zombiePid), "Z", `the child became a zombie (${states})`);
      assert.doesNotThrow(() => process.kill(zombie.zombiePid, 0), "signal 0 reaches the zombie (what fooled the old check)");
      assert.equal(platform.system.isProcessAlive(zombie.zombiePid), false);
      assert.equal(platform.system.isProcessAlive(zombie.parentPid), true);
    } finally {
      await zombie.stop();
    }
  });

  it("gives each process its own start time, stable while it runs, none once it is gone", { skip: !hasProc && "no /proc" }, async () => {
    const own = platform.system.processStartTime(platform.system.pid);
    assert.match(own ?? "", /^\d+$/);
    assert.equal(platform.system.processStartTime(platform.system.pid), own);
    await sleep(50); // at least a few clock ticks (10 ms each) after this process started
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const childPid = child.pid!;
    try {
      const childStart = platform.system.processStartTime(childPid);
      assert.match(childStart ?? "", /^\d+$/);
      assert.notEqual(childStart, own);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    await sleep(50); // reaped by the runtime
    assert.equal(platform.system.processStartTime(childPid), undefined);
    assert.equal(platform.system.isProcessAlive(childPid), false);
  });
});
