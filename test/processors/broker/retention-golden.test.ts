// The 4.9.7 retention run replayed (spec §11.3, fixtures v4.9.7-retention/): a store whose commit log begins at 196608
// (the older segments deleted) holding exactly the real broker's retained records of RetTopic queue 0 (queue offsets
// 240..299, the bytes taken from the real pull answers) is served by Skiff's pull and offset processors. The captured
// consumers get the real broker's answers: an old group's offset 5 (QUERY_CONSUMER_OFFSET), its pull at 5 answered 21
// OFFSET_TOO_SMALL with nextBeginOffset 240, its commit of 240 and the pulls from there (records byte for byte, 30 per
// answer at a consume-queue file end); a new group's QUERY_CONSUMER_OFFSET answered 22 with Java's remark (the queue no
// longer starts at 0: the 4.9.7 zero rule does not apply), then 21 from 0, or GET_MAX_OFFSET 300.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { storeOptionsFrom } from "../../../src/app/start-broker.ts";
import { decodeMessageRecord } from "../../../src/codec/message-record-decode.ts";
import type { BrokerConfig } from "../../../src/config/broker-config.ts";
import { MessageStore } from "../../../src/store/message-store.ts";
import { platform } from "../../support/platform.ts";
import { remotingBroker } from "../../support/processor-broker.ts";
import { capturedExchanges } from "../../support/remoting-fixtures.ts";
import { EXACT } from "./replay.ts";
import { replayConsumer } from "./session.ts";
import { silentLogger } from "../../../src/core/log.ts";

const RUN = "v4.9.7-retention/v4.9.7-retention";
const CONSUMERS = [`${RUN}-push-old-group-02-broker`, `${RUN}-push-new-first-02-broker`, `${RUN}-push-new-last-02-broker`];
const FIRST_RETAINED = 196608;

/** The retained records, from every FOUND pull answer of the run, in commit-log order and contiguous. */
function retainedRecords(): Uint8Array {
  const byOffset = new Map<number, Uint8Array>();
  for (const base of CONSUMERS) {
    for (const { answer } of capturedExchanges(base)) {
      if (answer?.code !== 0 || answer.remark !== "FOUND") continue;
      for (let at = 0; at < answer.body.byteLength;) {
        const record = decodeMessageRecord(answer.body, at);
        assert.equal(record.kind, "message");
        if (record.kind !== "message") break;
        byOffset.set(record.physicalOffset, answer.body.slice(at, at + record.totalSize));
        at += record.totalSize;
      }
    }
  }
  const offsets = [...byOffset.keys()].sort((a, b) => a - b);
  assert.equal(offsets[0], FIRST_RETAINED);
  assert.equal(offsets.length, 60, "queue offsets 240..299");
  const bytes = new Uint8Array(offsets.reduce((n, o) => n + byOffset.get(o)!.byteLength, 0));
  let at = 0;
  for (const offset of offsets) {
    assert.equal(FIRST_RETAINED + at, offset, "the records are contiguous");
    bytes.set(byOffset.get(offset)!, at);
    at += byOffset.get(offset)!.byteLength;
  }
  return bytes;
}

/** The store as the real broker's was after deletion: its log starts at 196608 with the retained records. */
async function retainedStore(config: BrokerConfig): Promise<void> {
  const store = await MessageStore.open(platform, storeOptionsFrom(config, silentLogger));
  const bytes = retainedRecords();
  await store.replica.appendReplicated(FIRST_RETAINED, bytes);
  await store.waitDispatched(FIRST_RETAINED + bytes.byteLength);
  await store.close();
}

describe("pull and offset processors after retention, replaying the 4.9.7 run", () => {
  it("answers the old group, the new FIRST_OFFSET group and the new LAST_OFFSET group as the real broker did", async () => {
    const rb = await remotingBroker({ mappedFileSizeCommitLog: 65536, mappedFileSizeConsumeQueue: 600 }, { beforeStart: retainedStore });
    try {
      const { admin, store } = rb.broker.runtime;
      assert.deepEqual([store.minOffsetInQueue("RetTopic", 0), store.maxOffsetInQueue("RetTopic", 0)], [240, 300]);
      await admin.putTopic("RetTopic", { readQueueNums: 1, writeQueueNums: 1 });
      for (const group of ["cg_old", "cg_new_first", "cg_new_last"]) await admin.putTopic(`%RETRY%${group}`, { readQueueNums: 1, writeQueueNums: 1 });
      admin.commitConsumerOffset("cg_old", "RetTopic", 0, 5); // what cg_old committed before the deletion
      assert.deepEqual(await replayConsumer(rb, CONSUMERS[0], EXACT, "4.9.7"), { 11: 6, 14: 3 });
      assert.deepEqual(await replayConsumer(rb, CONSUMERS[1], EXACT, "4.9.7"), { 11: 3, 14: 3 });
      assert.deepEqual(await replayConsumer(rb, CONSUMERS[2], EXACT, "4.9.7"), { 14: 2, 30: 1 });
    } finally {
      await rb.stop();
    }
  });
});
