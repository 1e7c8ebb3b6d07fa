/**
 * `deleteWhen` is read as RocketMQ's `UtilAll.isItTimeToDo` reads it: `;`-separated Java ints
 * compared with the local hour, an hour outside 0–23 never matching; a part `Integer.parseInt`
 * would refuse (so Java's clean task would throw at every pass) is refused up front.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isDeleteHour, parseDeleteWhen } from "../../src/codec/delete-when.ts";

/** A wall-clock time whose local hour is `hour` today. */
const at = (hour: number) => new Date(2026, 11, 1, hour, 30).getTime();

describe("deleteWhen", () => {
  it("parses RocketMQ's forms: one hour, several, leading zeros, signs, hours that never come", () => {
    assert.deepEqual(parseDeleteWhen("04"), [4]);
    assert.deepEqual(parseDeleteWhen("03;04"), [3, 4]);
    assert.deepEqual(parseDeleteWhen("19;20"), [19, 20]);
    assert.deepEqual(parseDeleteWhen("+7;-1;99"), [7, -1, 99]);
  });

  it("refuses what Integer.parseInt refuses: empty parts, spaces, letters, beyond a Java int", () => {
    for (const bad of ["", "04;", ";04", "03; 04", "4a", "four", "2147483648", "1.5"]) assert.equal(parseDeleteWhen(bad), undefined, JSON.stringify(bad));
  });

  it("matches the local hour of a time, and never for 99 or a malformed value", () => {
    assert.equal(isDeleteHour("04", at(4)), true);
    assert.equal(isDeleteHour("04", at(5)), false);
    assert.equal(isDeleteHour("03;05", at(5)), true);
    assert.equal(isDeleteHour("99", at(23)), false);
    assert.equal(isDeleteHour("0", at(0)), true);
    assert.equal(isDeleteHour("x", at(4)), false);
  });
});
