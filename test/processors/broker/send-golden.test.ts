// The captured sends of real 4.9.7 and 5.3.3 producers (sync with tags+keys, delay level 2, async, oneway, a batch of 3;
// a first send to a topic that does not exist; binary headers are in the session replays) replayed against Skiff's send processors in a real
// RemotingServer over a real broker: every answer equals the real broker's field by field (code, remark, extFields keys and
// values, msgIds) but for the store host inside each msgId (brokerIP1:listenPort of this broker) and, where the real store
// held other messages first or a 5.3.3 broker wrote its longer 5.x records, the physical offsets. Against the 4.9.7 capture
// the physical offsets are the real broker's too: Skiff stored the same bytes. Each msgId names a stored record with the
// body that was sent; the auto-created topic has min(d, TBW102's queues) queues and perm 6.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { remotingBroker, type RemotingBroker } from "../../support/processor-broker.ts";
import { EXACT, OFFSETS_DIFFER, replaySends } from "./replay.ts";

async function withBroker(run: (rb: RemotingBroker) => Promise<void>): Promise<void> {
  const rb = await remotingBroker();
  try {
    await rb.broker.runtime.admin.putTopic("TopicTest", { readQueueNums: 4, writeQueueNums: 4 });
    await run(rb);
  } finally {
    await rb.stop();
  }
}

describe("send processors, replaying captured producers", () => {
  it("answers the 4.9.7 producer as the 4.9.7 broker did, at the same physical offsets", async () => {
    await withBroker(async (rb) => {
      const offsets = await replaySends(rb, "v4.9.7/v4.9.7-producer-02-broker", EXACT);
      assert.deepEqual(offsets, [0x0, 0xea, 0x201, 0x3a8, 0x499, 0x58a]);
    });
  });

  it("answers the 5.3.3 producer as the 5.3.3 broker did (transactionId included), with Skiff's 4.9-style records", async () => {
    await withBroker(async (rb) => {
      await replaySends(rb, "v5.3.3/v5.3.3-producer-02-broker", OFFSETS_DIFFER);
    });
  });

  it("creates an unknown topic through TBW102 with min(d, TBW102's write queues) queues and perm 6", async () => {
    for (const base of ["v4.9.7/v4.9.7-producer-autocreate-02-broker", "v5.3.3/v5.3.3-producer-autocreate-02-broker"]) {
      await withBroker(async (rb) => {
        const { topics } = rb.broker.metadata;
        assert.equal(topics.get("TopicAuto"), undefined);
        assert.deepEqual([topics.get("TBW102")?.perm, topics.get("TBW102")?.writeQueueNums], [7, 8], "TBW102 is registered with perm 7");
        await replaySends(rb, base, OFFSETS_DIFFER);
        const created = topics.get("TopicAuto");
        assert.deepEqual([created?.readQueueNums, created?.writeQueueNums, created?.perm], [4, 4, 6]);
      });
    }
  });
});
