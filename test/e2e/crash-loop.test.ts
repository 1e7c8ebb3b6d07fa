/**
 * Crash loops: a master and a slave as real processes on the runtime running this test, eight
 * concurrent producers, and SIGKILL of the master, the slave or both at a random moment, round after
 * round, for SYNC_MASTER × {ASYNC_FLUSH, SYNC_FLUSH} and ASYNC_MASTER. After every round the slave
 * catches up to a byte-exact copy of the master's commit log (with `/ha/status` reporting zero lag
 * exactly when the bytes agree), every message a SYNC_MASTER answered SEND_OK is served by the slave,
 * and no queue offset was handed out twice.
 *
 * Quick mode (CI): one round per mode. The full run: `CRASH_ROUNDS=20 node --test test/e2e/crash-loop.test.ts`
 * (or under `bun test` / `deno test`), 20 rounds per mode.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { Producer, PullConsumer } from "../../src/client/index.ts";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { getJson, until } from "../support/poll.ts";
import { brokerHaAddress, freeListenPort } from "../support/ports.ts";
import { startSkiff, type SkiffProcess } from "../support/skiff-process.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

const SEGMENT = 256 * 1024;
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 1);
const PRODUCERS = 8;
const QUEUES = 4;

type Mode = { role: "SYNC_MASTER" | "ASYNC_MASTER"; flush: "ASYNC_FLUSH" | "SYNC_FLUSH" };
const MODES: Mode[] = [
  { role: "SYNC_MASTER", flush: "ASYNC_FLUSH" },
  { role: "SYNC_MASTER", flush: "SYNC_FLUSH" },
  { role: "ASYNC_MASTER", flush: "ASYNC_FLUSH" },
];

async function logDigest(store: string, upTo: number): Promise<string> {
  const dir = `${store}/commitlog`;
  const hash = createHash("sha256");
  let left = upTo;
  for (const name of (await readdir(dir)).sort()) {
    if (left <= 0) break;
    const bytes = await readFile(`${dir}/${name}`);
    hash.update(bytes.subarray(0, Math.min(left, bytes.length)));
    left -= bytes.length;
  }
  return hash.digest("hex");
}

describe(`crash loops: ${runtimeName} master and slave, SIGKILL at random moments (${ROUNDS} round(s) per mode)`, () => {
  const { defer } = cleanupAfterSuite();

  for (const mode of MODES) {
    it(`${mode.role} × ${mode.flush}: every SEND_OK is served by the slave, the slave is a byte-exact prefix, no queue offset twice`, async () => {
      const root = await tempDir("e2e-crash-loop");
      defer(() => removeDir(root));
      const [masterPort, slavePort] = [await freeListenPort(), await freeListenPort()];
      const common = ["--brokerIP1=127.0.0.1", "--brokerIP2=127.0.0.1", `--mappedFileSizeCommitLog=${SEGMENT}`, `--flushDiskType=${mode.flush}`, "--slaveTimeout=1500"];
      const startMaster = () => startSkiff(runtimeName, "broker", [...common, `--storePathRootDir=${root}/master`, `--listenPort=${masterPort}`, `--brokerRole=${mode.role}`]);
      const startSlave = () => startSkiff(runtimeName, "broker", [...common, `--storePathRootDir=${root}/slave`, `--listenPort=${slavePort}`, "--brokerRole=SLAVE", "--brokerId=1", `--haMasterAddress=${brokerHaAddress(masterPort)}`, "--slaveSynchronizePeriod=1000"]);
      let master: SkiffProcess = await startMaster();
      let slave: SkiffProcess = await startSlave();
      defer(() => master.kill());
      defer(() => slave.kill());
      const producer = new Producer({ broker: master.address });
      await producer.send("Crash", { body: "topic created", queueId: 0 });

      const acked = new Map<string, string>(); // "queueId/queueOffset" → body of a SEND_OK
      const duplicates: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        let stop = false;
        let sent = 0;
        const load = Promise.all(Array.from({ length: PRODUCERS }, async (_, w) => {
          const p = new Producer({ broker: master.address });
          for (let i = 0; !stop; i++) {
            const body = `r${round}-w${w}-${i}`;
            try {
              const r = await p.send("Crash", { body, queueId: w % QUEUES });
              sent++;
              const key = `${r.queueId}/${r.queueOffset}`;
              if (acked.has(key)) duplicates.push(`${key}: ${acked.get(key)} and ${body}`);
              if (r.status === "SEND_OK") acked.set(key, body);
            } catch {
              await new Promise((resolve) => setTimeout(resolve, 50)); // the master is down: try again
            }
          }
        }));
        await until("some load", async () => sent > 50, 30_000);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 1500));
        const victim = ["master", "slave", "both"][Math.floor(Math.random() * 3)];
        if (victim !== "slave") await master.kill();
        if (victim !== "master") await slave.kill();
        if (victim !== "slave") master = await startMaster();
        if (victim !== "master") slave = await startSlave();
        await new Promise((resolve) => setTimeout(resolve, 300));
        stop = true;
        await load;

        const settled = await until(`round ${round} (${victim} killed): the slave catches up`, async () => {
          const [m, s] = await Promise.all([getJson(master.address, "/ha/status"), getJson(slave.address, "/ha/status")]);
          const lag = m.slaves[0]?.lagBytes;
          return m.maxPhyOffset === s.writtenPhyOffset && s.maxPhyOffset === m.maxPhyOffset && lag === 0 && m;
        }, 60_000);
        const end = settled.maxPhyOffset as number;
        assert.equal(await logDigest(`${root}/slave`, end), await logDigest(`${root}/master`, end), `round ${round}: /ha/status says lag 0, and the bytes agree`);
      }

      assert.deepEqual(duplicates, [], "no queue offset was answered for two messages");
      // The slave builds its consume queues (and index) from the bytes it wrote, asynchronously, as
      // RocketMQ's ReputMessageService does: read until every acknowledged message is served, or 30 s.
      const served = new Map<string, string>();
      const reader = new PullConsumer({ group: "crash-verify", broker: slave.address });
      const next = new Array<number>(QUEUES).fill(0);
      let missing: [string, string][] = [];
      for (const deadline = Date.now() + 30_000; ;) {
        for (let queueId = 0; queueId < QUEUES; queueId++) {
          for (;;) {
            const page = await reader.pull("Crash", queueId, next[queueId], { max: 256 });
            if (page.messages.length === 0) break;
            for (const m of page.messages) served.set(`${queueId}/${m.queueOffset}`, new TextDecoder().decode(m.body));
            next[queueId] = page.nextBeginOffset;
          }
        }
        missing = [...acked].filter(([key, body]) => served.get(key) !== body);
        if (missing.length === 0 || mode.role !== "SYNC_MASTER" || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      if (mode.role === "SYNC_MASTER") {
        assert.ok(acked.size > 0, "some messages were acknowledged");
        assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${acked.size} SEND_OK messages not served by the slave`);
      }
      const seenBodies = new Set(served.values());
      assert.equal(seenBodies.size, served.size, "the slave serves no message twice");
    });
  }
});
