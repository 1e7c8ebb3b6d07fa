/**
 * The body of a client batch send (`SEND_BATCH_MESSAGE`, Java `MessageDecoder.encodeMessages`): the
 * concatenation of one mini-record per message, big-endian:
 *
 * | offset   | field      | type | notes                                             |
 * |----------|------------|------|---------------------------------------------------|
 * | 0        | TOTALSIZE  | i32  | 22 + bodyLength + propertiesLength                |
 * | 4        | MAGICCODE  | i32  | 0 (written by clients, ignored by the broker)     |
 * | 8        | BODYCRC    | i32  | 0 (the broker computes the real one)              |
 * | 12       | FLAG       | i32  |                                                   |
 * | 16       | BODY LEN   | i32  | followed by the body                              |
 * | 20+n     | PROPS LEN  | i16  | followed by the properties (properties.ts)        |
 *
 * The broker stores each as a normal record whose properties are the inner properties, then 0x02
 * unless they are empty or already end with one, then the batch-level properties string
 * (`mergeBatchProperties`, spec §0.1), so a key can appear twice and the last one wins.
 * Malformed bodies throw `SkiffError("BATCH_ILLEGAL")` naming the message and byte. A batch of more
 * than `BATCH_MESSAGES_MAX` messages (the JSON batch's limit too) throws `BATCH_TOO_LARGE` (HTTP 413)
 * as soon as the decoder reaches message `BATCH_MESSAGES_MAX + 1`, before any more is decoded: a
 * 4 MiB body of empty messages would otherwise be 190,000 messages.
 */
import { SkiffError, fail } from "../core/errors.ts";
import { utf8Encode, viewOf } from "../core/bytes.ts";

export const BATCH_ENTRY_OVERHEAD = 22;
/** Most messages in one batch send, binary or JSON (one constant for both). */
export const BATCH_MESSAGES_MAX = 1024;
const PROPERTY_SEPARATOR_BYTE = 0x02;

export interface BatchMessage {
  readonly flag: number;
  /** A view into the batch body. */
  readonly body: Uint8Array;
  /** UTF-8 properties, a view into the batch body. */
  readonly properties: Uint8Array;
}

export interface BatchMessageInput {
  readonly flag: number;
  readonly body: Uint8Array;
  readonly properties: string | Uint8Array;
}

export function encodeBatch(messages: readonly BatchMessageInput[]): Uint8Array {
  const props = messages.map((m) => (typeof m.properties === "string" ? utf8Encode(m.properties) : m.properties));
  let total = 0;
  messages.forEach((m, i) => (total += BATCH_ENTRY_OVERHEAD + m.body.length + props[i].length));
  const out = new Uint8Array(total);
  const view = viewOf(out);
  let at = 0;
  messages.forEach((m, i) => {
    if (!(props[i].length <= 0x7fff)) fail(`batch message ${i}: properties longer than 32767 bytes`);
    if (m.flag !== (m.flag | 0)) fail(`batch message ${i}: flag must be an i32`);
    const size = BATCH_ENTRY_OVERHEAD + m.body.length + props[i].length;
    view.setInt32(at, size);
    view.setInt32(at + 4, 0);
    view.setInt32(at + 8, 0);
    view.setInt32(at + 12, m.flag);
    view.setInt32(at + 16, m.body.length);
    out.set(m.body, at + 20);
    view.setInt16(at + 20 + m.body.length, props[i].length);
    out.set(props[i], at + 22 + m.body.length);
    at += size;
  });
  return out;
}

/**
 * Splits a batch body into its messages (views, no copies). An empty body gives `[]`. More than
 * `maxMessages` throws `BATCH_TOO_LARGE` before the next message is decoded.
 */
export function decodeBatch(bytes: Uint8Array, maxMessages = BATCH_MESSAGES_MAX): BatchMessage[] {
  const view = viewOf(bytes);
  const messages: BatchMessage[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (messages.length === maxMessages) {
      throw new SkiffError("BATCH_TOO_LARGE", `the batch holds more than ${maxMessages} messages (byte ${at} of ${bytes.length} starts message ${maxMessages + 1}); split it into batches of at most ${maxMessages}`);
    }
    const fail = (what: string): never => {
      throw new SkiffError("BATCH_ILLEGAL", `batch message ${messages.length} at byte ${at}: ${what}`);
    };
    const remaining = bytes.length - at;
    if (remaining < BATCH_ENTRY_OVERHEAD) fail(`truncated, ${remaining} bytes left, a message needs >= ${BATCH_ENTRY_OVERHEAD}`);
    const totalSize = view.getInt32(at);
    const bodyLength = view.getInt32(at + 16);
    if (bodyLength < 0) fail(`negative body length ${bodyLength}`);
    if (bodyLength > remaining - BATCH_ENTRY_OVERHEAD) fail(`body length ${bodyLength} runs past the end`);
    const propsLengthAt = at + 20 + bodyLength;
    const propertiesLength = view.getInt16(propsLengthAt);
    if (propertiesLength < 0) fail(`negative properties length ${propertiesLength}`);
    const size = BATCH_ENTRY_OVERHEAD + bodyLength + propertiesLength;
    if (size > remaining) fail(`properties length ${propertiesLength} runs past the end`);
    if (totalSize !== size) fail(`TOTALSIZE ${totalSize} but the lengths add up to ${size}`);
    messages.push({
      flag: view.getInt32(at + 12),
      body: bytes.subarray(at + 20, at + 20 + bodyLength),
      properties: bytes.subarray(propsLengthAt + 2, propsLengthAt + 2 + propertiesLength),
    });
    at += size;
  }
  return messages;
}

/** The stored properties of one batch message: inner [+ 0x02] + batch-level (spec §0.1). */
export function mergeBatchProperties(inner: Uint8Array, batch: Uint8Array): Uint8Array {
  if (batch.length === 0) return inner;
  const separator = inner.length > 0 && inner[inner.length - 1] !== PROPERTY_SEPARATOR_BYTE ? 1 : 0;
  const out = new Uint8Array(inner.length + separator + batch.length);
  out.set(inner, 0);
  if (separator) out[inner.length] = PROPERTY_SEPARATOR_BYTE;
  out.set(batch, inner.length + separator);
  return out;
}
