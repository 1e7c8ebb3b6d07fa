// A real Apache RocketMQ master (4.9.7, 5.3.3) replicates to Skiff slaves over classic HA: one slave follows it from before the first message by `haMasterAddress`, one joins after several segments exist and learns the master from a real RocketMQ name server (REGISTER_BROKER over remoting), one joins late behind a relay that delays its first report so the master opens with a zero-size frame, and all sync metadata from the Java master (GET_ALL_TOPIC_CONFIG …).
// Proved: SYNC_MASTER sends are acknowledged by Skiff, the slaves' commit logs equal the master's byte for byte (the late one from the master's last segment on), and Skiff's pull API returns every message it holds with the tags, keys, properties and body the Java client parses.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../support/platform.ts";
import {
  Cleanup, INTEROP_SKIP, finishRun, ROCKETMQ_VERSIONS, brokerConf, commitLogBytesEqual, commitLogEnd, comparableAll, consume, duplicateKeys,
  firstTransferHeader, freePortBlock, produce, startDelayRelay, readRecords, segmentStarts, skiffJson, skiffPullTopic, startJavaBroker, startNamesrv, startSkiff, waitUntil,
  type RocketMQVersion, type SkiffProcess,
} from "./rocketmq/harness.ts";

const SEGMENT_BYTES = 1 << 20;
const TOPIC = "TopicInteropHa";
const GROUP = "skiff_interop_ha";

async function caughtUp(slave: SkiffProcess, end: number): Promise<void> {
  await waitUntil(`slave ${slave.httpAddress} to reach commit-log offset ${end}`, 30_000, async () => (await skiffJson(slave.httpAddress, "/ha/status")).body.maxPhyOffset >= end);
}

