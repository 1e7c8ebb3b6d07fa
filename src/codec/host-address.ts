/**
 * Born/store host addresses as RocketMQ stores them (`MessageExt.socketAddress2ByteBuffer`):
 *
 * | field   | size    | notes                                       |
 * |---------|---------|---------------------------------------------|
 * | address | 4 or 16 | IPv4 or IPv6 (sysFlag 0x10 born / 0x20 store) |
 * | port    | i32     | big-endian                                  |
 *
 * Text forms: "1.2.3.4:5678" and "[::1]:5678" (RFC 5952 compression when formatting).
 * Bad text throws `SkiffError("HOST_ADDRESS_ILLEGAL")`.
 */
import { SkiffError, fail } from "../core/errors.ts";

export interface HostAddress {
  /** 4 bytes (IPv4) or 16 bytes (IPv6). */
  readonly address: Uint8Array;
  readonly port: number;
}

/** Bytes the host takes in a record: 8 (IPv4) or 20 (IPv6). */
export function hostAddressLength(host: HostAddress): number {
  return host.address.length + 4;
}

export function isIpv6(host: HostAddress): boolean {
  return host.address.length === 16;
}

export function writeHostAddress(view: DataView, target: Uint8Array, at: number, host: HostAddress): number {
  const n = host.address.length;
  if (!(n === 4 || n === 16)) fail(`host address must have 4 or 16 bytes, got ${n}`);
  if (!(Number.isInteger(host.port) && host.port >= 0 && host.port <= 0x7fffffff)) fail(`bad port ${host.port}`);
  target.set(host.address, at);
  view.setInt32(at + n, host.port);
  return n + 4;
}

/** Reads a host of `addressLength` (4 or 16) bytes at `at`; the address is a copy. */
export function readHostAddress(view: DataView, bytes: Uint8Array, at: number, addressLength: number): HostAddress {
  // Copied by hand, not with `slice`: a 4-byte `slice` of a large buffer took 47 % of Deno's
  // record decoding (a new backing store per call); a small new Uint8Array stays on V8's heap.
  const address = new Uint8Array(addressLength);
  for (let i = 0; i < addressLength; i++) address[i] = bytes[at + i];
  return { address, port: view.getInt32(at + addressLength) };
}

export function parseHostAddress(text: string): HostAddress {
  const colon = text.lastIndexOf(":");
  const port = colon < 0 ? Number.NaN : parsePort(text.slice(colon + 1));
  let address: Uint8Array | null = null;
  if (text.startsWith("[") && colon > 0 && text[colon - 1] === "]") address = parseIpv6(text.slice(1, colon - 1));
  else if (colon > 0) address = parseIpv4(text.slice(0, colon));
  if (address === null || Number.isNaN(port)) {
    throw new SkiffError("HOST_ADDRESS_ILLEGAL", `not an "ip:port" or "[ipv6]:port" address: ${JSON.stringify(text)}`);
  }
  return { address, port };
}

/**
 * `parseHostAddress` with a bounded memo, for addresses that repeat on every request (a broker's
 * own, its producers'): parsing took ~2 % of a loaded broker's CPU. The values are shared: never
 * mutate one. Errors are not cached.
 */
export class HostAddressCache {
  private readonly parsed = new Map<string, HostAddress>();
  private readonly maxEntries: number;

  constructor(maxEntries = 1024) {
    this.maxEntries = maxEntries;
  }

  parse(text: string): HostAddress {
    let host = this.parsed.get(text);
    if (host === undefined) {
      host = parseHostAddress(text);
      if (this.parsed.size >= this.maxEntries) this.parsed.clear();
      this.parsed.set(text, host);
    }
    return host;
  }
}

export function formatHostAddress(host: HostAddress): string {
  return host.address.length === 4 ? `${formatIpv4(host.address)}:${host.port}` : `[${formatIpv6(host.address)}]:${host.port}`;
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text)) return Number.NaN;
  const port = Number(text);
  return port <= 65535 ? port : Number.NaN;
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i]) || Number(parts[i]) > 255) return null;
    out[i] = Number(parts[i]);
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Hex groups of one side of "::"; a dotted IPv4 may end the address (e.g. ::ffff:1.2.3.4). */
function groupsOf(text: string): number[] | null {
  if (text === "") return [];
  const parts = text.split(":");
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (i === parts.length - 1 && parts[i].includes(".")) {
      const v4 = parseIpv4(parts[i]);
      if (v4 === null) return null;
      groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(parts[i])) groups.push(parseInt(parts[i], 16));
    else return null;
  }
  return groups;
}

function formatIpv4(a: Uint8Array): string {
  return `${a[0]}.${a[1]}.${a[2]}.${a[3]}`;
}

function formatIpv6(a: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((a[2 * i] << 8) | a[2 * i + 1]);
  let bestStart = -1;
  let bestLength = 1; // RFC 5952: a single zero group is not compressed
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
