/**
 * The consumer-management processors in a real RemotingServer over a real broker (this runtime's
 * TCP and files), fed the frames real 4.9.7 and 5.3.3 consumers sent (JSON and binary headers):
 * HEART_BEAT is answered as a 4.9.7 broker answers it and creates `%RETRY%<group>`, which the
 * name server knows at once; GET_CONSUMER_LIST_BY_GROUP and GET_CONSUMER_CONNECTION_LIST report
 * the connected consumers (SYSTEM_ERROR / 206 with RocketMQ's remarks when none); every consumer
 * connection of a group is sent NOTIFY_CONSUMER_IDS_CHANGED on a join, an unregister, a closed
 * connection and an expired one; CHECK_CLIENT_CONFIG refuses SQL92; bad bodies get SYSTEM_ERROR.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../adapters/memory/clock.ts";
import { startNamesrv } from "../../../src/app/start-namesrv.ts";
import { ClientManager, CLIENT_SCAN_INTERVAL_MS } from "../../../src/broker/client-manager.ts";
import { utf8Decode, utf8Encode } from "../../../src/core/bytes.ts";
import { resolveNamesrvConfig } from "../../../src/config/namesrv-config.ts";
import { RequestCode, ResponseCode } from "../../../src/remoting/codes.ts";
import { encodeRemotingCommand, requestCommand, type RemotingCommand } from "../../../src/remoting/remoting-command.ts";
import { consumerProcessors } from "../../../src/processors/broker/consumer-processors.ts";
import { decodeConsumerConnection } from "../../../src/processors/broker/consumer-bodies.ts";
import { decodeHeartbeatData, encodeHeartbeatData } from "../../../src/processors/broker/heartbeat-body.ts";
import { platform } from "../../support/platform.ts";
import { capturedFrames, capturedRequests, type RawRemotingClient } from "../../support/remoting.ts";
import { remotingBroker, type RemotingBroker } from "../../support/remoting-broker.ts";

const PUSH_497 = "remoting/v4.9.7/v4.9.7-push-first-concurrent-02-broker.c2s.bin";
const PUSH_533 = "remoting/v5.3.3/v5.3.3-push-first-concurrent-02-broker.c2s.bin";
const BINARY_497 = "remoting/v4.9.7/v4.9.7-push-rocketmq-ser-02-broker.c2s.bin";
const LITE_497 = "remoting/v4.9.7/v4.9.7-lite-pull-02-broker.c2s.bin";
const LITE_533 = "remoting/v5.3.3/v5.3.3-lite-pull-02-broker.c2s.bin";
const QUERY_BY_ID = ["remoting/v4.9.7/v4.9.7-admin-queryMsgById-offsetMsgId-01-broker.c2s.bin", "remoting/v5.3.3/v5.3.3-admin-queryMsgById-offsetMsgId-01-broker.c2s.bin"];
const { HEART_BEAT, UNREGISTER_CLIENT, GET_CONSUMER_LIST_BY_GROUP, GET_CONSUMER_CONNECTION_LIST, CHECK_CLIENT_CONFIG, NOTIFY_CONSUMER_IDS_CHANGED } = RequestCode;

const heartbeats = capturedRequests(PUSH_497, HEART_BEAT);
let opaque = 1_000_000;

/** The captured 4.9.7 heartbeat of cg_push, as sent by another client instance. */
function heartbeatOf(clientId: string): RemotingCommand {
  const captured = heartbeats[0].command;
  const body = { ...decodeHeartbeatData(captured), clientID: clientId };
  return { ...captured, opaque: opaque++, body: encodeHeartbeatData(body) };
}

function call(code: number, extFields: Record<string, string>, body?: unknown): RemotingCommand {
  return { ...requestCommand(code, opaque++, extFields, body === undefined ? undefined : utf8Encode(JSON.stringify(body))), language: "JAVA", version: 407 };
}

const notifications = (client: RawRemotingClient) => client.requests(NOTIFY_CONSUMER_IDS_CHANGED).length;

/** Closes `client` and waits until the broker has seen it go (so the next test starts from an empty group). */
async function leave(world: RemotingBroker, client: RawRemotingClient, group = "cg_push"): Promise<void> {
  client.close();
  await client.until(`${group} is empty`, () => world.broker.runtime.clients.consumerIds(group).length === 0);
}

