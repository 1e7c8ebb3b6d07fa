/**
 * TLS with real processes on the runtime running this test, set up as the README says (the CA and
 * the certificate made by the README's commands at test time, the keys in a properties file): a name server and a
 * master with tlsMode=enforcing, a slave with tlsMode=permissive, both brokers with useTLS=true.
 * Over TLS only: the slave follows the master (HA), a SYNC_MASTER send is acknowledged by it, its
 * metadata sync pulls the master's topics, both brokers register with the name server, and
 * remoting answers; a plain-text client gets nothing from an enforcing port, and the permissive
 * slave serves plain text and TLS on the same ports.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseHostPort } from "../../src/core/host-port.ts";
import { tlsNetwork } from "../../src/core/tls-network.ts";
import { requestCommand } from "../../src/remoting/remoting-command.ts";
import { platform, removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { until } from "../support/poll.ts";
import { RawRemotingClient } from "../support/remoting.ts";
import { startSkiff } from "../support/skiff-process.ts";
import { readmePki } from "../support/tls.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

const GET_BROKER_RUNTIME_INFO = 28;
const GET_BROKER_CLUSTER_INFO = 106;

describe(`TLS between ${runtimeName} processes`, () => {
  const pki = readmePki();
  const { defer, track } = cleanupAfterSuite();
  defer(async () => pki.remove());
  const secureFetch = platform.http.fetcher({ ca: pki.ca });
  const secureJson = async (address: string, path: string, init?: RequestInit) => (await secureFetch(`https://${address}${path}`, { signal: AbortSignal.timeout(5000), ...init })).json();
  const tlsNet = tlsNetwork(platform.net, { server: { mode: "disabled" }, client: { ca: pki.ca } });

  it("replicates, syncs, registers and answers over TLS only; plain text is refused where TLS is enforced", { timeout: 120_000 }, async () => {
    const root = await tempDir("e2e-tls");
    defer(() => removeDir(root));
    const tlsFile = (name: string, mode: string) => {
      const path = join(root, name);
      return writeFile(path, [`tlsMode=${mode}`, `tlsServerCertPath=${pki.certPath}`, `tlsServerKeyPath=${pki.keyPath}`, "useTLS=true", `tlsClientTrustCertPath=${pki.caPath}`, ""].join("\n")).then(() => path);
    };
    const enforcing = await tlsFile("enforcing.conf", "enforcing");
    const permissive = await tlsFile("permissive.conf", "permissive");
    const namesrvConf = join(root, "namesrv.conf");
    await writeFile(namesrvConf, `tlsMode=enforcing\ntlsServerCertPath=${pki.certPath}\ntlsServerKeyPath=${pki.keyPath}\n`);

    const namesrv = track(await startSkiff(runtimeName, "namesrv", ["-c", namesrvConf, "--listenPort=0"]));
    assert.ok(namesrv.output.some((line) => /TLS enforcing/.test(line)), "the name server says it enforces TLS");
    const common = ["-n", namesrv.remotingAddress, "--slaveSynchronizePeriod=1000"];
    const master = track(await startSkiff(runtimeName, "broker", ["-c", enforcing, ...common, `--storePathRootDir=${root}/master`, "--listenPort=0", "--brokerRole=SYNC_MASTER"]));
    assert.ok(master.output.some((line) => /TLS enforcing, outgoing TLS/.test(line)), "the broker says it enforces TLS");
    const created = await secureJson(master.address, "/topics/Secured", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ readQueueNums: 2, writeQueueNums: 2 }) }).catch((e) => String(e));
    assert.ok(typeof created === "object", `topic created over HTTPS: ${created}`);
    const haAddress = (await secureJson(master.address, "/ha/status")).haListenAddress as string;
    const slave = track(await startSkiff(runtimeName, "broker", ["-c", permissive, ...common, `--storePathRootDir=${root}/slave`, "--listenPort=0", "--brokerRole=SLAVE", "--brokerId=1", `--haMasterAddress=${haAddress}`]));
    await until("the slave to follow over TLS", async () => (await secureJson(master.address, "/ha/status")).slaves.length === 1, 20_000);

    const answer = await secureJson(master.address, "/topics/Secured/messages", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body: "over TLS" }) });
    assert.equal(answer.status, "SEND_OK", JSON.stringify(answer));
    await until("the slave to hold it", async () => (await secureJson(slave.address, "/ha/status")).maxPhyOffset === (await secureJson(master.address, "/ha/status")).maxPhyOffset, 20_000);
    await until("the slave's metadata sync to pull the topic over HTTPS", async () => {
      const topics = await secureJson(slave.address, "/topics");
      return JSON.stringify(topics).includes("Secured");
    }, 20_000);

    // Remoting over TLS: the name server lists both brokers, the master answers.
    const toNamesrv = await RawRemotingClient.open(tlsNet, parseHostPort(namesrv.remotingAddress));
    defer(async () => toNamesrv.connection.close());
    await until("both brokers to register over TLS", async () => {
      const cluster = await toNamesrv.call(requestCommand(GET_BROKER_CLUSTER_INFO, Math.floor(Math.random() * 1e9)));
      const text = new TextDecoder().decode(cluster.body);
      return cluster.code === 0 && text.includes(master.remotingAddress) && text.includes(slave.remotingAddress);
    }, 20_000);
    const toMaster = await RawRemotingClient.open(tlsNet, parseHostPort(master.remotingAddress));
    defer(async () => toMaster.connection.close());
    assert.equal((await toMaster.call(requestCommand(GET_BROKER_RUNTIME_INFO, 7))).code, 0);

    // Plain text: nothing from an enforcing port (remoting and HTTP); both kinds served by the permissive slave.
    const plainToMaster = await RawRemotingClient.open(platform.net, parseHostPort(master.remotingAddress));
    await plainToMaster.send(requestCommand(GET_BROKER_RUNTIME_INFO, 8));
    await plainToMaster.until("the enforcing port to close a plain-text client", () => plainToMaster.ended, 10_000);
    assert.equal(plainToMaster.frames.length, 0, "no answer in plain text");
    await assert.rejects(fetch(`http://${master.address}/health`, { signal: AbortSignal.timeout(5000) }).then((r) => r.text()));
    const plainToSlave = await RawRemotingClient.open(platform.net, parseHostPort(slave.remotingAddress));
    defer(async () => plainToSlave.connection.close());
    assert.equal((await plainToSlave.call(requestCommand(GET_BROKER_RUNTIME_INFO, 9))).code, 0);
    const tlsToSlave = await RawRemotingClient.open(tlsNet, parseHostPort(slave.remotingAddress));
    defer(async () => tlsToSlave.connection.close());
    assert.equal((await tlsToSlave.call(requestCommand(GET_BROKER_RUNTIME_INFO, 10))).code, 0);
    assert.equal((await fetch(`http://${slave.address}/health`, { signal: AbortSignal.timeout(5000) })).status, 200);
    assert.equal((await secureFetch(`https://${slave.address}/health`, { signal: AbortSignal.timeout(5000) })).status, 200);

    for (const p of [slave, master, namesrv]) assert.equal((await p.stop()).clean, true);
  });
});
