/**
 * The real RocketMQ 4.9.7 retention run (fixtures `remoting/v4.9.7-retention/`, README there):
 * its store settings, the physical offsets its 300 messages got, its store listings, and messages
 * like its messages (`rk-<i> alt-<i>` keys, TagR) padded so that a Skiff store puts each record at
 * exactly the offset the real broker did.
 */
import assert from "node:assert/strict";
import { encodeProperties } from "../../src/codec/properties.ts";
import { messageRecordLength } from "../../src/codec/message-record.ts";
import type { MessageStore } from "../../src/store/message-store.ts";
import { fixtureText } from "./fixtures.ts";
import { message } from "./store.ts";

export const RUN = "remoting/v4.9.7-retention/v4.9.7-retention-";
export const RUN_TOPIC = "RetTopic";
/** The run's store: 64 KiB segments, 30-entry consume-queue files, 100-entry index files (32 slots: 2168 bytes each). */
export const RUN_STORE = { segmentSizeCommitLogBytes: 65536, segmentSizeConsumeQueueBytes: 600, maxHashSlotNum: 32, maxIndexNum: 100 } as const;

/** Physical offsets of the 300 messages the real broker stored (offsetMsgId's last 16 hex digits). */
export function realOffsets(): number[] {
  return [...fixtureText(`${RUN}fill.txt`).matchAll(/offsetMsgId=[0-9A-F]{16}([0-9A-F]{16})/g)].map((m) => Number.parseInt(m[1], 16));
}

/** The files of one directory in the real store listing at `stage` ("after 300 messages", "after deletion"). */
export function realListing(stage: string, dir: string): string[] {
  const text = fixtureText(`${RUN}store-listing.txt`);
  const section = text.slice(text.indexOf(`--- store listing: ${stage}`)).split("\n--- ")[0];
  return [...section.matchAll(new RegExp(`^${dir}/(\\S+) `, "gm"))].map((m) => m[1]);
}

/** A message like the run's, its body padded so the record takes `recordBytes`. */
export function runMessage(i: number, recordBytes: number) {
  const properties = new Map([["KEYS", `rk-${i} alt-${i}`], ["UNIQ_KEY", `FD${String(i).padStart(30, "0")}`], ["TAGS", "TagR"], ["WAIT", "true"]]);
  const propertiesLength = new TextEncoder().encode(encodeProperties(properties, { trailingSeparator: false })).length;
  const bodyBytes = recordBytes - messageRecordLength(0, 0, RUN_TOPIC.length, propertiesLength);
  assert.ok(bodyBytes > 8, `record of ${recordBytes} bytes`);
  return message(RUN_TOPIC, `ret-${i} `.padEnd(bodyBytes, "x"), { properties });
}

/** Stores the run's 300 messages, each at the physical offset (and queue offset) the real broker gave it. */
export async function fillLikeTheRun(store: MessageStore): Promise<void> {
  const offsets = realOffsets();
  assert.equal(offsets.length, 300);
  for (const [i, offset] of offsets.entries()) {
    const next = offsets[i + 1];
    // Within a segment the next offset gives the size; the last of a segment is as long as its neighbours (813/815/817 by digits).
    const size = next !== undefined && Math.floor(next / 65536) === Math.floor(offset / 65536) ? next - offset : offset - offsets[i - 1];
    const put = await store.put([runMessage(i, size)]);
    assert.deepEqual([put.records[0].physicalOffset, put.records[0].queueOffset], [offset, i], `message ${i} lands where the real broker put it`);
  }
  await store.waitDispatched(store.offsets.maxOffset);
  await store.flushAll();
}
