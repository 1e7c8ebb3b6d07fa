/**
 * A broker restarted right after its predecessor was SIGKILLed takes the store over even while
 * the dead process is a zombie: the old broker runs under a parent that never reaps it (as under
 * a container's PID 1 that does not reap), so its pid still answers signal 0. It would fail with
 * "the store … is in use by process N" if the lock's liveness check counted the zombie as alive.
 */
import { hasProc, procState } from "../support/proc.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Producer, PullConsumer } from "../../src/client/index.ts";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { bootAddresses, repo, skiffCommand, startSkiff } from "../support/skiff-process.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";


async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadlineMs = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadlineMs) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `sh` starts the broker in the background, prints its pid, then becomes `sleep`, which never reaps it. */
async function brokerUnderNonReapingParent(flags: string[]) {
  const [bin, args] = skiffCommand(runtimeName, ["broker", ...flags]);
  const parent = spawn("sh", ["-c", `"$@" & echo "pid $!"; exec sleep 120`, "sh", bin, ...args], {
    cwd: repo, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" },
  });
  const exited = new Promise<void>((resolve) => parent.once("exit", () => resolve()));
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString("utf8").split("\n").filter((l) => l.length > 0));
  parent.stdout!.on("data", collect);
  parent.stderr!.on("data", collect);
  await until(() => output.some((l) => /boot success/.test(l)), 30_000, `broker boot; output:\n${output.join("\n")}`);
  const brokerPid = Number(/^pid (\d+)$/.exec(output.find((l) => /^pid \d+$/.test(l)) ?? "")?.[1]);
  const address = bootAddresses("broker", output.find((l) => /boot success/.test(l))!).http;
  return {
    brokerPid,
    address,
    async stop() {
      try {
        process.kill(brokerPid, "SIGKILL");
      } catch {
        // already dead
      }
      parent.kill("SIGKILL");
      await exited;
    },
  };
}

describe(`store lock across SIGKILL on ${runtimeName}`, () => {
  const { defer } = cleanupAfterSuite();

  it("takes over the store of a SIGKILLed broker that lingers as a zombie", { skip: !hasProc && "no /proc" }, async () => {
    const store = await tempDir("e2e-zombie-lock");
    defer(() => removeDir(store));
    const flags = [`--storePathRootDir=${store}`, "--listenPort=0", "--flushDiskType=SYNC_FLUSH", "--mappedFileSizeCommitLog=1048576"];
    const old = await brokerUnderNonReapingParent(flags);
    defer(() => old.stop());
    assert.match(readFileSync(join(store, "lock"), "utf8"), new RegExp(`^skiff ${old.brokerPid}\\b`));
    const sent = await new Producer({ broker: old.address }).send("ZombieLock", { body: "before the kill", queueId: 0 });
    assert.equal(sent.status, "SEND_OK");

    process.kill(old.brokerPid, "SIGKILL");
    await until(() => procState(old.brokerPid) === "Z", 10_000, "the killed broker becomes a zombie");
    assert.doesNotThrow(() => process.kill(old.brokerPid, 0), "the zombie still answers signal 0");

    const restarted = await startSkiff(runtimeName, "broker", flags);
    defer(() => restarted.kill());
    assert.match(readFileSync(join(store, "lock"), "utf8"), new RegExp(`^skiff ${restarted.pid}\\b`));
    const page = await new PullConsumer({ group: "zombie_lock", broker: restarted.address }).pull("ZombieLock", 0, 0);
    assert.deepEqual(page.messages.map((m) => new TextDecoder().decode(m.body)), ["before the kill"]);
    const { clean } = await restarted.stop();
    assert.ok(clean, restarted.output.slice(-10).join("\n"));
  });
});
