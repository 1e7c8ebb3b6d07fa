/**
 * A slave offline longer than its master's retention, with real processes: a master on the runtime
 * running this test, a slave on another. The slave follows a while and stops; the master writes
 * many more segments, stops, loses its oldest segment files (deleted by hand, as retention would)
 * and starts again on a log whose first file starts later. The restarted slave says it is behind
 * (`/ha/status` with both offsets and the fix, `/readyz`, its log, `skiff admin haStatus`) and keeps
 * its log; after `skiff admin resyncFromMaster` (POST /admin/ha/resync-from-master) it catches up, and its commit-log files are the master's,
 * byte for byte, from the master's first segment on.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdir, readFile, rm } from "node:fs/promises";
import { Producer } from "../../src/client/index.ts";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { getJson, until } from "../support/poll.ts";
import { brokerHaAddress, brokerHttpAddress, freeListenPort } from "../support/ports.ts";
import { RUNTIMES, runSkiffCommand, startSkiff } from "../support/skiff-process.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

const SEGMENT = 256 * 1024;
const DROPPED = 5;
const slaveRuntime = RUNTIMES[(RUNTIMES.indexOf(runtimeName) + 1) % RUNTIMES.length];

async function segmentDigests(store: string): Promise<Map<string, string>> {
  const dir = `${store}/commitlog`;
  const digests = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) digests.set(name, createHash("sha256").update(await readFile(`${dir}/${name}`)).digest("hex"));
  return digests;
}

describe(`a ${slaveRuntime} slave behind the retention of a ${runtimeName} master`, () => {
  const { defer, track } = cleanupAfterSuite();

  it("is told, keeps its log, and after skiff admin resyncFromMaster is the master's byte prefix from its first segment", async () => {
    const root = await tempDir("e2e-behind-retention");
    defer(() => removeDir(root));
    const masterPort = await freeListenPort();
    const slavePort = await freeListenPort();
    const masterFlags = [`--storePathRootDir=${root}/master`, `--listenPort=${masterPort}`, `--mappedFileSizeCommitLog=${SEGMENT}`];
    const slaveFlags = [
      `--storePathRootDir=${root}/slave`, `--listenPort=${slavePort}`, `--mappedFileSizeCommitLog=${SEGMENT}`, "--brokerRole=SLAVE", "--brokerId=1",
      `--haMasterAddress=${brokerHaAddress(masterPort)}`, "--haSendHeartbeatInterval=1000",
    ];
    let master = track(await startSkiff(runtimeName, "broker", masterFlags));
    const producer = new Producer({ broker: master.address });
    const sendBatches = async (batches: number, label: string) => {
      for (let b = 0; b < batches; b++) {
        await producer.sendBatch("Ret", Array.from({ length: 50 }, (_, i) => ({ body: `${label}-${b}-${i}-${"r".repeat(1000)}` })), { queueId: b % 2 });
      }
    };
    await sendBatches(6, "early");
    let slave = track(await startSkiff(slaveRuntime, "broker", slaveFlags));
    const early = (await getJson(master.address, "/ha/status")).maxPhyOffset as number;
    await until("the slave followed once", async () => (await getJson(slave.address, "/ha/status")).writtenPhyOffset === early);
    assert.ok((await slave.stop()).clean);

    await sendBatches(50, "late");
    assert.ok((await master.stop()).clean);
    const names = [...(await segmentDigests(`${root}/master`)).keys()];
    assert.ok(names.length > DROPPED + 2, `${names.length} segments`);
    for (const name of names.slice(0, DROPPED)) await rm(`${root}/master/commitlog/${name}`);
    master = track(await startSkiff(runtimeName, "broker", masterFlags));
    const masterStatus = await getJson(master.address, "/ha/status");
    const masterMin = DROPPED * SEGMENT;
    const masterMax = masterStatus.maxPhyOffset as number;
    assert.equal(master.address, brokerHttpAddress(masterPort));

    slave = track(await startSkiff(slaveRuntime, "broker", slaveFlags));
    const behind = await until("the slave says it is behind", async () => (await getJson(slave.address, "/ha/status")).behindMasterRetention, 30_000);
    assert.deepEqual([behind.slaveOffset, behind.masterMinOffset], [early, masterMin]);
    assert.match(behind.fix, /POST \/admin\/ha\/resync-from-master/);
    const ready = await fetch(`http://${slave.address}/readyz`);
    assert.equal(ready.status, 503);
    assert.match(JSON.stringify(await ready.json()), /HA_BEHIND_MASTER_RETENTION/);
    await slave.waitFor(/HA cannot follow master .*the master's log now starts at \d+.*resync-from-master/);
    assert.equal((await getJson(slave.address, "/ha/status")).maxPhyOffset, early, "its log is kept until the operator acts");

    const shown = await runSkiffCommand(runtimeName, ["admin", "haStatus", "-b", slave.address]);
    assert.match(shown.stdout, new RegExp(`BEHIND THE MASTER'S RETENTION: this slave's log ends at ${early}, but the master's log now starts at ${masterMin}`), shown.stdout + shown.stderr);
    const resync = await runSkiffCommand(runtimeName, ["admin", "resyncFromMaster", "-b", slave.address, "--json"]);
    assert.equal(resync.code, 0, resync.stderr);
    assert.deepEqual(JSON.parse(resync.stdout), { discardedFrom: 0, discardedTo: early, restartAt: masterMin, masterMinOffset: masterMin });
    const again = await runSkiffCommand(runtimeName, ["admin", "resyncFromMaster", "-b", master.address]);
    assert.equal(again.code, 1, "a master is refused");
    assert.match(again.stderr + again.stdout, /NOT_SLAVE/);
    await until("caught up from the master's first segment", async () => (await getJson(slave.address, "/ha/status")).writtenPhyOffset === masterMax, 60_000);
    assert.equal((await getJson(slave.address, "/ha/status")).behindMasterRetention, null);
    assert.ok((await slave.stop()).clean);
    assert.ok((await master.stop()).clean);
    const masterFiles = await segmentDigests(`${root}/master`);
    assert.equal([...masterFiles.keys()][0], "0".repeat(20 - String(masterMin).length) + masterMin);
    assert.deepEqual(await segmentDigests(`${root}/slave`), masterFiles, "the same segment files, byte for byte");
  });
});
