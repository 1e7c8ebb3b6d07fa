/**
 * A stored record as the pull API's JSON shows it (DESIGN §1.3; the shape: MessageJson in
 * contract/broker-http.ts): the fields every pull answer form shows (codec/pulled-message.ts),
 * the sysFlag, and the body in base64.
 */
import type { MessageJson } from "../../contract/broker-http.ts";
import { SkiffError } from "../../core/errors.ts";
import { decodeMessageRecord } from "../../codec/message-record-decode.ts";
import { pulledMessageFields } from "../../codec/pulled-message.ts";
import type { StoredMessage } from "../../store/get-message.ts";
import { encodeBase64 } from "../../broker/message-build.ts";

export function messageJson(stored: StoredMessage): MessageJson {
  const record = decodeMessageRecord(stored.bytes, 0, { readBody: true });
  if (record.kind !== "message") {
    throw new SkiffError("STORE_IO_FAILED", `commit-log offset ${stored.physicalOffset} does not hold a message record (${record.kind})`);
  }
  return { ...pulledMessageFields(record), sysFlag: record.sysFlag, bodyBase64: encodeBase64(record.body ?? new Uint8Array(0)) };
}