async function scenario(version: RocketMQVersion): Promise<void> {
  const run = await tempDir(`interop-ha-${version}`);
  const cleanup = new Cleanup();
  let passed = false;
  try {
    const namesrv = cleanup.add(await startNamesrv(version, await freePortBlock(1), join(run, "namesrv")));
    const listenPort = (await freePortBlock(4)) + 2; // Java also binds listenPort - 2 and + 1
    const masterStore = join(run, "master");
    const masterLog = join(masterStore, "commitlog");
    // 5.3.3's SYNC_MASTER waits for a slave only with two in-sync replicas (spec §4.6).
    const extra: Record<string, number> = version === "5.3.3" ? { totalReplicas: 2, inSyncReplicas: 2 } : {};
    cleanup.add(await startJavaBroker(version, brokerConf({ storeDir: masterStore, listenPort, namesrvAddr: namesrv.address, brokerRole: "SYNC_MASTER", segmentSizeBytes: SEGMENT_BYTES, extra }), join(run, "master-jvm")));
    const haAddress = `127.0.0.1:${listenPort + 1}`;
    const slaveFlags = { brokerRole: "SLAVE", listenPort: 0, haListenPort: 0, mappedFileSizeCommitLog: SEGMENT_BYTES, masterProtocol: "rocketmq", slaveSynchronizePeriod: 2000 };

    const early = cleanup.add(await startSkiff({ ...slaveFlags, brokerId: 1, storePathRootDir: join(run, "early"), haMasterAddress: haAddress }));
    await waitUntil("the early slave to connect", 15_000, async () => (await skiffJson(early.httpAddress, "/ha/status")).body.connectedToMaster);
    const first = await produce(version, join(run, "producer-1"), { namesrv: namesrv.address, topic: TOPIC, singles: 2000, batches: 50, batchSize: 10, bodyBytes: 1000, prefix: "a" });
    assert.equal(first.length, 2500);
    assert.deepEqual([...new Set(first.map((s) => s.status))], ["SEND_OK"], "SYNC_MASTER sends are acknowledged by the Skiff slave");
    const endBeforeLate = await commitLogEnd(masterLog);
    const segmentsBeforeLate = segmentStarts(masterLog).filter((s) => s < endBeforeLate);
    assert.ok(segmentsBeforeLate.length >= 3, `several segments before the late slave (${segmentsBeforeLate.length})`);

    const lateFlags = { ...slaveFlags, brokerId: 2, storePathRootDir: join(run, "late"), namesrvAddr: namesrv.address, namesrvProtocol: "rocketmq", registerNameServerPeriod: 10_000 };
    const late = await startSkiff(lateFlags);
    cleanup.defer(() => late.stop());
    // A third slave behind a relay that holds its first report back for 5.5 s, as a Java slave's
    // report comes late: the Java master then opens with a zero-size frame at its last segment.
    const relay = await startDelayRelay(listenPort + 1, 5500);
    cleanup.defer(() => relay.close());
    // Its HA address is the relay's, so it learns the master's listen port (for metadata) from the name server.
    const relayed = cleanup.add(await startSkiff({
      ...slaveFlags, brokerId: 3, storePathRootDir: join(run, "relayed"), haMasterAddress: `127.0.0.1:${relay.port}`,
      namesrvAddr: namesrv.address, namesrvProtocol: "rocketmq", registerNameServerPeriod: 10_000,
    }));
    const lateStatus = await waitUntil("the late slave to learn its master from the RocketMQ name server", 40_000, async () => {
      const { body } = await skiffJson(late.httpAddress, "/ha/status");
      return body.connectedToMaster && body.maxPhyOffset > 0 ? body : null;
    });
    assert.equal(lateStatus.masterHaAddress, haAddress);
    assert.equal(lateStatus.masterAddress, `127.0.0.1:${listenPort}`);
    await caughtUp(late, endBeforeLate);
    await caughtUp(relayed, endBeforeLate);

    const second = await produce(version, join(run, "producer-2"), { namesrv: namesrv.address, topic: TOPIC, singles: 200, batches: 3, batchSize: 10, bodyBytes: 1000, prefix: "b", delayLevel: 1 });
    assert.deepEqual([...new Set(second.map((s) => s.status))], ["SEND_OK"]);
    const total = first.length + second.length;
    const java = await consume(version, join(run, "consumer"), { namesrv: namesrv.address, topic: TOPIC, group: GROUP, expected: total, timeoutMs: 60_000, commit: 1 });
    assert.equal(java.messages.length, total, "the Java consumer reads every message (the delayed one included) from the master");
    const end = await commitLogEnd(masterLog);

    // Bytes: the early slave from offset 0, the late one from the master's last segment when it connected.
    await caughtUp(early, end);
    await caughtUp(late, end);
    await caughtUp(relayed, end);
    assert.deepEqual(firstTransferHeader(relay.downstream[0] ?? []), { offset: segmentsBeforeLate.at(-1), size: 0 }, "the Java master's first frame is a heartbeat at its last segment");
    const relayedStart = segmentStarts(join(run, "relayed", "commitlog"))[0];
    assert.equal(relayedStart, segmentsBeforeLate.at(-1));
    const relayedBytes = await commitLogBytesEqual(masterLog, join(run, "relayed", "commitlog"), end, relayedStart);
    assert.ok(relayedBytes.equal, `relayed slave: ${relayedBytes.firstDifference}`);
    const earlyBytes = await commitLogBytesEqual(masterLog, join(run, "early", "commitlog"), end, 0);
    assert.ok(earlyBytes.equal, `early slave: ${earlyBytes.firstDifference}`);
    const lateStart = segmentStarts(join(run, "late", "commitlog"))[0];
    assert.equal(lateStart, segmentsBeforeLate.at(-1), "a new slave starts at the master's last segment (report 0)");
    assert.ok(lateStart > 0);
    const lateBytes = await commitLogBytesEqual(masterLog, join(run, "late", "commitlog"), end, lateStart);
    assert.ok(lateBytes.equal, `late slave: ${lateBytes.firstDifference}`);

    // What the bytes hold: repeated property keys in batch records, and this version's trailing separator.
    const records = readRecords(masterLog, 0, end).filter((r) => r.topic === TOPIC);
    assert.ok(records.some((r) => duplicateKeys(r.properties).length > 0), "batch records repeat property keys");
    const trailing = records.filter((r) => r.properties.endsWith("\u0002")).length;
    if (version === "4.9.7") assert.ok(trailing < records.length, "4.9.7 stores properties without the final separator");
    else assert.equal(trailing, records.length, "5.3.3 stores properties with the final separator");

    // Pulls: every message each slave holds, as the Java client parsed it (duplicate keys: the last wins).
    await waitUntil("the topic to reach the slaves by metadata sync", 20_000, async () =>
      (await skiffJson(early.httpAddress, `/topics/${TOPIC}`)).status === 200 && (await skiffJson(late.httpAddress, `/topics/${TOPIC}`)).status === 200);
    const expected = comparableAll(java.messages);
    assert.deepEqual(comparableAll(await skiffPullTopic(early.httpAddress, TOPIC)), expected);
    const fromLate = comparableAll(await skiffPullTopic(late.httpAddress, TOPIC));
    assert.deepEqual(fromLate, expected.filter((m) => m.commitLogOffset >= lateStart));
    assert.ok(fromLate.length > 0 && fromLate.length < expected.length);
    await waitUntil("the topic to reach the relayed slave", 20_000, async () => (await skiffJson(relayed.httpAddress, `/topics/${TOPIC}`)).status === 200);
    assert.deepEqual(comparableAll(await skiffPullTopic(relayed.httpAddress, TOPIC)), expected.filter((m) => m.commitLogOffset >= relayedStart));

    // The late slave, killed (abort left behind) and started again on its store that begins at a
    // segment other than zero, recovers, continues from where it was, and still serves every message.
    await late.kill();
    const third = await produce(version, join(run, "producer-3"), { namesrv: namesrv.address, topic: TOPIC, singles: 300, bodyBytes: 1000, prefix: "c" });
    const late2 = cleanup.add(await startSkiff(lateFlags));
    const java2 = await consume(version, join(run, "consumer-2"), { namesrv: namesrv.address, topic: TOPIC, group: `${GROUP}_2`, expected: total + third.length, timeoutMs: 60_000 });
    const end2 = await commitLogEnd(masterLog);
    await caughtUp(late2, end2);
    assert.equal(segmentStarts(join(run, "late", "commitlog"))[0], lateStart);
    const lateBytes2 = await commitLogBytesEqual(masterLog, join(run, "late", "commitlog"), end2, lateStart);
    assert.ok(lateBytes2.equal, `late slave after its restart: ${lateBytes2.firstDifference}`);
    await waitUntil("the restarted slave to know the topic", 20_000, async () => (await skiffJson(late2.httpAddress, `/topics/${TOPIC}`)).status === 200);
    assert.deepEqual(comparableAll(await skiffPullTopic(late2.httpAddress, TOPIC)), comparableAll(java2.messages).filter((m) => m.commitLogOffset >= lateStart));

    // Consumer offsets committed on the Java master reach the Skiff slaves.
    for (const [queueId, offset] of java.committed) {
      await waitUntil(`consumer offset of queue ${queueId} on the slave`, 20_000, async () =>
        (await skiffJson(early.httpAddress, `/consumer-offsets/${GROUP}/${TOPIC}/${queueId}`)).body.offset === offset);
    }
    passed = true;
  } finally {
    await cleanup.run();
    await finishRun(run, passed);
  }
}

for (const version of ROCKETMQ_VERSIONS) {
  describe(`an Apache RocketMQ ${version} master with Skiff slaves`, { skip: INTEROP_SKIP }, () => {
    it("replicates byte for byte to a slave started before the first message and to one started late, and serves every message", { timeout: 420_000 }, () =>
      scenario(version));
  });
}
