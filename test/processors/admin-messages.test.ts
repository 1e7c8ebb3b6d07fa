/**
 * Finding messages for mqadmin, replayed from the captures: VIEW_MESSAGE_BY_ID (queryMsgById with
 * an offset id) answers the stored record at that physical offset — the same record, field for
 * field, as the real broker sent for the same message — or Java's SYSTEM_ERROR where no message
 * starts; QUERY_MESSAGE answers from the message index: the record the real broker sent for the
 * captured queryMsgByKey, and, for a key without a match, exactly the captured "not found".
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeMessageRecord, type DecodedMessage } from "../../src/codec/message-record-decode.ts";
import { decodeProperties } from "../../src/codec/properties.ts";
import { RequestCode, ResponseCode } from "../../src/remoting/codes.ts";
import { platform } from "../support/platform.ts";
import { capturedExchange } from "../support/remoting-conversation.ts";
import { answerShape, startAdminWorld, type AdminWorld } from "./admin-harness.ts";

const VIEW = { "4.9.7": "v4.9.7/v4.9.7-admin-queryMsgById-offsetMsgId-01-broker", "5.3.3": "v5.3.3/v5.3.3-admin-queryMsgById-offsetMsgId-01-broker" };
const VIEW_DELETED = "v4.9.7-retention/v4.9.7-retention-view-deleted-id-01-broker";
const QUERY_DELETED_KEY = "v4.9.7-retention/v4.9.7-retention-query-deleted-key-02-broker";
const QUERY_BY_KEY = "v4.9.7/v4.9.7-admin-queryMsgByKey-02-broker";

function message(bytes: Uint8Array): DecodedMessage {
  const record = decodeMessageRecord(bytes, 0);
  assert.equal(record.kind, "message");
  return record as DecodedMessage;
}

describe(`message admin processors (${platform.system.runtime})`, () => {
  let world: AdminWorld;

  before(async () => {
    world = await startAdminWorld();
    await world.broker.runtime.admin.putTopic("TopicTest", { readQueueNums: 4, writeQueueNums: 4 });
    // The first message of the captured session: the one queryMsgById looked up at offset 0.
    await world.send("TopicTest", { body: "single-1 tags+keys", tags: "TagA", keys: "key-1 key-1b", queueId: 1 });
    await world.send("TopicTest", { body: "second", queueId: 2 });
    // The index is built by the dispatcher beside the send's answer (as Java's reput): wait for it.
    await world.broker.store.waitDispatched(world.broker.store.offsets.maxOffset);
  });
  after(() => world.stop());

  it("answers 4.9.7's VIEW_MESSAGE_BY_ID with the same record the real broker sent, hosts, times and ids aside", async () => {
    const { request, response } = capturedExchange(VIEW["4.9.7"], RequestCode.VIEW_MESSAGE_BY_ID);
    const answer = await world.replay(request);
    assert.deepEqual({ ...answerShape(answer), bodyLength: 0 }, { ...answerShape(response), bodyLength: 0 });
    const ours = message(answer.body);
    const theirs = message(response.body);
    // The captured client's UNIQ_KEY holds an IPv6 address (56 hex digits), Skiff's an IPv4 one (32).
    const uniqKeyLength = (m: DecodedMessage) => decodeProperties(m.properties).get("UNIQ_KEY")!.length;
    assert.equal(ours.totalSize - uniqKeyLength(ours), theirs.totalSize - uniqKeyLength(theirs), "the same record size but for the unique key");
    for (const field of ["topic", "queueId", "queueOffset", "physicalOffset", "flag", "sysFlag", "reconsumeTimes", "bodyCrc"] as const) {
      assert.equal(ours[field], theirs[field], field);
    }
    assert.deepEqual(ours.body, theirs.body);
    const withoutUniqKey = (props: string) => [...decodeProperties(props)].filter(([k]) => k !== "UNIQ_KEY");
    assert.deepEqual(withoutUniqKey(ours.properties), withoutUniqKey(theirs.properties));
    assert.deepEqual(answer.body, await world.broker.store.readMessageAt(0));
  });

  it("answers 5.3.3's VIEW_MESSAGE_BY_ID (with its topic field) with the record at the offset", async () => {
    const { request, response } = capturedExchange(VIEW["5.3.3"], RequestCode.VIEW_MESSAGE_BY_ID);
    assert.equal(request.extFields?.topic, "TopicTest");
    const answer = await world.replay(request);
    assert.deepEqual({ ...answerShape(answer), bodyLength: 0 }, { ...answerShape(response), bodyLength: 0 });
    assert.equal(message(answer.body).topic, "TopicTest");
  });

  it("answers an offset where no message starts as the real broker did", async () => {
    const { request, response } = capturedExchange(VIEW_DELETED, RequestCode.VIEW_MESSAGE_BY_ID);
    assert.deepEqual(answerShape(await world.replay(request)), answerShape(response));
    const second = (await world.broker.store.readMessageAt(0))!.byteLength;
    for (const offset of [1, second - 1, second + 5, Number.MAX_SAFE_INTEGER, -1]) {
      const answer = await world.call(RequestCode.VIEW_MESSAGE_BY_ID, { offset: String(offset) });
      assert.deepEqual(answerShape(answer), { code: ResponseCode.SYSTEM_ERROR, remark: `can not find message by the offset, ${offset}`, extFields: undefined, bodyLength: 0 });
    }
    assert.equal(message((await world.call(RequestCode.VIEW_MESSAGE_BY_ID, { offset: String(second) })).body).queueId, 2);
    const bad = await world.call(RequestCode.VIEW_MESSAGE_BY_ID, { offset: "zero" });
    assert.deepEqual([bad.code, bad.remark], [ResponseCode.SYSTEM_ERROR, 'the custom field <offset> is not a long: "zero"']);
  });

  it("answers QUERY_MESSAGE for a key without a match as a Java broker does (the retention capture)", async () => {
    const { request, response } = capturedExchange(QUERY_DELETED_KEY, RequestCode.QUERY_MESSAGE);
    assert.deepEqual(answerShape(await world.replay(request)), answerShape(response));
    const { maxNum: _maxNum, ...withoutMaxNum } = request.extFields ?? {};
    const missing = await world.call(RequestCode.QUERY_MESSAGE, withoutMaxNum);
    assert.deepEqual([missing.code, missing.remark], [ResponseCode.SYSTEM_ERROR, "the custom field <maxNum> is null"]);
  });

  it("answers the captured queryMsgByKey with the record the real broker sent, from the index", async () => {
    const { request, response } = capturedExchange(QUERY_BY_KEY, RequestCode.QUERY_MESSAGE);
    const answer = await world.replay(request);
    assert.equal(answer.code, response.code);
    assert.deepEqual(Object.keys(answer.extFields ?? {}).sort(), Object.keys(response.extFields ?? {}).sort());
    const first = (await world.broker.store.readMessageAt(0))!;
    assert.deepEqual(answer.body, first, "the one record whose KEYS hold key-1, byte for byte as stored");
    const theirs = message(response.body);
    assert.equal(message(answer.body).queueOffset, theirs.queueOffset);
    assert.equal(decodeProperties(message(answer.body).properties).get("KEYS"), decodeProperties(theirs.properties).get("KEYS"));
    // The header names the newest index file's end: the second message (the last one indexed).
    const second = await world.broker.store.readMessageAt(first.byteLength);
    assert.equal(answer.extFields?.indexLastUpdatePhyoffset, String(first.byteLength));
    assert.equal(answer.extFields?.indexLastUpdateTimestamp, String(message(second!).storeTimestamp));
    // By unique key (UNIQ_KEY), as queryMsgByUniqueKey asks: `_UNIQUE_KEY_QUERY=true`.
    const uniqKey = decodeProperties(message(first).properties).get("UNIQ_KEY")!;
    const byId = await world.call(RequestCode.QUERY_MESSAGE, { ...request.extFields, key: uniqKey, _UNIQUE_KEY_QUERY: "true", maxNum: "1" });
    assert.deepEqual([byId.code, byId.body], [ResponseCode.SUCCESS, first]);
    // Outside the time window, or another topic: not found, with the index's end still named.
    const late = await world.call(RequestCode.QUERY_MESSAGE, { ...request.extFields, beginTimestamp: String(Date.now() + 3_600_000) });
    assert.deepEqual([late.code, late.remark], [ResponseCode.QUERY_NOT_FOUND, "can not find message, maybe time range not correct"]);
    const other = await world.call(RequestCode.QUERY_MESSAGE, { ...request.extFields, topic: "OtherTopic" });
    assert.equal(other.code, ResponseCode.QUERY_NOT_FOUND);
  });
});
