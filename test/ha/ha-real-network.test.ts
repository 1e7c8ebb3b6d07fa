/**
 * Replication over real loopback TCP between two stores in temp directories: a few thousand
 * messages, written before and while the slave is connected, end up byte for byte identical in the
 * slave's commit-log files. The same file exercises the Bun, Deno or Node adapter, whichever runs it.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { HaClient, HaMaster, haOptions } from "../../src/ha/index.ts";
import { MessageStore } from "../../src/store/message-store.ts";
import { defaultStoreOptions } from "../../src/store/store-options.ts";
import { platform, removeDir, tempDir } from "../support/platform.ts";
import { fill } from "./ha-world.ts";
import { lineLogger } from "../support/log.ts";

const SEGMENT_BYTES = 1024 * 1024;
const dirs: string[] = [];

after(async () => {
  for (const dir of dirs) await removeDir(dir);
});

async function openStore(name: string): Promise<MessageStore> {
  const dir = await tempDir(`ha-${name}`);
  dirs.push(dir);
  const options = defaultStoreOptions(dir, { segmentSizeCommitLogBytes: SEGMENT_BYTES, segmentSizeConsumeQueueBytes: 1000 * 20 });
  return MessageStore.open({ fs: platform.fs, clock: platform.clock, system: platform.system }, options);
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe(`HA over real loopback TCP (${platform.system.runtime})`, () => {
  it("replicates a few thousand messages byte for byte", async () => {
    const master = await openStore("master");
    const slave = await openStore("slave");
    const logs: string[] = [];
    const options = haOptions({ haListenHost: "127.0.0.1", haListenPort: 0, log: lineLogger((line) => logs.push(line) )});
    await fill(master, 1500, 500);
    const ha = await HaMaster.start({ net: platform.net, clock: platform.clock, source: master.replicationSource, options });
    const address = `127.0.0.1:${ha.address.port}`;
    const client = new HaClient({ net: platform.net, clock: platform.clock, replica: slave.replica, masterAddress: () => address, options });
    client.start();
    try {
      const end = await fill(master, 1500, 700, 11); // while the slave follows
      assert.ok(end > 2 * SEGMENT_BYTES);
      await waitFor(() => slave.offsets.maxOffset === end, "slave caught up");
      await waitFor(() => ha.push2SlaveMaxOffset === end, "master saw the ack");
      assert.equal(await ha.waitForReplication(end, 1000), "PUT_OK");
      assert.equal(client.state.connected, true);
      await master.flushAll();
      await slave.flushAll();
      const masterDir = join(master.options.rootDir, "commitlog");
      const slaveDir = join(slave.options.rootDir, "commitlog");
      const names = (await readdir(masterDir)).sort();
      assert.deepEqual((await readdir(slaveDir)).sort(), names);
      assert.equal(names.length, 3);
      for (const name of names) {
        const [left, right] = [await readFile(join(masterDir, name)), await readFile(join(slaveDir, name))];
        assert.ok(left.equals(right), `${name} differs`);
      }
    } finally {
      await client.stop();
      await ha.close();
      await slave.close();
      await master.close();
    }
    assert.ok(logs.some((l) => l.startsWith("HA slave 127.0.0.1:") && l.endsWith("connected")), logs.join("\n"));
  });
});
