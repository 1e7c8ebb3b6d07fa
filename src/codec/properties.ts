/**
 * Message properties as stored in a commit-log record (`MessageDecoder.messageProperties2String` /
 * `string2messageProperties`), carried as UTF-8 bytes of at most 32767 (`PROPERTIES_MAX_BYTES`).
 *
 *   key 0x01 value 0x02 key 0x01 value [0x02]
 *
 * | part         | bytes     | notes                                                       |
 * |--------------|-----------|-------------------------------------------------------------|
 * | key          | UTF-8     | non-empty; no 0x01/0x02                                     |
 * | 0x01         | 1         | NAME_VALUE_SEPARATOR                                        |
 * | value        | UTF-8     | non-empty; no 0x02 (null/undefined values are skipped)      |
 * | 0x02         | 1         | PROPERTY_SEPARATOR; the final one is optional (see below)   |
 *
 * Trailing separator: 4.9.1–5.1.x write none after the last entry, 5.2.0+ write one. Readers
 * accept both. `encodeProperties` makes the caller choose (`trailingSeparator`); Skiff's store
 * default is `DEFAULT_TRAILING_SEPARATOR = false` (4.9 style: one byte less per message).
 *
 * Decoding follows Java exactly: split on 0x02; a segment is kept only if it has >= 3 chars and its
 * first 0x01 is neither its first nor its last char (so empty keys and empty values are dropped);
 * the value runs to the segment end (it may contain 0x01); the LAST duplicate key wins.
 */
import { SkiffError } from "../core/errors.ts";
import { utf8Decode } from "../core/bytes.ts";
import { MessageLimitCode } from "./message-limits.ts";

export const NAME_VALUE_SEPARATOR = "\u0001";
export const PROPERTY_SEPARATOR = "\u0002";
export const PROPERTIES_MAX_BYTES = 32767;
export const DEFAULT_TRAILING_SEPARATOR = false;

/** Well-known property keys (`common/message/MessageConst.java`); values are the wire keys. */
export const MessageConst = {
  TAGS: "TAGS",
  KEYS: "KEYS",
  UNIQ_KEY: "UNIQ_KEY",
  WAIT: "WAIT",
  DELAY: "DELAY",
  REAL_TOPIC: "REAL_TOPIC",
  REAL_QID: "REAL_QID",
  RETRY_TOPIC: "RETRY_TOPIC",
  CLUSTER: "CLUSTER",
  TRAN_MSG: "TRAN_MSG",
  TRAN_PREPARED_QUEUE_OFFSET: "TRAN_PREPARED_QUEUE_OFFSET",
  TRANSACTION_CHECK_TIMES: "TRANSACTION_CHECK_TIMES",
  CHECK_IMMUNITY_TIME_IN_SECONDS: "CHECK_IMMUNITY_TIME_IN_SECONDS",
  PGROUP: "PGROUP",
  ORIGIN_MESSAGE_ID: "ORIGIN_MESSAGE_ID",
  RECONSUME_TIME: "RECONSUME_TIME",
  MAX_RECONSUME_TIMES: "MAX_RECONSUME_TIMES",
  MSG_REGION: "MSG_REGION",
  TRACE_ON: "TRACE_ON",
  INSTANCE_ID: "INSTANCE_ID",
  CORRELATION_ID: "CORRELATION_ID",
  REPLY_TO_CLIENT: "REPLY_TO_CLIENT",
  TTL: "TTL",
  MSG_TYPE: "MSG_TYPE",
  INNER_MULTI_DISPATCH: "INNER_MULTI_DISPATCH",
  INNER_MULTI_QUEUE_OFFSET: "INNER_MULTI_QUEUE_OFFSET",
  INNER_NUM: "INNER_NUM",
  INNER_BASE: "INNER_BASE",
  DUP_INFO: "DUP_INFO",
  CRC32: "__CRC32#",
} as const;

export type PropertiesInput = ReadonlyMap<string, string | null | undefined> | Readonly<Record<string, string | null | undefined>>;

export interface EncodePropertiesOptions {
  /** Write 0x02 after the last entry (5.2+ style) or not (4.9 style). */
  readonly trailingSeparator: boolean;
}

/**
 * Properties string for a record. Throws `SkiffError("PROPERTIES_ILLEGAL")` for an empty key or a
 * key/value holding a separator: Java would write it, but it would not read back the same.
 * The 32767-byte limit applies to the UTF-8 bytes and is checked by the record encoder.
 */
export function encodeProperties(properties: PropertiesInput, options: EncodePropertiesOptions): string {
  const entries = properties instanceof Map ? properties.entries() : Object.entries(properties);
  let out = "";
  for (const [key, value] of entries as Iterable<[string, string | null | undefined]>) {
    if (value === null || value === undefined) continue;
    checkPart(key, "key");
    checkPart(value, "value");
    if (out.length > 0) out += PROPERTY_SEPARATOR;
    out += key + NAME_VALUE_SEPARATOR + value;
  }
  return options.trailingSeparator && out.length > 0 ? out + PROPERTY_SEPARATOR : out;
}

function checkPart(part: string, what: string): void {
  if (part.length === 0 || part.includes(NAME_VALUE_SEPARATOR) || part.includes(PROPERTY_SEPARATOR)) {
    throw new SkiffError(MessageLimitCode.PROPERTIES_ILLEGAL, `property ${what} ${JSON.stringify(part)} is empty or holds a separator`);
  }
}

/**
 * Java's `string2messageProperties` walk: calls `entry(nameStart, separator, end)` for each entry
 * it keeps (at least 3 chars, a 0x01 inside that is neither its first nor its last char); the
 * name is `text[nameStart, separator)`, the value `text(separator, end)`.
 */
function forEachEntry(text: string, entry: (nameStart: number, separator: number, end: number) => void): void {
  const len = text.length;
  let index = 0;
  while (index < len) {
    let end = text.indexOf(PROPERTY_SEPARATOR, index);
    if (end < 0) end = len;
    if (end - index >= 3) {
      const kv = text.indexOf(NAME_VALUE_SEPARATOR, index);
      if (kv > index && kv < end - 1) entry(index, kv, end);
    }
    index = end + 1;
  }
}

/** Java's `string2messageProperties`, entry for entry (see the header). */
export function decodeProperties(text: string): Map<string, string> {
  const map = new Map<string, string>();
  forEachEntry(text, (start, kv, end) => map.set(text.slice(start, kv), text.slice(kv + 1, end)));
  return map;
}

/**
 * The values `decodeProperties` would give for `names` alone (a duplicate's last value wins, the
 * same entry rules), without building the whole map: the dispatcher reads four properties of
 * every record (UNIQ_KEY, KEYS, TAGS, DELAY), and the map and its slices were ~6 % of a slave.
 * The answer's entries are in the order of `names`; a missing property is `undefined`.
 */
export function pickProperties(text: string, names: readonly string[]): Array<string | undefined> {
  const values: Array<string | undefined> = names.map(() => undefined);
  forEachEntry(text, (start, kv, end) => {
    for (let n = 0; n < names.length; n++) {
      if (kv - start === names[n].length && text.startsWith(names[n], start)) values[n] = text.slice(kv + 1, end);
    }
  });
  return values;
}

/** `decodeProperties` over the UTF-8 bytes of a record. */
export function decodePropertiesBytes(bytes: Uint8Array): Map<string, string> {
  return decodeProperties(utf8Decode(bytes));
}
