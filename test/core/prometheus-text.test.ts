/**
 * The exposition writer produces Prometheus's text format 0.0.4 exactly: HELP and TYPE lines,
 * escaped HELP text and label values, Go-style special values, histogram sample names and `le`
 * labels. The strict reader used by every /metrics test reads it back, and refuses what the format
 * forbids (so a broken writer cannot pass through it).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { escapeHelp, escapeLabelValue, formatValue, isValidLabelName, isValidMetricName, writeFamilies } from "../../src/core/prometheus-text.ts";
import { parsePrometheusText, sampleValue } from "../support/prometheus.ts";

describe("Prometheus text format 0.0.4", () => {
  it("writes a counter, a gauge and a histogram as the format says, byte for byte", () => {
    const text = writeFamilies([
      { name: "skiff_send_messages_total", help: "Messages sent", type: "counter", samples: [{ labels: [["topic", "Orders"], ["status", "SEND_OK"]], value: 3 }] },
      { name: "skiff_up", help: "Up", type: "gauge", samples: [{ labels: [], value: 1 }] },
      {
        name: "skiff_wait_seconds", help: "Waits", type: "histogram", samples: [
          { suffix: "_bucket", labels: [["le", "0.5"]], value: 1 },
          { suffix: "_bucket", labels: [["le", "+Inf"]], value: 2 },
          { suffix: "_sum", labels: [], value: 2.25 },
          { suffix: "_count", labels: [], value: 2 },
        ],
      },
    ]);
    assert.equal(text, [
      "# HELP skiff_send_messages_total Messages sent",
      "# TYPE skiff_send_messages_total counter",
      'skiff_send_messages_total{topic="Orders",status="SEND_OK"} 3',
      "# HELP skiff_up Up",
      "# TYPE skiff_up gauge",
      "skiff_up 1",
      "# HELP skiff_wait_seconds Waits",
      "# TYPE skiff_wait_seconds histogram",
      'skiff_wait_seconds_bucket{le="0.5"} 1',
      'skiff_wait_seconds_bucket{le="+Inf"} 2',
      "skiff_wait_seconds_sum 2.25",
      "skiff_wait_seconds_count 2",
      "",
    ].join("\n"));
    const parsed = parsePrometheusText(text);
    assert.equal(sampleValue(parsed, "skiff_wait_seconds", {}, "skiff_wait_seconds_count"), 2);
    assert.equal(parsed.get("skiff_send_messages_total")?.type, "counter");
  });

  it("escapes backslashes and newlines in HELP, and quotes too in label values, and reads them back", () => {
    assert.equal(escapeHelp('a\\b\nc "q"'), 'a\\\\b\\nc "q"');
    assert.equal(escapeLabelValue('a\\b\nc "q"'), 'a\\\\b\\nc \\"q\\"');
    const hostile = 'topic"} 1\nfake_metric 2 \\';
    const text = writeFamilies([{ name: "m", help: "line one\nline two \\", type: "gauge", samples: [{ labels: [["topic", hostile]], value: 7 }] }]);
    assert.equal(text.split("\n").length, 4, "one HELP, one TYPE, one sample, then the final newline");
    const parsed = parsePrometheusText(text);
    assert.equal(parsed.get("m")?.help, "line one\nline two \\");
    assert.deepEqual(parsed.get("m")?.samples, [{ name: "m", labels: { topic: hostile }, value: 7 }]);
  });

  it("writes values as Go reads them: NaN, +Inf, -Inf, integers and the shortest decimals", () => {
    assert.deepEqual([Number.NaN, Infinity, -Infinity, 0, -0, 42, 0.1, 1e21, 2 ** 53, -1.5e-7].map(formatValue), ["NaN", "+Inf", "-Inf", "0", "0", "42", "0.1", "1e+21", "9007199254740992", "-1.5e-7"]);
  });

  it("checks names: metrics may hold colons, labels may not start with __", () => {
    assert.deepEqual(["skiff_up", "a:b_c", "_x", "9lives", "has-dash", ""].map(isValidMetricName), [true, true, true, false, false, false]);
    assert.deepEqual(["topic", "_x", "__name__", "a:b", "le"].map(isValidLabelName), [true, true, false, false, true]);
    assert.throws(() => writeFamilies([{ name: "bad-name", help: "", type: "gauge", samples: [] }]), /valid/);
    assert.throws(() => writeFamilies([{ name: "m", help: "", type: "gauge", samples: [{ labels: [["__x", "1"]], value: 1 }] }]), /valid/);
    assert.throws(() => writeFamilies([{ name: "m", help: "", type: "gauge", samples: [] }, { name: "m", help: "", type: "gauge", samples: [] }]), /once/);
  });

  it("writes nothing for no families, and a family without samples as its HELP and TYPE", () => {
    assert.equal(writeFamilies([]), "");
    assert.equal(writeFamilies([{ name: "m", help: "h", type: "counter", samples: [] }]), "# HELP m h\n# TYPE m counter\n");
  });

  it("the reader refuses what the format forbids", () => {
    const bad = [
      "m 1\n", //                                              a sample before TYPE
      "# TYPE m gauge\nm 1", //                                  no final newline
      "# TYPE m gauge\nm 1\n# TYPE m gauge\n", //                a family twice
      "# TYPE m gauge\nn 1\n", //                                a sample of another family
      '# TYPE m gauge\nm{a="x\\q"} 1\n', //                      a bad escape
      '# TYPE m gauge\nm{a="1"} 1\nm{a="1"} 2\n', //             a series twice
      "# TYPE m gauge\nm one\n", //                              a bad value
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', // not cumulative
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', // no +Inf bucket
    ];
    for (const text of bad) assert.throws(() => parsePrometheusText(text), Error, JSON.stringify(text));
  });
});
