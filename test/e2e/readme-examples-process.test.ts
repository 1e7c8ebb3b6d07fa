/**
 * The README's examples, run as a newcomer runs them, against real processes on the default ports
 * (a name server on 9876/9877 and a broker on 10911…10913 registered with it, as "From a RocketMQ
 * application" starts them): the TypeScript demo of "Send and receive" (saved as a file and run
 * by the runtime running this test, its import pointed at this checkout), its curl lines, and
 * every `npm run admin` line of "Operate it". Each must exit 0 and print what the README says.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { until } from "../support/poll.ts";
import { repo, startSkiff } from "../support/skiff-process.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

const readme = readFileSync(join(repo, "README.md"), "utf8");

/** The fenced blocks of `lang` in the README section that starts with `heading`. */
function blocks(heading: string, lang: string): string[] {
  const start = readme.indexOf(`\n${heading}`);
  assert.ok(start >= 0, `README has a section ${heading}`);
  const end = readme.indexOf("\n## ", start + heading.length + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
}

function run(bin: string, args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { cwd: repo, timeout: timeoutMs, env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof (error as { code?: unknown }).code === "number" ? (error as { code: number }).code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const RUN_TS: Record<string, (file: string) => [string, string[]]> = {
  bun: (file) => ["bun", [file]],
  node: (file) => ["node", [file]],
  deno: (file) => ["deno", ["run", "--allow-net", file]],
};

describe(`the README's examples on ${runtimeName}`, () => {
  const { defer } = cleanupAfterSuite();

  it("the demo, the curl lines and the admin commands work as written", { timeout: 240_000 }, async () => {
    const dir = await tempDir("e2e-readme");
    defer(() => removeDir(dir));
    const namesrv = await startSkiff(runtimeName, "namesrv", []);
    defer(() => namesrv.kill());
    assert.equal(namesrv.address, "127.0.0.1:9877", "the name server on its default ports");
    const broker = await startSkiff(runtimeName, "broker", ["-n", "127.0.0.1:9876", `--storePathRootDir=${join(dir, "store")}`]);
    defer(() => broker.kill());
    assert.equal(broker.address, "127.0.0.1:10913", "the broker on its default ports");

    const [demo] = blocks("## Send and receive", "ts");
    const file = join(dir, "demo.ts");
    writeFileSync(file, demo.replace(`"./src/client/index.ts"`, JSON.stringify(join(repo, "src/client/index.ts"))));
    const [bin, args] = RUN_TS[runtimeName](file);
    const ran = await run(bin, args);
    assert.equal(ran.code, 0, `the demo ran:\n${ran.stdout}\n${ran.stderr}`);
    assert.match(ran.stdout, /^SEND_OK [0-9A-F]{32} queue \d+ offset 0$/m);
    assert.match(ran.stdout, /^0 TagA hello$/m);

    const [curl] = blocks("## Send and receive", "sh");
    const curled = await run("bash", ["-euo", "pipefail", "-c", curl]);
    assert.equal(curled.code, 0, curled.stderr);
    assert.match(curled.stdout, /"status":"SEND_OK"/);
    assert.match(curled.stdout, /"pullStatus":"(FOUND|NO_NEW_MSG)"/);

    await until("the name server to route Orders", async () => (await fetch("http://127.0.0.1:9877/routes/Orders")).status === 200, 30_000);
    const adminLines = blocks("## Operate it", "sh")[0].split("\n").map((l) => l.replace(/\s+#.*$/, "").trim()).filter((l) => l.length > 0);
    assert.ok(adminLines.length >= 5, "the admin block has its commands");
    for (const line of adminLines) {
      const result = await run("bash", ["-euo", "pipefail", "-c", line], 90_000);
      assert.equal(result.code, 0, `${line}\n${result.stdout}\n${result.stderr}`);
      if (line.includes("queryMsgByKey")) assert.match(result.stdout, /^[0-9A-F]{32}\s+\d+\s+\d+\s/m, `${line} finds the curl message`);
      if (line.includes("clusterList")) assert.match(result.stdout, /DefaultCluster\s+broker-a\s+0\s+127\.0\.0\.1:10911/);
    }
    assert.ok((await broker.stop()).clean);
    assert.ok((await namesrv.stop()).clean);
  });
});
