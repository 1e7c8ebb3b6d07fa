/**
 * RocketMQ's `DataVersion`: the identity of one state of a metadata table.
 *
 * JSON: `{"counter":7,"timestamp":1700000000000}` (4.9) or
 *       `{"counter":7,"stateVersion":0,"timestamp":1700000000000}` (5.x).
 *
 * - A new version (Java's `new DataVersion()`) has counter 0 and timestamp = now.
 * - `nextVersion` on every change: timestamp = now, counter + 1.
 * - `equals` is an identity check, not an ordering: timestamp AND counter equal, AND stateVersion
 *   equal when both sides carry one (a 4.9 version has none). A slave replaces its table whenever
 *   the master's version is not equal to its own, in either direction.
 * - `assign` copies every field (Java's `assignNewOne`).
 * A version is written without `stateVersion` unless it was loaded or assigned with one.
 */
import type { Clock } from "../core/platform.ts";
import { expectObject, intField, metadataError } from "./json-fields.ts";

export interface DataVersionJson {
  readonly counter: number;
  readonly timestamp: number;
  readonly stateVersion?: number;
}

export class DataVersion {
  counter: number;
  timestamp: number;
  stateVersion: number | undefined;

  constructor(init: DataVersionJson) {
    this.counter = init.counter;
    this.timestamp = init.timestamp;
    this.stateVersion = init.stateVersion;
  }

  /** Java's `new DataVersion()`. */
  static fresh(clock: Clock): DataVersion {
    return new DataVersion({ counter: 0, timestamp: clock.now() });
  }

  /** Validates a parsed `dataVersion` object. */
  static fromJson(value: unknown, what = "dataVersion"): DataVersion {
    const obj = expectObject(value, what);
    const stateVersion = obj.stateVersion === undefined || obj.stateVersion === null ? undefined : intField(obj, "stateVersion", 0, what);
    const counter = intField(obj, "counter", 0, what);
    const timestamp = intField(obj, "timestamp", undefined, what);
    if (counter < 0) throw metadataError(`${what}.counter must not be negative, got ${counter}`);
    return new DataVersion({ counter, timestamp, stateVersion });
  }

  nextVersion(clock: Clock): void {
    this.timestamp = clock.now();
    this.counter += 1;
  }

  equals(other: DataVersionJson | undefined | null): boolean {
    if (!other) return false;
    if (this.timestamp !== other.timestamp || this.counter !== other.counter) return false;
    if (this.stateVersion === undefined || other.stateVersion === undefined) return true;
    return this.stateVersion === other.stateVersion;
  }

  assign(other: DataVersionJson): void {
    this.counter = other.counter;
    this.timestamp = other.timestamp;
    this.stateVersion = other.stateVersion;
  }

  toJson(): DataVersionJson {
    const json: { counter: number; timestamp: number; stateVersion?: number } = { counter: this.counter, timestamp: this.timestamp };
    if (this.stateVersion !== undefined) json.stateVersion = this.stateVersion;
    return json;
  }
}
