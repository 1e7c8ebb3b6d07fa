/**
 * The broker's configuration over remoting: the UPDATE_BROKER_CONFIG that mqadmin 4.9.7 sent in the
 * retention experiment (`deleteWhen=19;20`) is answered as the real broker answered it and applied
 * (retention reads it at its next pass); a RocketMQ key Skiff does not use is kept; a key Skiff
 * reads live changes what the broker does at once (a send to an unknown topic is refused after
 * `autoCreateTopicEnable=false`); keys that need a restart, unknown keys and bad values are refused
 * with the key named and nothing applied; GET_BROKER_CONFIG shows the effective values and the
 * configuration's DataVersion.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Decode, utf8Encode } from "../../src/core/bytes.ts";
import { parseProperties } from "../../src/config/properties.ts";
import { RequestCode, ResponseCode } from "../../src/remoting/codes.ts";
import { platform } from "../support/platform.ts";
import { capturedExchange } from "../support/remoting-conversation.ts";
import { answerShape, startAdminWorld, type AdminWorld } from "./admin-harness.ts";

const UPDATE_BROKER_CONFIG = "v4.9.7-retention/v4.9.7-retention-updateBrokerConfig-01-broker";

describe(`broker configuration processors (${platform.system.runtime})`, () => {
  let world: AdminWorld;
  const update = (text: string) => world.call(RequestCode.UPDATE_BROKER_CONFIG, undefined, utf8Encode(text));
  const current = async () => {
    const answer = await world.call(RequestCode.GET_BROKER_CONFIG);
    assert.equal(answer.code, ResponseCode.SUCCESS);
    return { properties: parseProperties(utf8Decode(answer.body)), version: JSON.parse(answer.extFields?.version ?? "null") };
  };

  before(async () => {
    world = await startAdminWorld();
  });
  after(() => world.stop());

  it("answers the captured updateBrokerConfig as the real broker did, and applies deleteWhen live", async () => {
    const { request, response } = capturedExchange(UPDATE_BROKER_CONFIG, RequestCode.UPDATE_BROKER_CONFIG);
    assert.equal(utf8Decode(request.body), "deleteWhen=19;20\n");
    assert.deepEqual(answerShape(await world.replay(request)), answerShape(response));
    const { properties, version } = await current();
    assert.equal(properties.deleteWhen, "19;20");
    assert.equal(world.broker.runtime.config().deleteWhen, "19;20");
    assert.equal(version.counter, 1);
    assert.ok(world.logs.some((line) => line.includes("broker configuration updated: deleteWhen=19;20")), world.logs.join("\n"));
  });

  it("keeps a RocketMQ key it does not use, and shows it", async () => {
    assert.equal((await update("sendMessageThreadPoolNums=4\n")).code, ResponseCode.SUCCESS);
    assert.equal((await current()).properties.sendMessageThreadPoolNums, "4");
    assert.ok(world.logs.some((line) => line.includes("sendMessageThreadPoolNums=4 (not used by Skiff)")));
  });

  it("applies a live key at once: sends to unknown topics are refused after autoCreateTopicEnable=false", async () => {
    await world.send("CreatedBySend", { body: "x" });
    const before = (await current()).version;
    assert.deepEqual(answerShape(await update("autoCreateTopicEnable=false\ndefaultTopicQueueNums=2\n")), { code: 0, remark: undefined, extFields: undefined, bodyLength: 0 });
    assert.equal(world.broker.runtime.config().autoCreateTopicEnable, false);
    await assert.rejects(world.send("NotCreated", { body: "x" }), (e: { code?: string }) => e.code === "TOPIC_NOT_EXIST");
    const { properties, version } = await current();
    assert.equal(properties.autoCreateTopicEnable, "false");
    assert.equal(properties.defaultTopicQueueNums, "2");
    assert.equal(version.counter, before.counter + 1);
    assert.equal(typeof version.timestamp, "number");
    await update("autoCreateTopicEnable=true");
    assert.equal((await world.send("CreatedLater", { body: "x" })).queueId, 0);
    assert.equal(world.broker.runtime.metadata.topics.get("CreatedLater")?.writeQueueNums, 2);
  });

  it("refuses keys that need a restart, unknown keys and bad values, naming them, and applies nothing", async () => {
    const cases: Array<[string, RegExp]> = [
      ["slaveReadEnable=true\nlistenPort=1\n", /listenPort cannot be changed while the broker runs/],
      ["slaveReadEnable=true\nmappedFileSizeCommitLog=4096\n", /mappedFileSizeCommitLog cannot be changed/],
      ["slaveReadEnable=true\nnoSuchKey=1\n", /noSuchKey is not a Skiff or Apache RocketMQ broker key/],
      ["slaveReadEnable=true\ndefaultTopicQueueNums=many\n", /defaultTopicQueueNums: "many" is not a number \(from UPDATE_BROKER_CONFIG\)/],
      ["slaveReadEnable=true\nnamesrvAddr=nowhere\n", /namesrvAddr: The Name Server Address\[nowhere\] illegal/],
      ["slaveReadEnable=true\ndeleteWhen=04;x\n", /deleteWhen: "04;x" is not a list of hours like "04" or "03;04"/],
      ["slaveReadEnable=true\ncleanResourceInterval=100\n", /cleanResourceInterval cannot be changed while the broker runs/],
    ];
    const versionBefore = (await current()).version;
    for (const [text, remark] of cases) {
      const answer = await update(text);
      assert.equal(answer.code, ResponseCode.SYSTEM_ERROR, text);
      assert.match(answer.remark ?? "", remark);
    }
    assert.equal(world.broker.runtime.config().slaveReadEnable, false);
    assert.deepEqual((await current()).version, versionBefore);
  });

  it("succeeds on an empty body and lists every effective key with a value", async () => {
    assert.equal((await world.call(RequestCode.UPDATE_BROKER_CONFIG)).code, ResponseCode.SUCCESS);
    const { properties } = await current();
    const config = world.broker.runtime.config();
    assert.equal(properties.brokerName, config.brokerName);
    assert.equal(properties.listenPort, String(config.listenPort));
    assert.equal(properties.storePathRootDir, world.storeDir);
    assert.equal(properties.namesrvAddr, undefined, "a key without a value is left out, as Java does");
    const bad = await world.call(RequestCode.UPDATE_BROKER_CONFIG, undefined, new Uint8Array([0x66, 0x3d, 0xff]));
    assert.equal(bad.code, ResponseCode.SYSTEM_ERROR);
  });

  it("never shows the HA link's secret", async () => {
    const secret = "a secret of sixteen+ chars";
    const withSecret = await startAdminWorld({ config: { haAuthSecret: secret } });
    try {
      const answer = await withSecret.call(RequestCode.GET_BROKER_CONFIG);
      const text = utf8Decode(answer.body);
      assert.equal(parseProperties(text).haAuthSecret, "<redacted>");
      assert.ok(!text.includes(secret));
    } finally {
      await withSecret.stop();
    }
  });
});
