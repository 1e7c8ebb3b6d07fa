/**
 * The store counts what passes through it (puts, failed puts, reads found and missed, messages
 * handed out, per consumer group) with TPS over 10 s / 60 s / 600 s windows, daily totals that
 * roll at local midnight without a timer, and put latencies per minute, all on a manual clock;
 * memory stays bounded (rings, a capped group table). The single-record lookups find whole
 * messages only.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { decodeMessageRecord } from "../../src/codec/message-record-decode.ts";
import { RateWindow } from "../../src/store/rate-window.ts";
import { PutLatency } from "../../src/store/put-latency.ts";
import { GROUP_RATES_MAX, TrafficStats } from "../../src/store/traffic-stats.ts";
import { memoryStoreWorld, message } from "../support/store.ts";

describe("RateWindow", () => {
  it("gives events per second over complete buckets, undefined before enough history, 0 after a quiet spell", () => {
    const window = new RateWindow(1000, 11, 0);
    window.add(5, 100);
    window.add(5, 900);
    assert.equal(window.rate(1, 999), undefined, "the first second is not complete yet");
    assert.equal(window.rate(1, 1000), 10);
    window.add(2, 1500);
    assert.equal(window.rate(2, 2000), 6);
    assert.equal(window.rate(10, 2000), undefined);
    assert.equal(window.rate(10, 10_000), 1.2);
    assert.equal(window.rate(10, 60_000), 0, "every bucket was zeroed by the quiet minute");
    assert.equal(window.completeBuckets(60_000), 10);
  });
});

describe("PutLatency", () => {
  it("reports the last complete minute's ranges and percentiles, and the slowest put since start", () => {
    const latency = new PutLatency(0);
    for (let i = 0; i < 98; i++) latency.record(0, 1000);
    latency.record(15, 1000);
    latency.record(2500, 1000);
    assert.match(latency.distribution(59_000), /^\[<=0ms\]:0 \[0~10ms\]:0 /, "nothing before the first minute ends");
    assert.equal(latency.distribution(60_000), "[<=0ms]:98 [0~10ms]:0 [10~50ms]:1 [50~100ms]:0 [100~200ms]:0 [200~500ms]:0 [500ms~1s]:0 [1~2s]:0 [2~3s]:1 [3~4s]:0 [4~5s]:0 [5~10s]:0 [10s~]:0 ");
    assert.equal(latency.percentileMs(0.99, 60_000).toFixed(2), "15.00");
    assert.equal(latency.percentileMs(0.5, 60_000), 50 / 98, "interpolated inside the first bucket (0..1 ms)");
    assert.equal(latency.slowestMs, 2500);
    assert.equal(latency.percentileMs(0.99, 180_000), 0, "two minutes later the last minute is empty");
  });
});

describe("TrafficStats", () => {
  it("rolls the daily totals at local midnight, also across days without traffic", async () => {
    const clock = new ManualClock(new Date(2026, 0, 10, 23, 0, 0).getTime());
    const stats = new TrafficStats(clock);
    stats.countPut(3, 300);
    assert.deepEqual(stats.putTotals(), { yesterdayMorning: 0, todayMorning: 0, now: 3 });
    await clock.advance(2 * 3600_000);
    stats.countPut(1, 100);
    assert.deepEqual(stats.putTotals(), { yesterdayMorning: 0, todayMorning: 3, now: 4 });
    await clock.advance(24 * 3600_000);
    assert.deepEqual(stats.putTotals(), { yesterdayMorning: 3, todayMorning: 4, now: 4 });
    await clock.advance(3 * 24 * 3600_000);
    stats.countGet(2, 0);
    assert.deepEqual(stats.putTotals(), { yesterdayMorning: 4, todayMorning: 4, now: 4 });
    assert.deepEqual(stats.getTotals(), { yesterdayMorning: 0, todayMorning: 0, now: 2 });
  });

  it("keeps at most GROUP_RATES_MAX consumer groups, dropping the least recently read", () => {
    const stats = new TrafficStats(new ManualClock());
    for (let i = 0; i <= GROUP_RATES_MAX; i++) stats.countGet(1, 0, `T@g${i}`);
    assert.equal(stats.groupGetTps("T@g0"), 0);
    assert.equal((stats as unknown as { groupRates: Map<string, unknown> }).groupRates.size, GROUP_RATES_MAX);
  });
});

describe("MessageStore traffic", () => {
  it("counts puts, reads and per-group reads, with Java's TPS text", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    try {
      for (let i = 0; i < 4; i++) await store.put([message("T", `m${i}`, { queueId: i % 2 })]);
      await store.put([message("T", "b0"), message("T", "b1")]);
      await store.waitDispatched(store.offsets.maxOffset);
      assert.equal(store.traffic.putMessages, 6);
      assert.equal(store.traffic.putBytes, store.offsets.maxOffset);
      const found = await store.get({ topic: "T", queueId: 0, offset: 0, maxMsgNums: 32, consumerGroup: "g" });
      assert.equal(found.messages.length, 4);
      await store.get({ topic: "T", queueId: 1, offset: 2, maxMsgNums: 32 });
      assert.equal(store.traffic.getFound, 1);
      assert.equal(store.traffic.getMiss, 1);
      assert.equal(store.traffic.getTransferred, 4);
      assert.equal(store.traffic.tps("put"), "  ", "no span is complete at the first instant (Java prints the separators only)");
      await world.clock.advance(10_000);
      assert.equal(store.traffic.tps("put"), "0.6  ");
      assert.equal(store.traffic.tps("getTransferred"), "0.4  ");
      assert.equal(store.traffic.getTotalTps(), "0.2 0.0 0.0");
      assert.equal(store.traffic.groupGetTps("T@g"), 0.4);
      await world.clock.advance(50_000);
      assert.equal(store.traffic.tps("put"), "0.0 0.1 ", "at 60 s: nothing in the last 10 s, 6 puts in the last minute");
      // Five appends (a batch is one) met the flush policy within the first minute, in 0 ms of manual time.
      assert.match(store.traffic.putLatency.distribution(world.clock.monotonicMs()), /^\[<=0ms\]:5 \[0~10ms\]:0 /);
    } finally {
      await store.close();
    }
  });

  it("counts an append the commit log refuses as a failed put", async () => {
    const world = memoryStoreWorld({ segmentSizeCommitLogBytes: 4096, maxMessageSizeBytes: 3000 });
    const store = await world.open();
    try {
      await assert.rejects(store.put([message("T", "x".repeat(2500)), message("T", "y".repeat(2500))]), (e: { code?: string }) => e.code === "MESSAGE_SIZE_EXCEEDED");
      assert.equal(store.traffic.putFailures, 1);
      assert.equal(store.traffic.putMessages, 0);
    } finally {
      await store.close();
    }
  });

  it("finds a record by physical offset only where a whole message starts", async () => {
    const world = memoryStoreWorld();
    const store = await world.open();
    try {
      assert.equal(await store.earliestMessageTime(), -1);
      const first = await store.put([message("T", "one")]);
      await world.clock.advance(5);
      const second = await store.put([message("T", "two")]);
      const at = second.records[0].physicalOffset;
      const bytes = await store.readMessageAt(at);
      assert.ok(bytes);
      const record = decodeMessageRecord(bytes, 0);
      assert.equal(record.kind === "message" && new TextDecoder().decode(record.body!), "two");
      for (const offset of [at + 1, at - 4, store.offsets.maxOffset, store.offsets.maxOffset + 100, -1, 2 ** 60]) {
        assert.equal(await store.readMessageAt(offset), null, `offset ${offset}`);
      }
      assert.equal(await store.earliestMessageTime(), first.storeTimestamp);
      await store.waitDispatched(store.offsets.maxOffset);
      assert.equal(await store.storeTimestampAt("T", 0, 1), second.storeTimestamp);
      assert.equal(await store.storeTimestampAt("T", 0, 2), -1);
      assert.equal(await store.storeTimestampAt("absent", 0, 0), -1);
    } finally {
      await store.close();
    }
  });
});
