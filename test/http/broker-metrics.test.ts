/**
 * `GET /metrics` on a broker moves with what the broker does: sends and pulls by topic and status
 * (refusals by their error code, from HTTP and RocketMQ remoting alike), commit-log offsets and
 * flushes, long polls parked (and left out of pull latency), consumer lag per group and queue, the
 * schedule backlog per delay level; user-controlled labels stay within metricsOtelCardinalityLimit.
 * Every scrape is read with the strict format reader.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { settle } from "../../adapters/memory/clock.ts";
import { memoryBroker } from "../support/broker.ts";
import { parsePrometheusText, sampleValue, scrape } from "../support/prometheus.ts";
import { remotingBroker } from "../support/processor-broker.ts";
import { pullRequest, sendRequest } from "../processors/broker/requests.ts";
import { ResponseCode } from "../../src/remoting/codes.ts";

describe("broker /metrics", () => {
  it("counts sends and pulls by topic and status, refusals by their error code, and moves the commit-log offsets", async () => {
    const t = await memoryBroker({ flushDiskType: "SYNC_FLUSH" });
    const before = await scrape(t.request);
    assert.equal(sampleValue(before, "skiff_commitlog_max_offset_bytes"), 0);
    assert.equal(sampleValue(before, "skiff_send_duration_seconds", {}, "skiff_send_duration_seconds_count"), 0);
    for (let i = 0; i < 3; i++) assert.equal((await t.send("Orders", { body: `m${i}`, queueId: 0 })).body.status, "SEND_OK");
    await t.send("Invoices", { body: "x", queueId: 0 });
    assert.equal((await t.send("SCHEDULE_TOPIC_XXXX", { body: "x" })).status, 403);
    assert.equal((await t.json("/topics/Orders/queues/0/messages?offset=0&group=g1")).body.messages.length, 3);
    await t.json("/topics/Orders/queues/0/messages?offset=3&group=g1");
    assert.equal((await t.json("/topics/Nope/queues/0/messages?offset=0")).status, 404);

    const m = await scrape(t.request);
    assert.equal(sampleValue(m, "skiff_send_messages_total", { topic: "Orders", status: "SEND_OK" }), 3);
    assert.equal(sampleValue(m, "skiff_send_messages_total", { topic: "Invoices", status: "SEND_OK" }), 1);
    assert.equal(sampleValue(m, "skiff_send_messages_total", { topic: "SCHEDULE_TOPIC_XXXX", status: "NO_PERMISSION" }), 1);
    assert.equal(sampleValue(m, "skiff_send_duration_seconds", {}, "skiff_send_duration_seconds_count"), 5);
    assert.equal(sampleValue(m, "skiff_send_flush_wait_seconds", {}, "skiff_send_flush_wait_seconds_count"), 4, "every stored send waited for its fsync");
    assert.equal(sampleValue(m, "skiff_send_slave_wait_seconds", {}, "skiff_send_slave_wait_seconds_count"), 0, "an ASYNC_MASTER waits for no slave");
    assert.equal(sampleValue(m, "skiff_pull_requests_total", { topic: "Orders", status: "FOUND" }), 1);
    assert.equal(sampleValue(m, "skiff_pull_requests_total", { topic: "Orders", status: "NO_NEW_MSG" }), 1);
    assert.equal(sampleValue(m, "skiff_pull_requests_total", { topic: "Nope", status: "TOPIC_NOT_EXIST" }), 1);
    assert.equal(sampleValue(m, "skiff_pull_messages_total", { topic: "Orders" }), 3);
    assert.equal(sampleValue(m, "skiff_store_put_messages_total"), 4);
    assert.equal(sampleValue(m, "skiff_store_get_found_total"), 1);
    const max = t.broker.store.offsets.maxOffset;
    assert.ok(max > 0);
    for (const name of ["max", "written", "flushed", "dispatched"]) assert.equal(sampleValue(m, `skiff_commitlog_${name}_offset_bytes`), max, name);
    assert.ok(sampleValue(m, "skiff_commitlog_flush_duration_seconds", {}, "skiff_commitlog_flush_duration_seconds_count") >= 1, "SYNC_FLUSH fsyncs were timed");
    assert.equal(sampleValue(m, "skiff_commitlog_flushed_bytes_total"), max);
    assert.deepEqual(m.get("skiff_broker_info")!.samples[0].labels, { cluster: "DefaultCluster", broker_name: "broker-a", broker_id: "0", role: "ASYNC_MASTER" });
    assert.equal(sampleValue(m, "skiff_runtime_info", { runtime: "memory" }), 1);
    assert.ok(sampleValue(m, "skiff_store_disk_total_bytes", { dir: "commitlog" }) > 0);
    await t.broker.stop();
  });

  it("shows a parked long poll, and leaves its parked time out of pull latency", async () => {
    const t = await memoryBroker();
    await t.send("Polled", { body: "first", queueId: 0 });
    const parked = t.json("/topics/Polled/queues/0/messages?offset=1&waitMs=20000");
    await settle();
    assert.equal(sampleValue(await scrape(t.request), "skiff_long_polls_waiting"), 1);
    await t.memory.clock.advance(5000);
    await t.send("Polled", { body: "wakes it", queueId: 0 });
    assert.equal((await parked).body.messages.length, 1);
    const m = await scrape(t.request);
    assert.equal(sampleValue(m, "skiff_long_polls_waiting"), 0);
    assert.equal(sampleValue(m, "skiff_pull_duration_seconds", {}, "skiff_pull_duration_seconds_count"), 1);
    assert.ok(sampleValue(m, "skiff_pull_duration_seconds", {}, "skiff_pull_duration_seconds_sum") < 1, "5 s parked, not counted");
    await t.broker.stop();
  });

  it("reports consumer lag per group, topic and queue, and the schedule backlog per delay level", async () => {
    const t = await memoryBroker({ messageDelayLevel: "1s 5s" });
    await t.json("/topics/Lag", { method: "PUT", body: JSON.stringify({ readQueueNums: 2, writeQueueNums: 2 }) });
    for (let i = 0; i < 5; i++) await t.send("Lag", { body: `a${i}`, queueId: 0 });
    for (let i = 0; i < 2; i++) await t.send("Lag", { body: `b${i}`, queueId: 1 });
    await t.json("/consumer-offsets/g1/Lag/0", { method: "PUT", body: JSON.stringify({ offset: 3 }) });
    await t.json("/consumer-offsets/g2/Lag/1", { method: "PUT", body: JSON.stringify({ offset: 2 }) });
    await t.send("Later", { body: "in 5 s", delayLevel: 2 });
    await t.send("Later", { body: "in 5 s too", delayLevel: 2 });
    let m = await scrape(t.request);
    assert.equal(sampleValue(m, "skiff_consumer_lag_messages", { group: "g1", topic: "Lag", queue: "0" }), 2);
    assert.equal(sampleValue(m, "skiff_consumer_lag_messages", { group: "g1", topic: "Lag", queue: "1" }), 2, "no commit: the whole queue (0 committed, as consumerProgress)");
    assert.equal(sampleValue(m, "skiff_consumer_lag_messages", { group: "g2", topic: "Lag", queue: "1" }), 0);
    assert.equal(sampleValue(m, "skiff_schedule_backlog_messages", { level: "2", delay: "5s" }), 2);
    assert.equal(sampleValue(m, "skiff_schedule_backlog_messages", { level: "1", delay: "1s" }), 0);
    await t.memory.clock.advance(6000);
    await settle(200);
    m = await scrape(t.request);
    assert.equal(sampleValue(m, "skiff_schedule_backlog_messages", { level: "2" }), 0, "delivered");
    assert.equal(sampleValue(m, "skiff_send_messages_total", { topic: "Later", status: "SEND_OK" }), 2, "deliveries are not producer sends");
    assert.equal(sampleValue(m, "skiff_store_put_messages_total"), 7 + 2 + 2, "but they are store puts");
    await t.broker.stop();
  });

  it("keeps user-controlled labels within metricsOtelCardinalityLimit: new topics count as _other, the largest lags are kept", async () => {
    const t = await memoryBroker({ metricsOtelCardinalityLimit: 4, defaultTopicQueueNums: 1 });
    for (let i = 0; i < 12; i++) await t.send(`Topic${i}`, { body: "x" });
    for (let i = 0; i < 12; i++) await t.json(`/consumer-offsets/g${i}/Topic${i}/0`, { method: "PUT", body: JSON.stringify({ offset: 0 }) });
    await t.send("Topic11", { body: "more" });
    const m = await scrape(t.request);
    const sends = m.get("skiff_send_messages_total")!.samples;
    assert.equal(sends.length, 5, "4 topics, and _other");
    assert.equal(sampleValue(m, "skiff_send_messages_total", { topic: "_other" }), 9);
    assert.equal(sends.reduce((sum, s) => sum + s.value, 0), 13, "no send is lost from the total");
    assert.equal(sampleValue(m, "skiff_metrics_series_folded_total", { metric: "skiff_send_messages_total" }), 9);
    const lags = m.get("skiff_consumer_lag_messages")!.samples;
    assert.equal(lags.length, 4);
    assert.deepEqual(lags[0].labels, { group: "g11", topic: "Topic11", queue: "0" }, "the largest lag first");
    assert.equal(lags[0].value, 2);
    assert.equal(sampleValue(m, "skiff_metrics_series_dropped", { metric: "skiff_consumer_lag_messages" }), 8);
    await t.broker.stop();
  });

  it("counts RocketMQ remoting sends and pulls as the HTTP ones are counted (one send path)", async () => {
    const rb = await remotingBroker();
    try {
      await rb.broker.runtime.admin.putTopic("Remote", { readQueueNums: 1, writeQueueNums: 1 });
      const client = await rb.client();
      for (let i = 0; i < 2; i++) assert.equal((await client.call(sendRequest("Remote", `r${i}`))).code, ResponseCode.SUCCESS);
      assert.equal((await client.call(sendRequest("SCHEDULE_TOPIC_XXXX", "x"))).code, ResponseCode.NO_PERMISSION);
      assert.equal((await client.call(pullRequest("Remote", 0, 0, { consumerGroup: "rg" }))).code, ResponseCode.SUCCESS);
      const m = parsePrometheusText(await rb.broker.runtime.metrics.render());
      assert.equal(sampleValue(m, "skiff_send_messages_total", { topic: "Remote", status: "SEND_OK" }), 2);
      assert.equal(sampleValue(m, "skiff_send_messages_total", { topic: "SCHEDULE_TOPIC_XXXX", status: "NO_PERMISSION" }), 1);
      assert.equal(sampleValue(m, "skiff_pull_messages_total", { topic: "Remote" }), 2);
      assert.ok(sampleValue(m, "process_resident_memory_bytes") > 1024 * 1024, "the real platform's memory");
      assert.ok(sampleValue(m, "skiff_process_heap_used_bytes") > 1024 * 1024);
    } finally {
      await rb.stop();
    }
  });
});
