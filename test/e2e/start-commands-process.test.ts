/**
 * The README's start commands, typed as a newcomer types them, each on the runtime running this
 * test: `npm run broker` (Node), `deno task broker` (Deno), `bun run broker` (Bun). Node and Deno
 * run Skiff from its bundle (scripts/build.ts), Bun from the sources; the broker boots, takes a
 * message over its HTTP API, and shuts down cleanly on a SIGTERM sent to its own PID, after which
 * the command exits 0.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { removeDir, runtimeName, tempDir, type RuntimeName } from "../support/platform.ts";
import { freeListenPort } from "../support/ports.ts";
import { hasProc } from "../support/proc.ts";
import { until } from "../support/poll.ts";
import { repo } from "../support/skiff-process.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

/** The README's command on each runtime (flags follow it), and what the broker process it starts runs. */
const START: Record<RuntimeName, { command: string; args: string[]; runs: RegExp }> = {
  node: { command: "npm", args: ["run", "--silent", "broker", "--"], runs: /^(\S*\/)?node\0dist\/node\/skiff\.mjs\0broker\0/ },
  deno: { command: "deno", args: ["task", "--quiet", "broker"], runs: /^(\S*\/)?deno\0run\0--allow-all\0dist\/deno\/skiff\.js\0broker\0/ },
  bun: { command: "bun", args: ["run", "broker", "--"], runs: /^(\S*\/)?bun\0adapters\/bun\/main\.ts\0broker\0/ },
};

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Every descendant of `pid`, parents first. */
function descendants(pid: number): number[] {
  return children(pid).flatMap((child) => [child, ...descendants(child)]);
}

/** The descendant of `pid` whose command line matches `pattern` (arguments joined by NUL, as /proc has them). */
function descendant(pid: number, pattern: RegExp): number | undefined {
  for (const child of children(pid)) {
    try {
      if (pattern.test(readFileSync(`/proc/${child}/cmdline`, "utf8"))) return child;
    } catch {
      continue; // it exited meanwhile
    }
    const deeper = descendant(child, pattern);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}

describe(`the README's start command on ${runtimeName}`, { skip: hasProc ? false : "needs Linux /proc" }, () => {
  const { defer } = cleanupAfterSuite();

  it(`${[START[runtimeName].command, ...START[runtimeName].args].filter((a) => !a.startsWith("-")).join(" ")} starts a broker that takes a message and stops cleanly`, { timeout: 120_000 }, async () => {
    const dir = await tempDir("start-command");
    defer(() => removeDir(dir));
    const listenPort = await freeListenPort();
    const httpPort = await freeListenPort();
    const { command, args, runs } = START[runtimeName];
    const wrapper = spawn(command, [...args, `--storePathRootDir=${join(dir, "store")}`, `--listenPort=${listenPort}`, `--httpListenPort=${httpPort}`], {
      cwd: repo, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" },
    });
    let output = "";
    wrapper.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    wrapper.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => wrapper.on("exit", (code) => resolve(code)));
    defer(async () => {
      if (wrapper.exitCode !== null) return;
      for (const pid of [...descendants(wrapper.pid!), wrapper.pid!]) { // only what this test started
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // exited meanwhile
        }
      }
      await exited;
    });

    await until("the boot line, or the command's exit", async () => /boot success/.test(output) || wrapper.exitCode !== null, 90_000);
    assert.match(output, /boot success/, `the broker booted:\n${output.slice(-2000)}`);
    const broker = descendant(wrapper.pid!, runs);
    assert.ok(broker !== undefined, `a process under ${command} runs ${runs}:\n${output.slice(-2000)}`);
    const sent = await fetch(`http://127.0.0.1:${httpPort}/topics/StartCommand/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body: "hello" }) });
    const answer = await sent.text();
    assert.equal(sent.status, 200, answer);
    assert.equal((JSON.parse(answer) as { status: string }).status, "SEND_OK");

    process.kill(broker, "SIGTERM");
    assert.equal(await exited, 0, `the command exits 0 once the broker stopped:\n${output.slice(-2000)}`);
    assert.match(output, /shut down cleanly|stopped cleanly/);
  });
});
