/**
 * Failures a newcomer causes at start, with real processes on the runtime running this test: a
 * port in use (remoting, HA, or the name server's) and a store another broker holds each print one
 * line naming the cause and the fix, with no stack trace (`--debug` adds it), exit 3, and leave the
 * store as it was: a new store directory is not even created, and the running broker's store keeps
 * serving. A slave with no master address is a configuration error (exit 1). `skiff --version`
 * prints the version.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { freeListenPort } from "../support/ports.ts";
import { runSkiffCommand, startSkiff } from "../support/skiff-process.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

/** The lines a failed start printed after its configuration banner: the error, and nothing like a stack. */
function failure(result: { code: number; stdout: string; stderr: string }): string {
  assert.equal(result.code, 3, `exit code; stderr:\n${result.stderr}`);
  const lines = result.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line on stderr:\n${result.stderr}`);
  assert.doesNotMatch(result.stdout + result.stderr, /^\s+at\s/m, "no stack trace");
  return lines[0];
}

describe(`start-up failures of ${runtimeName} processes`, () => {
  const { defer } = cleanupAfterSuite();

  it("a port in use or a store in use is one line with the fix, exit 3, and no store is touched", { timeout: 120_000 }, async () => {
    const root = await tempDir("e2e-startup");
    defer(() => removeDir(root));
    const port = await freeListenPort();
    const running = await startSkiff(runtimeName, "broker", [`--storePathRootDir=${join(root, "running")}`, `--listenPort=${port}`]);
    defer(() => running.kill());

    const fresh = join(root, "fresh");
    const remoting = failure(await runSkiffCommand(runtimeName, ["broker", `--storePathRootDir=${fresh}`, `--listenPort=${port}`]));
    assert.equal(remoting, `start-up failed: remoting port 127.0.0.1:${port} (listenPort) is already in use: stop the process using it, or choose another port (--listenPort=…)`);
    const ha = failure(await runSkiffCommand(runtimeName, ["broker", `--storePathRootDir=${fresh}`, `--listenPort=${await freeListenPort()}`, `--haListenPort=${port + 1}`]));
    assert.match(ha, new RegExp(`^start-up failed: HA port 127\\.0\\.0\\.1:${port + 1} \\(haListenPort\\) is already in use: .*--haListenPort=`));
    assert.equal(existsSync(fresh), false, "a start that failed on a port created no store");

    const locked = failure(await runSkiffCommand(runtimeName, ["broker", `--storePathRootDir=${join(root, "running")}`, `--listenPort=${await freeListenPort()}`]));
    assert.match(locked, new RegExp(`^start-up failed: the store .*running is in use by process ${running.pid}; stop it first`));
    const sent = await fetch(`http://${running.address}/topics/StillHere/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body: "ok" }) });
    assert.equal(sent.status, 200, "the running broker keeps serving");

    const namesrvPort = await freeListenPort();
    const namesrv = await startSkiff(runtimeName, "namesrv", [`--listenPort=${namesrvPort}`]);
    defer(() => namesrv.kill());
    const second = failure(await runSkiffCommand(runtimeName, ["namesrv", `--listenPort=${namesrvPort}`]));
    assert.match(second, new RegExp(`^start-up failed: remoting port 127\\.0\\.0\\.1:${namesrvPort} \\(listenPort\\) is already in use`));

    const debug = await runSkiffCommand(runtimeName, ["broker", `--storePathRootDir=${fresh}`, `--listenPort=${port}`, "--debug"]);
    assert.equal(debug.code, 3);
    assert.match(debug.stderr, /^SkiffError|^\s+at\s/m, "--debug shows the stack");
  });

  it("a slave with no way to find its master is refused before anything starts, naming both keys", async () => {
    const root = await tempDir("e2e-startup-slave");
    defer(() => removeDir(root));
    const store = join(root, "slave");
    const result = await runSkiffCommand(runtimeName, ["broker", `--storePathRootDir=${store}`, "--listenPort=0", "--brokerRole=SLAVE", "--brokerId=1"]);
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(result.stderr.trim().split("\n"), [
      "Invalid broker configuration (1 problem):",
      "  - brokerRole: SLAVE has no way to find its master: set haMasterAddress (the master's host:haListenPort) or namesrvAddr (name servers the master registers with) (from the command line)",
    ]);
    assert.equal(existsSync(store), false, "no store was created");
  });

  it("skiff --version prints the version", async () => {
    const result = await runSkiffCommand(runtimeName, ["--version"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^skiff \\d+\\.\\d+\\.\\d+ \\(${runtimeName}; `));
  });
});
