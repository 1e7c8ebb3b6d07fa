/**
 * Property-based bad input for every route of the broker's HTTP API, through `app.request()` on the
 * in-memory platform: random methods, hostile paths and topic names, query strings, content types and
 * bodies (random JSON, random bytes, mutated valid JSON, mutated binary batches) get a 2xx or a 4xx in
 * the `{"error":{"code","message"}}` shape, never a 5xx. After every request the commit log holds
 * exactly the messages that were acknowledged, each a whole record that decodes with a valid CRC, and
 * no file or directory exists outside the store root.
 */
import { TOPIC_DELETION_PROPERTY } from "../../src/store/topic-deletion.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { settle } from "../../adapters/memory/clock.ts";
import { encodeBatch } from "../../src/codec/batch.ts";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { decodeProperties, encodeProperties, MessageConst } from "../../src/codec/properties.ts";
import { SCHEDULE_TOPIC } from "../../src/codec/delay-levels.ts";
import { memoryBroker } from "../support/broker.ts";
import { mutate, mutations, RUNS } from "../support/property.ts";
import { bodyFrom, checkAnswer, contentType, describeSpec, hostileSegment, queueIdText, requestInit, type RequestSpec } from "./http-property.ts";

const SEGMENT_BYTES = 1 << 20; // memoryBroker's mappedFileSizeCommitLog
const ROOT = "/store";
const TOPICS = ["TopicTest", "Orders", "__proto__", "TBW102", "SCHEDULE_TOPIC_XXXX", "%RETRY%g1", "a|b"];
const GROUPS = ["g1", "__proto__", "CID_ONSAPI_OWNER", "%DLQ%g1"];

/** `acknowledged`: the commit-log offsets of every message a 200 answer reported as stored. */
type World = Awaited<ReturnType<typeof memoryBroker>> & { acknowledged: Set<number> };

async function world(): Promise<World> {
  const t = await memoryBroker({ maxMessageSize: 2048, defaultTopicQueueNums: 4 });
  return Object.assign(t, { acknowledged: new Set<number>() });
}

const topic = fc.oneof(fc.constantFrom(...TOPICS), hostileSegment);
const group = fc.oneof(fc.constantFrom(...GROUPS), hostileSegment);
const propertyText = fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 });
const jsonMessage = fc.record({
  body: fc.string({ maxLength: 50 }),
  tags: propertyText,
  keys: fc.oneof(propertyText, fc.array(propertyText, { maxLength: 3 })),
  // Keys the broker itself reads (REAL_TOPIC/REAL_QID steer the schedule service) with hostile values.
  properties: fc.dictionary(fc.oneof(propertyText, fc.constantFrom("REAL_TOPIC", "REAL_QID", "DELAY", "WAIT", "UNIQ_KEY", "TAGS")), fc.oneof(propertyText, fc.constantFrom("SCHEDULE_TOPIC_XXXX", "..", "0", "-1", "false", "Orders")), { maxKeys: 3 }),
  queueId: fc.integer({ min: 0, max: 5 }),
  flag: fc.integer(),
  delayLevel: fc.integer({ min: 0, max: 20 }),
  wait: fc.boolean(),
}, { requiredKeys: ["body"] });
const jsonBatch = fc.record({ messages: fc.array(jsonMessage, { minLength: 1, maxLength: 4 }) });
const binaryBatch = fc.array(fc.record({
  flag: fc.integer(),
  body: fc.uint8Array({ maxLength: 60 }),
  properties: fc.dictionary(propertyText.filter((s) => !/[\u0001\u0002]/.test(s)), propertyText.filter((s) => !/[\u0001\u0002]/.test(s)), { maxKeys: 3 })
    .map((m) => encodeProperties(m, { trailingSeparator: false })),
}), { minLength: 1, maxLength: 4 }).map(encodeBatch);
const mutatedBatch = fc.tuple(binaryBatch, mutations).map(([b, m]) => mutate(b, m));

const query = fc.record({
  offset: fc.oneof(fc.nat(10).map(String), fc.constantFrom("-1", "x", "9007199254740993", "")),
  max: fc.oneof(fc.integer({ min: 0, max: 2000 }).map(String), fc.constantFrom("x", "-5")),
  group: group,
  waitMs: fc.oneof(fc.constantFrom("0", "1", "30000", "30001", "-1", "abc"), fc.integer({ min: 0, max: 40_000 }).map(String)),
  tags: fc.oneof(fc.constantFrom("*", "TagA || TagB", "||", " ", "a".repeat(5000)), fc.string({ unit: "binary", maxLength: 20 })),
  queueId: queueIdText,
}, { requiredKeys: [] }).map((q) => {
  const text = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, v.replace(/[\ud800-\udfff]/g, "\ufffd")])).toString();
  return text ? `?${text}` : "";
});

