/**
 * The ACL decision in RocketMQ 4.9.7's order (acl-policy.ts), the plain_acl.yml checks RocketMQ
 * makes when it loads a file, and the reload of a changed file that keeps the old accounts when
 * the new file does not load.
 */
import { describe, it } from "node:test";
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import { createMemoryPlatform } from "../../adapters/memory/platform.ts";
import { AclFileWatch } from "../../src/acl/acl-file-watch.ts";
import { AclPolicy } from "../../src/acl/acl-policy.ts";
import { signExtFields } from "../../src/acl/acl-signature.ts";
import { parsePlainAcl } from "../../src/acl/plain-acl-file.ts";
import { utf8Encode } from "../../src/core/bytes.ts";
import type { LogRecord } from "../../src/core/log.ts";
import { accessRequest, remoteIp } from "../../src/processors/acl-guard.ts";
import { RequestCode } from "../../src/remoting/codes.ts";
import { recordLogger } from "../support/log.ts";
import { request, sendRequest } from "../processors/broker/requests.ts";

const FILE = `
globalWhiteRemoteAddresses:
  - 10.10.103.*
accounts:
  - accessKey: RocketMQ
    secretKey: "12345678"
    whiteRemoteAddress: 192.168.1.*
    defaultTopicPerm: DENY
    defaultGroupPerm: SUB
    topicPerms: [topicA=DENY, topicB=PUB|SUB, topicC=SUB]
    groupPerms: [groupA=DENY, groupB=PUB|SUB]
  - accessKey: rocketmq2
    secretKey: "12345678"
    admin: true
`;
const policy = new AclPolicy(parsePlainAcl(FILE, "plain_acl.yml"));

async function decide(command: ReturnType<typeof request>, ip = "127.0.0.1", credentials: { accessKey: string; secretKey: string } | null = { accessKey: "RocketMQ", secretKey: "12345678" }) {
  const signed = credentials ? { ...command, extFields: await signExtFields(command.extFields ?? {}, command.body, credentials) } : command;
  return policy.decide(accessRequest(signed, ip));
}

describe("the ACL decision", () => {
  it("lets whitelisted peers through unsigned: the global list, and an account's own list", async () => {
    assert.equal((await decide(sendRequest("topicA", "x"), "10.10.103.7", null)).allowed, true);
    const unsignedButListed = sendRequest("topicA", "x", {});
    const fields = { ...unsignedButListed.extFields, AccessKey: "RocketMQ" };
    assert.equal((await policy.decide(accessRequest({ ...unsignedButListed, extFields: fields }, "192.168.1.20"))).allowed, true);
    assert.equal((await policy.decide(accessRequest({ ...unsignedButListed, extFields: fields }, "192.168.2.20"))).allowed, false);
  });

  it("checks topics against their listed permission, else the default; groups as %RETRY% resources", async () => {
    const cases: Array<[ReturnType<typeof request>, true | string]> = [
      [sendRequest("topicB", "x"), true],
      [sendRequest("topicC", "x"), "No default permission for topic:topicC"],
      [sendRequest("topicA", "x"), "No default permission for topic:topicA"],
      [sendRequest("unlisted", "x"), "No default permission for topic:unlisted"],
      [request(RequestCode.PULL_MESSAGE, { consumerGroup: "groupB", topic: "topicC", queueId: "0" }), true],
      [request(RequestCode.PULL_MESSAGE, { consumerGroup: "groupA", topic: "topicC", queueId: "0" }), "No default permission for group:groupA"],
      [request(RequestCode.PULL_MESSAGE, { consumerGroup: "anyGroup", topic: "topicC", queueId: "0" }), true],
      [request(RequestCode.CONSUMER_SEND_MSG_BACK, { group: "groupA", offset: "0" }), "No default permission for group:groupA"],
      [request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "topicA" }), true],
      [request(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: "topicB" }), "Need admin permission for request code=215, but accessKey=RocketMQ is not"],
    ];
    for (const [command, expected] of cases) {
      const decision = await decide(command);
      assert.deepEqual(decision.allowed ? true : decision.reason, expected, `code ${command.code} ${JSON.stringify(command.extFields)}`);
    }
    assert.equal((await decide(request(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: "x" }), "127.0.0.1", { accessKey: "rocketmq2", secretKey: "12345678" })).allowed, true);
  });

  it("reads a heartbeat's consumer groups and subscriptions", async () => {
    const heartbeat = (group: string, topic: string) => request(RequestCode.HEART_BEAT, {}, utf8Encode(JSON.stringify({
      clientID: "127.0.0.1@x", producerDataSet: [],
      consumerDataSet: [{ consumeFromWhere: "CONSUME_FROM_LAST_OFFSET", consumeType: "CONSUME_PASSIVELY", groupName: group, messageModel: "CLUSTERING", subscriptionDataSet: [{ classFilterMode: false, codeSet: [], expressionType: "TAG", subString: "*", subVersion: 1, tagsSet: [], topic }], unitMode: false }],
    })));
    assert.equal((await decide(heartbeat("groupB", "topicB"))).allowed, true);
    assert.deepEqual(await decide(heartbeat("groupB", "topicA")), { allowed: false, reason: "No default permission for topic:topicA", accessKey: "RocketMQ" });
  });

  it("takes the peer's IP from ip:port, [v6]:port and IPv4-mapped addresses", () => {
    assert.equal(remoteIp("127.0.0.1:5000"), "127.0.0.1");
    assert.equal(remoteIp("[::1]:5000"), "::1");
    assert.equal(remoteIp("::ffff:10.0.0.1:5000"), "10.0.0.1");
  });
});