describe("consumer processors: heartbeats and consumer lists", () => {
  let world: RemotingBroker;

  before(async () => {
    world = await remotingBroker((runtime) => consumerProcessors(runtime));
  });
  after(() => world?.stop());

  it("answers a captured 4.9.7 heartbeat as 4.9.7 does, notifies the consumer, and lists it", async () => {
    const client = await world.open();
    const answer = await client.call(heartbeats[0].bytes);
    assert.deepEqual([answer.code, answer.flag, answer.opaque, answer.extFields, answer.remark, answer.body.byteLength], [0, 1, heartbeats[0].command.opaque, undefined, undefined, 0]);
    await client.until("a NOTIFY_CONSUMER_IDS_CHANGED", () => notifications(client) === 1);
    const [notify] = client.requests(NOTIFY_CONSUMER_IDS_CHANGED);
    assert.deepEqual([notify.flag, notify.extFields], [2, { consumerGroup: "cg_push" }]);
    const retry = world.broker.runtime.metadata.topics.get("%RETRY%cg_push");
    assert.deepEqual([retry?.readQueueNums, retry?.writeQueueNums, retry?.perm], [1, 1, 6]);

    const [listRequest] = capturedRequests(PUSH_497, GET_CONSUMER_LIST_BY_GROUP);
    const capturedAnswer = capturedFrames(PUSH_497.replace(".c2s.", ".s2c.")).find((f) => (f.command.flag & 1) === 1 && f.command.opaque === listRequest.command.opaque)!;
    const list = await client.call(listRequest.bytes);
    assert.deepEqual([list.code, list.extFields, utf8Decode(list.body)], [0, {}, utf8Decode(capturedAnswer.command.body)]);

    assert.equal((await client.call(heartbeats[1].bytes)).code, 0);
    assert.equal(notifications(client), 1, "the same consumer again: no change");

    const connection = await client.call(call(GET_CONSUMER_CONNECTION_LIST, { consumerGroup: "cg_push" }));
    assert.deepEqual([connection.code, connection.extFields], [0, undefined]);
    const body = decodeConsumerConnection(connection.body);
    assert.deepEqual(body.connectionSet, [{ clientAddr: client.localAddress, clientId: "127.0.0.1@push-cg_push", language: "JAVA", version: 407 }]);
    assert.deepEqual([body.consumeType, body.messageModel, body.consumeFromWhere], ["CONSUME_PASSIVELY", "CLUSTERING", "CONSUME_FROM_FIRST_OFFSET"]);
    assert.deepEqual(Object.keys(body.subscriptionTable).sort(), ["%RETRY%cg_push", "TopicTest"]);
    await leave(world, client);
  });

  it("answers 5.3.3, binary-header and lite-pull heartbeats without the heartbeat-v2 fields", async () => {
    for (const name of [PUSH_533, BINARY_497, LITE_497, LITE_533]) {
      const client = await world.open();
      const [first] = capturedRequests(name, HEART_BEAT);
      const answer = await client.call(first.bytes);
      assert.deepEqual([answer.code, answer.extFields], [0, undefined], name);
      await client.until(`${name}: notified`, () => notifications(client) === 1);
      await leave(world, client, decodeHeartbeatData(first.command).consumerDataSet[0].groupName);
    }
  });

  it("notifies every consumer of the group when one joins, unregisters, or its connection closes; none left: SYSTEM_ERROR and 206", async () => {
    const a = await world.open();
    const b = await world.open();
    await a.call(heartbeatOf("10.0.0.1@a"));
    await a.until("a notified of itself", () => notifications(a) === 1);
    await b.call(heartbeatOf("10.0.0.2@b"));
    await a.until("a notified of b", () => notifications(a) === 2 && notifications(b) === 1);
    const list = await a.call(call(GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: "cg_push" }));
    assert.deepEqual(JSON.parse(utf8Decode(list.body)).consumerIdList.sort(), ["10.0.0.1@a", "10.0.0.2@b"]);

    const unregistered = await b.call(call(UNREGISTER_CLIENT, { clientID: "10.0.0.2@b", consumerGroup: "cg_push" }));
    assert.deepEqual([unregistered.code, unregistered.extFields, unregistered.body.byteLength], [0, {}, 0]);
    await a.until("a notified of b leaving", () => notifications(a) === 3);
    assert.equal((await b.call(call(UNREGISTER_CLIENT, { clientID: "10.0.0.2@b", producerGroup: "CLIENT_INNER_PRODUCER" }))).code, 0);

    await b.call(heartbeatOf("10.0.0.2@b"));
    await a.until("a notified of b again", () => notifications(a) === 4);
    b.close();
    await a.until("a notified of b's connection closing", () => notifications(a) === 5);
    await leave(world, a);

    const admin = await world.open();
    const none = await admin.call(call(GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: "cg_push" }));
    assert.deepEqual([none.code, none.remark, none.extFields], [ResponseCode.SYSTEM_ERROR, "no consumer for this group, cg_push", {}]);
    const offline = await admin.call(call(GET_CONSUMER_CONNECTION_LIST, { consumerGroup: "cg_push" }));
    assert.deepEqual([offline.code, offline.remark], [206, "the consumer group[cg_push] not online"]);
    const missing = await admin.call(call(UNREGISTER_CLIENT, {}));
    assert.deepEqual([missing.code, missing.remark], [ResponseCode.SYSTEM_ERROR, "the custom field <clientID> is null"]);
  });

  it("answers mqadmin's captured GET_CONSUMER_CONNECTION_LIST for offline groups as the captured brokers did", async () => {
    for (const name of QUERY_BY_ID) {
      const client = await world.open();
      const answers = capturedFrames(name.replace(".c2s.", ".s2c."));
      const requests = capturedRequests(name, GET_CONSUMER_CONNECTION_LIST);
      assert.equal(requests.length, 5, name);
      for (const request of requests) {
        const captured = answers.find((f) => (f.command.flag & 1) === 1 && f.command.opaque === request.command.opaque)!.command;
        const answer = await client.call(request.bytes);
        assert.deepEqual([answer.code, answer.remark, answer.extFields, answer.body.byteLength], [captured.code, captured.remark, captured.extFields, 0], name);
      }
      client.close();
    }
  });

  it("CHECK_CLIENT_CONFIG accepts TAG subscriptions and refuses SQL92 with a clear remark", async () => {
    const client = await world.open();
    const subscription = (expressionType: string) => ({ classFilterMode: false, codeSet: [], expressionType, subString: "a > 1", subVersion: 1, tagsSet: [], topic: "TopicTest" });
    assert.equal((await client.call(call(CHECK_CLIENT_CONFIG, {}, { clientId: "c", group: "g", subscriptionData: subscription("TAG") }))).code, 0);
    const refused = await client.call(call(CHECK_CLIENT_CONFIG, {}, { clientId: "c", group: "g", subscriptionData: subscription("SQL92") }));
    assert.equal(refused.code, ResponseCode.SYSTEM_ERROR);
    assert.match(refused.remark ?? "", /does not support consumer to filter message by SQL92.*TAG only/);
  });

  it("answers a heartbeat body that is not a HeartbeatData with SYSTEM_ERROR and keeps serving the connection", async () => {
    const client = await world.open();
    const garbage = await client.call({ ...call(HEART_BEAT, {}), body: utf8Encode("{\"clientID\":") });
    assert.equal(garbage.code, ResponseCode.SYSTEM_ERROR);
    assert.match(garbage.remark ?? "", /is not a HeartbeatData/);
    const wrong = await client.call(call(HEART_BEAT, {}, { clientID: "c", consumerDataSet: [{ groupName: "g", messageModel: "SOMETIMES" }] }));
    assert.equal(wrong.code, ResponseCode.SYSTEM_ERROR);
    assert.equal((await client.call(heartbeatOf("10.0.0.9@ok"))).code, 0);
    await leave(world, client);
  });
});

