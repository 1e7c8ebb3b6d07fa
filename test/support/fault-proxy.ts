/**
 * A fault-injection TCP proxy for the HA link: the slave connects to it, it connects to the master,
 * and while `faults` is set it damages the traffic — delays chunks, drops the connection, cuts it
 * after part of a chunk (mid-frame), splits master->slave chunks into single-byte writes, and flips
 * bytes. Every fault is drawn from a seeded generator; `faults = null` passes bytes untouched.
 *
 * Corruption targets only bytes some check can catch, because the HA protocol has no checksum of
 * its own: BODYCRC covers the body, and the slave checks TOTALSIZE, MAGIC, BODYCRC, PHYSICALOFFSET,
 * BODY LENGTH and the frame offsets, but nothing covers, say, a record's FLAG or BORNTIMESTAMP (a
 * RocketMQ slave stores such a flip as well). So the proxy follows the master's stream (frames,
 * then records inside them, trusting what the honest master sends) and flips a byte only where
 * it is one of those fields, or a frame header's offset. Records must have IPv4 hosts.
 *
 * It also keeps every offset the slave reported (its acks), decoded, for the test to check.
 */
import { viewOf } from "../../src/core/bytes.ts";
import type { Connection, HostPort, Listener, Network } from "../../src/core/platform.ts";
import { OffsetReportDecoder } from "../../src/ha/codec/offset-report.ts";
import { BLANK_MAGIC_CODE } from "../../src/codec/blank-record.ts";

/** Single-byte writes per chunk in `splitBytes` mode (awaiting each byte of 64 KiB chunks would crawl). */
const SPLIT_SINGLE_BYTES = 256;

export interface Faults {
  /** Each chunk (either way) waits 0..delayMs first. */
  readonly delayMs?: number;
  /** Chance per master->slave chunk that the connection is dropped before it. */
  readonly dropChance?: number;
  /** Chance per master->slave chunk that only part of it is sent, then the connection closes. */
  readonly cutChance?: number;
  /** Master->slave chunks go out in many writes: single bytes first, then small random pieces. */
  readonly splitBytes?: boolean;
  /** Chance per master->slave chunk that one checked byte in it is flipped. */
  readonly corruptChance?: number;
}

export interface FaultStats {
  connections: number;
  drops: number;
  cuts: number;
  flips: number;
  delayed: number;
}

export class FaultProxy {
  faults: Faults | null = null;
  readonly stats: FaultStats = { connections: 0, drops: 0, cuts: 0, flips: 0, delayed: 0 };
  /** Every offset the slave reported, over all connections, in order. */
  readonly reports: number[] = [];
  private listener: Listener | null = null;
  private readonly live = new Set<Connection>();
  private readonly random: () => number;
  private readonly net: Network;
  private readonly target: HostPort;

