/**
 * The command's life around a server (src/cli/cli.ts): `--version` names the version package.json
 * gives; the first SIGINT/SIGTERM starts a clean stop and exits 0 once it is done; a second one
 * while that stop hangs exits at once (130 for SIGINT, 143 for SIGTERM), saying so on one line.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createMemoryPlatform } from "../../adapters/memory/platform.ts";
import { runCli, stopOnSignal } from "../../src/cli/cli.ts";
import { SKIFF_VERSION } from "../../src/cli/version.ts";
import { lineLogger } from "../support/log.ts";

function fakeIo() {
  const out: string[] = [];
  const err: string[] = [];
  const exits: number[] = [];
  let signal: (name: string) => void = () => assert.fail("no signal handler installed");
  return {
    out, err, exits,
    io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), exit: (c: number) => exits.push(c), onShutdownSignal: (h: (name: string) => void) => (signal = h) },
    send: (name: string) => signal(name),
  };
}

describe("skiff --version", () => {
  it("prints the version of package.json and the runtime", async () => {
    assert.equal(SKIFF_VERSION, JSON.parse(readFileSync(decodeURIComponent(new URL("../../package.json", import.meta.url).pathname), "utf8")).version);
    const f = fakeIo();
    await runCli(createMemoryPlatform().platform, { ...f.io, argv: ["--version"], env: {} });
    assert.deepEqual(f.exits, []);
    assert.match(f.out[0], new RegExp(`^skiff ${SKIFF_VERSION.replace(/\./g, "\\.")} \\(memory; `));
  });
});

describe("shutdown signals", () => {
  it("a first signal stops cleanly and exits 0", async () => {
    const f = fakeIo();
    const stopping = stopOnSignal(f.io, lineLogger((line) => f.out.push(line)));
    let stopped = false;
    stopping.started(async () => {
      stopped = true;
    });
    f.send("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(stopped, true);
    assert.deepEqual(f.exits, [0]);
    assert.match(f.out[0], /^SIGTERM received: stopping \(send it again to exit at once\)$/);
  });

  it("a signal during start-up stops the server as soon as it is up", async () => {
    const f = fakeIo();
    const stopping = stopOnSignal(f.io, lineLogger((line) => f.out.push(line)));
    f.send("SIGINT");
    assert.deepEqual(f.exits, []);
    stopping.started(async () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(f.exits, [0]);
  });

  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    it(`a second ${signal} while the stop hangs exits ${code} at once`, () => {
      const f = fakeIo();
      stopOnSignal(f.io, lineLogger((line) => f.out.push(line))).started(() => new Promise<void>(() => {}));
      f.send(signal);
      assert.deepEqual(f.exits, []);
      f.send(signal);
      assert.deepEqual(f.exits, [code]);
      assert.equal(f.out.length, 2);
      assert.match(f.out[1], new RegExp(`^${signal} received again: exiting now`));
    });
  }
});
