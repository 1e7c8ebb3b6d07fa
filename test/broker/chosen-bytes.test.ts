/**
 * The bytes Skiff chooses where RocketMQ versions differ, pinned against records a real RocketMQ
 * 4.9.7 broker wrote (../shared/fixtures/rocketmq/v4.9.7-golden-record.bin and
 * v4.9.7-single-userprops-record.bin, sent by the Java client, see the fixtures' README): the same
 * send through Skiff's HTTP API stores the same record, byte for byte, except the born and store
 * timestamps and the born host (which belong to that run). That covers the properties' order
 * (Java HashMap order), no trailing 0x02, CLUSTER added, WAIT not stored, UNIQ_KEY kept.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { javaHashMapOrder } from "../../src/codec/java-hash-map-order.ts";
import { fixtureBytes } from "../support/fixtures.ts";
import { memoryBroker } from "../support/broker.ts";

/** Copies the run-specific fields (born timestamp and host, store timestamp) of `from` into `to`. */
function withRunFieldsOf(to: Uint8Array, from: Uint8Array): Uint8Array {
  const out = to.slice();
  out.set(from.subarray(40, 56), 40); // BORNTIMESTAMP, BORNHOST (IPv4)
  out.set(from.subarray(56, 64), 56); // STORETIMESTAMP
  return out;
}

function uniqKeyOf(record: Uint8Array): string {
  const decoded = decodeMessageRecord(record, 0);
  assert.equal(decoded.kind, "message");
  return decoded.kind === "message" ? /UNIQ_KEY\u0001([0-9A-F]+)/.exec(decoded.properties)![1] : "";
}

describe("bytes Skiff writes, against RocketMQ 4.9.7's", () => {
  it("orders property keys as java.util.HashMap iterates them", () => {
    assert.deepEqual(javaHashMapOrder(["TAGS", "KEYS", "UNIQ_KEY", "CLUSTER"]), ["KEYS", "UNIQ_KEY", "CLUSTER", "TAGS"]);
    assert.deepEqual(javaHashMapOrder(["TAGS", "KEYS", "userProp", "seq", "UNIQ_KEY", "CLUSTER"]), ["userProp", "KEYS", "UNIQ_KEY", "CLUSTER", "TAGS", "seq"]);
    const many = Array.from({ length: 20 }, (_, i) => `k${i}`);
    assert.deepEqual(javaHashMapOrder(many).slice(0, 3), ["k0", "k1", "k2"], "after a resize to 32 buckets");
  });

  it("stores the Java client's two first messages exactly as the 4.9.7 broker did", async () => {
    const golden = fixtureBytes("v4.9.7-golden-record.bin");
    const userProps = fixtureBytes("v4.9.7-single-userprops-record.bin");
    const t = await memoryBroker({ brokerClusterName: "DefaultCluster" });
    const first = await t.send("TopicTest", { body: "Hello RocketMQ", tags: "TagA", keys: "k1", queueId: 0, properties: { UNIQ_KEY: uniqKeyOf(golden) } });
    const second = await t.send("TopicTest", {
      body: "body-0 ", tags: "TagA", keys: "key-0 altkey-0", queueId: 0,
      properties: { userProp: "v0", seq: "0", UNIQ_KEY: uniqKeyOf(userProps) },
    });
    assert.deepEqual([first.body.commitLogOffset, second.body.commitLogOffset, second.body.queueOffset], [0, 220, 1]);
    const store = t.broker.store;
    assert.deepEqual(withRunFieldsOf(await store.readCommitLog(0, golden.length), golden), golden);
    assert.deepEqual(withRunFieldsOf(await store.readCommitLog(220, userProps.length), userProps), userProps);
    await t.broker.stop();
  });
});
