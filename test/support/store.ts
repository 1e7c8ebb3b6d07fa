/** Helpers shared by store tests: a message input with sensible defaults, an in-memory store. */
import { ManualClock } from "../../adapters/memory/clock.ts";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { memorySystem } from "../../adapters/memory/system.ts";
import { utf8Encode } from "../../src/core/bytes.ts";
import { parseHostAddress } from "../../src/codec/host-address.ts";
import type { MessageInput } from "../../src/store/message-input.ts";
import { MessageStore, type StorePlatform } from "../../src/store/message-store.ts";
import { defaultStoreOptions, type StoreOptions } from "../../src/store/store-options.ts";
import { lineLogger } from "./log.ts";

export function message(topic: string, body: string | Uint8Array, extra: Partial<MessageInput> & { tags?: string } = {}): MessageInput {
  const properties = new Map(extra.properties ?? []);
  if (extra.tags) properties.set("TAGS", extra.tags);
  return {
    topic,
    queueId: 0,
    flag: 0,
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_000,
    bornHost: parseHostAddress("127.0.0.1:50000"),
    storeHost: parseHostAddress("127.0.0.1:10911"),
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    ...extra,
    body: typeof body === "string" ? utf8Encode(body) : body,
    properties,
  };
}

export interface MemoryStoreWorld {
  fs: MemoryFileSystem;
  clock: ManualClock;
  platform: StorePlatform;
  options: StoreOptions;
  logs: string[];
  open(): Promise<MessageStore>;
  /** Awaits `work`, moving the clock 10 ms at a time while it waits (timers it sets fire in order). */
  whileRunning<T>(work: Promise<T>, stepMs?: number): Promise<T>;
}

/** Awaits `work`, moving `clock` by `stepMs` whenever the promise callbacks alone do not finish it. */
export async function whileRunning<T>(clock: ManualClock, work: Promise<T>, stepMs = 10): Promise<T> {
  let done = false;
  const settled = work.finally(() => {
    done = true;
  });
  settled.catch(() => undefined);
  for (let steps = 0; !done; steps++) {
    if (steps > 10_000_000) throw new Error("work still running after 10 million clock steps");
    await clock.advance(stepMs);
  }
  return work;
}

export function memoryStoreWorld(overrides: Partial<StoreOptions> = {}): MemoryStoreWorld {
  const fs = new MemoryFileSystem();
  const clock = new ManualClock();
  fs.useClock(clock);
  const logs: string[] = [];
  const platform: StorePlatform = { fs, clock, system: memorySystem() };
  const options = defaultStoreOptions("/store", {
    segmentSizeCommitLogBytes: 64 * 1024,
    segmentSizeConsumeQueueBytes: 100 * 20,
    maxHashSlotNum: 1024, // the memory file system holds whole files: small index files
    maxIndexNum: 4096,
    log: lineLogger((line) => logs.push(line)),
    ...overrides,
  });
  return { fs, clock, platform, options, logs, open: () => MessageStore.open(platform, options), whileRunning: (work, stepMs) => whileRunning(clock, work, stepMs) };
}
