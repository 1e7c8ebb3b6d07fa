/**
 * The admin bodies keyed by MessageQueue (TopicStatsTable of 202, ConsumeStats of 208) decode from
 * the bytes real 4.9.7 and 5.3.3 brokers sent and encode back to exactly those bytes, which proves
 * both fastjson's object-key layout and Java's HashMap order of the queues; Java's double text and
 * the reader's refusals are checked beside.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Decode, utf8Encode } from "../../src/core/bytes.ts";
import {
  decodeConsumeStats, decodeTopicStatsTable, encodeConsumeStats, encodeTopicStatsTable, messageQueueHashCode, type ConsumeStats,
} from "../../src/codec/admin-stats-body.ts";
import { javaDoubleString } from "../../src/codec/java-double.ts";
import { ObjectKeyMap, parseFastjson, stringifyFastjson } from "../../src/codec/fastjson.ts";
import { capturedExchange } from "../support/remoting-conversation.ts";

const TOPIC_STATS = ["v4.9.7/v4.9.7-admin-topicStatus-02-broker", "v5.3.3/v5.3.3-admin-topicStatus-02-broker", "c5.3.3-b4.9.7/c5.3.3-b4.9.7-admin-topicStatus-02-broker"];
const CONSUME_STATS = ["v4.9.7/v4.9.7-admin-consumerProgress-02-broker", "v5.3.3/v5.3.3-admin-consumerProgress-02-broker", "c5.3.3-b4.9.7/c5.3.3-b4.9.7-admin-consumerProgress-02-broker"];

describe("TopicStatsTable (202)", () => {
  for (const name of TOPIC_STATS) {
    it(`decodes and re-encodes ${name} byte for byte`, () => {
      const body = capturedExchange(name, 202).response.body;
      const table = decodeTopicStatsTable(body);
      assert.deepEqual(table.offsetTable.map((e) => e.queue.queueId), [3, 2, 1, 0], "the wire order is Java's HashMap order");
      assert.equal(table.offsetTable[0].queue.topic, "TopicTest");
      assert.equal(table.offsetTable[0].queue.brokerName, "broker-a");
      assert.equal(utf8Decode(encodeTopicStatsTable(table)), utf8Decode(body));
    });
  }

  it("orders queues as Java does whatever order they come in", () => {
    const table = decodeTopicStatsTable(capturedExchange(TOPIC_STATS[0], 202).response.body);
    const shuffled = { offsetTable: [...table.offsetTable].reverse() };
    assert.deepEqual(encodeTopicStatsTable(shuffled), capturedExchange(TOPIC_STATS[0], 202).response.body);
  });

  it("writes topicPutTps as a Java double only when given", () => {
    const queue = { topic: "T", brokerName: "b", queueId: 0 };
    const value = { minOffset: 0, maxOffset: 5, lastUpdateTimestamp: 7 };
    assert.equal(utf8Decode(encodeTopicStatsTable({ offsetTable: [{ queue, value }] })),
      '{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"lastUpdateTimestamp":7,"maxOffset":5,"minOffset":0}}}');
    assert.equal(utf8Decode(encodeTopicStatsTable({ offsetTable: [], topicPutTps: 2 })), '{"offsetTable":{},"topicPutTps":2.0}');
    assert.deepEqual(decodeTopicStatsTable(utf8Encode('{"offsetTable":{},"topicPutTps":2.0}')), { offsetTable: [], topicPutTps: 2 });
  });
});

describe("ConsumeStats (208)", () => {
  for (const name of CONSUME_STATS) {
    it(`decodes and re-encodes ${name} byte for byte`, () => {
      const body = capturedExchange(name, 208).response.body;
      const stats = decodeConsumeStats(body);
      assert.equal(stats.consumeTps, 0);
      assert.deepEqual(stats.offsetTable.map((e) => `${e.queue.topic}/${e.queue.queueId}`),
        ["TopicTest/3", "TopicTest/2", "%RETRY%cg_push/0", "TopicTest/1", "TopicTest/0"]);
      assert.equal(utf8Decode(encodeConsumeStats(stats)), utf8Decode(body));
    });
  }

  it("keeps 5.3.3's pullOffset and leaves it out when absent", () => {
    const v5 = decodeConsumeStats(capturedExchange(CONSUME_STATS[1], 208).response.body);
    assert.equal(v5.offsetTable[0].value.pullOffset, 3);
    const v4 = decodeConsumeStats(capturedExchange(CONSUME_STATS[0], 208).response.body);
    assert.equal(v4.offsetTable[0].value.pullOffset, undefined);
  });

  it("round-trips an empty table and a fractional TPS", () => {
    const stats: ConsumeStats = { consumeTps: 0.11537447257383966, offsetTable: [] };
    const bytes = encodeConsumeStats(stats);
    assert.equal(utf8Decode(bytes), '{"consumeTps":0.11537447257383966,"offsetTable":{}}');
    assert.deepEqual(decodeConsumeStats(bytes), stats);
  });

  it("refuses bodies of another shape with REMOTING_BODY_INVALID", () => {
    for (const text of ['[]', '{"offsetTable":[1]}', '{"offsetTable":{{"queueId":0}:{}}}', '{"offsetTable":{{"brokerName":"b","queueId":"x","topic":"T"}:{}}}',
      '{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"brokerOffset":1.5,"consumerOffset":0,"lastTimestamp":0}}}']) {
      assert.throws(() => decodeConsumeStats(utf8Encode(text)), (e: { code?: string }) => e.code === "REMOTING_BODY_INVALID", text);
    }
  });
});

describe("MessageQueue.hashCode and the object-key map", () => {
  it("hashes as Java does (the bucket order of the fixtures: queue 3, 2, retry, 1, 0)", () => {
    const bucket = (queueId: number, topic: string) => {
      const h = messageQueueHashCode({ brokerName: "broker-a", queueId, topic });
      return (h ^ (h >>> 16)) & 15;
    };
    assert.deepEqual([bucket(3, "TopicTest"), bucket(2, "TopicTest"), bucket(0, "%RETRY%cg_push"), bucket(1, "TopicTest"), bucket(0, "TopicTest")], [8, 9, 11, 14, 15]);
  });

  it("parses object keys in order and refuses a map mixing string and object keys", () => {
    const parsed = parseFastjson('{"m":{{"a":1}:2,{"a":0}:3}}') as { m: ObjectKeyMap };
    assert.ok(parsed.m instanceof ObjectKeyMap);
    assert.deepEqual(parsed.m.entries, [[{ a: 1 }, 2], [{ a: 0 }, 3]]);
    assert.equal(stringifyFastjson(parsed as never), '{"m":{{"a":1}:2,{"a":0}:3}}');
    assert.throws(() => parseFastjson('{{"a":1}:2,"b":3}'), /every key of this map is an object/);
    assert.throws(() => parseFastjson('{{{"a":1}:2}:3}'), /a key object with string keys/);
  });
});

describe("javaDoubleString", () => {
  it("prints doubles as Java's Double.toString", () => {
    const cases: Array<[number, string]> = [
      [0, "0.0"], [-0, "-0.0"], [13, "13.0"], [290.3076923076923, "290.3076923076923"], [0.001, "0.001"], [0.0001, "1.0E-4"],
      [12345678, "1.2345678E7"], [1e7, "1.0E7"], [9999999, "9999999.0"], [Number.NaN, "NaN"], [Number.POSITIVE_INFINITY, "Infinity"],
    ];
    for (const [value, text] of cases) assert.equal(javaDoubleString(value), text, String(value));
  });
});