describe("consumer processors: expiry", () => {
  it("closes a connection silent for channelExpiredTimeout and notifies the group's other consumer", async () => {
    const clock = new ManualClock();
    let clients: ClientManager | undefined;
    const world = await remotingBroker((runtime) => {
      clients = new ClientManager({ config: runtime.config, metadata: runtime.metadata, clock, log: runtime.log });
      return consumerProcessors({ ...runtime, clients });
    });
    try {
      clients!.start();
      const live = await world.open();
      const silent = await world.open();
      await live.call(heartbeatOf("10.0.0.1@live"));
      await silent.call(heartbeatOf("10.0.0.2@silent"));
      await live.until("both joined", () => notifications(live) === 2);
      await clock.advance(100_000);
      await live.call(heartbeatOf("10.0.0.1@live"));
      await clock.advance(20_000 + CLIENT_SCAN_INTERVAL_MS);
      await silent.until("the silent connection is closed by the broker", () => silent.ended);
      await live.until("live notified", () => notifications(live) === 3);
      assert.ok(!live.ended);
      assert.deepEqual(clients!.consumerIds("cg_push"), ["10.0.0.1@live"]);
      clients!.stop();
    } finally {
      await world.stop();
    }
  });
});

describe("consumer processors: the retry topic's route", () => {
  it("the name server has %RETRY%<group> right after the first heartbeat, not a registration period later", async () => {
    const namesrv = await startNamesrv(resolveNamesrvConfig({ env: {}, cliValues: { listenPort: 0 } }).config, platform);
    const world = await remotingBroker((runtime) => consumerProcessors(runtime), { namesrvAddr: namesrv.remotingAddress });
    try {
      const client = await world.open();
      await client.until("the broker registered", () => namesrv.routeTable.route("TBW102") !== null);
      assert.equal(namesrv.routeTable.route("%RETRY%cg_push"), null);
      await client.call(heartbeats[0].bytes);
      // The periodic registration is 30 s away: only the topic change can register it this soon.
      await client.until("the retry topic's route", () => namesrv.routeTable.route("%RETRY%cg_push") !== null, 3000);
      client.close();
    } finally {
      await world.stop();
      await namesrv.stop();
    }
  });
});

// The captured frames this test replays are what the spec says the clients send.
describe("consumer processors: captured frames", () => {
  it("replays frames as captured (4.9.7: no extFields on HEART_BEAT; 5.3.3: {})", () => {
    assert.equal(heartbeats[0].command.extFields, undefined);
    assert.deepEqual(capturedRequests(PUSH_533, HEART_BEAT)[0].command.extFields, {});
    assert.equal(encodeRemotingCommand(heartbeats[0].command).byteLength, heartbeats[0].bytes.byteLength);
  });
});
