/**
 * A slave follows a master under concurrent sends through a fault-injection proxy on real loopback
 * TCP that delays, drops, cuts mid-frame, splits into single bytes and corrupts the traffic for a
 * few seconds: it refuses every damaged stream (reconnecting), and once the faults stop it catches
 * up to a commit log byte-identical to the master's. Every offset it ever acked was a record
 * boundary of the master's log, and nothing was written outside the two stores.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { HaClient, HaMaster, haOptions } from "../../src/ha/index.ts";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { MessageStore } from "../../src/store/message-store.ts";
import { defaultStoreOptions } from "../../src/store/store-options.ts";
import { FaultProxy, type Faults } from "../support/fault-proxy.ts";
import { platform, removeDir, tempDir } from "../support/platform.ts";
import { message } from "../support/store.ts";
import { lineLogger } from "../support/log.ts";

const SEGMENT_BYTES = 256 * 1024;
const PHASE_MS = 700;
const PHASES: Array<[string, Faults]> = [
  ["delay", { delayMs: 15 }],
  ["split into single bytes", { splitBytes: true }],
  ["drop", { dropChance: 0.05 }],
  ["cut mid-frame", { cutChance: 0.1 }],
  ["corrupt", { corruptChance: 0.2 }],
  ["everything at once", { delayMs: 5, dropChance: 0.02, cutChance: 0.05, corruptChance: 0.1 }],
];
const SENDERS = 4;
const MESSAGES_MAX = 20_000;
const dirs: string[] = [];

after(async () => {
  for (const dir of dirs) await removeDir(dir);
});

async function waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Offsets where a record (or a segment) of the log starts, up to and including its end. */
async function recordBoundaries(store: MessageStore): Promise<Set<number>> {
  const out = new Set<number>([store.offsets.minOffset]);
  const end = store.offsets.maxOffset;
  for (let start = store.offsets.minOffset; start < end; start += SEGMENT_BYTES) {
    const bytes = await store.readCommitLog(start, Math.min(SEGMENT_BYTES, end - start));
    for (let at = 0; at < bytes.length;) {
      const record = decodeMessageRecord(bytes, at, { readBody: false });
      assert.ok(record.kind === "message" || record.kind === "blank", `master record at ${start + at}: ${record.kind}`);
      at += record.totalSize;
      out.add(start + at);
    }
  }
  return out;
}

async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length + 1));
}

describe(`replication through a fault-injection proxy (${platform.system.runtime}, real TCP)`, () => {
  it("refuses damaged traffic, acks only record boundaries, and catches up byte for byte once the faults stop", async () => {
    const parent = await tempDir("faults");
    dirs.push(parent);
    const ports = { fs: platform.fs, clock: platform.clock, system: platform.system };
    const storeOptions = (name: string) => defaultStoreOptions(join(parent, name), { segmentSizeCommitLogBytes: SEGMENT_BYTES, segmentSizeConsumeQueueBytes: 1000 * 20 });
    const master = await MessageStore.open(ports, storeOptions("master"));
    const slave = await MessageStore.open(ports, storeOptions("slave"));
    const logs: string[] = [];
    const ha = await HaMaster.start({ net: platform.net, clock: platform.clock, source: master.replicationSource, options: haOptions({ haListenHost: "127.0.0.1", haListenPort: 0 }) });
    const proxy = await FaultProxy.start(platform.net, { host: "127.0.0.1", port: ha.address.port }, 20240601);
    const client = new HaClient({ net: platform.net, clock: platform.clock, replica: slave.replica, masterAddress: () => proxy.address, options: haOptions({ log: lineLogger((l) => logs.push(l) )}) });
    client.start();

    let sending = true;
    let sent = 0;
    const senders = Array.from({ length: SENDERS }, async (_, s) => {
      while (sending && sent < MESSAGES_MAX) {
        const i = sent++;
        const body = new Uint8Array(50 + ((i * 7919) % 3000)).fill(i & 0xff);
        await master.put([message(i % 3 === 0 ? "TopicA" : "TopicB", body, { queueId: (i + s) % 4, tags: `t${i % 5}` })]);
        await new Promise((resolve) => setTimeout(resolve, 2)); // a bounded load that lasts all phases
      }
    });
    try {
      for (const [, faults] of PHASES) {
        proxy.faults = faults;
        await new Promise((resolve) => setTimeout(resolve, PHASE_MS));
      }
      proxy.faults = null;
      sending = false;
      await Promise.all(senders);
      const end = master.offsets.maxOffset;
      assert.ok(end > 3 * SEGMENT_BYTES, `only ${end} bytes sent`);
      await waitFor(() => slave.offsets.maxOffset === end && ha.push2SlaveMaxOffset === end, `slave caught up to ${end} (at ${slave.offsets.maxOffset})`, 60_000);
    } finally {
      sending = false;
      await Promise.all(senders);
      await client.stop();
      await proxy.close();
      await ha.close();
    }

    const { drops, cuts, flips, connections } = proxy.stats;
    assert.ok(drops > 0 && cuts > 0 && flips > 0, `faults happened: ${JSON.stringify(proxy.stats)}`);
    const refusals = logs.filter((l) => /closed: .*(HA_RECORD_INVALID|HA_OFFSET|HA_FRAME|not equal)/.test(l));
    assert.ok(refusals.length > 0, `the slave refused damaged streams:\n${logs.join("\n")}`);
    assert.ok(connections > 2, "it reconnected");

    const boundaries = await recordBoundaries(master);
    const notBoundaries = proxy.reports.filter((r) => !boundaries.has(r));
    assert.deepEqual(notBoundaries, [], "every ack is a record boundary of the master's log");

    await master.flushAll();
    await slave.flushAll();
    const names = (await readdir(join(parent, "master", "commitlog"))).sort();
    assert.deepEqual((await readdir(join(parent, "slave", "commitlog"))).sort(), names);
    for (const name of names) {
      const [left, right] = [await readFile(join(parent, "master", "commitlog", name)), await readFile(join(parent, "slave", "commitlog", name))];
      assert.ok(left.equals(right), `${name} differs`);
    }
    await slave.waitDispatched(slave.offsets.maxOffset);
    await master.waitDispatched(master.offsets.maxOffset);
    for (const topic of ["TopicA", "TopicB"]) {
      for (let q = 0; q < 4; q++) assert.equal(slave.maxOffsetInQueue(topic, q), master.maxOffsetInQueue(topic, q), `${topic}/${q}`);
    }
    await slave.close();
    await master.close();
    assert.deepEqual((await tree(parent)).filter((p) => !p.startsWith("master") && !p.startsWith("slave")), [], "nothing outside the stores");
    console.log(`fault proxy: ${JSON.stringify(proxy.stats)}, ${refusals.length} refusals, ${proxy.reports.length} acks, ${names.length} segments`);
  });
});
