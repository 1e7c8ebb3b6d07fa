/**
 * offsetMsgId (`MessageDecoder.createMessageId` / `decodeMessageId`): upper-case hex of
 *
 * | field          | size    | notes                            |
 * |----------------|---------|----------------------------------|
 * | store address  | 4 or 16 | IPv4 -> 32 hex chars in all      |
 * | store port     | i32     |                                  |
 * | physicalOffset | i64     | of the record's first byte       |
 *
 * The slave's commit log mirrors the master's, so ids are the same on both. A malformed id (odd
 * length, a bad digit, a negative or unsafe offset, a port outside 0..65535) throws
 * `SkiffError("MESSAGE_ID_ILLEGAL")`.
 */
import { SkiffError, assertSafeOffset } from "../core/errors.ts";
import { fromHex, readI64, toHex, viewOf, writeI64 } from "../core/bytes.ts";
import { type HostAddress, readHostAddress, writeHostAddress } from "./host-address.ts";

export interface OffsetMessageId {
  readonly storeHost: HostAddress;
  readonly physicalOffset: number;
}

export function encodeOffsetMsgId(storeHost: HostAddress, physicalOffset: number): string {
  assertSafeOffset(physicalOffset, "physicalOffset");
  const bytes = new Uint8Array(storeHost.address.length + 12);
  const view = viewOf(bytes);
  const at = writeHostAddress(view, bytes, 0, storeHost);
  writeI64(view, at, physicalOffset);
  return toHex(bytes);
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
