/**
 * A master and slaves on one ManualClock and one MemoryNetwork, each broker with its own
 * MemoryFileSystem and a store of 64 KiB segments, plus helpers to fill a log and compare stores.
 */
import assert from "node:assert/strict";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { MemoryNetwork, type MemoryNetworkOptions } from "../../adapters/memory/net.ts";
import { memorySystem } from "../../adapters/memory/system.ts";
import { errorCode } from "../../src/core/errors.ts";
import type { Connection } from "../../src/core/platform.ts";
import { HaClient, HaMaster, TransferFrameDecoder, encodeOffsetReport, haOptions, type HaOptions, type TransferFrame } from "../../src/ha/index.ts";
import { MessageStore } from "../../src/store/message-store.ts";
import { defaultStoreOptions, type StoreOptions } from "../../src/store/store-options.ts";
import { message } from "../support/store.ts";
import { lineLogger } from "../support/log.ts";

export const SEGMENT_BYTES = 64 * 1024;

export interface Broker {
  readonly name: string;
  readonly fs: MemoryFileSystem;
  readonly store: MessageStore;
}

export class HaWorld {
  readonly clock = new ManualClock();
  readonly net: MemoryNetwork;
  readonly logs: string[] = [];
  readonly ha: HaOptions;
  private readonly closers: Array<() => Promise<void>> = [];

  constructor(options: { ha?: Partial<HaOptions>; net?: MemoryNetworkOptions } = {}) {
    this.net = new MemoryNetwork(options.net);
    this.ha = haOptions({ haListenHost: "127.0.0.1", haListenPort: 10912, log: lineLogger((line) => this.logs.push(line)), ...options.ha });
  }

  async broker(name: string, overrides: Partial<StoreOptions> = {}, fs = new MemoryFileSystem()): Promise<Broker> {
    const options = defaultStoreOptions(`/${name}`, {
      segmentSizeCommitLogBytes: SEGMENT_BYTES,
      segmentSizeConsumeQueueBytes: 100 * 20,
      maxHashSlotNum: 1024, // the memory file system holds whole files: small index files
      maxIndexNum: 4096,
      log: lineLogger((line) => this.logs.push(`${name} store: ${line}`)),
      ...overrides,
    });
    const store = await MessageStore.open({ fs, clock: this.clock, system: memorySystem() }, options);
    this.closers.push(() => store.close());
    return { name, fs, store };
  }

  async master(broker: Broker, ha: Partial<HaOptions> = {}): Promise<HaMaster> {
    const master = await HaMaster.start({ net: this.net, clock: this.clock, source: broker.store.replicationSource, options: { ...this.ha, ...ha } });
    this.closers.push(() => master.close());
    return master;
  }

  slave(broker: Broker, address: string | null = `127.0.0.1:${this.ha.haListenPort}`, ha: Partial<HaOptions> = {}): HaClient {
    return this.slaveWith(broker, () => address, ha);
  }

  slaveWith(broker: Broker, masterAddress: () => string | null, ha: Partial<HaOptions> = {}): HaClient {
    const client = new HaClient({ net: this.net, clock: this.clock, replica: broker.store.replica, masterAddress, options: { ...this.ha, ...ha } });
    this.closers.push(() => client.stop());
    client.start();
    return client;
  }

  /** Runs `close` (newest first) when the world closes. */
  onClose(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  /** Stops everything started, newest first. */
  async close(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close();
  }
}

/** Puts `count` messages of `bodyBytes` over queues 0..3 of two topics; returns the end offset. */
export async function fill(store: MessageStore, count: number, bodyBytes = 700, seed = 0): Promise<number> {
  let end = store.offsets.maxOffset;
  for (let i = 0; i < count; i++) {
    const body = new Uint8Array(bodyBytes).fill((seed + i) & 0xff);
    const put = await store.put([message(i % 3 === 0 ? "TopicA" : "TopicB", body, { queueId: i % 4, tags: `tag${i % 5}` })]);
    end = put.endOffset;
  }
  return end;
}

/** Every commit-log segment of both stores, byte for byte (after flushing both). */
export async function assertSameCommitLog(a: Broker, b: Broker): Promise<void> {
  await a.store.flushAll();
  await b.store.flushAll();
  assert.equal(b.store.offsets.maxOffset, a.store.offsets.maxOffset, "max offsets");
  const names = async (broker: Broker) => (await broker.fs.readdir(`/${broker.name}/commitlog`)).sort();
  const segments = await names(a);
  assert.deepEqual(await names(b), segments, "segment files");
  for (const name of segments) {
    const left = a.fs.bytes(`/${a.name}/commitlog/${name}`);
    const right = b.fs.bytes(`/${b.name}/commitlog/${name}`);
    assert.equal(right.length, left.length, `${name} length`);
    assert.ok(bytesEqual(left, right), `${name} differs at byte ${firstDifference(left, right)}`);
  }
}

/** Both stores answer the same `get` for every queue the fill helper uses. */
export async function assertSameQueues(a: Broker, b: Broker): Promise<void> {
  await a.store.waitDispatched(a.store.offsets.maxOffset);
  await b.store.waitDispatched(b.store.offsets.maxOffset);
  for (const topic of ["TopicA", "TopicB"]) {
    for (let queueId = 0; queueId < 4; queueId++) {
      for (let offset = 0; ; offset += 32) {
        const request = { topic, queueId, offset, maxMsgNums: 32 };
        const [left, right] = [await a.store.get(request), await b.store.get(request)];
        assert.deepEqual(right, left, `${topic}/${queueId}@${offset}`);
        if (left.status !== "FOUND") break;
      }
    }
  }
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return firstDifference(a, b) === -1;
}

export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** A hand-driven slave: reports what the test says, keeps every byte and frame the master sends. */
export class RawSlave {
  readonly connection: Connection;
  readonly frames: TransferFrame[] = [];
  received = new Uint8Array(0);
  /** null while open; "end" after a FIN; the error code after a reset. */
  ended: string | null = null;
  private readonly decoder = new TransferFrameDecoder({ copyBodies: true });

  private constructor(connection: Connection) {
    this.connection = connection;
    void this.read();
  }

  /** `host` is the address dialled, and so the slave's remote host as the master sees it. */
  static async connect(world: HaWorld, port = world.ha.haListenPort, host = "127.0.0.1"): Promise<RawSlave> {
    return new RawSlave(await world.net.connect({ host, port }));
  }

  report(...offsets: number[]): Promise<void> {
    const bytes = new Uint8Array(8 * offsets.length);
    offsets.forEach((offset, i) => bytes.set(encodeOffsetReport(offset), 8 * i));
    return this.connection.write(bytes);
  }

  private async read(): Promise<void> {
    try {
      for await (const chunk of this.connection.readable) {
        const joined = new Uint8Array(this.received.length + chunk.length);
        joined.set(this.received);
        joined.set(chunk, this.received.length);
        this.received = joined;
        this.frames.push(...this.decoder.push(chunk));
      }
      this.ended = "end";
    } catch (error) {
      this.ended = errorCode(error) ?? String(error);
    }
  }
}

/** Big-endian hex of `bytes`, for hand-checked golden headers. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
