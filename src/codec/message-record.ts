/**
 * A commit-log message record (`CommitLog.calMsgLength`, `MessageExtEncoder`, `checkMessageAndReturnSize`).
 * Big-endian; offsets for IPv4 born host / IPv4 store host / V1 magic (h = 8, or 20 for IPv6):
 *
 * | offset   | field                     | type            | notes                                    |
 * |----------|---------------------------|-----------------|------------------------------------------|
 * | 0        | TOTALSIZE                 | i32             | whole record, this field included         |
 * | 4        | MAGICCODE                 | i32             | V1 0xDAA320A7; V2 0xDAA320AB (5.x)        |
 * | 8        | BODYCRC                   | i32             | crc32(body) & 0x7FFFFFFF                  |
 * | 12       | QUEUEID                   | i32             |                                          |
 * | 16       | FLAG                      | i32             | producer's flag                           |
 * | 20       | QUEUEOFFSET               | i64             | assigned at append time                   |
 * | 28       | PHYSICALOFFSET            | i64             | assigned at append time                   |
 * | 36       | SYSFLAG                   | i32             | sys-flag.ts; 0x10/0x20 = IPv6 born/store  |
 * | 40       | BORNTIMESTAMP             | i64             | ms                                       |
 * | 48       | BORNHOST                  | h               | addr (4/16) + i32 port                    |
 * | 48+h     | STORETIMESTAMP            | i64             | 56 or 68; assigned at append time         |
 * | 56+h     | STOREHOST                 | h'              |                                          |
 * | 56+h+h'  | RECONSUMETIMES            | i32             |                                          |
 * | 60+h+h'  | PREPARED TX OFFSET        | i64             |                                          |
 * | 68+h+h'  | BODY LENGTH + BODY        | i32 + n         | n >= 0                                   |
 * | …        | TOPIC LENGTH + TOPIC      | i8 (V1)/i16 (V2) | UTF-8                                    |
 * | …        | PROPERTIES LENGTH + PROPS | i16 + p         | properties.ts; p <= 32767                 |
 *
 * total = 91 + body + topic + props for IPv4/IPv4/V1 (+12 per IPv6 host, +1 for V2).
 *
 * Encoding is prepare (validate, measure, BODYCRC) then one allocation and one pass: the commit log
 * calls `prepareMessageRecord` before it assigns offsets, then `writeMessageRecord` at the position
 * it assigns, with QUEUEOFFSET / PHYSICALOFFSET / STORETIMESTAMP already in the fields (no patch).
 * `patchMessageRecord` rewrites those three fields of an encoded record in place, for code that
 * moves records it did not encode (tests, tools); the store does not use it.
 * Decoding lives in message-record-decode.ts.
 */
import { SkiffError, assert, assertSafeOffset, fail } from "../core/errors.ts";
import { tryReadI64, utf8Decode, utf8Length, viewOf, writeI64, writeUtf8 } from "../core/bytes.ts";
import { BLANK_MAGIC_CODE } from "./blank-record.ts";
import { bodyCrc } from "./crc32.ts";
import { type HostAddress, isIpv6, readHostAddress, writeHostAddress } from "./host-address.ts";
import { DEFAULT_MAX_MESSAGE_SIZE_BYTES, MessageLimitCode, validateQueueId, validateTopic } from "./message-limits.ts";
import { PROPERTIES_MAX_BYTES } from "./properties.ts";
import { SysFlag } from "./sys-flag.ts";

export const MESSAGE_MAGIC_V1 = 0xdaa320a7 | 0;
export const MESSAGE_MAGIC_V2 = 0xdaa320ab | 0;
export const MessageMagic = { V1: MESSAGE_MAGIC_V1, V2: MESSAGE_MAGIC_V2, BLANK: BLANK_MAGIC_CODE } as const;

