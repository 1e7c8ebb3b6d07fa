/**
 * The broker's client registry on a manual clock and fake channels: heartbeats register producer
 * and consumer groups (creating the subscription group and, for CLUSTERING, `%RETRY%<group>`),
 * a consumer group's channels are told NOTIFY_CONSUMER_IDS_CHANGED exactly when its set of clients
 * or topics changes (join, leave, unregister, close, expiry after channelExpiredTimeout) and not
 * otherwise, subscriptions follow RocketMQ's subVersion rule, and every bound refuses a heartbeat
 * whole with CLIENT_LIMIT_EXCEEDED.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMemoryPlatform } from "../support/memory-platform.ts";
import { openMetadata } from "../../src/metadata/metadata.ts";
import { subscriptionGroupConfig } from "../../src/metadata/subscription-groups.ts";
import { ClientManager, CLIENT_SCAN_INTERVAL_MS, type ClientChannel, type ClientLimits, type ConsumerRegistration, type Heartbeat } from "../../src/broker/client-manager.ts";
import { tagSubscription, type SubscriptionData } from "../../src/broker/subscription.ts";
import { RequestCode } from "../../src/remoting/codes.ts";
import { lineLogger } from "../support/log.ts";

let nextChannelId = 1;

class FakeChannel implements ClientChannel {
  readonly id = nextChannelId++;
  readonly remoteAddress = `127.0.0.1:${40000 + this.id}`;
  isOpen = true;
  readonly notified: string[] = [];
  private readonly listeners: ((reason: string) => void)[] = [];

  sendOneway(code: number, extFields: Record<string, string>): void {
    assert.equal(code, RequestCode.NOTIFY_CONSUMER_IDS_CHANGED);
    if (this.isOpen) this.notified.push(extFields.consumerGroup);
  }

  onClose(listener: (reason: string) => void): void {
    if (this.isOpen) this.listeners.push(listener);
    else listener("closed");
  }

  close(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    for (const listener of this.listeners.splice(0)) listener("closed");
  }
}

function sub(topic: string, subVersion = 1, subString = "*"): SubscriptionData {
  return tagSubscription({ topic, subString, expressionType: "TAG", subVersion, classFilterMode: false });
}

function consumer(group: string, subscriptions: SubscriptionData[] | undefined = [sub("TopicTest"), sub(`%RETRY%${group}`)], messageModel = "CLUSTERING"): ConsumerRegistration {
  return { group, consumeType: "CONSUME_PASSIVELY", messageModel, consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET", ...(subscriptions ? { subscriptions } : {}) };
}

function heartbeat(clientId: string, consumers: ConsumerRegistration[], producerGroups: string[] = ["CLIENT_INNER_PRODUCER"]): Heartbeat {
  return { client: { clientId, language: "JAVA", version: 407 }, consumers, producerGroups };
}

async function setup(limits: Partial<ClientLimits> = {}) {
  const memory = createMemoryPlatform();
  const metadata = await openMetadata(memory.fs, memory.clock, "/store", { brokerClusterName: "DefaultCluster", brokerName: "broker-a", flushIntervalMs: 0 });
  const config = { brokerRole: "ASYNC_MASTER" as "ASYNC_MASTER" | "SLAVE", notifyConsumerIdsChangedEnable: true, channelExpiredTimeout: 120_000 };
  const logs: string[] = [];
  const clients = new ClientManager({ config: () => config, metadata, clock: memory.clock, log: lineLogger((line) => logs.push(line)), limits });
  return { memory, metadata, config, clients, logs };
}

describe("client manager: consumers", () => {
  it("a first heartbeat creates the group and its retry topic and notifies; the same heartbeat again does not", async () => {
    const { clients, metadata } = await setup();
    const a = new FakeChannel();
    await clients.heartbeat(a, heartbeat("c-a", [consumer("cg")]));
    assert.deepEqual(a.notified, ["cg"]);
    assert.equal(metadata.subscriptionGroups.get("cg")?.retryQueueNums, 1);
    const retry = metadata.topics.get("%RETRY%cg");
    assert.deepEqual([retry?.readQueueNums, retry?.writeQueueNums, retry?.perm], [1, 1, 6]);
    assert.deepEqual(clients.consumerIds("cg"), ["c-a"]);
    await clients.heartbeat(a, heartbeat("c-a", [consumer("cg")]));
    assert.deepEqual(a.notified, ["cg"], "nothing changed");
  });

  it("a newer subVersion replaces a subscription without a notification; an older one is ignored", async () => {
    const { clients } = await setup();
    const a = new FakeChannel();
    await clients.heartbeat(a, heartbeat("c-a", [consumer("cg", [sub("TopicTest", 5, "TagA || TagB")])]));
    await clients.heartbeat(a, heartbeat("c-a", [consumer("cg", [sub("TopicTest", 9, "TagC")])]));
    assert.deepEqual(clients.subscription("cg", "TopicTest")?.tagsSet, ["TagC"]);
    await clients.heartbeat(a, heartbeat("c-a", [consumer("cg", [sub("TopicTest", 7, "TagZ")])]));
    assert.equal(clients.subscription("cg", "TopicTest")?.subVersion, 9);
    assert.deepEqual(a.notified, ["cg"], "only the first heartbeat changed the group");
    assert.equal(clients.subscription("cg", "Other"), undefined);
    assert.equal(clients.subscription("nobody", "TopicTest"), undefined);
  });

  it("a topic added or dropped is a change", async () => {
    const { clients } = await setup();
    const a = new FakeChannel();
    await clients.heartbeat(a, heartbeat("c-a", [consumer("cg", [sub("T1")])]));
    await clients.heartbeat(a, heartbeat("c-a", [consumer("cg", [sub("T1"), sub("T2", 1, " TagA ||TagB|| ")])]));
    assert.deepEqual(a.notified, ["cg", "cg"]);
    const t2 = clients.subscription("cg", "T2");
    assert.deepEqual([t2?.tagsSet, t2?.codeSet], [["TagA", "TagB"], [2598919, 2598920]]);
    await clients.heartbeat(a, heartbeat("c-a", [consumer("cg", [sub("T2")])]));
    assert.deepEqual(a.notified, ["cg", "cg", "cg"]);
    assert.equal(clients.subscription("cg", "T1"), undefined);
    assert.deepEqual(clients.groupsSubscribedTo("T2"), ["cg"]);
  });

  it("a second client joining notifies both; unregister notifies the rest; the last one leaving removes the group", async () => {
    const { clients } = await setup();
    const a = new FakeChannel();
    const b = new FakeChannel();
    await clients.heartbeat(a, heartbeat("c-a", [consumer("cg")]));
    await clients.heartbeat(b, heartbeat("c-b", [consumer("cg")]));
    assert.deepEqual([a.notified, b.notified], [["cg", "cg"], ["cg"]]);
    assert.deepEqual(clients.consumerIds("cg").sort(), ["c-a", "c-b"]);
    clients.unregister("c-b", { consumerGroup: "cg" });
    assert.deepEqual([a.notified.length, b.notified.length], [3, 1]);
    clients.unregister("c-b", { producerGroup: "CLIENT_INNER_PRODUCER" });
    assert.deepEqual(clients.producerConnections("CLIENT_INNER_PRODUCER").map((c) => c.clientId), ["c-a"]);
    clients.unregister("c-a", { consumerGroup: "cg" });
    assert.deepEqual(clients.consumerIds("cg"), []);
    assert.equal(clients.consumerGroup("cg"), undefined);
    assert.equal(a.notified.length, 3, "nobody is left to notify");
  });

  it("a closed channel leaves every group it was in, and the others are notified", async () => {
    const { clients } = await setup();
    const a = new FakeChannel();
    const b = new FakeChannel();
    await clients.heartbeat(a, heartbeat("c-a", [consumer("g1"), consumer("g2")]));
    await clients.heartbeat(b, heartbeat("c-b", [consumer("g1")]));
    const before = a.notified.length;
    b.close();
    assert.deepEqual(a.notified.slice(before), ["g1"]);
    assert.deepEqual(clients.consumerIds("g1"), ["c-a"]);
    a.close();
    assert.deepEqual([clients.consumerIds("g1"), clients.consumerIds("g2"), clients.producerConnections("CLIENT_INNER_PRODUCER")], [[], [], []]);
  });

  it("expiry: a client silent for channelExpiredTimeout is dropped at the next scan and its channel closed; the rest are notified", async () => {
    const { clients, memory, logs } = await setup();
    clients.start();
    const a = new FakeChannel();
    const b = new FakeChannel();
    await clients.heartbeat(a, heartbeat("c-a", [consumer("cg")]));
    await clients.heartbeat(b, heartbeat("c-b", [consumer("cg")]));
    for (let t = 0; t < 4; t++) {
      await memory.clock.advance(30_000);
      await clients.heartbeat(a, heartbeat("c-a", [consumer("cg")]));
    }
    assert.ok(b.isOpen, "120 s is not more than the timeout");
    const before = a.notified.length;
    await memory.clock.advance(CLIENT_SCAN_INTERVAL_MS);
    assert.equal(b.isOpen, false, "expired and closed");
    assert.ok(a.isOpen, "heard from every 30 s");
    assert.deepEqual(a.notified.slice(before), ["cg"]);
    assert.deepEqual(clients.consumerIds("cg"), ["c-a"]);
    assert.ok(logs.some((line) => line.includes(b.remoteAddress) && line.includes("no heartbeat")), logs.join("\n"));
    clients.stop();
    await memory.clock.advance(10 * 120_000);
    assert.ok(a.isOpen, "no scan after stop");
  });

  it("no notification when notifyConsumerIdsChangedEnable is off for the broker or the group", async () => {
    const { clients, config, metadata } = await setup();
    config.notifyConsumerIdsChangedEnable = false;
    const a = new FakeChannel();
    await clients.heartbeat(a, heartbeat("c-a", [consumer("g1")]));
    config.notifyConsumerIdsChangedEnable = true;
    await metadata.subscriptionGroups.put(subscriptionGroupConfig("g2", { notifyConsumerIdsChangedEnable: false }));
    await clients.heartbeat(a, heartbeat("c-a", [consumer("g1"), consumer("g2")]));
    const b = new FakeChannel();
    await clients.heartbeat(b, heartbeat("c-b", [consumer("g2")]));
    b.close();
    assert.deepEqual([a.notified, b.notified], [[], []]);
  });

  it("BROADCASTING consumers get no retry topic; a slave records consumers but creates nothing", async () => {
    const { clients, config, metadata } = await setup();
    const a = new FakeChannel();
    await clients.heartbeat(a, heartbeat("c-a", [consumer("bc", [sub("TopicTest")], "BROADCASTING")]));
    assert.ok(metadata.subscriptionGroups.get("bc"));
    assert.equal(metadata.topics.get("%RETRY%bc"), undefined);
    config.brokerRole = "SLAVE";
    await clients.heartbeat(a, heartbeat("c-a", [consumer("on-slave")]));
    assert.deepEqual([metadata.subscriptionGroups.get("on-slave"), metadata.topics.get("%RETRY%on-slave")], [undefined, undefined]);
    assert.deepEqual(clients.consumerIds("on-slave"), ["c-a"]);
    assert.deepEqual(a.notified, ["bc", "on-slave"]);
  });

  it("a client that reconnects moves to its new channel: the old channel's close leaves it in place", async () => {
    const { clients } = await setup();
    const old = new FakeChannel();
    const fresh = new FakeChannel();
    await clients.heartbeat(old, heartbeat("c-a", [consumer("cg")]));
    await clients.heartbeat(fresh, heartbeat("c-a", [consumer("cg")]));
    assert.deepEqual(fresh.notified, [], "the same client id: not a change");
    old.close();
    assert.deepEqual(clients.consumerGroup("cg")?.connections.map((c) => [c.clientId, c.clientAddr, c.language, c.version]), [["c-a", fresh.remoteAddress, "JAVA", 407]]);
  });

  it("a heartbeat without subscriptions (5.x withoutSub) keeps the group's subscriptions", async () => {
    const { clients } = await setup();
    const a = new FakeChannel();
    await clients.heartbeat(a, heartbeat("c-a", [consumer("cg")]));
    await clients.heartbeat(a, heartbeat("c-a", [consumer("cg", undefined)]));
    assert.equal(clients.consumerGroup("cg")?.subscriptions.length, 2);
  });

  it("a heartbeat on a channel that closed meanwhile leaves nothing behind", async () => {
    const { clients } = await setup();
    const a = new FakeChannel();
    a.close();
    await clients.heartbeat(a, heartbeat("c-a", [consumer("cg")]));
    assert.deepEqual([clients.consumerIds("cg"), clients.producerConnections("CLIENT_INNER_PRODUCER")], [[], []]);
  });
});

describe("client manager: producers", () => {
  it("registers producer groups from heartbeats and drops them on unregister, close and expiry", async () => {
    const { clients, memory } = await setup();
    clients.start();
    const p = new FakeChannel();
    const q = new FakeChannel();
    await clients.heartbeat(p, heartbeat("p-1", [], ["pg", "CLIENT_INNER_PRODUCER"]));
    await clients.heartbeat(q, heartbeat("p-2", [], ["pg"]));
    assert.deepEqual(clients.producerConnections("pg").map((c) => c.clientId), ["p-1", "p-2"]);
    clients.unregister("p-1", { producerGroup: "pg" });
    assert.deepEqual(clients.producerConnections("pg").map((c) => c.clientId), ["p-2"]);
    q.close();
    assert.deepEqual(clients.producerConnections("pg"), []);
    await memory.clock.advance(130_000);
    assert.equal(p.isOpen, false, "p-1 was silent for more than 120 s");
    assert.deepEqual(clients.producerConnections("CLIENT_INNER_PRODUCER"), []);
    assert.deepEqual([p.notified, q.notified], [[], []], "producers are never notified");
    clients.stop();
  });
});

describe("client manager: bounds", () => {
  const refused = { code: "CLIENT_LIMIT_EXCEEDED" };

  it("refuses a new consumer or producer group beyond the group bound, and records nothing of that heartbeat", async () => {
    const { clients, metadata } = await setup({ maxConsumerGroups: 2, maxProducerGroups: 1 });
    const a = new FakeChannel();
    await clients.heartbeat(a, heartbeat("c-a", [consumer("g1"), consumer("g2")]));
    await assert.rejects(clients.heartbeat(a, heartbeat("c-a", [consumer("g3")])), refused);
    assert.equal(metadata.subscriptionGroups.get("g3"), undefined, "no metadata for a refused heartbeat");
    await assert.rejects(clients.heartbeat(a, heartbeat("c-a", [], ["CLIENT_INNER_PRODUCER", "pg"])), refused);
    assert.deepEqual(clients.consumerIds("g3"), []);
  });

  it("refuses a new client beyond the clients-per-group bound; known clients still heartbeat", async () => {
    const { clients } = await setup({ maxClientsPerGroup: 2 });
    const channels = [new FakeChannel(), new FakeChannel(), new FakeChannel()];
    await clients.heartbeat(channels[0], heartbeat("c-0", [consumer("cg")]));
    await clients.heartbeat(channels[1], heartbeat("c-1", [consumer("cg")]));
    await assert.rejects(clients.heartbeat(channels[2], heartbeat("c-2", [consumer("cg")])), refused);
    await clients.heartbeat(channels[1], heartbeat("c-1", [consumer("cg")]));
    assert.deepEqual(clients.consumerIds("cg"), ["c-0", "c-1"]);
  });

  it("counts client ids, not connections: one channel claiming many ids is refused past the membership bound", async () => {
    const { clients } = await setup({ maxMembershipsTotal: 3 });
    const a = new FakeChannel();
    await clients.heartbeat(a, heartbeat("id-1", [consumer("cg")], []));
    await clients.heartbeat(a, heartbeat("id-2", [consumer("cg")], ["pg"]));
    await assert.rejects(clients.heartbeat(a, heartbeat("id-3", [consumer("cg")], [])), refused);
    clients.unregister("id-2", { producerGroup: "pg" });
    await clients.heartbeat(a, heartbeat("id-3", [consumer("cg")], []));
    await assert.rejects(clients.heartbeat(new FakeChannel(), heartbeat("id-4", [], ["pg"])), refused);
    a.close();
    await clients.heartbeat(new FakeChannel(), heartbeat("id-5", [consumer("cg")], ["pg", "CLIENT_INNER_PRODUCER"]));
    assert.deepEqual(clients.consumerIds("cg"), ["id-5"]);
  });

  it("refuses subscriptions beyond the per-group and broker-wide bounds, and frees them when a group goes", async () => {
    const { clients } = await setup({ maxSubscriptionsPerGroup: 3, maxSubscriptionsTotal: 4, maxSubscriptionCharsTotal: 1000 });
    const a = new FakeChannel();
    await assert.rejects(clients.heartbeat(a, heartbeat("c-a", [consumer("g1", [sub("A"), sub("B"), sub("C"), sub("D")])])), refused);
    await clients.heartbeat(a, heartbeat("c-a", [consumer("g1", [sub("A"), sub("B"), sub("C")])]));
    await assert.rejects(clients.heartbeat(a, heartbeat("c-a", [consumer("g2", [sub("A"), sub("B")])])), refused);
    await clients.heartbeat(a, heartbeat("c-a", [consumer("g2", [sub("A")])]));
    await assert.rejects(clients.heartbeat(a, heartbeat("c-a", [consumer("g3", [sub("A")])])), refused);
    clients.unregister("c-a", { consumerGroup: "g1" });
    await clients.heartbeat(a, heartbeat("c-a", [consumer("g3", [sub("A"), sub("B")])]));
    await assert.rejects(clients.heartbeat(a, heartbeat("c-a", [consumer("g4", [sub("X".repeat(999))])])), refused);
  });
});
