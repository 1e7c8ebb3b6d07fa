/**
 * Retention as clients and admin tools see it, on a real broker (the runtime's file system, every
 * remoting processor on a real socket, its HTTP app): `deleteExpiredCommitLog` (329) is answered 0
 * and makes the next pass delete outside deleteWhen; `updateBrokerConfig deleteWhen=<this hour>`
 * does the same as in the real run; afterwards a remoting PULL and an HTTP pull below the new min
 * get RocketMQ's answer (21 PULL_OFFSET_MOVED / OFFSET_ILLEGAL, OFFSET_TOO_SMALL, the min as next
 * offset), the committed consumer offset stays as it was, and `POST /admin/delete-expired-commitlog`
 * arms the 20 passes too.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { brokerApp } from "../../../src/http/broker/app.ts";
import { brokerProcessors } from "../../../src/processors/broker/index.ts";
import { RequestCode, ResponseCode } from "../../../src/remoting/codes.ts";
import { waitFor } from "../../support/processor-broker.ts";
import { remotingBroker } from "../../support/remoting-broker.ts";
import { pullRequest, request, sendRequest } from "./requests.ts";

const SMALL_STORE = {
  mappedFileSizeCommitLog: 4096, mappedFileSizeConsumeQueue: 400, maxHashSlotNum: 64, maxIndexNum: 256,
  fileReservedTime: 0, deleteWhen: "99", cleanResourceInterval: 100, cleanResourceInitialDelay: 0,
  flushIntervalCommitLog: 50, flushIntervalConsumeQueue: 50, deleteCommitLogFilesInterval: 0, deleteConsumeQueueFilesInterval: 0,
};

async function retentionBroker() {
  const rb = await remotingBroker((runtime) => [...brokerProcessors(runtime).main], SMALL_STORE);
  await rb.broker.runtime.admin.putTopic("Ret", { readQueueNums: 1, writeQueueNums: 1 });
  const client = await rb.open();
  for (let i = 0; i < 30; i++) {
    const sent = await client.call(sendRequest("Ret", `ret-${i} `.padEnd(900, "x"), { queueId: 0, properties: { KEYS: `rk-${i}` } }));
    assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark);
  }
  const { store } = rb.broker;
  await store.waitDispatched(store.offsets.maxOffset);
  rb.broker.runtime.admin.commitConsumerOffset("cg_old", "Ret", 0, 5);
  await new Promise((resolve) => setTimeout(resolve, 400)); // passes run every 100 ms: deleteWhen=99 deletes nothing
  assert.equal(store.offsets.minOffset, 0);
  return { rb, client, store };
}

describe("retention over remoting and HTTP", () => {
  it("deleteExpiredCommitLog (329) deletes outside deleteWhen; pulls below the min get OFFSET_TOO_SMALL with the min", async () => {
    const { rb, client, store } = await retentionBroker();
    try {
      const armed = await client.call(request(RequestCode.DELETE_EXPIRED_COMMITLOG, {}));
      assert.deepEqual([armed.code, armed.remark, armed.body.byteLength], [ResponseCode.SUCCESS, undefined, 0]);
      await waitFor("the manual pass", () => rb.logs.some((line) => line.includes("retention pass (manual request")));
      assert.ok(rb.logs.some((line) => line.includes("manual deletion requested")));
      assert.ok(store.minOffsetInQueue("Ret", 0) > 0);
      const min = store.minOffsetInQueue("Ret", 0);
      assert.equal(store.offsets.minOffset, store.stats().commitLogSegmentStarts[0]);

      const moved = await client.call(pullRequest("Ret", 0, 5, { consumerGroup: "cg_old", sysFlag: 0 }));
      assert.deepEqual([moved.code, moved.remark], [ResponseCode.PULL_OFFSET_MOVED, "OFFSET_TOO_SMALL"]);
      assert.deepEqual([moved.extFields?.nextBeginOffset, moved.extFields?.minOffset, moved.extFields?.maxOffset], [String(min), String(min), "30"]);
      const found = await client.call(pullRequest("Ret", 0, min, { consumerGroup: "cg_old", sysFlag: 0 }));
      assert.deepEqual([found.code, found.remark], [ResponseCode.SUCCESS, "FOUND"]);
      const minAnswer = await client.call(request(RequestCode.GET_MIN_OFFSET, { topic: "Ret", queueId: "0" }));
      assert.equal(minAnswer.extFields?.offset, String(min));

      const app = brokerApp(rb.broker.runtime);
      const pulled = await (await app.request("/topics/Ret/queues/0/messages?offset=5&group=cg_old")).json() as Record<string, unknown>;
      assert.deepEqual([pulled.status, pulled.pullStatus, pulled.nextBeginOffset, pulled.minOffset], ["OFFSET_TOO_SMALL", "OFFSET_ILLEGAL", min, min]);
      assert.equal(rb.broker.runtime.metadata.consumerOffsets.query("cg_old", "Ret", 0), 5, "deletion does not touch committed offsets");

      const http = await app.request("/admin/delete-expired-commitlog", { method: "POST" });
      assert.deepEqual([http.status, await http.json()], [200, { manualPasses: 20 }]);
    } finally {
      await rb.stop();
    }
  });

  it("updateBrokerConfig deleteWhen=<this hour> makes the next pass delete, as in the real run", async () => {
    const { rb, client, store } = await retentionBroker();
    try {
      const hour = new Date().getHours();
      const update = await client.call(request(RequestCode.UPDATE_BROKER_CONFIG, {}, new TextEncoder().encode(`deleteWhen=${hour};${(hour + 1) % 24}\n`)));
      assert.equal(update.code, ResponseCode.SUCCESS, update.remark);
      await waitFor("a pass at this hour", () => rb.logs.some((line) => line.includes(`retention pass (deleteWhen ${hour};${(hour + 1) % 24} includes hour`)));
      assert.ok(store.offsets.minOffset > 0 && store.minOffsetInQueue("Ret", 0) > 0);
      const moved = await client.call(pullRequest("Ret", 0, 0, { sysFlag: 0 }));
      assert.deepEqual([moved.code, moved.remark, moved.extFields?.nextBeginOffset], [ResponseCode.PULL_OFFSET_MOVED, "OFFSET_TOO_SMALL", String(store.minOffsetInQueue("Ret", 0))]);
    } finally {
      await rb.stop();
    }
  });
});
