/**
 * One message by the id a producer got back (RocketMQ's `viewMessage` / mqadmin `queryMsgById`):
 * `GET /messages/{msgId}` and the client's `findMessage`. RocketMQ hands out two ids per message,
 * and both are 32 hex digits for an IPv4 store host, so the id alone does not say which it is:
 *
 * 1. **offsetMsgId** (store host + commit-log offset, codec/message-id.ts): the record starting at
 *    that offset, if there is one and its own store host and offset encode to this very id (so a
 *    UNIQ_KEY that happens to decode to a valid offset never answers some other record);
 * 2. else **msgId = UNIQ_KEY** (set by the producer): looked up in the message index under
 *    `topic#<id>` (index-service.ts), in `topic` when given, else in every topic this broker has
 *    (one hash-slot probe per topic and index file: bounded by the topic count). Records found by
 *    hash are kept only when their UNIQ_KEY property is the id. A retried message keeps its
 *    UNIQ_KEY in %RETRY% topics, so of several the one stored first (the original) is answered.
 *
 * Null when neither finds a message here (retention may have removed it).
 */
import { decodeMessageRecord, type DecodedMessage } from "../codec/message-record-decode.ts";
import { decodeOffsetMsgId, encodeOffsetMsgId } from "../codec/message-id.ts";
import { decodeProperties, MessageConst } from "../codec/properties.ts";
import { MAX_QUERY_MESSAGES } from "../store/message-query.ts";
import type { KeyQueryResult } from "../store/message-query.ts";

export interface MessageByIdDeps {
  readonly store: {
    readMessageAt(physicalOffset: number): Promise<Uint8Array | null>;
    queryMessages(topic: string, key: string, maxNum: number, beginMs: number, endMs: number): Promise<KeyQueryResult>;
  };
  /** The topics to search for a UNIQ_KEY when the caller names none. */
  topicNames(): readonly string[];
}

/** Hex digits only, of an offsetMsgId's or a UNIQ_KEY's length (IPv4 32, IPv6 56 / 40). */
const ID_PATTERN = /^[0-9A-Fa-f]{1,64}$/;

export async function findMessageById(deps: MessageByIdDeps, id: string, topic?: string): Promise<Uint8Array | null> {
  if (!ID_PATTERN.test(id)) return null;
  const byOffset = await recordAtOffsetMsgId(deps, id);
  if (byOffset) return byOffset;
  let found: { bytes: Uint8Array; physicalOffset: number } | null = null;
  for (const name of topic === undefined ? deps.topicNames() : [topic]) {
    const { records } = await deps.store.queryMessages(name, id, MAX_QUERY_MESSAGES, 0, Number.MAX_SAFE_INTEGER);
    for (const bytes of records) {
      const record = decoded(bytes);
      if (!record || decodeProperties(record.properties).get(MessageConst.UNIQ_KEY) !== id) continue;
      if (!found || record.physicalOffset < found.physicalOffset) found = { bytes, physicalOffset: record.physicalOffset };
    }
  }
  return found?.bytes ?? null;
}

async function recordAtOffsetMsgId(deps: MessageByIdDeps, id: string): Promise<Uint8Array | null> {
  let physicalOffset: number;
  try {
    physicalOffset = decodeOffsetMsgId(id).physicalOffset;
  } catch {
    return null; // not an offsetMsgId: maybe a UNIQ_KEY
  }
  const bytes = await deps.store.readMessageAt(physicalOffset);
  const record = bytes && decoded(bytes);
  return record && encodeOffsetMsgId(record.storeHost, record.physicalOffset) === id.toUpperCase() ? bytes : null;
}

function decoded(bytes: Uint8Array): DecodedMessage | null {
  const record = decodeMessageRecord(bytes, 0, { readBody: false });
  return record.kind === "message" ? record : null;
}
