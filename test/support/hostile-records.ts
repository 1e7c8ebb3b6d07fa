/**
 * Commit-log records a hostile or broken master could send: well-formed (right lengths, right
 * BODYCRC) but with fields no Skiff API would ever write — a topic like `../../../../outside`, a
 * queue id of -1 or 2^31-1 — patched in after encoding, since the encoder itself refuses them.
 */
import { utf8Encode, viewOf } from "../../src/core/bytes.ts";
import { encodeMessageRecord, patchMessageRecord } from "../../src/codec/message-record.ts";
import { message } from "./store.ts";

export interface CraftedRecord {
  /** Commit-log offset it claims (PHYSICALOFFSET). */
  readonly physicalOffset: number;
  readonly topic?: string;
  readonly queueId?: number;
  readonly queueOffset?: number;
  readonly body?: Uint8Array;
}

/** One whole record with a valid layout and BODYCRC, whatever its topic and queue id say. */
export function craftedRecord(spec: CraftedRecord): Uint8Array {
  const topic = spec.topic ?? "TopicTest";
  const topicBytes = utf8Encode(topic);
  const placeholder = "T".repeat(topicBytes.length);
  const input = message(placeholder, spec.body ?? utf8Encode(`body at ${spec.physicalOffset}`));
  const record = encodeMessageRecord({ ...input, properties: "", queueOffset: 0, physicalOffset: 0, storeTimestamp: 1_700_000_000_000 });
  patchMessageRecord(record, 0, { physicalOffset: spec.physicalOffset, queueOffset: spec.queueOffset ?? 0 });
  viewOf(record).setInt32(12, spec.queueId ?? 0);
  const topicAt = indexOfBytes(record, utf8Encode(placeholder), 91);
  record.set(topicBytes, topicAt);
  return record;
}

/** Records one after another from `physicalOffset`, each claiming where it lands. */
export function craftedRun(physicalOffset: number, count: number, spec: Omit<CraftedRecord, "physicalOffset"> = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = physicalOffset;
  for (let i = 0; i < count; i++) {
    const record = craftedRecord({ ...spec, physicalOffset: at, queueOffset: i });
    parts.push(record);
    at += record.length;
  }
  const out = new Uint8Array(at - physicalOffset);
  let pos = 0;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error("placeholder topic not found in the encoded record");
}