export const RecordOffset = {
  TOTAL_SIZE: 0, MAGIC: 4, BODY_CRC: 8, QUEUE_ID: 12, FLAG: 16, QUEUE_OFFSET: 20, PHYSICAL_OFFSET: 28,
  SYS_FLAG: 36, BORN_TIMESTAMP: 40, BORN_HOST: 48,
} as const;

export interface MessageRecordFields {
  /** `MESSAGE_MAGIC_V1` (default) or `MESSAGE_MAGIC_V2`. */
  readonly magic?: number;
  readonly queueId: number;
  readonly flag: number;
  readonly queueOffset: number;
  readonly physicalOffset: number;
  /** The IPv6 bits (0x10/0x20) are set from the host address lengths when encoding. */
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly bornHost: HostAddress;
  readonly storeTimestamp: number;
  readonly storeHost: HostAddress;
  readonly reconsumeTimes: number;
  readonly preparedTransactionOffset: number;
  readonly body: Uint8Array;
  readonly topic: string;
  /** The properties string (properties.ts) or its UTF-8 bytes. */
  readonly properties: string | Uint8Array;
}

export interface EncodeRecordOptions {
  /** `maxMessageSize`: largest body accepted (default 4 MiB). */
  readonly maxBodySizeBytes?: number;
}

export interface PreparedRecord {
  readonly fields: MessageRecordFields;
  readonly magic: number;
  readonly sysFlag: number;
  readonly bodyCrc: number;
  readonly topicLength: number;
  readonly propertiesLength: number;
  readonly totalSize: number;
}

/** `calMsgLength`: the record length for these field sizes. */
export function messageRecordLength(sysFlag: number, bodyLength: number, topicLength: number, propertiesLength: number, magic = MESSAGE_MAGIC_V1): number {
  const bornHost = sysFlag & SysFlag.BORNHOST_V6 ? 20 : 8;
  const storeHost = sysFlag & SysFlag.STOREHOST_V6 ? 20 : 8;
  const topicWidth = magic === MESSAGE_MAGIC_V2 ? 2 : 1;
  return 74 + bornHost + storeHost + bodyLength + topicWidth + topicLength + propertiesLength;
}

/** Validates limits (throws `SkiffError`, see message-limits.ts), measures, computes BODYCRC. */
export function prepareMessageRecord(fields: MessageRecordFields, options: EncodeRecordOptions = {}): PreparedRecord {
  const maxBody = options.maxBodySizeBytes ?? DEFAULT_MAX_MESSAGE_SIZE_BYTES;
  validateTopic(fields.topic); // ASCII only, so its UTF-8 length is its length (<= 127)
  validateQueueId(fields.queueId); // a master never writes a record its slaves would refuse
  const props = fields.properties;
  const propertiesLength = typeof props === "string" ? utf8Length(props) : props.length;
  if (propertiesLength > PROPERTIES_MAX_BYTES) {
    throw new SkiffError(MessageLimitCode.PROPERTIES_SIZE_EXCEEDED, `properties are ${propertiesLength} bytes, more than ${PROPERTIES_MAX_BYTES}`);
  }
  if (fields.body.length > maxBody) {
    throw new SkiffError(MessageLimitCode.BODY_SIZE_EXCEEDED, `body is ${fields.body.length} bytes, more than ${maxBody}`);
  }
  const magic = fields.magic ?? MESSAGE_MAGIC_V1;
  if (!(magic === MESSAGE_MAGIC_V1 || magic === MESSAGE_MAGIC_V2)) fail(`unknown record magic ${magic}`);
  const sysFlag = (fields.sysFlag & ~(SysFlag.BORNHOST_V6 | SysFlag.STOREHOST_V6)) |
    (isIpv6(fields.bornHost) ? SysFlag.BORNHOST_V6 : 0) | (isIpv6(fields.storeHost) ? SysFlag.STOREHOST_V6 : 0);
  const topicLength = fields.topic.length;
  const totalSize = messageRecordLength(sysFlag, fields.body.length, topicLength, propertiesLength, magic);
  return { fields, magic, sysFlag, bodyCrc: bodyCrc(fields.body), topicLength, propertiesLength, totalSize };
}

