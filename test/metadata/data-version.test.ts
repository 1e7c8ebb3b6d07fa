/**
 * DataVersion follows RocketMQ: a new version is counter 0 at the current time, each change moves
 * the timestamp to now and adds one to the counter, and equality is an identity check on
 * timestamp and counter (and stateVersion when both sides carry one). Assign copies every field,
 * and the JSON form is validated on the way in.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { DataVersion } from "../../src/metadata/data-version.ts";

describe("DataVersion", () => {
  it("starts at counter 0 and now; nextVersion moves both", async () => {
    const clock = new ManualClock(1_000);
    const version = DataVersion.fresh(clock);
    assert.deepEqual(version.toJson(), { counter: 0, timestamp: 1_000 });
    await clock.advance(5);
    version.nextVersion(clock);
    version.nextVersion(clock);
    assert.deepEqual(version.toJson(), { counter: 2, timestamp: 1_005 });
  });

  it("equals is identity: timestamp and counter, not an ordering", () => {
    const v = new DataVersion({ counter: 3, timestamp: 100 });
    assert.equal(v.equals({ counter: 3, timestamp: 100 }), true);
    assert.equal(v.equals({ counter: 4, timestamp: 100 }), false);
    assert.equal(v.equals({ counter: 2, timestamp: 100 }), false, "an older version is not equal either");
    assert.equal(v.equals({ counter: 3, timestamp: 101 }), false);
    assert.equal(v.equals(undefined), false);
  });

  it("compares stateVersion only when both sides have one", () => {
    const v5 = new DataVersion({ counter: 1, timestamp: 9, stateVersion: 2 });
    assert.equal(v5.equals({ counter: 1, timestamp: 9, stateVersion: 2 }), true);
    assert.equal(v5.equals({ counter: 1, timestamp: 9, stateVersion: 3 }), false);
    assert.equal(v5.equals({ counter: 1, timestamp: 9 }), true);
  });

  it("assign copies every field, including the absence of stateVersion", () => {
    const v = new DataVersion({ counter: 1, timestamp: 9, stateVersion: 2 });
    v.assign({ counter: 7, timestamp: 70 });
    assert.deepEqual(v.toJson(), { counter: 7, timestamp: 70 });
    v.assign({ counter: 8, timestamp: 80, stateVersion: 0 });
    assert.deepEqual(v.toJson(), { counter: 8, stateVersion: 0, timestamp: 80 });
  });

  it("fromJson reads 4.9 and 5.x shapes and rejects bad ones", () => {
    assert.deepEqual(DataVersion.fromJson({ counter: 2, timestamp: 5 }).toJson(), { counter: 2, timestamp: 5 });
    assert.deepEqual(DataVersion.fromJson({ counter: 2, stateVersion: 0, timestamp: 5 }).toJson(), { counter: 2, stateVersion: 0, timestamp: 5 });
    assert.throws(() => DataVersion.fromJson({ counter: 1 }), /dataVersion.timestamp is missing/);
    assert.throws(() => DataVersion.fromJson({ counter: "1", timestamp: 5 }), /dataVersion.counter must be an integer/);
    assert.throws(() => DataVersion.fromJson([1]), /must be a JSON object/);
  });
});
