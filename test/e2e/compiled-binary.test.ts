/**
 * The single binary: `bun build --compile` turns the Bun adapter into one `skiff` executable that
 * starts a broker (and stops it cleanly on SIGTERM) with no runtime or source tree beside it, and
 * serves its metrics.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { removeDir, tempDir } from "../support/platform.ts";
import { bootAddresses } from "../support/skiff-process.ts";
import { sampleValue, scrape } from "../support/prometheus.ts";

const repo = decodeURIComponent(new URL("../..", import.meta.url).pathname);

describe("skiff single binary (bun build --compile)", () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it("builds, starts a broker that accepts a message and serves /metrics, and stops cleanly", async () => {
    const dir = await tempDir("binary");
    cleanups.push(() => removeDir(dir));
    execFileSync("bun", ["build", "--compile", "adapters/bun/main.ts", "--outfile", `${dir}/skiff`], { cwd: repo, stdio: "pipe", timeout: 120_000 });
    const child = spawn(`${dir}/skiff`, ["broker", `--storePathRootDir=${dir}/store`, "--listenPort=0"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    cleanups.push(async () => void child.kill("SIGKILL"));
    let output = "";
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no boot line in 20 s:\n${output}`)), 20_000);
      child.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const line = output.split("\n").slice(0, -1).find((l) => /boot success/.test(l)); // whole lines only
        if (line) {
          clearTimeout(timer);
          resolve(bootAddresses("broker", line).http);
        }
      });
    });
    const sent = await fetch(`http://${address}/topics/Bin/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body: "from the binary" }) });
    assert.equal(((await sent.json()) as { status: string }).status, "SEND_OK");
    const metrics = await scrape((path) => fetch(`http://${address}${path}`));
    assert.equal(sampleValue(metrics, "skiff_send_messages_total", { topic: "Bin", status: "SEND_OK" }), 1);
    assert.equal(sampleValue(metrics, "skiff_runtime_info", { runtime: "bun" }), 1);
    assert.ok(sampleValue(metrics, "skiff_process_heap_used_bytes") > 0);
    child.kill("SIGTERM");
    await exited;
    assert.match(output, /shut down cleanly/);
  });
});
