/**
 * The log of real processes on the runtime running this test, as an operator's log pipeline sees
 * it (stdout is a pipe, not a terminal):
 *
 * - every line is one JSON record with `time` (ISO 8601 UTC), `level`, `component` and `msg`, and
 *   the figures as fields (the boot line's role and addresses, a slave's address on connect);
 * - a client's connect and disconnect, a refused frame (a warning, without a stack), a slave's
 *   connect, and a slave's catch-up (the master's end, percent, rate; then "caught up") are logged;
 * - `--logLevel=warn` writes warnings and errors only; `--logFormat=text` writes lines for people.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { getJson, until } from "../support/poll.ts";
import { brokerHaAddress, brokerHttpAddress, freeListenPort } from "../support/ports.ts";
import { repo, skiffCommand, startSkiff, type SkiffProcess } from "../support/skiff-process.ts";
import { parseJsonLogLine } from "../support/log.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const LEVELS = ["debug", "info", "warn", "error"];

/** Opens a TCP connection to `address`, writes `bytes`, and resolves when the peer closes it. */
function sendRaw(address: string, bytes: Uint8Array): Promise<void> {
  const [host, port] = address.split(":");
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host, () => socket.write(bytes));
    socket.on("error", reject);
    socket.on("close", () => resolve());
    socket.resume();
  });
}

async function postBody(address: string, topic: string, body: string): Promise<void> {
  const response = await fetch(`http://${address}/topics/${topic}/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body }) });
  assert.equal(response.status, 200, await response.text());
}

describe(`the log of ${runtimeName} processes`, () => {
  const { defer, track } = cleanupAfterSuite();

  it("is JSON lines with time, level, component, message and fields: connects, refusals, a slave's catch-up", { timeout: 120_000 }, async () => {
    const root = await tempDir("e2e-logs");
    defer(() => removeDir(root));
    // A fixed listenPort: the slave finds the master's HTTP API (for its end offset) beside its HA port.
    const masterPort = await freeListenPort();
    const master = track(await startSkiff(runtimeName, "broker", [`--storePathRootDir=${root}/master`, `--listenPort=${masterPort}`, "--mappedFileSizeCommitLog=4194304"]));

    // Enough for a catch-up report (over 1 MiB behind): 24 messages of 64 KiB.
    const body = "x".repeat(64 * 1024);
    for (let i = 0; i < 24; i++) await postBody(master.address, "Logged", body);
    await sendRaw(master.remotingAddress, new Uint8Array([0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]));
    await master.waitFor(/^remoting: 127\.0\.0\.1:\d+: .*connection closed$/, 10_000);

    const haAddress = (await getJson(master.address, "/ha/status")).haListenAddress as string;
    assert.equal(haAddress, brokerHaAddress(masterPort));
    const slave = track(await startSkiff(runtimeName, "broker", [`--storePathRootDir=${root}/slave`, "--listenPort=0", "--brokerRole=SLAVE", "--brokerId=1", `--haMasterAddress=${haAddress}`]));
    await slave.waitFor(/^HA catching up with the master: \d+\.\d MiB behind/, 20_000);
    await slave.waitFor(/^HA caught up with the master: \d+\.\d MiB in [\d.]+ s/, 20_000);
    await master.waitFor(/^HA slave 127\.0\.0\.1:\d+ connected$/, 10_000);
    assert.equal((await master.stop()).clean, true);
    assert.equal((await slave.stop()).clean, true);

    for (const process of [master, slave]) {
      assert.equal(process.records.length, process.output.length, `every line is a JSON record:\n${process.output.filter((l, i) => process.records[i]?.msg !== l).join("\n")}`);
      for (const record of process.records) {
        assert.match(record.time, ISO_UTC);
        assert.ok(LEVELS.includes(record.level), record.level);
        assert.match(record.component, /^[a-z-]+$/);
      }
    }
    const byMsg = (p: SkiffProcess, pattern: RegExp) => p.records.find((r) => pattern.test(r.msg));
    const boot = byMsg(master, /boot success/)!;
    assert.equal(boot.component, "broker");
    assert.equal(boot.level, "info");
    assert.equal(boot.role, "ASYNC_MASTER");
    assert.equal(boot.http, master.address);
    assert.equal(boot.remoting, master.remotingAddress);

    const connected = byMsg(master, /^remoting: client 127\.0\.0\.1:\d+ connected$/)!;
    assert.equal(connected.component, "remoting");
    assert.match(String(connected.client), /^127\.0\.0\.1:\d+$/);
    const refused = byMsg(master, /^remoting: 127\.0\.0\.1:\d+: .*connection closed$/)!;
    assert.equal(refused.level, "warn");
    assert.equal(refused.problem, "unreadable");
    assert.ok(byMsg(master, new RegExp(`^remoting: client ${connected.client} disconnected: `)), "the disconnect names the client and why");
    assert.ok(!master.records.some((r) => /^\s+at\s/m.test(r.msg) || "stack" in r), "no stack traces");

    const slaveConnected = byMsg(master, /^HA slave .* connected$/)!;
    assert.equal(slaveConnected.component, "ha");
    assert.match(String(slaveConnected.slave), /^127\.0\.0\.1:\d+$/);
    const catchingUp = byMsg(slave, /^HA catching up/)!;
    assert.equal(catchingUp.component, "ha");
    assert.ok((catchingUp.behindBytes as number) > 1024 * 1024, JSON.stringify(catchingUp));
    const caughtUp = byMsg(slave, /^HA caught up/)!;
    assert.ok((caughtUp.receivedBytes as number) >= 24 * 64 * 1024, JSON.stringify(caughtUp));
  });

  it("--logLevel=warn writes warnings only; --logFormat=text writes lines for people", { timeout: 60_000 }, async () => {
    const root = await tempDir("e2e-log-level");
    defer(() => removeDir(root));
    const listenPort = await freeListenPort();
    const [bin, args] = skiffCommand(runtimeName, ["broker", `--storePathRootDir=${root}/quiet`, `--listenPort=${listenPort}`, "--logLevel=warn"]);
    const child = spawn(bin, args, { cwd: repo, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    defer(async () => {
      child.kill("SIGKILL");
      await exited;
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    const http = brokerHttpAddress(listenPort);
    await until("the quiet broker to answer", async () => (await fetch(`http://${http}/healthz`).catch(() => null))?.status === 200, 30_000);
    await sendRaw(`127.0.0.1:${listenPort}`, new Uint8Array([0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]));
    await until("the refused frame's warning", async () => output.includes("connection closed"), 10_000);
    child.kill("SIGTERM");
    await exited;
    const records = output.trim().split("\n").map((line) => parseJsonLogLine(line));
    assert.ok(records.every((r) => r !== null), output);
    assert.deepEqual([...new Set(records.map((r) => r!.level))], ["warn"], output);

    const text = track(await startSkiff(runtimeName, "broker", [`--storePathRootDir=${root}/text`, "--listenPort=0", "--logFormat=text"]));
    assert.equal((await text.stop()).clean, true);
    assert.equal(text.records.length, 0, "no JSON");
    for (const line of text.output) assert.match(line, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (INFO|WARN) {2}[a-z-]+ +\S/);
    assert.ok(text.output.some((l) => / INFO  broker +The broker\[broker-a, [\d.:]+\] boot success\. .*  brokerName=broker-a role=ASYNC_MASTER /.test(l)), text.output.join("\n"));
  });
});
