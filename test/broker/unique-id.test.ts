/**
 * UNIQ_KEY for messages sent without one: RocketMQ's `MessageClientIDSetter` layout (32 upper-case
 * hex characters: IPv4, pid, a per-process random value, ms since the month began, a counter),
 * decoded field by field here, across a month's end and the counter's wrap.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { UniqueIdGenerator } from "../../src/broker/unique-id.ts";

function fields(id: string) {
  assert.match(id, /^[0-9A-F]{32}$/);
  const hex = (from: number, to: number) => Number.parseInt(id.slice(from * 2, to * 2), 16);
  return { ip: [hex(0, 1), hex(1, 2), hex(2, 3), hex(3, 4)], pid: hex(4, 6), random: id.slice(12, 20), sinceMonthStart: hex(10, 14), counter: hex(14, 16) };
}

describe("UniqueIdGenerator", () => {
  it("lays out IPv4, pid, a per-process random value, ms since the month began (UTC) and a counter", () => {
    let now = Date.UTC(2026, 11, 7, 15, 30, 0, 123);
    const ids = new UniqueIdGenerator(new Uint8Array([127, 0, 0, 1]), 0x12345, () => now);
    const first = fields(ids.next());
    assert.deepEqual(first.ip, [127, 0, 0, 1]);
    assert.equal(first.pid, 0x2345, "the pid's low 16 bits");
    assert.equal(first.sinceMonthStart, now - Date.UTC(2026, 11, 1));
    assert.equal(first.counter, 0);
    now += 5;
    const second = fields(ids.next());
    assert.deepEqual([second.random, second.sinceMonthStart, second.counter], [first.random, first.sinceMonthStart + 5, 1]);
    const other = fields(new UniqueIdGenerator(new Uint8Array([127, 0, 0, 1]), 0x12345, () => now).next());
    assert.notEqual(other.random, first.random, "another process draws another random value");
  });

  it("counts from the new month once the clock passes its start (and back, if the clock goes back)", () => {
    let now = Date.UTC(2026, 11, 31, 23, 59, 59, 999);
    const ids = new UniqueIdGenerator(new Uint8Array([10, 1, 2, 3]), 7, () => now);
    assert.equal(fields(ids.next()).sinceMonthStart, now - Date.UTC(2026, 11, 1));
    now = Date.UTC(2027, 0, 1, 0, 0, 0, 2);
    assert.equal(fields(ids.next()).sinceMonthStart, 2);
    now = Date.UTC(2026, 11, 31, 12);
    assert.equal(fields(ids.next()).sinceMonthStart, now - Date.UTC(2026, 11, 1));
  });

  it("wraps the counter at 16 bits and gives a zero address for a host that is not IPv4", () => {
    const ids = new UniqueIdGenerator(new Uint8Array(16), 1, () => Date.UTC(2026, 0, 1));
    const counters = Array.from({ length: 0x10002 }, () => fields(ids.next()).counter);
    assert.deepEqual(counters.slice(0xfffe), [0xfffe, 0xffff, 0, 1]);
    assert.deepEqual(fields(ids.next()).ip, [0, 0, 0, 0]);
  });
});
