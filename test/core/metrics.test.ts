/**
 * The metrics registry counts, observes and collects, and stays bounded whatever label values
 * users bring: beyond the limit a counter folds new topics into `_other` (totals stay right) and a
 * collected gauge keeps the largest values, each saying so in its own metric. The event-loop delay
 * sampler measures a timer's lateness on the platform clock.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Clock } from "../../src/core/platform.ts";
import { EventLoopDelay } from "../../src/core/event-loop-delay.ts";
import { LABEL_VALUE_CHARS_MAX, MetricsRegistry, OTHER_LABEL_VALUE } from "../../src/core/metrics.ts";
import { parsePrometheusText, sampleValue } from "../support/prometheus.ts";

const registry = (seriesMax = 100) => new MetricsRegistry({ prefix: "t_", seriesMax });
const parse = async (r: MetricsRegistry) => parsePrometheusText(await r.render());

describe("metrics registry", () => {
  it("keeps label sets apart whatever characters their values hold", () => {
    const r = registry();
    const pairs = r.counter({ name: "t_pairs_total", help: "pairs", labelNames: ["a", "b"] });
    const sets = [{ a: "x\u0000", b: "y" }, { a: "x", b: "\u0000y" }, { a: "x", b: "y" }, { a: "", b: "x\u0000y" }, { a: "x\u0000y", b: "" }];
    sets.forEach((labels, i) => pairs.inc(labels, i + 1));
    sets.forEach((labels, i) => assert.equal(pairs.value(labels), i + 1, JSON.stringify(labels)));
  });

  it("counts by label set, observes into cumulative buckets, and collects values when scraped", async () => {
    const r = registry();
    const sends = r.counter({ name: "t_sends_total", help: "sends", labelNames: ["topic", "status"], foldLabels: ["topic"] });
    const waits = r.histogram({ name: "t_wait_seconds", help: "waits", buckets: [0.01, 0.1, 1] });
    let depth = 3;
    r.collected({ name: "t_depth", help: "depth", type: "gauge" }, (emit) => emit({}, depth));
    sends.inc({ topic: "A", status: "SEND_OK" });
    sends.inc({ topic: "A", status: "SEND_OK" }, 4);
    sends.inc({ topic: "B", status: "FLUSH_DISK_TIMEOUT" });
    for (const seconds of [0.005, 0.05, 0.05, 5]) waits.observe(seconds);
    let parsed = await parse(r);
    assert.equal(sampleValue(parsed, "t_sends_total", { topic: "A", status: "SEND_OK" }), 5);
    assert.equal(sampleValue(parsed, "t_sends_total", { topic: "B" }), 1);
    assert.deepEqual(parsed.get("t_wait_seconds")!.samples.filter((s) => s.name.endsWith("_bucket")).map((s) => [s.labels.le, s.value]), [["0.01", 1], ["0.1", 3], ["1", 3], ["+Inf", 4]]);
    assert.equal(sampleValue(parsed, "t_wait_seconds", {}, "t_wait_seconds_sum"), 5.105);
    assert.equal(sampleValue(parsed, "t_depth"), 3);
    depth = 9;
    parsed = await parse(r);
    assert.equal(sampleValue(parsed, "t_depth"), 9, "read afresh at each scrape");
    assert.throws(() => sends.inc({ topic: "A" }), /takes the labels/);
    assert.throws(() => sends.inc({ topic: "A", status: "x" }, -1), /only goes up/);
    assert.throws(() => r.counter({ name: "t_sends_total", help: "again" }), /registered once/);
  });

  it("folds topics beyond the limit into _other, so the total stays right, and counts the folded updates", async () => {
    const r = registry(3);
    const sends = r.counter({ name: "t_sends_total", help: "sends", labelNames: ["topic", "status"], foldLabels: ["topic"] });
    for (let i = 0; i < 1000; i++) sends.inc({ topic: `topic-${i}`, status: i % 2 === 0 ? "SEND_OK" : "FLUSH_DISK_TIMEOUT" });
    const parsed = await parse(r);
    const samples = parsed.get("t_sends_total")!.samples;
    assert.deepEqual(samples.map((s) => s.labels.topic), ["topic-0", "topic-1", "topic-2", OTHER_LABEL_VALUE, OTHER_LABEL_VALUE]);
    assert.equal(samples.reduce((sum, s) => sum + s.value, 0), 1000);
    assert.equal(sampleValue(parsed, "t_sends_total", { topic: OTHER_LABEL_VALUE, status: "SEND_OK" }), 498);
    assert.equal(sampleValue(parsed, "t_metrics_series_folded_total", { metric: "t_sends_total" }), 997);
    sends.inc({ topic: "topic-1", status: "FLUSH_DISK_TIMEOUT" });
    assert.equal(sends.value({ topic: "topic-1", status: "FLUSH_DISK_TIMEOUT" }), 2, "a label set already kept still counts as itself");
  });

  it("keeps the largest collected values beyond the limit and says how many were dropped", async () => {
    const r = registry(5);
    r.collected({ name: "t_lag", help: "lag", type: "gauge", labelNames: ["queue"] }, (emit) => {
      for (let q = 0; q < 50; q++) emit({ queue: String(q) }, (q * 7) % 50);
    });
    const parsed = await parse(r);
    assert.deepEqual(parsed.get("t_lag")!.samples.map((s) => s.value), [49, 48, 47, 46, 45]);
    assert.equal(sampleValue(parsed, "t_metrics_series_dropped", { metric: "t_lag" }), 45);
  });

  it("cuts long label values, writes a failing collector without samples and counts the failure", async () => {
    const r = registry();
    const c = r.counter({ name: "t_c_total", help: "c", labelNames: ["topic"] });
    c.inc({ topic: "x".repeat(10_000) });
    r.collected({ name: "t_broken", help: "broken", type: "gauge" }, async () => {
      throw new Error("statfs failed");
    });
    const parsed = await parse(r);
    assert.equal(parsed.get("t_c_total")!.samples[0].labels.topic.length, LABEL_VALUE_CHARS_MAX);
    assert.deepEqual(parsed.get("t_broken")!.samples, []);
    assert.equal(sampleValue(parsed, "t_metrics_collect_errors_total"), 1);
  });
});

/** A clock whose one pending timer the test runs by hand, at the time it chooses (late, if it likes). */
function handClock() {
  let nowMs = 0;
  let pending: (() => void) | null = null;
  const clock: Clock = {
    now: () => 1_700_000_000_000 + nowMs,
    monotonicMs: () => nowMs,
    setTimeout: (callback) => {
      pending = callback;
      return { cancel: () => void (pending = null) };
    },
    setInterval: () => assert.fail("the sampler uses one timeout at a time"),
    sleep: () => assert.fail("not used"),
  };
  const runAt = (atMs: number) => {
    nowMs = atMs;
    const callback = pending;
    pending = null;
    callback?.();
  };
  return { clock, runAt, pending: () => pending !== null };
}

describe("event-loop delay", () => {
  it("records how late each due timer ran, and the largest delay of the last 10 s", () => {
    const { clock, runAt, pending } = handClock();
    const seen: number[] = [];
    const delay = new EventLoopDelay(clock, (seconds) => seen.push(seconds), 200);
    delay.start();
    runAt(200); // on time
    runAt(400);
    runAt(1250); // due at 600: the loop was busy for 650 ms
    runAt(1450);
    assert.deepEqual(seen, [0, 0, 0.65, 0]);
    assert.equal(delay.maxSeconds(), 0.65);
    runAt(5000);
    assert.equal(delay.maxSeconds(), 3.35, "a later, larger delay wins (due at 1650)");
    runAt(16_000);
    assert.equal(delay.maxSeconds(), 10.8, "the 3.35 s one left the 10-s window; this one (due at 5200) is the largest now");
    delay.stop();
    assert.equal(pending(), false, "stop cancels the timer");
  });
});
