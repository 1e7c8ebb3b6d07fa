/**
 * The authenticated HA link with real processes on the runtime running this test, set up as the
 * README says (the secret in a properties file, not on the command line): a slave with the secret
 * replicates what the master acknowledged; a slave with another secret gets nothing and says why in
 * `/ha/status`, the master lists it as refused; the secret appears in no output and no API answer.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { getJson, until } from "../support/poll.ts";
import { brokerHaAddress, freeListenPort } from "../support/ports.ts";
import { startSkiff } from "../support/skiff-process.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

const SECRET = "e2e secret 0123456789abcdef";

describe(`the authenticated HA link between ${runtimeName} processes`, () => {
  const { defer, track } = cleanupAfterSuite();

  it("replicates between brokers that share the secret, and refuses one that does not", { timeout: 90_000 }, async () => {
    const root = await tempDir("e2e-ha-auth");
    defer(() => removeDir(root));
    const secretFile = join(root, "secret.conf");
    await writeFile(secretFile, `haAuthSecret=${SECRET}\n`);
    const wrongFile = join(root, "wrong.conf");
    await writeFile(wrongFile, "haAuthSecret=not the secret, but long\n");
    const masterPort = await freeListenPort();
    const master = track(await startSkiff(runtimeName, "broker", ["-c", secretFile, `--storePathRootDir=${root}/master`, `--listenPort=${masterPort}`, "--brokerRole=SYNC_MASTER"]));
    const slaveFlags = (name: string, id: number) => [`--storePathRootDir=${root}/${name}`, "--listenPort=0", "--brokerRole=SLAVE", `--brokerId=${id}`, `--haMasterAddress=${brokerHaAddress(masterPort)}`];
    const slave = track(await startSkiff(runtimeName, "broker", ["-c", secretFile, ...slaveFlags("slave", 1)]));
    await until("the slave to follow", async () => (await getJson(master.address, "/ha/status")).slaves.length === 1, 20_000);

    const sent = await fetch(`http://${master.address}/topics/Secured/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body: "over an authenticated link" }) });
    const answer = await sent.json();
    assert.equal(answer.status, "SEND_OK", JSON.stringify(answer));
    await until("the slave to hold it", async () => (await getJson(slave.address, "/ha/status")).maxPhyOffset === (await getJson(master.address, "/ha/status")).maxPhyOffset, 20_000);

    const intruder = track(await startSkiff(runtimeName, "broker", ["-c", wrongFile, ...slaveFlags("intruder", 2)]));
    await until("the intruder to say why it does not follow", async () => /HA_AUTH_FAILED/.test((await getJson(intruder.address, "/ha/status")).lastHaError ?? ""), 20_000);
    const status = await getJson(master.address, "/ha/status");
    assert.equal(status.slaves.length, 1, "only the slave with the secret is connected");
    assert.ok(status.refusedSlaves.some((r: { reason: string }) => /HA handshake failed/.test(r.reason)), JSON.stringify(status.refusedSlaves));
    assert.equal((await getJson(intruder.address, "/ha/status")).maxPhyOffset, 0, "the intruder got no log byte");

    for (const p of [master, slave, intruder]) assert.equal((await p.stop()).clean, true);
    for (const p of [master, slave, intruder]) assert.ok(!p.output.some((l) => l.includes(SECRET)), "the secret is in no log line");
  });
});
