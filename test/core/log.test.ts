/**
 * The log: records carry a time, a level, a component and fields; a logger drops what is below its
 * level before building anything; children share the sink under their own component. A JSON line
 * is one parseable object whose four keys a record's fields cannot overwrite; a text line is one
 * line for people, fields as logfmt. Repeats of a key are held back and counted.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { createLogger, type LogRecord } from "../../src/core/log.ts";
import { formatJson, formatText, logfmt, resolveLogFormat } from "../../src/core/log-format.ts";
import { RepeatGate } from "../../src/core/log-repeats.ts";
import { lineLogger } from "../support/log.ts";

const AT = Date.UTC(2026, 11, 2, 15, 7, 12, 123);

describe("logger", () => {
  it("writes records at or above its level, with time, component and fields", () => {
    const records: LogRecord[] = [];
    const log = createLogger({ sink: (r) => records.push(r), level: "warn", now: () => AT, component: "broker" });
    log.debug("d");
    log.info("i");
    log.warn("w", { slave: "127.0.0.1:1" });
    log.error("e");
    assert.deepEqual(records, [
      { time: AT, level: "warn", component: "broker", message: "w", fields: { slave: "127.0.0.1:1" } },
      { time: AT, level: "error", component: "broker", message: "e", fields: {} },
    ]);
    assert.equal(log.enabled("info"), false);
    assert.equal(log.enabled("error"), true);
  });

  it("gives children their component and base fields, on the same sink and level", () => {
    const records: LogRecord[] = [];
    const root = createLogger({ sink: (r) => records.push(r), level: "info", now: () => AT, component: "broker" });
    const ha = root.child("ha", { role: "SLAVE" });
    ha.info("connected", { master: "m:1" });
    ha.debug("dropped");
    ha.child("conn").info("deeper");
    assert.deepEqual(records.map((r) => [r.component, r.message, r.fields]), [
      ["ha", "connected", { role: "SLAVE", master: "m:1" }],
      ["conn", "deeper", { role: "SLAVE" }],
    ]);
  });
});

describe("log line formats", () => {
  const record: LogRecord = { time: AT, level: "warn", component: "ha", message: "HA slave 127.0.0.1:5 disconnected: \"bye\"\nnow", fields: { slave: "127.0.0.1:5", lagBytes: 42, ok: false, gone: undefined, msg: "mine" } };

  it("json: time, level, component, msg first; fields after; undefined left out; reserved names kept apart", () => {
    const line = formatJson(record);
    assert.equal(line.includes("\n"), false, "one record, one line");
    assert.deepEqual(Object.entries(JSON.parse(line)), [
      ["time", "2026-12-02T15:07:12.123Z"], ["level", "warn"], ["component", "ha"], ["msg", record.message],
      ["slave", "127.0.0.1:5"], ["lagBytes", 42], ["ok", false], ["field.msg", "mine"],
    ]);
  });

  it("json: any message and fields give one line that parses back to them", () => {
    fc.assert(fc.property(fc.string(), fc.dictionary(fc.string().filter((k) => !["time", "level", "component", "msg", "__proto__"].includes(k)), fc.oneof(fc.string(), fc.integer(), fc.boolean())), (message, fields) => {
      const line = formatJson({ time: AT, level: "info", component: "x", message, fields });
      assert.equal(line.includes("\n"), false);
      const back = JSON.parse(line);
      assert.equal(back.msg, message);
      for (const [key, value] of Object.entries(fields)) assert.deepEqual(back[key], value);
    }));
  });

  it("text: UTC time, padded level and component, the message on one line, fields as logfmt", () => {
    assert.equal(formatText(record),
      '2026-12-02 15:07:12.123 WARN  ha        HA slave 127.0.0.1:5 disconnected: "bye"\\nnow  slave=127.0.0.1:5 lagBytes=42 ok=false msg=mine');
    assert.equal(logfmt({ a: "two words", b: "", c: 'q"', d: "x=y", e: 1 }), 'a="two words" b="" c="q\\"" d="x=y" e=1');
  });

  it("auto is text on a terminal, json elsewhere; explicit formats stay", () => {
    assert.equal(resolveLogFormat("auto", true), "text");
    assert.equal(resolveLogFormat("auto", false), "json");
    assert.equal(resolveLogFormat("json", true), "json");
    assert.equal(resolveLogFormat("text", false), "text");
  });
});

describe("repeat gate", () => {
  it("writes the first line of every key at once, each key at most once per interval, with a count", async () => {
    const clock = new ManualClock();
    const lines: string[] = [];
    const log = lineLogger((line) => lines.push(line));
    const gate = new RepeatGate(clock, 10_000);
    for (let i = 0; i < 50; i++) gate.log(log, "warn", "unreadable", `garbage ${i}`);
    gate.log(log, "warn", "not-reading", "queue full");
    gate.log(log, "warn", "refused", "cap");
    assert.deepEqual(lines, ["garbage 0", "queue full", "cap"]);

    await clock.advance(9_999);
    gate.log(log, "warn", "unreadable", "garbage 50");
    assert.equal(lines.length, 3, "still within the interval");
    await clock.advance(1);
    gate.log(log, "warn", "unreadable", "garbage 51");
    gate.log(log, "warn", "not-reading", "queue full again");
    assert.deepEqual(lines.slice(3), ["garbage 51 (and 50 more like it since the last such line)", "queue full again"]);
  });

  it("lets a burst through per interval, and a cleared key logs at once", async () => {
    const clock = new ManualClock();
    const gate = new RepeatGate(clock, 1000, { burst: 3 });
    assert.deepEqual(Array.from({ length: 5 }, () => gate.admit("k")), [0, 0, 0, null, null]);
    await clock.advance(1000);
    assert.equal(gate.admit("k"), 2, "the two held back are counted in the next line");
    gate.clear("k");
    assert.equal(gate.admit("k"), 0);
  });

  it("remembers a bounded number of keys, forgetting the least recently used", () => {
    const clock = new ManualClock();
    const gate = new RepeatGate(clock, 60_000, { maxKeys: 2 });
    assert.equal(gate.admit("a"), 0);
    assert.equal(gate.admit("b"), 0);
    assert.equal(gate.admit("c"), 0); // forgets a
    assert.equal(gate.admit("a"), 0, "a was forgotten: written again at once");
    assert.equal(gate.admit("c"), null, "c is remembered");
  });
});
