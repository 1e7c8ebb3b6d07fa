// The send and pull request-header codecs against every captured request (4.9.7 and 5.3.3 clients, JSON and binary
// headers, all fixture folders): each decodes, and re-encodes to exactly the fields the client sent (but fields the header
// class does not know, as Java's decoder ignores them: `ReqT`); round-trip twins for arbitrary headers in both name forms;
// a missing required field is REMOTING_HEADER_INVALID naming the field as it travels.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { SkiffError } from "../../../src/core/errors.ts";
import { RequestCode } from "../../../src/remoting/codes.ts";
import { decodePullMessageHeader, encodePullMessageHeader, type PullMessageHeader } from "../../../src/processors/broker/pull-message-header.ts";
import { decodeSendMessageHeader, encodeSendMessageHeader, type SendMessageHeader } from "../../../src/processors/broker/send-message-header.ts";
import { capturedFrames } from "../../support/remoting-fixtures.ts";
import { RUNS } from "../../support/property.ts";

const REMOTING = new URL("../../../../shared/fixtures/rocketmq/remoting/", import.meta.url);

/** Every client request of every captured broker connection. */
function capturedRequests(codes: ReadonlySet<number>) {
  const out = [];
  for (const folder of readdirSync(fileURLToPath(REMOTING.href), { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(fileURLToPath(new URL(`${folder.name}/`, REMOTING).href)).filter((f) => /-broker\.c2s\.bin$/.test(f))) {
      for (const frame of capturedFrames(`${folder.name}/${file}`)) if (codes.has(frame.code)) out.push({ file, frame });
    }
  }
  return out;
}

const name = fc.stringMatching(/^[%|a-zA-Z0-9_-]{1,40}$/);
const int = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const long = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const text = fc.string({ minLength: 1, maxLength: 60 });

const sendHeader: fc.Arbitrary<SendMessageHeader> = fc.record({
  producerGroup: name, topic: name, defaultTopic: name, defaultTopicQueueNums: int, queueId: int, sysFlag: int, bornTimestamp: long, flag: int,
  properties: text, reconsumeTimes: int, unitMode: fc.boolean(), maxReconsumeTimes: int, batch: fc.boolean(), brokerName: name,
}, { requiredKeys: ["producerGroup", "topic", "defaultTopic", "defaultTopicQueueNums", "queueId", "sysFlag", "bornTimestamp", "flag", "unitMode", "batch"] });

const pullHeader: fc.Arbitrary<PullMessageHeader> = fc.record({
  consumerGroup: name, topic: name, queueId: int, queueOffset: long, maxMsgNums: int, sysFlag: int, commitOffset: long, suspendTimeoutMillis: long,
  subscription: text, subVersion: long, expressionType: fc.constantFrom("TAG", "SQL92"), bname: name, maxMsgBytes: int,
}, { requiredKeys: ["consumerGroup", "topic", "queueId", "queueOffset", "maxMsgNums", "sysFlag", "commitOffset", "suspendTimeoutMillis", "subVersion"] });

describe("SendMessageHeader codec", () => {
  it("decodes every captured send and re-encodes it to the same fields", () => {
    const sends = capturedRequests(new Set([RequestCode.SEND_MESSAGE_V2, RequestCode.SEND_BATCH_MESSAGE]));
    assert.ok(sends.length >= 30, `${sends.length} captured sends`);
    for (const { file, frame } of sends) {
      const header = decodeSendMessageHeader(frame.extFields, "v2");
      assert.equal(header.batch, frame.code === RequestCode.SEND_BATCH_MESSAGE, file);
      assert.deepEqual(encodeSendMessageHeader(header, "v2"), frame.extFields, `${file} opaque ${frame.opaque}`);
    }
    const [first] = sends.filter((s) => s.file === "v4.9.7-producer-02-broker.c2s.bin");
    assert.deepEqual(decodeSendMessageHeader(first.frame.extFields, "v2"), {
      producerGroup: "skiff_pg", topic: "TopicTest", defaultTopic: "TBW102", defaultTopicQueueNums: 4, queueId: 1, sysFlag: 0, bornTimestamp: 1796150986374,
      flag: 0, properties: "KEYS\u0001key-1 key-1b\u0002UNIQ_KEY\u0001FD000000000000000000000000000002618530946E09040A56850000\u0002WAIT\u0001true\u0002TAGS\u0001TagA",
      reconsumeTimes: 0, unitMode: false, batch: false, brokerName: "broker-a",
    });
  });

  it("round-trips any header in both name forms", () => {
    fc.assert(fc.property(sendHeader, fc.constantFrom("v1" as const, "v2" as const), (header, form) => {
      assert.deepEqual(decodeSendMessageHeader(encodeSendMessageHeader(header, form), form), { ...header });
    }), { numRuns: RUNS });
  });

  it("names a missing required field as it travels", () => {
    const fields = encodeSendMessageHeader({ producerGroup: "g", topic: "T", defaultTopic: "TBW102", defaultTopicQueueNums: 4, queueId: 0, sysFlag: 0, bornTimestamp: 1, flag: 0, unitMode: false, batch: false }, "v2");
    delete fields.g;
    assert.throws(() => decodeSendMessageHeader(fields, "v2"), (e: SkiffError) => e.code === "REMOTING_HEADER_INVALID" && e.message === "the custom field <g> is null");
    assert.throws(() => decodeSendMessageHeader({ ...fields, g: "1", e: "one" }, "v2"), (e: SkiffError) => e.code === "REMOTING_HEADER_INVALID" && /<e> is not an int/.test(e.message));
  });
});

describe("PullMessageHeader codec", () => {
  it("decodes every captured pull (11 and 361) and re-encodes it to the fields the header class knows", () => {
    const pulls = capturedRequests(new Set([RequestCode.PULL_MESSAGE, RequestCode.LITE_PULL_MESSAGE]));
    assert.ok(pulls.length >= 100, `${pulls.length} captured pulls`);
    for (const { file, frame } of pulls) {
      const { ReqT: _lite, ...known } = frame.extFields!;
      assert.deepEqual(encodePullMessageHeader(decodePullMessageHeader(frame.extFields)), known, `${file} opaque ${frame.opaque}`);
    }
  });

  it("round-trips any header", () => {
    fc.assert(fc.property(pullHeader, (header) => {
      assert.deepEqual(decodePullMessageHeader(encodePullMessageHeader(header)), { ...header });
    }), { numRuns: RUNS });
  });
});
