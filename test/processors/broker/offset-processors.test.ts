// The offset processors over a real broker: QUERY_CONSUMER_OFFSET follows 4.9.7's rule for a group with no offset (0 for
// an empty or young queue that starts at 0; 22 with Java's remark once its first message is "on disk" — here with
// accessMessageInMemoryMaxRatio 0 — or the queue no longer starts at 0, see retention-golden), else the committed offset;
// UPDATE_CONSUMER_OFFSET commits (sync and oneway) and refuses unknown topics, negative offsets and missing fields;
// GET_MAX/MIN_OFFSET, SEARCH_OFFSET_BY_TIMESTAMP (first message stored at or after the time) and
// GET_EARLIEST_MSG_STORETIME answer from the store, an unknown queue reading as empty.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RequestCode, ResponseCode } from "../../../src/remoting/codes.ts";
import { FLAG_ONEWAY } from "../../../src/remoting/remoting-command.ts";
import { remotingBroker, waitFor, type RemotingBroker } from "../../support/processor-broker.ts";
import { recordsOf } from "./replay.ts";
import { pullRequest, request, sendRequest } from "./requests.ts";

const { QUERY_CONSUMER_OFFSET, UPDATE_CONSUMER_OFFSET, GET_MAX_OFFSET, GET_MIN_OFFSET, SEARCH_OFFSET_BY_TIMESTAMP, GET_EARLIEST_MSG_STORETIME } = RequestCode;

async function withTopic(run: (rb: RemotingBroker) => Promise<void>, values: Record<string, string | number | boolean> = {}) {
  const rb = await remotingBroker(values);
  try {
    await rb.broker.runtime.admin.putTopic("T", { readQueueNums: 2, writeQueueNums: 2 });
    await run(rb);
  } finally {
    await rb.stop();
  }
}

async function send(rb: RemotingBroker, count: number, queueId = 0, gapMs = 0): Promise<void> {
  const producer = await rb.client();
  for (let i = 0; i < count; i++) {
    assert.equal((await producer.call(sendRequest("T", `m${i}`, { queueId }))).code, ResponseCode.SUCCESS);
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  await rb.broker.store.waitDispatched(rb.broker.store.offsets.maxOffset);
}

const queue = (queueId = 0, topic = "T") => ({ topic, queueId: String(queueId) });

describe("offset processors", () => {
  it("answer QUERY_CONSUMER_OFFSET with 4.9.7's zero rule, then with what UPDATE_CONSUMER_OFFSET committed", async () => {
    await withTopic(async (rb) => {
      const client = await rb.client();
      const query = (group: string, queueId = 0) => client.call(request(QUERY_CONSUMER_OFFSET, { consumerGroup: group, ...queue(queueId), bname: "broker-a" }));
      assert.deepEqual((await query("fresh", 1)).extFields, { offset: "0" }, "an empty queue");
      await send(rb, 3);
      const young = await query("fresh");
      assert.deepEqual([young.code, young.extFields], [ResponseCode.SUCCESS, { offset: "0" }], "a young queue: its data is in memory");
      const update = await client.call(request(UPDATE_CONSUMER_OFFSET, { consumerGroup: "g", ...queue(), commitOffset: "2" }));
      assert.deepEqual([update.code, update.extFields], [ResponseCode.SUCCESS, {}]);
      assert.deepEqual((await query("g")).extFields, { offset: "2" });
      await client.send({ ...request(UPDATE_CONSUMER_OFFSET, { consumerGroup: "g", ...queue(), commitOffset: "3" }), flag: FLAG_ONEWAY });
      await waitFor("the oneway commit", () => rb.broker.metadata.consumerOffsets.query("g", "T", 0) === 3);
      assert.deepEqual((await query("g")).extFields, { offset: "3" });
    });
  });

  it("answers 22 with Java's remark for a new group once the queue's first message is on disk", async () => {
    await withTopic(async (rb) => {
      await send(rb, 2);
      const client = await rb.client();
      const answer = await client.call(request(QUERY_CONSUMER_OFFSET, { consumerGroup: "new", ...queue() }));
      assert.deepEqual([answer.code, answer.remark, answer.extFields], [ResponseCode.QUERY_NOT_FOUND, "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first", {}]);
      assert.deepEqual((await client.call(request(QUERY_CONSUMER_OFFSET, { consumerGroup: "new", ...queue(1) }))).extFields, { offset: "0" }, "an empty queue still answers 0");
    }, { accessMessageInMemoryMaxRatio: 0 });
  });

  it("refuses commits to unknown topics, negative offsets and missing fields", async () => {
    await withTopic(async (rb) => {
      const client = await rb.client();
      const unknown = await client.call(request(UPDATE_CONSUMER_OFFSET, { consumerGroup: "g", ...queue(0, "Nope"), commitOffset: "1" }));
      assert.equal(unknown.code, ResponseCode.TOPIC_NOT_EXIST);
      const negative = await client.call(request(UPDATE_CONSUMER_OFFSET, { consumerGroup: "g", ...queue(), commitOffset: "-1" }));
      assert.deepEqual([negative.code, negative.remark], [ResponseCode.SYSTEM_ERROR, "a consumer offset must be >= 0, got -1"]);
      const missing = await client.call(request(UPDATE_CONSUMER_OFFSET, { consumerGroup: "g", ...queue() }));
      assert.deepEqual([missing.code, missing.remark], [ResponseCode.SYSTEM_ERROR, "the custom field <commitOffset> is null"]);
      const notANumber = await client.call(request(QUERY_CONSUMER_OFFSET, { consumerGroup: "g", topic: "T", queueId: "x" }));
      assert.equal(notANumber.code, ResponseCode.SYSTEM_ERROR);
    });
  });

  it("answers queue offsets, the earliest store time and searches by store time", async () => {
    await withTopic(async (rb) => {
      await send(rb, 3, 0, 25);
      const client = await rb.client();
      const pulled = await client.call(pullRequest("T", 0, 0, { sysFlag: 0 }));
      const times = recordsOf(pulled.body).map((r) => r.storeTimestamp);
      assert.equal(times.length, 3);
      assert.ok(times[0] < times[1] && times[1] < times[2], `store times grow: ${times}`);
      const ask = async (code: number, fields: Record<string, string>) => (await client.call(request(code, fields))).extFields;
      assert.deepEqual(await ask(GET_MAX_OFFSET, queue()), { offset: "3" });
      assert.deepEqual(await ask(GET_MIN_OFFSET, queue()), { offset: "0" });
      assert.deepEqual(await ask(GET_EARLIEST_MSG_STORETIME, queue()), { timestamp: String(times[0]) });
      const search = async (timestamp: number) => (await ask(SEARCH_OFFSET_BY_TIMESTAMP, { ...queue(), timestamp: String(timestamp) }))!.offset;
      assert.deepEqual(await Promise.all(times.map(search)), ["0", "1", "2"], "each message's own store time");
      assert.equal(await search(times[0] - 60_000), "0", "before the first: the first");
      assert.equal(await search(times[0] + 1), "1", "between two: the later one");
      assert.equal(await search(times[2] + 1), "3", "after the last: the max offset");
      assert.deepEqual(await ask(GET_MAX_OFFSET, queue(0, "Nope")), { offset: "0" }, "an unknown queue reads as empty");
      assert.deepEqual(await ask(GET_EARLIEST_MSG_STORETIME, queue(1)), { timestamp: "-1" });
      assert.equal(await ask(SEARCH_OFFSET_BY_TIMESTAMP, { ...queue(1), timestamp: "0" }).then((f) => f!.offset), "0");
    });
  });
});
