/**
 * The real 4.9.7 retention run's requests (fixtures `remoting/v4.9.7-retention/`), replayed against
 * a real broker whose store holds the run's 300 messages at the run's physical offsets, after
 * retention deleted what the real broker deleted: topicStatus (202) shows min 240 / max 300, a key
 * whose index file is gone answers 22 as captured, a kept key is found, and a message id at a
 * deleted offset answers 1 with the captured remark (spec rocketmq-remoting §11.3).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeTopicStatsTable } from "../../src/codec/admin-stats-body.ts";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { decodeProperties } from "../../src/codec/properties.ts";
import { MessageStore } from "../../src/store/message-store.ts";
import { defaultStoreOptions } from "../../src/store/store-options.ts";
import { RequestCode, ResponseCode } from "../../src/remoting/codes.ts";
import { platform } from "../support/platform.ts";
import { capturedExchange } from "../support/remoting-conversation.ts";
import { fillLikeTheRun, RUN_STORE, RUN_TOPIC } from "../support/retention-run.ts";
import { answerShape, startAdminWorld, type AdminWorld } from "./admin-harness.ts";

const CAPTURE = "v4.9.7-retention/v4.9.7-retention-";

describe(`the retention run's requests after deletion (${platform.system.runtime})`, () => {
  let world: AdminWorld;
  before(async () => {
    world = await startAdminWorld({
      config: {
        mappedFileSizeCommitLog: RUN_STORE.segmentSizeCommitLogBytes, mappedFileSizeConsumeQueue: RUN_STORE.segmentSizeConsumeQueueBytes,
        maxHashSlotNum: RUN_STORE.maxHashSlotNum, maxIndexNum: RUN_STORE.maxIndexNum, fileReservedTime: 0, deleteWhen: "99",
      },
      prefill: async (storeDir) => {
        const store = await MessageStore.open(platform, defaultStoreOptions(storeDir, RUN_STORE));
        await fillLikeTheRun(store);
        await store.close();
      },
    });
    await world.broker.runtime.admin.putTopic(RUN_TOPIC, { readQueueNums: 1, writeQueueNums: 1 });
    const armed = await world.call(RequestCode.DELETE_EXPIRED_COMMITLOG);
    assert.equal(armed.code, ResponseCode.SUCCESS);
    const pass = await world.broker.store.runRetentionPass();
    assert.deepEqual([pass.commitLogSegments, pass.consumeQueueFiles, pass.indexFiles], [3, 8, 7]);
  });
  after(() => world.stop());

  it("answers topicStatus with min offset 240 and max offset 300, as the real broker did", async () => {
    const { request, response } = capturedExchange(`${CAPTURE}topicStatus-after-02-broker`, RequestCode.GET_TOPIC_STATS_INFO);
    const answer = await world.replay(request);
    const strip = (body: Uint8Array) => decodeTopicStatsTable(body).offsetTable.map(({ queue, value }) => ({ queue, minOffset: value.minOffset, maxOffset: value.maxOffset }));
    assert.deepEqual(strip(answer.body), strip(response.body));
    assert.deepEqual(strip(answer.body).map((q) => [q.minOffset, q.maxOffset]), [[240, 300]]);
  });

  it("answers a key whose index file was deleted 22, byte for byte as captured", async () => {
    const { request, response } = capturedExchange(`${CAPTURE}query-deleted-key-02-broker`, RequestCode.QUERY_MESSAGE);
    assert.deepEqual(answerShape(await world.replay(request)), answerShape(response));
  });

  it("finds a kept key, and answers a message id at a deleted offset 1 as captured", async () => {
    const kept = capturedExchange(`${CAPTURE}query-kept-key-02-broker`, RequestCode.QUERY_MESSAGE);
    const answer = await world.replay(kept.request);
    assert.equal(answer.code, kept.response.code);
    const ours = decodeMessageRecord(answer.body, 0, { readBody: false });
    const theirs = decodeMessageRecord(kept.response.body, 0, { readBody: false });
    assert.ok(ours.kind === "message" && theirs.kind === "message");
    assert.deepEqual([ours.queueOffset, ours.physicalOffset, ours.totalSize, decodeProperties(ours.properties).get("KEYS")],
      [theirs.queueOffset, theirs.physicalOffset, theirs.totalSize, decodeProperties(theirs.properties).get("KEYS")]);
    const deleted = capturedExchange(`${CAPTURE}view-deleted-id-01-broker`, RequestCode.VIEW_MESSAGE_BY_ID);
    assert.deepEqual(answerShape(await world.replay(deleted.request)), answerShape(deleted.response));
  });
});
