/**
 * The store's narrow face: a slave's store takes replicated bytes only where the one continuity
 * rule allows (exactly at its end; an empty log at a segment start), the HA stream verifier and the
 * store's replica give the same verdict for every offset, and a refused append leaves the store as
 * it was. The read-only views (offsets, stats) and the named ports (arrivals, queue ids, topic
 * deletion's queue part) tell and do what the internals did, without handing them out.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SkiffError } from "../../src/core/errors.ts";
import { ReplicaStream } from "../../src/ha/replica-stream.ts";
import { RECORD_OVERHEAD_MAX_BYTES } from "../../src/codec/message-limits.ts";
import { parseHostAddress } from "../../src/codec/host-address.ts";
import type { MessageStore } from "../../src/store/message-store.ts";
import { craftedRecord } from "../support/hostile-records.ts";
import { memoryStoreWorld, message } from "../support/store.ts";

const SEGMENT = 64 * 1024;
/** The highest segment start whose segment ends beyond 2^53. */
const UNSAFE_SEGMENT_START = Number.MAX_SAFE_INTEGER - (Number.MAX_SAFE_INTEGER % SEGMENT);

/** The code an attempt failed with, or "accepted". */
async function verdictOf(attempt: () => unknown): Promise<string> {
  try {
    await attempt();
    return "accepted";
  } catch (error) {
    assert.ok(error instanceof SkiffError, String(error));
    return error.code;
  }
}

function offsetsOf(store: MessageStore): number[] {
  const o = store.offsets;
  return [o.minOffset, o.maxOffset, o.writtenOffset, o.flushedOffset, o.dispatchedOffset];
}

/** A slave's store: empty (`prefill` null), or holding one replicated record from `prefill`. */
async function replicaStore(prefill: number | null): Promise<{ store: MessageStore; logEnd: number | null }> {
  const store = await memoryStoreWorld().open();
  if (prefill !== null) await store.replica.appendReplicated(prefill, craftedRecord({ physicalOffset: prefill }));
  return { store, logEnd: store.replica.logEnd };
}

describe("the store's replica", () => {
  it("takes an empty log's first bytes at a segment start, then only at its end", async () => {
    const store = await memoryStoreWorld().open();
    assert.equal(store.replica.logEnd, null, "an empty log has no end to continue");
    const first = craftedRecord({ physicalOffset: 2 * SEGMENT });
    await store.replica.appendReplicated(2 * SEGMENT, first);
    const end = 2 * SEGMENT + first.length;
    assert.equal(store.replica.logEnd, end);
    assert.deepEqual(store.stats().commitLogSegmentStarts, [2 * SEGMENT], "the log starts at the master's segment");
    await store.flushAll();
    await store.waitDispatched(end);
    assert.deepEqual(offsetsOf(store), [2 * SEGMENT, end, end, end, end]);
    assert.deepEqual(await store.readCommitLog(2 * SEGMENT, first.length), first, "copied as it is");

    const next = craftedRecord({ physicalOffset: end });
    for (const offset of [end - 1, end + 1, 3 * SEGMENT, 0]) {
      await assert.rejects(store.replica.appendReplicated(offset, next), (error: SkiffError) =>
        error.code === "HA_OFFSET_MISMATCH" && error.message.includes(`master pushed offset ${offset}, not equal to the slave's max offset ${end}`));
    }
    assert.equal(store.offsets.maxOffset, end, "refused bytes leave the log as it was");
    await store.replica.appendReplicated(end, next);
    assert.equal(store.offsets.maxOffset, end + next.length);
    await store.close();
  });

  it("refuses an empty log's first offset off a segment start or whose segment ends beyond 2^53, and stays empty", async () => {
    const store = await memoryStoreWorld().open();
    const bytes = craftedRecord({ physicalOffset: 0 });
    for (const [offset, why] of [[4096, /not a segment start/], [SEGMENT + 1, /not a segment start/], [-SEGMENT, /not a segment start/], [UNSAFE_SEGMENT_START, /beyond 2\^53/]] as const) {
      await assert.rejects(store.replica.appendReplicated(offset, bytes), (error: SkiffError) => error.code === "HA_OFFSET_ILLEGAL" && why.test(error.message), `offset ${offset}`);
    }
    assert.equal(store.replica.logEnd, null);
    assert.deepEqual(store.stats().commitLogSegmentStarts, []);
    assert.deepEqual(offsetsOf(store), [0, 0, 0, 0, 0]);
    await store.close();
  });

  it("gives the same verdict as the HA stream verifier for every offset (one rule)", async () => {
    const attempts: Array<{ prefill: number | null; offset: (logEnd: number) => number }> = [
      ...[0, SEGMENT, 5 * SEGMENT, 4096, SEGMENT + 8, -SEGMENT, UNSAFE_SEGMENT_START].map((offset) => ({ prefill: null, offset: () => offset })),
      ...[0, SEGMENT].flatMap((prefill) => [0, -1, 1].map((delta) => ({ prefill, offset: (logEnd: number) => logEnd + delta }))),
      { prefill: 0, offset: () => 2 * SEGMENT },
      { prefill: SEGMENT, offset: () => 0 },
    ];
    const verdicts = new Set<string>();
    for (const { prefill, offset: offsetFor } of attempts) {
      const { store, logEnd } = await replicaStore(prefill);
      const offset = offsetFor(logEnd ?? 0);
      const stream = new ReplicaStream({ segmentSizeBytes: store.replica.segmentSizeBytes, maxRecordBytes: store.replica.maxMessageSizeBytes + RECORD_OVERHEAD_MAX_BYTES, logEnd });
      const byStream = await verdictOf(() => stream.checkOffset(offset));
      const before = offsetsOf(store);
      const byStore = await verdictOf(() => store.replica.appendReplicated(offset, craftedRecord({ physicalOffset: Math.max(offset, 0) })));
      assert.equal(byStore, byStream, `log end ${logEnd}, offset ${offset}`);
      if (byStore !== "accepted") assert.deepEqual(offsetsOf(store), before, "a refused append changes nothing");
      verdicts.add(byStore);
      await store.close();
    }
    assert.deepEqual([...verdicts].sort(), ["HA_OFFSET_ILLEGAL", "HA_OFFSET_MISMATCH", "accepted"]);
  });
});

