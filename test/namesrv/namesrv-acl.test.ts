/**
 * The name server with aclEnable=true over real sockets of the runtime running this test: route
 * changes (REGISTER_BROKER, UNREGISTER_BROKER; POST and DELETE /brokers) need an admin account of
 * its plain_acl.yml, signed as AclClientRPCHook signs (over HTTP, Basic credentials), or an address
 * of globalWhiteRemoteAddresses; routes stay open; refusals are answered as RocketMQ's ACL answers
 * them, and counted. Off (the default), everything is open as on RocketMQ's name server.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startNamesrv, type Namesrv } from "../../src/app/start-namesrv.ts";
import { resolveNamesrvConfig } from "../../src/config/namesrv-config.ts";
import { basicAuthorization } from "../../src/codec/basic-credentials.ts";
import type { BrokerRegistration } from "../../src/contract/namesrv-http.ts";
import { registerBrokerRemoting, unregisterBrokerRemoting } from "../../src/namesrv/register-broker-remoting.ts";
import { RemotingClientPool } from "../../src/remoting/remoting-client.ts";
import { RequestCode, ResponseCode } from "../../src/remoting/codes.ts";
import { platform, removeDir, tempDir } from "../support/platform.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

const OPERATOR = { accessKey: "broker-operator", secretKey: "operator-secret-1" };
const APP = { accessKey: "orders-app", secretKey: "orders-secret-1" };
const ACL_FILE = `accounts:
  - accessKey: ${OPERATOR.accessKey}
    secretKey: ${OPERATOR.secretKey}
    admin: true
  - accessKey: ${APP.accessKey}
    secretKey: ${APP.secretKey}
    defaultTopicPerm: PUB|SUB
`;

function registration(brokerName: string, port: number): BrokerRegistration {
  return {
    clusterName: "DefaultCluster",
    brokerName,
    brokerId: 0,
    brokerAddr: `127.0.0.1:${port}`,
    haServerAddr: `127.0.0.1:${port + 1}`,
    topicConfig: { dataVersion: { counter: 1, timestamp: 1 }, topicConfigTable: { Orders: { readQueueNums: 4, writeQueueNums: 4, perm: 6 } } },
  } as unknown as BrokerRegistration;
}

describe(`the name server with aclEnable=true (${platform.system.runtime})`, () => {
  const { defer } = cleanupAfterSuite();

  async function start(aclText: string | null): Promise<{ namesrv: Namesrv; pool: RemotingClientPool }> {
    const dir = await tempDir("namesrv-acl");
    defer(() => removeDir(dir));
    const values: Record<string, string> = { listenPort: "0", httpListenPort: "0" };
    if (aclText !== null) {
      await writeFile(join(dir, "plain_acl.yml"), aclText);
      Object.assign(values, { aclEnable: "true", plainAclFile: join(dir, "plain_acl.yml") });
    }
    const namesrv = await startNamesrv(resolveNamesrvConfig({ cliValues: values }).config, platform);
    defer(() => namesrv.stop());
    const pool = new RemotingClientPool(platform.net, platform.clock);
    defer(async () => pool.closeAll());
    return { namesrv, pool };
  }

  const brokers = (namesrv: Namesrv) => namesrv.routeTable.cluster().clusters.flatMap((cluster) => cluster.brokerGroups.map((group) => group.brokerName)).sort();
  const metric = async (namesrv: Namesrv, protocol: string) => {
    const text = await (await fetch(`http://${namesrv.httpAddress}/metrics`)).text();
    return Number(new RegExp(`skiff_acl_refused_total\\{protocol="${protocol}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  };

  it("over remoting: only an admin account's signed registration changes the routes; routes stay open", async () => {
    const { namesrv, pool } = await start(ACL_FILE);
    const client = pool.get(namesrv.remotingAddress);
    await assert.rejects(registerBrokerRemoting(client, registration("forged", 30911)), /code 1: org\.apache\.rocketmq\.acl\.common\.AclException: No accessKey is configured/);
    await assert.rejects(registerBrokerRemoting(client, registration("forged", 30911), 6000, { accessKey: OPERATOR.accessKey, secretKey: "not-the-secret" }), /AclException: Check signature failed for accessKey=broker-operator/);
    await assert.rejects(registerBrokerRemoting(client, registration("forged", 30911), 6000, APP), /AclException: Need admin permission for REGISTER_BROKER on the name server, but accessKey=orders-app is not/);
    assert.deepEqual(brokers(namesrv), [], "no refused registration reached the route table");

    await registerBrokerRemoting(client, registration("broker-a", 20911), 6000, OPERATOR);
    assert.deepEqual(brokers(namesrv), ["broker-a"]);
    // A client without any account still gets its routes.
    const route = await client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "Orders" }, new Uint8Array(0));
    assert.equal(route.code, ResponseCode.SUCCESS);
    assert.match(new TextDecoder().decode(route.body), /127\.0\.0\.1:20911/);

    await assert.rejects(unregisterBrokerRemoting(client, registration("broker-a", 20911)), /No accessKey is configured/);
    assert.deepEqual(brokers(namesrv), ["broker-a"], "an unsigned unregistration changes nothing");
    await unregisterBrokerRemoting(client, registration("broker-a", 20911), 6000, OPERATOR);
    assert.deepEqual(brokers(namesrv), []);
    assert.equal(await metric(namesrv, "remoting"), 4);
  });

  it("over HTTP: POST and DELETE /brokers need an admin account's Basic credentials; reads stay open", async () => {
    const { namesrv } = await start(ACL_FILE);
    const post = (headers: Record<string, string>) => fetch(`http://${namesrv.httpAddress}/brokers`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(registration("broker-h", 21911)) });
    const anonymous = await post({});
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get("www-authenticate") ?? "", /^Basic /);
    assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, "UNAUTHENTICATED");
    const app = await post({ authorization: basicAuthorization(APP) });
    assert.equal(app.status, 403);
    assert.match(((await app.json()) as { error: { message: string } }).error.message, /Need admin permission for POST \/brokers on the name server/);
    assert.deepEqual(brokers(namesrv), []);
    assert.equal((await post({ authorization: basicAuthorization(OPERATOR) })).status, 200);
    assert.deepEqual(brokers(namesrv), ["broker-h"]);
    assert.equal((await fetch(`http://${namesrv.httpAddress}/routes/Orders`)).status, 200, "routes are open");
    assert.equal((await fetch(`http://${namesrv.httpAddress}/brokers/DefaultCluster/broker-h/0`, { method: "DELETE" })).status, 401);
    assert.equal((await fetch(`http://${namesrv.httpAddress}/brokers/DefaultCluster/broker-h/0`, { method: "DELETE", headers: { authorization: basicAuthorization(OPERATOR) } })).status, 200);
    assert.deepEqual(brokers(namesrv), []);
    assert.equal(await metric(namesrv, "http"), 3);
  });

  it("admits unsigned registrations from globalWhiteRemoteAddresses (Apache RocketMQ 4.9.7 brokers register unsigned)", async () => {
    const { namesrv, pool } = await start(`globalWhiteRemoteAddresses:\n  - 127.0.0.1\n${ACL_FILE}`);
    await registerBrokerRemoting(pool.get(namesrv.remotingAddress), registration("java-broker", 22911));
    assert.deepEqual(brokers(namesrv), ["java-broker"]);
  });

  it("off by default: unsigned registrations are accepted, as by RocketMQ's name server", async () => {
    const { namesrv, pool } = await start(null);
    await registerBrokerRemoting(pool.get(namesrv.remotingAddress), registration("open", 23911));
    assert.equal((await fetch(`http://${namesrv.httpAddress}/brokers`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(registration("open-http", 24911)) })).status, 200);
    assert.deepEqual(brokers(namesrv), ["open", "open-http"]);
  });
});
