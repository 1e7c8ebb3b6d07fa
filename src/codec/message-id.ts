/**
 * offsetMsgId (`MessageDecoder.createMessageId` / `decodeMessageId`): upper-case hex of
 *
 * | field          | size    | notes                            |
 * |----------------|---------|----------------------------------|
 * | store address  | 4 or 16 | IPv4 -> 32 hex chars in all      |
 * | store port     | i32     |                                  |
 * | physicalOffset | i64     | of the record's first byte       |
 *
 * The slave's commit log mirrors the master's, so ids are the same on both. Every stored message
 * gets one (a batch of 32, 32), so the encoder builds no bytes: the host part's hex is kept per
 * HostAddress object (a broker's store host is one shared, never mutated object) and the offset's
 * is read from a 256-entry table. A malformed id (odd
 * length, a bad digit, a negative or unsafe offset, a port outside 0..65535) throws
 * `SkiffError("MESSAGE_ID_ILLEGAL")`.
 */
import { SkiffError, assertSafeOffset } from "../core/errors.ts";
import { fromHex, readI64, toHex, viewOf } from "../core/bytes.ts";
import { type HostAddress, readHostAddress, writeHostAddress } from "./host-address.ts";

export interface OffsetMessageId {
  readonly storeHost: HostAddress;
  readonly physicalOffset: number;
}

/** Two upper-case hex digits per byte value. */
const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, b) => toHex(Uint8Array.of(b)));
/** The hex of each store host's address and port, the first 16 (IPv6: 40) chars of its ids. */
const HOST_HEX = new WeakMap<HostAddress, string>();

export function encodeOffsetMsgId(storeHost: HostAddress, physicalOffset: number): string {
  assertSafeOffset(physicalOffset, "physicalOffset");
  let host = HOST_HEX.get(storeHost);
  if (host === undefined) {
    const bytes = new Uint8Array(storeHost.address.length + 4);
    writeHostAddress(viewOf(bytes), bytes, 0, storeHost);
    host = toHex(bytes);
    HOST_HEX.set(storeHost, host);
  }
  const high = Math.floor(physicalOffset / 0x1_0000_0000);
  return host + u32Hex(high) + u32Hex(physicalOffset - high * 0x1_0000_0000);
}

function u32Hex(n: number): string {
  return BYTE_HEX[n >>> 24] + BYTE_HEX[(n >>> 16) & 0xff] + BYTE_HEX[(n >>> 8) & 0xff] + BYTE_HEX[n & 0xff];
}

export function decodeOffsetMsgId(id: string): OffsetMessageId {
  if (id.length !== 32 && id.length !== 56) {
    throw new SkiffError("MESSAGE_ID_ILLEGAL", `offsetMsgId must have 32 or 56 hex chars, got ${id.length}`);
  }
  try {
    const bytes = fromHex(id);
    const view = viewOf(bytes);
    const addressLength = bytes.length - 12;
    const physicalOffset = readI64(view, addressLength + 4);
    if (physicalOffset < 0) throw new SkiffError("MESSAGE_ID_ILLEGAL", "negative physical offset");
    const storeHost = readHostAddress(view, bytes, 0, addressLength);
    // Java's InetSocketAddress refuses such a port too; without this the id would not re-encode.
    if (storeHost.port < 0 || storeHost.port > 65535) throw new SkiffError("MESSAGE_ID_ILLEGAL", `port ${storeHost.port} is outside 0..65535`);
    return { storeHost, physicalOffset };
  } catch (error) {
    if (error instanceof SkiffError && error.code === "MESSAGE_ID_ILLEGAL") throw error;
    throw new SkiffError("MESSAGE_ID_ILLEGAL", `not an offsetMsgId: ${JSON.stringify(id)}`, { cause: error });
  }
}