/** Every route's path shape (filled with valid or hostile parts), plus paths that match no route. */
const path = fc.oneof(
  fc.tuple(topic, query).map(([t, q]) => `/topics/${t}/messages${q}`),
  fc.tuple(topic, queueIdText, query).map(([t, id, q]) => `/topics/${t}/queues/${id}/messages${q}`),
  fc.constantFrom("/topics", "/subscription-groups", "/health", "/sync/topic-config", "/sync/consumer-offsets", "/sync/delay-offset", "/sync/subscription-groups", "/ha/status", "/admin/role"),
  topic.map((t) => `/topics/${t}`),
  group.map((g) => `/subscription-groups/${g}`),
  fc.tuple(group, topic, queueIdText).map(([g, t, id]) => `/consumer-offsets/${g}/${t}/${id}`),
  fc.array(hostileSegment, { minLength: 1, maxLength: 5 }).map((segments) => `/${segments.join("/")}`),
  fc.constantFrom("/topics/", "//topics//TopicTest//messages", "/topics/TopicTest/messages/", "/topics/%2e%2e/%2e%2e/messages", "/../../etc/passwd", "/topics/..%2F..%2Fconfig/messages"),
);

const validBody = fc.oneof(
  jsonMessage, jsonBatch,
  fc.record({ readQueueNums: fc.integer({ min: 0, max: 2000 }), writeQueueNums: fc.integer({ min: 0, max: 2000 }), perm: fc.integer({ min: -1, max: 16 }), order: fc.boolean() }, { requiredKeys: ["readQueueNums", "writeQueueNums"] }),
  fc.record({ consumeEnable: fc.boolean(), retryQueueNums: fc.integer({ min: -1, max: 100 }), retryMaxTimes: fc.integer({ min: 0, max: 2000 }), brokerId: fc.integer({ min: -1, max: 3 }) }, { requiredKeys: [] }),
  fc.record({ offset: fc.oneof(fc.maxSafeNat(), fc.constantFrom(-1, 1.5, 2 ** 60)) }),
  fc.record({ brokerRole: fc.constantFrom("ASYNC_MASTER", "SYNC_MASTER"), brokerId: fc.integer({ min: 0, max: 3 }) }, { requiredKeys: ["brokerRole"] }),
);

const accept = fc.constantFrom(undefined, "application/json", "application/x-rocketmq-messages", "*/*", "text/html");
const request: fc.Arbitrary<RequestSpec> = fc.oneof(
  fc.record({
    method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"),
    path,
    contentType,
    accept,
    body: fc.oneof(bodyFrom(validBody), binaryBatch, mutatedBatch),
  }, { requiredKeys: ["method", "path"] }),
  // Valid sends and pulls in between, so that the store has messages for the other requests to hit.
  fc.record({ method: fc.constant("POST"), path: fc.constantFrom(...TOPICS.slice(0, 2)).map((n) => `/topics/${n}/messages`), contentType: fc.constant("application/json"), body: fc.oneof(jsonMessage, jsonBatch).map((v) => JSON.stringify(v)) }),
  fc.record({ method: fc.constant("GET"), path: fc.tuple(fc.constantFrom(...TOPICS), fc.nat(4), fc.nat(5)).map(([n, q, o]) => `/topics/${n}/queues/${q}/messages?offset=${o}`), accept }),
);

/** Sends one request, moving the manual clock on while a long poll waits, and checks the answer. */
async function send(t: World, spec: RequestSpec): Promise<void> {
  let done = false;
  const pending = Promise.resolve(t.app.request(spec.path, requestInit(spec))).finally(() => (done = true));
  await settle(50);
  for (let i = 0; i < 40 && !done; i++) await t.memory.clock.advance(1000);
  const response = await pending;
  type Sent = { commitLogOffset: number };
  const body = (await checkAnswer(response, describeSpec(spec), spec.method)) as (Sent & { results?: Sent[] }) | undefined;
  if (response.status === 200 && spec.method === "POST" && /\/messages$/.test(new URL(spec.path, "http://x").pathname)) {
    for (const sent of body?.results ?? [body!]) {
      assert.ok(Number.isSafeInteger(sent.commitLogOffset) && !t.acknowledged.has(sent.commitLogOffset));
      t.acknowledged.add(sent.commitLogOffset);
    }
  }
}

