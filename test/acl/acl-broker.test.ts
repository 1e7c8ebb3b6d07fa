/**
 * A broker with aclEnable=true on the runtime's real TCP and HTTP: remoting requests signed as
 * AclClientRPCHook signs them are served, on the main port and the fast channel; unsigned ones,
 * wrong signatures, a topic or group the account may not use and admin codes from a non-admin are
 * refused as RocketMQ 4.9.7 refuses them (SYSTEM_ERROR, its AclException text) and store nothing;
 * a whitelisted peer needs no signature. The HTTP API asks for an account (401 with
 * WWW-Authenticate), applies the same permissions (403), and leaves the probes open.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import { startBroker, type BrokerHandle } from "../../src/app/start-broker.ts";
import { signExtFields } from "../../src/acl/acl-signature.ts";
import { remotingSyncSource } from "../../src/broker/slave-sync-remoting.ts";
import { RemotingClientPool } from "../../src/remoting/remoting-client.ts";
import { parseHostPort } from "../../src/core/host-port.ts";
import { resolveBrokerConfig } from "../../src/config/sources.ts";
import { RequestCode, ResponseCode } from "../../src/remoting/codes.ts";
import type { RemotingCommand } from "../../src/remoting/remoting-command.ts";
import { platform, removeDir, tempDir } from "../support/platform.ts";
import { RawRemotingClient } from "../support/remoting.ts";
import { recordLogger } from "../support/log.ts";
import type { LogRecord } from "../../src/core/log.ts";
import { request, sendRequest } from "../processors/broker/requests.ts";
import { Producer, PullConsumer, SkiffClientError } from "../../src/client/index.ts";

const PRODUCER = { accessKey: "producer-key", secretKey: "producer-secret" };
const ADMIN = { accessKey: "admin-key-1", secretKey: "admin-secret" };
const PLAIN_ACL = `
globalWhiteRemoteAddresses:
accounts:
  - accessKey: ${PRODUCER.accessKey}
    secretKey: ${PRODUCER.secretKey}
    admin: false
    defaultTopicPerm: DENY
    defaultGroupPerm: SUB
    topicPerms:
      - Orders=PUB|SUB
      - Audit=SUB
    groupPerms:
      - Blocked=DENY
  - accessKey: ${ADMIN.accessKey}
    secretKey: ${ADMIN.secretKey}
    admin: true
`;

async function signed(command: RemotingCommand, credentials = PRODUCER): Promise<RemotingCommand> {
  return { ...command, extFields: await signExtFields(command.extFields ?? {}, command.body, credentials) };
}

function basic(credentials: { accessKey: string; secretKey: string }): string {
  return `Basic ${btoa(`${credentials.accessKey}:${credentials.secretKey}`)}`;
}

describe(`a broker with aclEnable=true (${platform.system.runtime})`, () => {
  let dir = "";
  let broker: BrokerHandle;
  let main: RawRemotingClient;
  let fast: RawRemotingClient;
  const records: LogRecord[] = [];

  before(async () => {
    dir = await tempDir("acl-broker");
    await writeFile(join(dir, "plain_acl.yml"), PLAIN_ACL);
    const config = resolveBrokerConfig({
      env: {},
      cliValues: { storePathRootDir: join(dir, "store"), brokerIP1: "127.0.0.1", listenPort: 0, httpListenPort: 0, mappedFileSizeCommitLog: 1 << 20, aclEnable: true, plainAclFile: join(dir, "plain_acl.yml") },
    }).config;
    broker = await startBroker(config, platform, { log: recordLogger(records, "broker") });
    main = await RawRemotingClient.open(platform.net, parseHostPort(broker.remotingAddress));
    fast = await RawRemotingClient.open(platform.net, parseHostPort(broker.fastRemotingAddress));
  });
  after(async () => {
    main?.close();
    fast?.close();
    await broker?.stop();
    await removeDir(dir);
  });

  it("serves a signed send to a topic the account may publish to, on both remoting ports", async () => {
    for (const client of [main, fast]) {
      const answer = await client.call(await signed(sendRequest("Orders", "hello")));
      assert.equal(answer.code, ResponseCode.SUCCESS, answer.remark);
      assert.ok(answer.extFields?.msgId);
    }
  });

  it("refuses unsigned requests, wrong signatures and unknown accounts with RocketMQ's AclException texts, storing nothing", async () => {
    const before = broker.store.offsets.maxOffset;
    const unsigned = await main.call(sendRequest("Orders", "x"));
    assert.equal(unsigned.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(unsigned.remark, "org.apache.rocketmq.acl.common.AclException: No accessKey is configured");
    const wrong = await main.call(await signed(sendRequest("Orders", "x"), { ...PRODUCER, secretKey: "not-the-secret" }));
    assert.equal(wrong.remark, `org.apache.rocketmq.acl.common.AclException: Check signature failed for accessKey=${PRODUCER.accessKey}`);
    const tampered = await signed(sendRequest("Orders", "x"));
    const changed = await fast.call({ ...tampered, body: new TextEncoder().encode("y") });
    assert.equal(changed.remark, `org.apache.rocketmq.acl.common.AclException: Check signature failed for accessKey=${PRODUCER.accessKey}`);
    const unknown = await main.call(await signed(sendRequest("Orders", "x"), { accessKey: "nobody-at-all", secretKey: "whatever-secret" }));
    assert.equal(unknown.remark, "org.apache.rocketmq.acl.common.AclException: No acl config for nobody-at-all");
    assert.equal(broker.store.offsets.maxOffset, before);
  });

  it("applies topic and group permissions and the admin flag", async () => {
    const denied = await main.call(await signed(sendRequest("Payments", "x")));
    assert.equal(denied.remark, "org.apache.rocketmq.acl.common.AclException: No default permission for topic:Payments");
    const subOnly = await main.call(await signed(sendRequest("Audit", "x")));
    assert.equal(subOnly.remark, "org.apache.rocketmq.acl.common.AclException: No default permission for topic:Audit");
    const offset = await main.call(await signed(request(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: "Blocked", topic: "Orders", queueId: "0" })));
    assert.equal(offset.remark, "org.apache.rocketmq.acl.common.AclException: No default permission for group:Blocked");
    const create = request(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: "NewTopic", defaultTopic: "TBW102", readQueueNums: "4", writeQueueNums: "4", perm: "6", topicFilterType: "SINGLE_TAG", topicSysFlag: "0", order: "false" });
    const notAdmin = await main.call(await signed(create));
    assert.equal(notAdmin.remark, `org.apache.rocketmq.acl.common.AclException: Need admin permission for request code=17, but accessKey=${PRODUCER.accessKey} is not`);
    assert.equal(broker.metadata.topics.get("NewTopic"), undefined);
    const asAdmin = await main.call(await signed({ ...create, opaque: create.opaque + 100_000 }, ADMIN));
    assert.equal(asAdmin.code, ResponseCode.SUCCESS, asAdmin.remark);
    assert.ok(broker.metadata.topics.get("NewTopic"));
  });

  it("answers a slave's remoting metadata sync signed with innerClientAuthenticationCredentials, and refuses it unsigned", async () => {
    const pool = new RemotingClientPool(platform.net, platform.clock);
    try {
      const topics = JSON.parse(await remotingSyncSource(pool, ADMIN)(broker.remotingAddress, "topic-config"));
      assert.ok(topics.topicConfigTable.Orders, "the topic config table, Orders in it");
      await assert.rejects(remotingSyncSource(pool)(broker.remotingAddress, "consumer-offsets"), /AclException: No accessKey is configured/);
    } finally {
      pool.closeAll();
    }
  });

  it("logs each refusal with its reason and counts it in /metrics", async () => {
    assert.ok(records.some((r) => r.level === "warn" && r.component.endsWith("acl") && /ACL refused request code \d+ from 127\.0\.0\.1:\d+: No accessKey is configured/.test(r.message)));
    const metrics = await (await fetch(`http://${broker.httpAddress}/metrics`, { headers: { authorization: basic(PRODUCER) } })).text();
    const refused = Number(/skiff_acl_refused_total\{protocol="remoting"\} (\d+)/.exec(metrics)?.[1]);
    assert.ok(refused >= 7, `refused ${refused}`);
  });

  it("asks HTTP callers for an account, applies its permissions, and leaves the probes open", async () => {
    const url = (path: string) => `http://${broker.httpAddress}${path}`;
    const anonymous = await fetch(url("/topics/Orders/messages"), { method: "POST", body: JSON.stringify({ body: "x" }), headers: { "content-type": "application/json" } });
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get("www-authenticate") ?? "", /^Basic realm="skiff"/);
    assert.equal(((await anonymous.json()) as any).error.code, "UNAUTHENTICATED");
    const wrong = await fetch(url("/broker/status"), { headers: { authorization: basic({ ...PRODUCER, secretKey: "wrong-secret" }) } });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();

    const sent = await fetch(url("/topics/Orders/messages"), { method: "POST", body: JSON.stringify({ body: "over http" }), headers: { "content-type": "application/json", authorization: basic(PRODUCER) } });
    assert.equal(sent.status, 200, await sent.clone().text());
    await sent.body?.cancel();
    const denied = await fetch(url("/topics/Payments/messages"), { method: "POST", body: JSON.stringify({ body: "x" }), headers: { "content-type": "application/json", authorization: basic(PRODUCER) } });
    assert.equal(denied.status, 403);
    assert.deepEqual(((await denied.json()) as any).error, { code: "NO_PERMISSION", message: "No default permission for topic:Payments" });
    const sync = await fetch(url("/sync/consumer-offsets"), { headers: { authorization: basic(PRODUCER) } });
    assert.equal(sync.status, 403);
    await sync.body?.cancel();
    const syncAsAdmin = await fetch(url("/sync/consumer-offsets"), { headers: { authorization: basic(ADMIN) } });
    assert.equal(syncAsAdmin.status, 200);
    await syncAsAdmin.body?.cancel();
    for (const probe of ["/health", "/healthz", "/readyz"]) {
      const answer = await fetch(url(probe));
      assert.notEqual(answer.status, 401, probe);
      await answer.body?.cancel();
    }
  });

  it("Skiff's own client sends and pulls with an account's credentials; without them it gets UNAUTHENTICATED", async () => {
    const producer = new Producer({ broker: broker.httpAddress }, { credentials: PRODUCER });
    const sent = await producer.send("Orders", { body: "from the client", keys: ["client-acl"] });
    assert.equal(sent.status, "SEND_OK");
    const consumer = new PullConsumer({ broker: broker.httpAddress, group: "orders_readers", credentials: PRODUCER });
    const pulled = await consumer.pull("Orders", sent.queueId, sent.queueOffset, { max: 1 });
    assert.equal(pulled.messages[0]?.msgId, sent.msgId);
    await assert.rejects(new Producer({ broker: broker.httpAddress }).send("Orders", { body: "anonymous" }), (error: SkiffClientError) => error.code === "UNAUTHENTICATED");
    await assert.rejects(new Producer({ broker: broker.httpAddress }, { credentials: PRODUCER }).send("Payments", { body: "denied" }), (error: SkiffClientError) => error.code === "NO_PERMISSION");
  });
});
