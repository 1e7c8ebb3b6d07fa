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
  /** Bytes 0-9 as hex: they never change. */
  private readonly prefixHex: string;
  private counter = 0;
  private readonly now: () => number;
  /** The current month, [monthStartMs, nextMonthStartMs) UTC: a `Date` is made only when `now` leaves it. */
  private monthStartMs = 0;
  private nextMonthStartMs = 0;

  constructor(ipv4: Uint8Array, pid: number, now: () => number) {
    this.now = now;
    const prefix = new Uint8Array(10);
    prefix.set(ipv4.length === 4 ? ipv4 : new Uint8Array(4));
    new DataView(prefix.buffer).setUint16(4, pid & 0xffff);
    crypto.getRandomValues(prefix.subarray(6, 10));
    this.prefixHex = toHex(prefix).toUpperCase();
  }

  /** One id per message sent without a UNIQ_KEY: no allocation but the string itself. */
  next(): string {
    const now = this.now();
    if (now < this.monthStartMs || now >= this.nextMonthStartMs) {
      const date = new Date(now);
      this.monthStartMs = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
      this.nextMonthStartMs = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    }
    const sinceMonthStart = (now - this.monthStartMs) >>> 0;
    const counter = this.counter++ & 0xffff;
    return this.prefixHex + hexDigits(sinceMonthStart, 8) + hexDigits(counter, 4);
  }
}

function hexDigits(value: number, digits: number): string {
  return value.toString(16).toUpperCase().padStart(digits, "0");
}