/** Writes a prepared record at `target[at]` (which must have `totalSize` bytes of room). */
export function writeMessageRecord(target: Uint8Array, at: number, prepared: PreparedRecord, view: DataView = viewOf(target)): void {
  const f = prepared.fields;
  assert(at >= 0 && at + prepared.totalSize <= target.length, "message record does not fit in the target");
  assertInt32(f.queueId, "queueId");
  assertInt32(f.flag, "flag");
  assertInt32(f.reconsumeTimes, "reconsumeTimes");
  assertSafeOffset(f.queueOffset, "queueOffset");
  assertSafeOffset(f.physicalOffset, "physicalOffset");
  view.setInt32(at, prepared.totalSize);
  view.setInt32(at + 4, prepared.magic);
  view.setInt32(at + 8, prepared.bodyCrc);
  view.setInt32(at + 12, f.queueId);
  view.setInt32(at + 16, f.flag);
  writeI64(view, at + 20, f.queueOffset);
  writeI64(view, at + 28, f.physicalOffset);
  view.setInt32(at + 36, prepared.sysFlag);
  writeI64(view, at + 40, f.bornTimestamp);
  let pos = at + 48 + writeHostAddress(view, target, at + 48, f.bornHost);
  writeI64(view, pos, f.storeTimestamp);
  pos += 8;
  pos += writeHostAddress(view, target, pos, f.storeHost);
  view.setInt32(pos, f.reconsumeTimes);
  writeI64(view, pos + 4, f.preparedTransactionOffset);
  view.setInt32(pos + 12, f.body.length);
  target.set(f.body, pos + 16);
  pos += 16 + f.body.length;
  if (prepared.magic === MESSAGE_MAGIC_V2) view.setInt16(pos, prepared.topicLength);
  else view.setInt8(pos, prepared.topicLength);
  pos += prepared.magic === MESSAGE_MAGIC_V2 ? 2 : 1;
  pos += writeUtf8(f.topic, target, pos);
  view.setInt16(pos, prepared.propertiesLength);
  pos += 2;
  if (typeof f.properties === "string") pos += writeUtf8(f.properties, target, pos);
  else {
    target.set(f.properties, pos);
    pos += f.properties.length;
  }
  assert(pos === at + prepared.totalSize, "message record length drifted while encoding");
}

/** Prepare + allocate exactly once + write. */
export function encodeMessageRecord(fields: MessageRecordFields, options: EncodeRecordOptions = {}): Uint8Array {
  const prepared = prepareMessageRecord(fields, options);
  const out = new Uint8Array(prepared.totalSize);
  writeMessageRecord(out, 0, prepared);
  return out;
}

export interface RecordPatch {
  readonly queueOffset?: number;
  readonly physicalOffset?: number;
  readonly storeTimestamp?: number;
}

/** Sets the append-time fields of the encoded record at `record[at]` in place. */
export function patchMessageRecord(record: Uint8Array, at: number, patch: RecordPatch, view: DataView = viewOf(record)): void {
  if (patch.queueOffset !== undefined) {
    assertSafeOffset(patch.queueOffset, "queueOffset");
    writeI64(view, at + 20, patch.queueOffset);
  }
  if (patch.physicalOffset !== undefined) {
    assertSafeOffset(patch.physicalOffset, "physicalOffset");
    writeI64(view, at + 28, patch.physicalOffset);
  }
  if (patch.storeTimestamp !== undefined) {
    const bornV6 = view.getInt32(at + 36) & SysFlag.BORNHOST_V6;
    writeI64(view, at + (bornV6 ? 68 : 56), patch.storeTimestamp);
  }
}

function assertInt32(value: number, what: string): void {
  if (value !== (value | 0)) fail(`${what} must be an i32, got ${value}`);
}