describe("the store's read-only views and named ports", () => {
  it("keeps min <= flushed <= written <= max and dispatched <= written, all equal once flushed and dispatched", async () => {
    const store = await memoryStoreWorld().open();
    for (let i = 0; i < 50; i++) {
      const appended = await store.append([message("T", `m${i}`.padEnd(400, "."), { queueId: i % 3 })]);
      void appended.durable;
      const [min, max, written, flushed, dispatched] = offsetsOf(store);
      assert.ok(min <= flushed && flushed <= written && written <= max && dispatched <= written, `${[min, max, written, flushed, dispatched]}`);
      assert.equal(max, appended.endOffset);
    }
    await store.flushAll();
    const end = store.offsets.maxOffset;
    await store.waitDispatched(end);
    assert.deepEqual(offsetsOf(store), [0, end, end, end, end]);
    assert.equal(store.stats().consumeQueues, 3);
    assert.ok(store.stats().commitLogSegmentStarts.length >= 1);
    await store.close();
  });

  it("tells arrivals, lists a topic's queue ids, and deletes a topic's consume queues", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    const arrivals: string[] = [];
    const unsubscribe = store.onArrival((topic, queueId, nextQueueOffset) => arrivals.push(`${topic}/${queueId}@${nextQueueOffset}`));
    for (const queueId of [0, 2, 2]) await store.put([message("Gone", "x", { queueId })]);
    await store.put([message("Kept", "y", { queueId: 1 })]);
    await store.waitDispatched(store.offsets.maxOffset);
    assert.deepEqual(arrivals, ["Gone/0@1", "Gone/2@1", "Gone/2@2", "Kept/1@1"]);
    assert.deepEqual(store.queueIdsOf("Gone").sort(), [0, 2]);
    assert.deepEqual(store.queueIdsOf("Nothing"), []);

    await store.deleteTopic("Gone", parseHostAddress("127.0.0.1:10911"));
    assert.deepEqual(store.queueIdsOf("Gone"), []);
    assert.equal(store.maxOffsetInQueue("Gone", 2), 0);
    assert.equal(await world.fs.stat("/store/consumequeue/Gone"), null, "its files are gone");
    assert.equal(store.maxOffsetInQueue("Kept", 1), 1, "other topics stay");
    unsubscribe();
    await store.put([message("Kept", "z", { queueId: 1 })]);
    await store.waitDispatched(store.offsets.maxOffset);
    assert.equal(arrivals.length, 4, "no arrivals after unsubscribing");
    await store.close();
  });
});
