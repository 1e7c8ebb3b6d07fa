/**
 * The current runtime's platform names itself correctly and reports plausible memory figures,
 * and its clock (the shared `systemClock`) moves forward and cancels timers. The same file runs
 * under Bun, Deno and Node, each against its own adapter (see `test/support/platform.ts`).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { platform, runtimeName } from "../support/platform.ts";
import { sleep } from "./helpers.ts";

describe(`system and clock adapters (${platform.system.runtime})`, () => {
  it("names the runtime running the tests and this process's pid", () => {
    assert.equal(platform.system.runtime, runtimeName);
    assert.equal(platform.system.pid, process.pid);
  });

  it("reports physical memory and a resident set size below it", () => {
    const totalBytes = platform.system.totalMemoryBytes();
    const residentBytes = platform.system.residentMemoryBytes();
    assert.ok(Number.isSafeInteger(totalBytes) && totalBytes > 64 * 1024 * 1024, `total ${totalBytes}`);
    assert.ok(Number.isSafeInteger(residentBytes) && residentBytes > 1024 * 1024, `rss ${residentBytes}`);
    assert.ok(residentBytes < totalBytes);
  });

  it("reports a JavaScript heap in use that grows with live objects", () => {
    const beforeBytes = platform.system.heapUsedBytes();
    assert.ok(Number.isSafeInteger(beforeBytes) && beforeBytes > 1024 * 1024, `heap ${beforeBytes}`);
    // Bun's figure moves at its collections only: allocate (and hold) until one has run, within a bound.
    const held: object[][] = [];
    let afterBytes = beforeBytes;
    for (let round = 0; round < 40 && afterBytes < beforeBytes + 8 * 1024 * 1024; round++) {
      held.push(Array.from({ length: 100_000 }, (_, i) => ({ i, text: `object ${round}/${i}` })));
      afterBytes = platform.system.heapUsedBytes();
    }
    assert.ok(afterBytes > beforeBytes + 8 * 1024 * 1024, `heap ${beforeBytes} → ${afterBytes} with ${held.length * 100_000} objects held`);
    assert.ok(afterBytes < platform.system.totalMemoryBytes());
  });

  it("moves monotonic time forward across a sleep and cancels a timer", async () => {
    const clock = platform.clock;
    let fired = false;
    clock.setTimeout(() => {
      fired = true;
    }, 5).cancel();
    const startMs = clock.monotonicMs();
    const wallMs = clock.now();
    await clock.sleep(20);
    assert.ok(clock.monotonicMs() - startMs >= 15);
    assert.ok(clock.now() >= wallMs);
    await sleep(10);
    assert.equal(fired, false);
  });

  it("tells a live process from one that has exited", async () => {
    assert.equal(platform.system.isProcessAlive(platform.system.pid), true);
    const child = spawn("sleep", ["0"], { stdio: "ignore" });
    const pid = child.pid!;
    await new Promise<void>((resolve) => child.once("exit", () => resolve()));
    await sleep(50); // reaped by the runtime
    assert.equal(platform.system.isProcessAlive(pid), false);
  });
});
