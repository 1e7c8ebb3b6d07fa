/**
 * Hand-made remoting frames for bad-input tests (spec §1.2–§1.4), valid and not:
 *
 * | helper              | bytes                                                                    |
 * |---------------------|--------------------------------------------------------------------------|
 * | `binaryFrame`       | i32 length, i32 (1 << 24 \| headerLength), ROCKETMQ header, body          |
 * | `jsonHeaderFrame`   | i32 length, i32 (type << 24 \| headerLength), header text as given, body  |
 * | `lengthPrefix`      | only an i32 length                                                       |
 * | `TLS_CLIENT_HELLO`  | the start of a TLS 1.2/1.3 ClientHello record (what `openssl s_client` sends) |
 *
 * ROCKETMQ header: i16 code, i8 language, i16 version, i32 opaque, i32 flag, i32 remarkLength +
 * remark, i32 extLength + entries (i16 keyLength + key, i32 valueLength + value). The `lie`
 * option overwrites one of those lengths with another number, leaving the bytes as they are.
 */
import { concatBytes, utf8Encode, viewOf } from "../../src/core/bytes.ts";

export interface BinaryFrameOptions {
  readonly flag?: number;
  readonly remark?: string;
  /** Write this number instead of the true remark, extFields, first key or header length. */
  readonly lie?: { readonly field: "remarkLength" | "extLength" | "keyLength" | "headerLength"; readonly value: number };
}

export function binaryFrame(code: number, opaque: number, ext: Record<string, string>, body: Uint8Array = new Uint8Array(0), options: BinaryFrameOptions = {}): Uint8Array {
  const remark = utf8Encode(options.remark ?? "");
  const entries = Object.entries(ext).map(([k, v]) => [utf8Encode(k), utf8Encode(v)] as const);
  const extLength = entries.reduce((n, [k, v]) => n + 2 + k.byteLength + 4 + v.byteLength, 0);
  const headerLength = 17 + remark.byteLength + 4 + extLength;
  const out = new Uint8Array(8 + headerLength + body.byteLength);
  const view = viewOf(out);
  const lie = (field: string, truth: number) => (options.lie?.field === field ? options.lie.value : truth);
  view.setInt32(0, 4 + headerLength + body.byteLength);
  view.setInt32(4, (1 << 24) | (lie("headerLength", headerLength) & 0xffffff));
  view.setInt16(8, code);
  view.setInt8(10, 0); // JAVA
  view.setInt16(11, 409);
  view.setInt32(13, opaque);
  view.setInt32(17, options.flag ?? 0);
  view.setInt32(21, lie("remarkLength", remark.byteLength));
  out.set(remark, 25);
  let at = 25 + remark.byteLength;
  view.setInt32(at, lie("extLength", extLength));
  at += 4;
  for (const [i, [k, v]] of entries.entries()) {
    view.setInt16(at, i === 0 ? lie("keyLength", k.byteLength) : k.byteLength);
    out.set(k, at + 2);
    at += 2 + k.byteLength;
    view.setInt32(at, v.byteLength);
    out.set(v, at + 4);
    at += 4 + v.byteLength;
  }
  out.set(body, at);
  return out;
}

/** A frame whose header is `headerText` verbatim (type 0 is JSON). */
export function jsonHeaderFrame(headerText: string, body: Uint8Array = new Uint8Array(0), serializeType = 0): Uint8Array {
  const header = utf8Encode(headerText);
  const prefix = new Uint8Array(8);
  viewOf(prefix).setInt32(0, 4 + header.byteLength + body.byteLength);
  viewOf(prefix).setInt32(4, (serializeType << 24) | header.byteLength);
  return concatBytes([prefix, header, body]);
}

export function lengthPrefix(length: number): Uint8Array {
  const out = new Uint8Array(4);
  viewOf(out).setInt32(0, length);
  return out;
}

/** Record header (handshake, TLS 1.0 record version, length 512), ClientHello, TLS 1.2, random, a session id. */
export const TLS_CLIENT_HELLO: Uint8Array = concatBytes([
  new Uint8Array([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]),
  new Uint8Array(32).fill(0x5a),
  new Uint8Array([0x20]),
  new Uint8Array(32).fill(0xa5),
  new Uint8Array([0x00, 0x04, 0x13, 0x01, 0x13, 0x02, 0x01, 0x00]),
]);
