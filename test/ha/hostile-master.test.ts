/**
 * A fake master over real loopback TCP speaks the HA frame format but sends what no honest master
 * would: random bytes at the right offset, well-formed records whose topic or queue id points
 * outside the store, an empty slave's first offset of 2^52 or off a segment start. The slave
 * closes each connection with a reason, acks nothing of it, writes nothing outside its store (the
 * parent directory is scanned), leaves its log as it was, and keeps nothing bogus after a restart.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Connection } from "../../src/core/platform.ts";
import { HaClient, OffsetReportDecoder, encodeTransferHeader, haOptions } from "../../src/ha/index.ts";
import { MessageStore } from "../../src/store/message-store.ts";
import { defaultStoreOptions } from "../../src/store/store-options.ts";
import { craftedRecord, craftedRun } from "../support/hostile-records.ts";
import { platform, removeDir, tempDir } from "../support/platform.ts";
import { message } from "../support/store.ts";
import { lineLogger } from "../support/log.ts";

const SEGMENT_BYTES = 1024 * 1024;
const dirs: string[] = [];

after(async () => {
  for (const dir of dirs) await removeDir(dir);
});

/** A master that answers the first report of every connection with `send(firstReport)`. */
async function fakeMaster(send: (report: number) => Uint8Array) {
  const sessions: Array<{ reports: number[]; ended: boolean }> = [];
  const listener = await platform.net.listen({ host: "127.0.0.1", port: 0 }, (connection: Connection) => {
    const session = { reports: [] as number[], ended: false };
    sessions.push(session);
    const decoder = new OffsetReportDecoder();
    void (async () => {
      try {
        for await (const chunk of connection.readable) {
          const first = session.reports.length === 0;
          session.reports.push(...decoder.push(chunk));
          if (first && session.reports.length > 0) await connection.write(send(session.reports[0]));
        }
      } catch {
        // the slave closed or reset: the session ends
      }
      session.ended = true;
      connection.close();
    })();
  });
  return { sessions, address: `127.0.0.1:${listener.address.port}`, close: () => listener.close() };
}

function frames(...parts: Array<[number, Uint8Array]>): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, [, body]) => n + 12 + body.length, 0));
  let at = 0;
  for (const [offset, body] of parts) {
    out.set(encodeTransferHeader(offset, body.length), at);
    out.set(body, at + 12);
    at += 12 + body.length;
  }
  return out;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Every path under `dir`, relative to it. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length + 1)).sort();
}

async function commitLogBytes(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of await readdir(join(root, "commitlog"))) out.set(name, (await readFile(join(root, "commitlog", name))).toString("hex"));
  return out;
}

interface Case {
  readonly name: string;
  /** Messages the slave holds before it connects (0: an empty slave). */
  readonly prefill: number;
  readonly send: (report: number) => Uint8Array;
  readonly reason: RegExp;
}

const CASES: Case[] = [
  { name: "8 KiB of random bytes at the right offset", prefill: 20, send: (at) => frames([at, new Uint8Array(8192).map((_, i) => (i * 131 + 17) & 0xff)]), reason: /HA_RECORD_INVALID/ },
  { name: "a record whose topic is ../../../../outside", prefill: 20, send: (at) => frames([at, craftedRecord({ physicalOffset: at, topic: "../../../../outside" })]), reason: /outside.*illegal characters/ },
  { name: "a record of queue id -1", prefill: 20, send: (at) => frames([at, craftedRecord({ physicalOffset: at, queueId: -1 })]), reason: /queue id -1 is outside/ },
  { name: "a record of queue id 2^31-1", prefill: 20, send: (at) => frames([at, craftedRecord({ physicalOffset: at, queueId: 2 ** 31 - 1 })]), reason: /queue id 2147483647 is outside/ },
  { name: "an empty slave's first offset 2^52, with random bytes", prefill: 0, send: () => frames([2 ** 52, new Uint8Array(0)], [2 ** 52, new Uint8Array(8192).fill(0x5a)]), reason: /HA_RECORD_INVALID/ },
  { name: "an empty slave's first offset 2^52, with a record of offset 0", prefill: 0, send: () => frames([2 ** 52, craftedRecord({ physicalOffset: 0 })]), reason: /PHYSICALOFFSET says 0/ },
  { name: "an empty slave's first offset off a segment start", prefill: 0, send: () => frames([4096, craftedRecord({ physicalOffset: 4096 })]), reason: /first offset 4096 .* not a segment start/ },
  { name: "an empty slave's heartbeat off a segment start", prefill: 0, send: () => frames([SEGMENT_BYTES + 8, new Uint8Array(0)]), reason: /not a segment start/ },
];

