/**
 * A real broker process (on the runtime running this test) whose store sits on a 4 MiB tmpfs that
 * the test mounts: sends until the disk is full get 503 STORE_DISK_FULL (never 500), pulls go on,
 * /health and /readyz say what is wrong, sends succeed again by themselves once the test deletes
 * its filler file, SIGTERM stops cleanly, and after a restart every acknowledged message and every
 * message a consumer was served is still there. Needs root (mount); skipped with the reason if not.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, rmSync, statSync, truncateSync } from "node:fs";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { startSkiff, type SkiffProcess } from "../support/skiff-process.ts";

const mountPoint = await tempDir("e2e-tmpfs");
const mountProblem = (() => {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint], { stdio: "pipe" });
    return null;
  } catch (error) {
    return `cannot mount a tmpfs here (needs root): ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`;
  }
})();

interface Sent {
  readonly body: string;
  readonly queueOffset: number;
}

describe(`broker process on ${runtimeName} with a full disk`, { skip: mountProblem ?? false }, () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    if (!mountProblem) execFileSync("umount", [mountPoint]);
    await removeDir(mountPoint);
  });

  async function broker(store: string): Promise<SkiffProcess> {
    const started = await startSkiff(runtimeName, "broker", [
      `--storePathRootDir=${store}`, "--listenPort=0", "--mappedFileSizeCommitLog=1048576", "--defaultTopicQueueNums=1",
    ]);
    cleanups.push(() => started.kill());
    return started;
  }

  const send = async (address: string, body: string) => {
    const response = await fetch(`http://${address}/topics/Full/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body, queueId: 0 }) });
    return { status: response.status, body: (await response.json()) as any };
  };
  const get = async (address: string, path: string) => {
    const response = await fetch(`http://${address}${path}`);
    return { status: response.status, body: (await response.json()) as any };
  };
  /** Every message of queue 0, by queue offset. */
  const pullAll = async (address: string) => {
    const found = new Map<number, string>();
    for (let offset = 0; ; ) {
      const page = await get(address, `/topics/Full/queues/0/messages?offset=${offset}&max=64`);
      assert.equal(page.status, 200);
      if (page.body.messages.length === 0) return found;
      for (const m of page.body.messages) found.set(m.queueOffset, atob(m.bodyBase64));
      offset = page.body.nextBeginOffset;
    }
  };

  /** Fills the tmpfs with a file of our own, then gives back ~192 KiB for messages. */
  function fillDisk(): string {
    const filler = `${mountPoint}/filler`;
    try {
      for (;;) appendFileSync(filler, new Uint8Array(64 * 1024));
    } catch (error) {
      assert.equal((error as { code?: string }).code, "ENOSPC");
    }
    truncateSync(filler, Math.max(0, statSync(filler).size - 192 * 1024));
    return filler;
  }

  /** Sends until one is refused: it must be 503 STORE_DISK_FULL; every earlier one SEND_OK. */
  async function sendUntilFull(address: string, acked: Sent[]): Promise<void> {
    const before = acked.length;
    for (let i = 0; i < 5000; i++) {
      const body = `m${i}-${"x".repeat(2000)}`;
      const sent = await send(address, body);
      if (sent.status !== 200) {
        assert.deepEqual([sent.status, sent.body.error.code], [503, "STORE_DISK_FULL"], JSON.stringify(sent.body));
        assert.match(sent.body.error.message, /full.*freed/);
        assert.ok(acked.length - before > 10, `${acked.length - before} acknowledged before the disk filled`);
        return;
      }
      assert.equal(sent.body.status, "SEND_OK", "ASYNC_FLUSH: handed to the OS");
      acked.push({ body, queueOffset: sent.body.queueOffset });
    }
    assert.fail("the disk never filled up");
  }

  it("refuses sends with 503 while full, keeps serving, recovers by itself, stops cleanly, loses nothing acknowledged or served", async () => {
    const store = `${mountPoint}/store`;
    mkdirSync(store);
    let process = await broker(store);
    const acked: Sent[] = [];
    const first = await send(process.address, "first");
    assert.equal(first.status, 200);
    acked.push({ body: "first", queueOffset: first.body.queueOffset });

    const filler = fillDisk();
    await sendUntilFull(process.address, acked);

    const health = await get(process.address, "/health");
    assert.equal(health.body.status, "DEGRADED");
    assert.ok(health.body.problems.some((p: any) => p.code === "STORE_DISK_FULL"), JSON.stringify(health.body));
    assert.equal((await get(process.address, "/readyz")).status, 503);
    const served = await pullAll(process.address); // pulls are served on a full disk
    for (const m of acked) assert.equal(served.get(m.queueOffset), m.body, `acked message ${m.queueOffset} served`);
    await process.waitFor(/STORE_DISK_FULL/, 5_000);

    rmSync(filler);
    const deadline = Date.now() + 60_000;
    let after: { status: number; body: any };
    do {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await send(process.address, "after space returned");
    } while (after.status !== 200 && Date.now() < deadline);
    assert.equal(after.status, 200, `sends succeed again by themselves: ${JSON.stringify(after.body)}`);
    acked.push({ body: "after space returned", queueOffset: after.body.queueOffset });
    assert.equal((await get(process.address, "/health")).body.status, "UP");
    assert.equal((await get(process.address, "/readyz")).status, 200);
    for (const [offset, body] of await pullAll(process.address)) served.set(offset, body);

    const stopped = await process.stop();
    assert.ok(stopped.clean, `SIGTERM stops cleanly:\n${process.output.slice(-10).join("\n")}`);
    if (runtimeName !== "deno") assert.equal(stopped.code, 0);

    process = await broker(store);
    const restarted = await pullAll(process.address);
    for (const m of acked) assert.equal(restarted.get(m.queueOffset), m.body, `acknowledged message ${m.queueOffset} kept`);
    for (const [offset, body] of served) assert.equal(restarted.get(offset), body, `served message ${offset} kept`);
    assert.ok((await process.stop()).clean);
  });

  it("stops on a still-full disk within bounds, says what was not saved, and restarts with every acknowledged message", async () => {
    const store = `${mountPoint}/store2`;
    mkdirSync(store);
    let process = await broker(store);
    const acked: Sent[] = [];
    const filler = fillDisk();
    await sendUntilFull(process.address, acked);
    const stopped = await process.stop(); // bounded: throws if it does not exit within 20 s
    if (runtimeName !== "deno") assert.equal(stopped.code, 3, "the documented exit code of an incomplete shutdown");
    assert.ok(process.output.some((l) => /shutdown failed: .*never written.*next start recovers/.test(l)), process.output.slice(-5).join("\n"));
    rmSync(filler);
    process = await broker(store);
    const restarted = await pullAll(process.address);
    for (const m of acked) assert.equal(restarted.get(m.queueOffset), m.body, `acknowledged message ${m.queueOffset} kept`);
    assert.ok((await process.stop()).clean);
  });
});

if (mountProblem) {
  console.log(`skipped: ${mountProblem}`);
  await removeDir(mountPoint);
}