describe("plain_acl.yml", () => {
  it("refuses what RocketMQ refuses to load, naming the file and the account", () => {
    const bad: Array<[string, RegExp]> = [
      ["accounts:\n  - accessKey: short\n    secretKey: 12345678\n", /acl\.yml: accounts\[0\] \(accessKey short\): accessKey and secretKey must be longer than 6/],
      ["accounts:\n  - accessKey: RocketMQ\n    secretKey: 12345678\n    topicPerms: [topicA]\n", /the permission "topicA" must read name=PERM/],
      ["accounts:\n  - accessKey: RocketMQ\n    secretKey: 12345678\n  - accessKey: RocketMQ\n    secretKey: 12345679\n", /given twice/],
      ["globalWhiteRemoteAddresses: [nonsense]\n", /globalWhiteRemoteAddresses: remote address pattern "nonsense"/],
      ["accounts: [\n", /acl\.yml is not valid YAML/],
      ["accounts: 7\n", /acl\.yml: accounts /],
    ];
    for (const [text, expected] of bad) assert.throws(() => parsePlainAcl(text, "/etc/acl.yml"), expected, text);
  });

  it("reads RocketMQ's sample file: defaults DENY when absent, SUB|PUB as both", () => {
    const acl = parsePlainAcl(FILE + "  - accessKey: bare-account\n    secretKey: bare-secret\n    topicPerms: [t=SUB|PUB]\n", "f");
    const bare = acl.accounts.get("bare-account")!;
    assert.equal(bare.defaultTopicPerm, 1);
    assert.equal(bare.defaultGroupPerm, 1);
    assert.equal(bare.resourcePerms.get("t"), 12);
    assert.equal(acl.accounts.get("RocketMQ")!.resourcePerms.get("%RETRY%groupA"), 1);
  });

  it("is reloaded when it changes; a change that does not load keeps the accounts in force and is logged", async () => {
    const memory = createMemoryPlatform();
    const fs = memory.platform.fs;
    await fs.mkdir("/conf");
    await fs.writeFile("/conf/plain_acl.yml", utf8Encode("accounts:\n  - accessKey: first-key\n    secretKey: first-secret\n"));
    const records: LogRecord[] = [];
    const watch = await AclFileWatch.open(fs, "/conf/plain_acl.yml", recordLogger(records, "acl"));
    assert.deepEqual([...watch.current.acl.accounts.keys()], ["first-key"]);
    await watch.check();
    const unchanged = watch.current;
    await memory.clock.advance(1000);
    await fs.writeFile("/conf/plain_acl.yml", utf8Encode("accounts:\n  - accessKey: second-key\n    secretKey: second-secret\n"));
    await watch.check();
    assert.notEqual(watch.current, unchanged);
    assert.deepEqual([...watch.current.acl.accounts.keys()], ["second-key"]);
    await memory.clock.advance(1000);
    await fs.writeFile("/conf/plain_acl.yml", utf8Encode("accounts:\n  - accessKey: tiny\n"));
    await watch.check();
    assert.deepEqual([...watch.current.acl.accounts.keys()], ["second-key"]);
    assert.ok(records.some((r) => r.level === "error" && /ACL file not reloaded, the accounts loaded before stay in force/.test(r.message)));
    await assert.rejects(AclFileWatch.open(fs, "/conf/missing.yml", recordLogger([])), /aclEnable=true but the ACL file \/conf\/missing\.yml does not exist/);
  });
});

describe("the README's ACL example", () => {
  it("is a plain_acl.yml that loads, with the permissions it describes", async () => {
    const readme = readFileSync(decodeURIComponent(new URL("../../README.md", import.meta.url).pathname), "utf8");
    const block = /1\. write the file, for instance `conf\/plain_acl\.yml`:\n\s*```yaml\n([\s\S]*?)\n\s*```/.exec(readme);
    assert.ok(block, "the README's Security section has the example");
    const example = new AclPolicy(parsePlainAcl(block[1].replace(/^ {5}/gm, ""), "README.md"));
    const app = { accessKey: "orders-app", secretKey: "orders-secret-1" };
    const decideAs = async (command: ReturnType<typeof request>, credentials: typeof app) =>
      example.decide(accessRequest({ ...command, extFields: await signExtFields(command.extFields ?? {}, command.body, credentials) }, "127.0.0.1"));
    assert.equal((await decideAs(sendRequest("Orders", "x"), app)).allowed, true);
    assert.equal((await decideAs(request(RequestCode.PULL_MESSAGE, { consumerGroup: "orders_consumers", topic: "Orders", queueId: "0" }), app)).allowed, true);
    assert.equal((await decideAs(sendRequest("Other", "x"), app)).allowed, false);
    assert.equal((await decideAs(request(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: "Orders" }), { accessKey: "operator", secretKey: "operator-secret-1" })).allowed, true);
  });
});