describe(`a slave against a hostile master (${platform.system.runtime}, real TCP)`, () => {
  for (const c of CASES) {
    it(`refuses ${c.name}: closed with a reason, nothing acked, nothing written`, async () => {
      const parent = await tempDir("hostile");
      dirs.push(parent);
      const root = join(parent, "store");
      const options = defaultStoreOptions(root, { segmentSizeCommitLogBytes: SEGMENT_BYTES, segmentSizeConsumeQueueBytes: 1000 * 20 });
      const ports = { fs: platform.fs, clock: platform.clock, system: platform.system };
      let store = await MessageStore.open(ports, options);
      for (let i = 0; i < c.prefill; i++) await store.put([message("TopicTest", `before ${i}`, { queueId: i % 2 })]);
      await store.flushAll();
      const end = store.offsets.maxOffset;
      const logBefore = await commitLogBytes(root);
      const treeBefore = await tree(parent);

      const fake = await fakeMaster(c.send);
      const logs: string[] = [];
      const client = new HaClient({ net: platform.net, clock: platform.clock, replica: store.replica, masterAddress: () => fake.address, options: haOptions({ log: lineLogger((l) => logs.push(l) )}) });
      client.start();
      try {
        await waitFor(() => fake.sessions.length >= 2 && fake.sessions[0].ended, "refused, then reconnected");
      } finally {
        await client.stop();
        await fake.close();
      }
      assert.match(logs.find((l) => l.includes("closed:")) ?? "", c.reason, logs.join("\n"));
      for (const session of fake.sessions) assert.ok(session.reports.every((r) => r === end), `acked only ${end}: ${session.reports}`);
      await store.flushAll();
      await store.waitDispatched(store.offsets.maxOffset);
      assert.equal(store.offsets.maxOffset, end);
      assert.deepEqual(await commitLogBytes(root), logBefore, "the commit log is as it was");
      assert.deepEqual(await tree(parent), treeBefore, "nothing new anywhere under the store's parent");
      await store.close();

      store = await MessageStore.open(ports, options); // and nothing bogus survives a restart
      assert.equal(store.offsets.maxOffset, end);
      assert.equal(store.stats().commitLogSegmentStarts.length, c.prefill === 0 ? 0 : 1);
      await store.close();
      assert.deepEqual((await tree(parent)).filter((p) => !p.startsWith("store/")), ["store"]);
    });
  }

  it("control: the same fake master with honest records is followed and acked", async () => {
    const parent = await tempDir("honest");
    dirs.push(parent);
    const options = defaultStoreOptions(join(parent, "store"), { segmentSizeCommitLogBytes: SEGMENT_BYTES, segmentSizeConsumeQueueBytes: 1000 * 20 });
    const store = await MessageStore.open({ fs: platform.fs, clock: platform.clock, system: platform.system }, options);
    const run = craftedRun(2 * SEGMENT_BYTES, 5);
    const fake = await fakeMaster(() => frames([2 * SEGMENT_BYTES, new Uint8Array(0)], [2 * SEGMENT_BYTES, run.subarray(0, 100)], [2 * SEGMENT_BYTES + 100, run.subarray(100)]));
    const client = new HaClient({ net: platform.net, clock: platform.clock, replica: store.replica, masterAddress: () => fake.address, options: haOptions() });
    client.start();
    try {
      await waitFor(() => fake.sessions[0]?.reports.includes(2 * SEGMENT_BYTES + run.length) === true, "acked");
    } finally {
      await client.stop();
      await fake.close();
    }
    assert.deepEqual(fake.sessions[0].reports.slice(0, 1), [0]);
    await store.waitDispatched(store.offsets.maxOffset);
    assert.equal(store.maxOffsetInQueue("TopicTest", 0), 5);
    await store.close();
  });
});
