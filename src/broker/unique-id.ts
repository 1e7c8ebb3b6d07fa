/**
 * `UNIQ_KEY` for messages sent without one, in the layout of RocketMQ's `MessageClientIDSetter`
 * (32 upper-case hex characters for an IPv4 sender), so tools that parse it find a sane value:
 *
 * | bytes | field                                          |
 * |-------|------------------------------------------------|
 * | 0-3   | the broker's IPv4 address                      |
 * | 4-5   | process id (low 16 bits)                       |
 * | 6-9   | a random per-process value (Java: class-loader hash) |
 * | 10-13 | ms since the start of the current month        |
 * | 14-15 | counter                                        |
 */
import { toHex } from "../core/bytes.ts";

export class UniqueIdGenerator {
  private readonly prefix: Uint8Array;
  private counter = 0;
  private readonly now: () => number;

  constructor(ipv4: Uint8Array, pid: number, now: () => number) {
    this.now = now;
    this.prefix = new Uint8Array(10);
    this.prefix.set(ipv4.length === 4 ? ipv4 : new Uint8Array(4));
    new DataView(this.prefix.buffer).setUint16(4, pid & 0xffff);
    crypto.getRandomValues(this.prefix.subarray(6, 10));
  }

  next(): string {
    const out = new Uint8Array(16);
    out.set(this.prefix);
    const view = new DataView(out.buffer);
    const now = this.now();
    const date = new Date(now);
    const monthStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    view.setUint32(10, (now - monthStart) >>> 0);
    view.setUint16(14, this.counter++ & 0xffff);
    return toHex(out).toUpperCase();
  }
}
