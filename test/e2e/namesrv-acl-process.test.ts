/**
 * The name server's ACL with real processes on the runtime running this test, set up as the
 * README says: a name server with aclEnable=true and a plain_acl.yml holding an admin account;
 * brokers given that account as innerClientAuthenticationCredentials register (over Skiff's HTTP
 * API and over RocketMQ's remoting, signed), a broker without it is refused, says why in its log,
 * and never reaches the routes that clients read, so it cannot take over a broker group.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { getJson, until } from "../support/poll.ts";
import { startSkiff } from "../support/skiff-process.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

const OPERATOR = { accessKey: "broker-operator", secretKey: "operator-secret-1" };

describe(`the name server's ACL with ${runtimeName} processes`, () => {
  const { defer, track } = cleanupAfterSuite();

  it("registers brokers with the admin account, over HTTP and remoting, and refuses one without it", { timeout: 90_000 }, async () => {
    const root = await tempDir("e2e-namesrv-acl");
    defer(() => removeDir(root));
    const aclFile = join(root, "plain_acl.yml");
    await writeFile(aclFile, `accounts:\n  - accessKey: ${OPERATOR.accessKey}\n    secretKey: ${OPERATOR.secretKey}\n    admin: true\n`);
    const credentials = join(root, "credentials.conf");
    await writeFile(credentials, `innerClientAuthenticationCredentials=${JSON.stringify(OPERATOR)}\n`);
    const namesrv = track(await startSkiff(runtimeName, "namesrv", ["--listenPort=0", "--aclEnable=true", `--plainAclFile=${aclFile}`]));
    const broker = (name: string, flags: string[]) => startSkiff(runtimeName, "broker", [`--storePathRootDir=${root}/${name}`, "--listenPort=0", `--brokerName=${name}`, ...flags]);

    const overHttp = track(await broker("broker-http", ["-c", credentials, "-n", namesrv.address, "--namesrvProtocol=http"]));
    const overRemoting = track(await broker("broker-remoting", ["-c", credentials, "-n", namesrv.remotingAddress, "--namesrvProtocol=rocketmq"]));
    const intruder = track(await broker("broker-intruder", ["-n", namesrv.address, "--namesrvProtocol=http"]));
    const intruderRemoting = track(await broker("broker-intruder-remoting", ["-n", namesrv.remotingAddress, "--namesrvProtocol=rocketmq"]));
    const names = async () => ((await getJson(namesrv.address, "/cluster")).clusters as Array<{ brokerGroups: Array<{ brokerName: string }> }>)
      .flatMap((cluster) => cluster.brokerGroups.map((group) => group.brokerName)).sort();
    await until("both brokers with the account to register", async () => JSON.stringify(await names()) === JSON.stringify(["broker-http", "broker-remoting"]), 20_000);
    await intruder.waitFor(/registration with name server .* failed: .*No accessKey is configured: this name server has aclEnable=true/, 20_000);
    await intruderRemoting.waitFor(/registration with name server .* failed: .*AclException: No accessKey is configured/, 20_000);
    assert.deepEqual(await names(), ["broker-http", "broker-remoting"], "the brokers without the account never reached the routes");
    const metrics = await (await fetch(`http://${namesrv.address}/metrics`)).text();
    assert.match(metrics, /skiff_acl_refused_total\{protocol="http"\} [1-9]/);
    assert.match(metrics, /skiff_acl_refused_total\{protocol="remoting"\} [1-9]/);

    for (const p of [overHttp, overRemoting, intruder, intruderRemoting, namesrv]) assert.equal((await p.stop()).clean, true);
    for (const p of [overHttp, overRemoting]) assert.ok(!p.output.some((l) => l.includes(OPERATOR.secretKey)), "the secret is in no log line");
  });
});