/**
 * The commit log holds exactly the acknowledged messages, as whole records with a valid BODYCRC, and nothing lies outside the root.
 * First waits (bounded) until every appended byte is handed to the files: the schedule service
 * appends a due delayed message on its own timer, which `send` moves on, so its bytes may still be
 * in the log's memory when the answer comes.
 */
async function assertStoreIntact(t: World): Promise<void> {
  const offsets = t.broker.store.offsets;
  for (let i = 0; i < 100 && offsets.writtenOffset < offsets.maxOffset; i++) await settle(20);
  assert.equal(offsets.writtenOffset, offsets.maxOffset, "every appended byte reaches the files");
  const maxOffset = t.broker.store.offsets.maxOffset;
  let offset = 0;
  let acknowledged = 0;
  let scheduled = 0;
  let redelivered = 0;
  while (offset < maxOffset) {
    const base = Math.floor(offset / SEGMENT_BYTES) * SEGMENT_BYTES;
    const segment = t.memory.fs.bytes(`${ROOT}/commitlog/${String(base).padStart(20, "0")}`);
    const record = decodeMessageRecord(segment, offset - base, { checkCrc: true });
    if (record.kind === "blank") {
      offset = base + SEGMENT_BYTES;
      continue;
    }
    assert.equal(record.kind, "message", `commit log at ${offset}: ${JSON.stringify(record)}`);
    if (record.kind !== "message") return;
    assert.equal(record.physicalOffset, offset);
    if (record.topic === SCHEDULE_TOPIC) scheduled++;
    const properties = decodeProperties(record.properties);
    if (t.acknowledged.has(offset)) acknowledged++;
    else if (properties.has(TOPIC_DELETION_PROPERTY)) {
      // A DELETE /topics/{topic} that succeeded writes its deletion record (store/topic-deletion.ts).
      assert.equal(properties.get(TOPIC_DELETION_PROPERTY), record.topic, `deletion record at ${offset} names its topic`);
    } else {
      // Not acknowledged: only the schedule service's second write of a due delayed message may be here.
      assert.ok(record.topic !== SCHEDULE_TOPIC && properties.has(MessageConst.REAL_TOPIC), `unacknowledged record at ${offset}: ${record.topic}`);
      redelivered++;
    }
    offset += record.totalSize;
  }
  assert.equal(offset, maxOffset, "the commit log ends on a record boundary");
  assert.ok(redelivered <= scheduled, "only delayed messages are written again, once each");
  assert.equal(acknowledged, t.acknowledged.size, "every acknowledged message is stored, as a whole record at its offset");
  for (const p of t.memory.fs.paths()) assert.ok(p === "/" || p === ROOT || p.startsWith(`${ROOT}/`), `created outside the store root: ${p}`);
}

describe("broker HTTP API, property-based", () => {
  it("answers random requests to every route with a 2xx or a 4xx in the error shape, storing only whole acknowledged records", async () => {
    const t = await world();
    try {
      await fc.assert(fc.asyncProperty(request, async (spec) => {
        await send(t, spec);
        await assertStoreIntact(t);
      }), { numRuns: RUNS });
      assert.ok(t.acknowledged.size > 0, "some random sends were valid (the property is not vacuous)");
    } finally {
      await t.broker.stop();
    }
  });

  it("answers mutated sends (JSON messages, JSON batches, binary batches) to valid and hostile topics the same way", async () => {
    const t = await world();
    try {
      const sendSpec = fc.record({
        topic: fc.oneof(fc.constantFrom("TopicTest", "Orders"), topic),
        queue: fc.oneof(fc.constant(""), queueIdText.map((q) => `?queueId=${encodeURIComponent(q)}`)),
        kind: fc.oneof(
          fc.tuple(fc.oneof(jsonMessage, jsonBatch), mutations).map(([v, m]) => ({ type: "application/json", body: mutate(new TextEncoder().encode(JSON.stringify(v)), m) })),
          mutatedBatch.map((body) => ({ type: "application/x-rocketmq-batch", body })),
          binaryBatch.map((body) => ({ type: "application/x-rocketmq-batch", body })),
        ),
      });
      await fc.assert(fc.asyncProperty(sendSpec, async ({ topic: name, queue, kind }) => {
        await send(t, { method: "POST", path: `/topics/${name}/messages${queue}`, contentType: kind.type, body: kind.body });
        await assertStoreIntact(t);
      }), { numRuns: RUNS });
      assert.ok(t.acknowledged.size > 0, "some mutated sends were still valid");
    } finally {
      await t.broker.stop();
    }
  });
});