  private constructor(net: Network, target: HostPort, seed: number) {
    this.net = net;
    this.target = target;
    let x = seed >>> 0 || 1;
    this.random = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 0x1_0000_0000;
    };
  }

  static async start(net: Network, target: HostPort, seed = 1): Promise<FaultProxy> {
    const proxy = new FaultProxy(net, target, seed);
    proxy.listener = await net.listen({ host: "127.0.0.1", port: 0 }, (slave) => void proxy.accept(slave));
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${this.listener!.address.port}`;
  }

  async close(): Promise<void> {
    await this.listener?.close();
    for (const connection of this.live) connection.close();
  }

  private async accept(slave: Connection): Promise<void> {
    this.stats.connections++;
    let master: Connection;
    try {
      master = await this.net.connect(this.target);
    } catch {
      slave.close();
      return;
    }
    this.live.add(slave).add(master);
    const closeBoth = () => {
      slave.close();
      master.close();
      this.live.delete(slave);
      this.live.delete(master);
    };
    await Promise.all([this.masterToSlave(master, slave, closeBoth), this.slaveToMaster(slave, master)]).catch(() => {});
    closeBoth();
  }

  private async slaveToMaster(slave: Connection, master: Connection): Promise<void> {
    const decoder = new OffsetReportDecoder();
    try {
      for await (const chunk of slave.readable) {
        this.reports.push(...decoder.push(chunk));
        await this.delay();
        await master.write(chunk);
      }
    } finally {
      master.close();
    }
  }

  private async masterToSlave(master: Connection, slave: Connection, closeBoth: () => void): Promise<void> {
    const tracker = new StreamTracker();
    try {
      for await (const original of master.readable) {
        const faults = this.faults;
        let chunk = original;
        await this.delay();
        if (faults?.dropChance && this.random() < faults.dropChance) {
          this.stats.drops++;
          return closeBoth();
        }
        if (faults?.corruptChance && this.random() < faults.corruptChance) chunk = this.corrupt(original, tracker);
        tracker.advance(original);
        if (faults?.cutChance && this.random() < faults.cutChance) {
          this.stats.cuts++;
          await slave.write(chunk.slice(0, Math.floor(this.random() * chunk.length)));
          return closeBoth();
        }
        if (faults?.splitBytes) {
          await this.writeSplit(slave, chunk);
        } else {
          await slave.write(chunk);
        }
      }
    } finally {
      closeBoth();
    }
  }

  /** The first SPLIT_SINGLE_BYTES one byte per write, the rest in writes of 1..4096 bytes. */
  private async writeSplit(slave: Connection, chunk: Uint8Array): Promise<void> {
    for (let i = 0; i < chunk.length;) {
      const n = i < SPLIT_SINGLE_BYTES ? 1 : 1 + Math.floor(this.random() * 4096);
      await slave.write(chunk.slice(i, i + n));
      i += n;
    }
  }

  private corrupt(chunk: Uint8Array, tracker: StreamTracker): Uint8Array {
    const checked = tracker.checkedPositions(chunk);
    if (checked.length === 0) return chunk;
    const copy = chunk.slice();
    const at = checked[Math.floor(this.random() * checked.length)];
    copy[at] ^= 1 << Math.floor(this.random() * 8);
    this.stats.flips++;
    return copy;
  }

  private async delay(): Promise<void> {
    const max = this.faults?.delayMs ?? 0;
    if (max <= 0) return;
    this.stats.delayed++;
    await new Promise((resolve) => setTimeout(resolve, Math.floor(this.random() * max)));
  }
}

/**
 * Follows an honest master->slave stream: frame headers, then the records inside the bodies
 * (a new connection starts at a record boundary: the slave only acks boundaries).
 */
class StreamTracker {
  private readonly header = new Uint8Array(12);
  private headerFilled = 0;
  private bodyLeft = 0;
  private readonly record = new Uint8Array(88);
  private recordFilled = 0;
  private recordSize = 0;
  private blank = false;

  /** Indexes of `chunk` (about to be sent) that a check on the slave covers. */
  checkedPositions(chunk: Uint8Array): number[] {
    const out: number[] = [];
    const shadow = this.clone();
    for (let i = 0; i < chunk.length; i++) {
      if (shadow.isChecked()) out.push(i);
      shadow.step(chunk[i]);
    }
    return out;
  }

  advance(chunk: Uint8Array): void {
    for (const byte of chunk) this.step(byte);
  }

  private isChecked(): boolean {
    if (this.bodyLeft === 0) return this.headerFilled < 8; // a frame header's offset
    const at = this.recordFilled;
    if (this.blank) return at < 8;
    if (at < 12 || (at >= 28 && at < 36) || (at >= 84 && at < 88)) return true;
    if (at < 88) return false;
    const bodyLength = viewOf(this.record).getInt32(84);
    return at < 88 + bodyLength;
  }

  private step(byte: number): void {
    if (this.bodyLeft === 0) {
      this.header[this.headerFilled] = byte;
      if (++this.headerFilled < 12) return;
      this.headerFilled = 0;
      this.bodyLeft = viewOf(this.header).getInt32(8);
      return;
    }
    this.bodyLeft--;
    if (this.recordFilled < 88) this.record[this.recordFilled] = byte;
    this.recordFilled++;
    if (this.recordFilled === 8) {
      const view = viewOf(this.record);
      this.recordSize = view.getInt32(0);
      this.blank = view.getInt32(4) === BLANK_MAGIC_CODE;
    }
    if (this.recordFilled >= 8 && this.recordFilled === this.recordSize) {
      this.recordFilled = 0;
      this.recordSize = 0;
      this.blank = false;
    }
  }

  private clone(): StreamTracker {
    const copy = new StreamTracker();
    copy.header.set(this.header);
    copy.headerFilled = this.headerFilled;
    copy.bodyLeft = this.bodyLeft;
    copy.record.set(this.record);
    copy.recordFilled = this.recordFilled;
    copy.recordSize = this.recordSize;
    copy.blank = this.blank;
    return copy;
  }
}
