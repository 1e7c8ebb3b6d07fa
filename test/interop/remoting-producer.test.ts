// A real Java DefaultMQProducer (4.9.7 and 5.3.3 client jars) sends through Skiff's send processors: a RemotingServer started
// in this test over an in-process broker, registered in a real RocketMQ name server (with TBW102, perm 7) over remoting.
// Proved: sync single sends with tags, keys and user properties (unicode too), batches through send(Collection) and a
// delayed message all come back SEND_OK; every message is stored once, with the body, tags, keys and properties sent, the
// producer's socket as born host and brokerIP1:listenPort as store host; the delayed one reaches its topic after its
// level; a first send to a topic that does not exist creates it through TBW102 (4 queues, perm 6). A 5.3.3 client's batch
// carries its own UNIQ_KEY in the batch-level properties, which both real brokers append to each message's (store spec
// §0.1), so a stored batch message holds its own id first and the batch's last: the ids are checked by first occurrence.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { utf8Decode } from "../../src/core/bytes.ts";
import { formatHostAddress } from "../../src/codec/host-address.ts";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { decodeProperties } from "../../src/codec/properties.ts";
import type { TopicConfigWrapper } from "../../src/contract/namesrv-http.ts";
import { tempDir } from "../support/platform.ts";
import { remotingBroker, type RemotingBroker } from "../support/processor-broker.ts";
import { Cleanup, INTEROP_SKIP, ROCKETMQ_VERSIONS, finishRun, freePortBlock, produce, startNamesrv, waitUntil, type RocketMQVersion } from "./rocketmq/harness.ts";
import { registerRoute } from "./rocketmq/skiff-master-harness.ts";

const TOPIC = "InteropRemotingSend";
const QUEUES = 4;
const SINGLES = 24;
const BATCHES = 3;
const BATCH_SIZE = 4;

interface Stored {
  readonly queueId: number;
  /** The first UNIQ_KEY of the stored properties string (the message's own). */
  readonly ownId: string | undefined;
  readonly body: string;
  readonly properties: Map<string, string>;
  readonly bornHost: string;
  readonly storeHost: string;
}

/** Every message of `topic` in the broker's store, through the pull path. */
async function storedMessages(rb: RemotingBroker, topic: string): Promise<Stored[]> {
  const out: Stored[] = [];
  for (let queueId = 0; queueId < QUEUES; queueId++) {
    const result = await rb.broker.runtime.pull.pull({ topic, queueId, offset: 0, max: 1024, waitMs: 0 });
    for (const message of result.messages) {
      const record = decodeMessageRecord(message.bytes, 0, { readBody: true });
      assert.equal(record.kind, "message");
      if (record.kind !== "message") continue;
      const ownId = /(?:^|\u0002)UNIQ_KEY\u0001([^\u0002]+)/.exec(record.properties)?.[1];
      out.push({ queueId, ownId, body: utf8Decode(record.body!), properties: decodeProperties(record.properties), bornHost: formatHostAddress(record.bornHost), storeHost: formatHostAddress(record.storeHost) });
    }
  }
  return out;
}

/** What Producer.java sent as message `i` (its `single()`), checked against the stored properties. */
function assertSingle(stored: Stored, prefix: string): void {
  const i = Number(stored.properties.get("seq"));
  const p = stored.properties;
  assert.ok(stored.body.startsWith(`${prefix}-${i} `), `body of ${i}: ${stored.body.slice(0, 30)}`);
  assert.equal(p.get("TAGS"), i % 7 === 6 ? undefined : `Tag${String.fromCharCode(65 + (i % 3))}`, `tags of ${i}`);
  assert.equal(p.get("KEYS"), i % 5 === 4 ? undefined : `${prefix}-key-${i} ${prefix}-alt-${i}`, `keys of ${i}`);
  assert.equal(p.get("userProp"), i % 2 === 0 ? `v${i}` : undefined);
  assert.equal(p.get("unicode"), i % 11 === 0 ? `h\u00e9llo-\u6d88\u606f-${i}` : undefined);
  assert.equal(p.get("CLUSTER"), "DefaultCluster");
}

async function scenario(version: RocketMQVersion): Promise<void> {
  const run = await tempDir(`interop-remoting-send-${version}`);
  const cleanup = new Cleanup();
  let passed = false;
  try {
    const namesrv = cleanup.add(await startNamesrv(version, await freePortBlock(1), join(run, "namesrv")));
    const rb = cleanup.add(await remotingBroker());
    const { admin, metadata } = rb.broker.runtime;
    await admin.putTopic(TOPIC, { readQueueNums: QUEUES, writeQueueNums: QUEUES });
    const route = await registerRoute(namesrv.address, { brokerName: "broker-a", brokerAddr: rb.address, topicConfig: metadata.topics.snapshot() as unknown as TopicConfigWrapper });
    cleanup.defer(async () => route.close());

    const prefix = `v${version}`;
    const sends = await produce(version, join(run, "producer"), { namesrv: namesrv.address, topic: TOPIC, singles: SINGLES, batches: BATCHES, batchSize: BATCH_SIZE, delayLevel: 1, bodyBytes: 300, prefix });
    assert.equal(sends.length, SINGLES + BATCHES * BATCH_SIZE + 1);
    assert.deepEqual(new Set(sends.map((s) => s.status)), new Set(["SEND_OK"]));

    const all = await waitUntil("the delayed message in its topic", 15_000, async () => {
      const stored = await storedMessages(rb, TOPIC);
      return stored.length === sends.length ? stored : null;
    });
    assert.deepEqual(new Set(all.map((m) => m.ownId)), new Set(sends.map((s) => s.msgId)), "every message stored once, under the id the client gave it");
    const config = rb.broker.runtime.config();
    for (const m of all) {
      assert.equal(m.storeHost, `${config.brokerIP1}:${config.listenPort}`);
      assert.ok(m.bornHost.startsWith("127.0.0.1:") && m.bornHost !== m.storeHost, `born host ${m.bornHost} is the producer's socket`);
    }
    const singles = all.filter((m) => m.properties.has("seq"));
    assert.equal(singles.length, SINGLES);
    for (const m of singles) assertSingle(m, prefix);
    const batched = all.filter((m) => m.properties.get("TAGS") === "TagBatch");
    assert.equal(batched.length, BATCHES * BATCH_SIZE);
    for (const m of batched) assert.equal(m.properties.get("KEYS"), `${prefix}-b${m.properties.get("batchNo")}-${m.properties.get("batchIdx")}`);
    const [delayed] = all.filter((m) => m.properties.get("kind") === "delayed");
    assert.deepEqual([delayed?.properties.get("TAGS"), delayed?.properties.get("REAL_TOPIC")], ["TagDelay", TOPIC]);

    const auto = await produce(version, join(run, "producer-auto"), { namesrv: namesrv.address, topic: `${TOPIC}Auto`, singles: 2, prefix });
    assert.deepEqual(auto.map((s) => s.status), ["SEND_OK", "SEND_OK"]);
    const created = metadata.topics.get(`${TOPIC}Auto`);
    assert.deepEqual([created?.writeQueueNums, created?.perm], [4, 6], "created through TBW102 with the client's 4 queues");
    passed = true;
  } finally {
    await cleanup.run();
    await finishRun(run, passed);
  }
}

for (const version of ROCKETMQ_VERSIONS) {
  describe(`a Java ${version} DefaultMQProducer sending to Skiff's remoting processors`, { skip: INTEROP_SKIP }, () => {
    it("stores every single, batched and delayed message as sent, and auto-creates through TBW102", { timeout: 300_000 }, () => scenario(version));
  });
}
