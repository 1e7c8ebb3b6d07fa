/**
 * A slave process (on the runtime running this test) whose store sits on a 6 MiB tmpfs that the
 * test mounts: once its disk is full it stops applying its master's frames and says why — its HA
 * connection's last error and its /health name STORE_DISK_FULL — while the master goes on
 * accepting; once the test deletes its filler file the slave resumes where it stopped, and its
 * commit log ends byte for byte as the master's: no gap, nothing applied twice. Needs root
 * (mount); skipped with the reason if not.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync, rmSync, statSync, truncateSync } from "node:fs";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { getJson, until } from "../support/poll.ts";
import { startSkiff } from "../support/skiff-process.ts";

const SEGMENT = 1024 * 1024;
const mountPoint = await tempDir("e2e-slave-tmpfs");
const mountProblem = (() => {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=6m", "tmpfs", mountPoint], { stdio: "pipe" });
    return null;
  } catch (error) {
    return `cannot mount a tmpfs here (needs root): ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`;
  }
})();

describe(`a ${runtimeName} slave with a full disk`, { skip: mountProblem ?? false }, () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    if (!mountProblem) execFileSync("umount", [mountPoint]);
    await removeDir(mountPoint);
  });

  it("stops applying and says why, the master goes on, and it resumes without a gap once space returns", { timeout: 180_000 }, async () => {
    const root = await tempDir("e2e-slave-full-master");
    cleanups.push(() => removeDir(root));
    const common = [`--mappedFileSizeCommitLog=${SEGMENT}`, "--defaultTopicQueueNums=1", "--listenPort=0"];
    const master = await startSkiff(runtimeName, "broker", [...common, `--storePathRootDir=${root}/master`]);
    cleanups.push(() => master.kill());
    const haAddress = (await getJson(master.address, "/ha/status")).haListenAddress as string;
    const slaveStore = `${mountPoint}/store`;
    mkdirSync(slaveStore);
    const slave = await startSkiff(runtimeName, "broker", [...common, `--storePathRootDir=${slaveStore}`, "--brokerRole=SLAVE", "--brokerId=1", `--haMasterAddress=${haAddress}`]);
    cleanups.push(() => slave.kill());

    const send = async (i: number) => {
      const response = await fetch(`http://${master.address}/topics/SlaveFull/messages`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ body: `m${i}-${"y".repeat(2000)}` }),
      });
      assert.equal(response.status, 200, await response.clone().text());
    };
    const masterMax = async () => (await getJson(master.address, "/ha/status")).maxPhyOffset as number;
    const slaveMax = async () => (await getJson(slave.address, "/ha/status")).maxPhyOffset as number;
    for (let i = 0; i < 20; i++) await send(i);
    await until("the slave to catch up", async () => (await slaveMax()) === (await masterMax()), 30_000);

    // Fill the slave's disk, leaving about 32 KiB: far less than the ~800 KB sent next.
    const filler = `${mountPoint}/filler`;
    try {
      for (;;) appendFileSync(filler, new Uint8Array(64 * 1024));
    } catch (error) {
      assert.equal((error as { code?: string }).code, "ENOSPC");
    }
    truncateSync(filler, Math.max(0, statSync(filler).size - 32 * 1024));
    for (let i = 20; i < 400; i++) await send(i);
    const target = await masterMax();

    const health = await until("the slave to report its full disk", async () => {
      const body = await getJson(slave.address, "/health");
      return body.status === "DEGRADED" && body.problems.some((p: { code: string }) => p.code === "STORE_DISK_FULL") ? body : undefined;
    }, 30_000);
    assert.ok(health);
    const stuck = await slaveMax();
    assert.ok(stuck < target, `the slave stopped short of the master (${stuck} < ${target})`);
    const status = await getJson(slave.address, "/ha/status");
    assert.match(JSON.stringify(status), /STORE_DISK_FULL|disk is full|no space/i, `its /ha/status says why: ${JSON.stringify(status)}`);
    await slave.waitFor(/STORE_DISK_FULL|disk is full|ENOSPC/, 10_000);

    rmSync(filler);
    await until("the slave to resume and catch up", async () => (await slaveMax()) === target, 60_000);
    assert.equal((await getJson(slave.address, "/health")).status, "UP");
    const name = "00000000000000000000";
    const masterBytes = readFileSync(`${root}/master/commitlog/${name}`).subarray(0, target);
    const slaveBytes = readFileSync(`${slaveStore}/commitlog/${name}`).subarray(0, target);
    assert.ok(Buffer.compare(masterBytes, slaveBytes) === 0, "the slave's commit log is the master's, byte for byte");
    assert.ok((await slave.stop()).clean);
    assert.ok((await master.stop()).clean);
  });
});
