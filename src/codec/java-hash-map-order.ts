/**
 * The iteration order of a `java.util.HashMap` (Java 8+), so that the properties Skiff stores come
 * out in the order a Java broker writes them and records are byte-identical to RocketMQ 4.9's for
 * the same send (checked against fixtures/rocketmq/v4.9.7-*-record.bin), and the admin bodies keyed
 * by MessageQueue list their queues as a Java broker does (`javaHashMapOrderBy` with the key's
 * `hashCode`).
 *
 * A HashMap keeps a table of 2^n buckets (16 at first, doubled whenever its size passes 3/4 of the
 * table). A key's bucket is `(h ^ (h >>> 16)) & (tableSize - 1)` with `h` = `String.hashCode`;
 * iteration walks the buckets in order, and within a bucket the keys in insertion order (resizing
 * keeps that order). Buckets turn into trees only beyond 8 keys in one bucket, which property maps
 * and a broker's queues of one topic (distinct queue ids, a 31-multiplier hash) do not reach. Removing a key leaves the others where they are, and never shrinks the table.
 */
import { javaStringHash } from "./java-hash.ts";

/** Orders `keys` (given in insertion order) as a HashMap that once held `maxSize` entries iterates them. */
export function javaHashMapOrder(keys: readonly string[], maxSize = keys.length): string[] {
  return javaHashMapOrderBy(keys, javaStringHash, maxSize);
}

/** The same for keys of any type, given their Java `hashCode` (a signed 32-bit integer). */
export function javaHashMapOrderBy<T>(keys: readonly T[], hashCode: (key: T) => number, maxSize = keys.length): T[] {
  let tableSize = 16;
  while (maxSize > tableSize * 0.75) tableSize *= 2;
  const bucketOf = (key: T) => {
    const h = hashCode(key);
    return (h ^ (h >>> 16)) & (tableSize - 1);
  };
  return keys
    .map((key, insertion) => ({ key, insertion, bucket: bucketOf(key) }))
    .sort((a, b) => a.bucket - b.bucket || a.insertion - b.insertion)
    .map((entry) => entry.key);
}

/** A copy of `properties` (insertion-ordered) re-ordered as Java's HashMap would iterate it. */
export function inJavaHashMapOrder(properties: ReadonlyMap<string, string>, maxSize = properties.size): Map<string, string> {
  return new Map(javaHashMapOrder([...properties.keys()], maxSize).map((key) => [key, properties.get(key)!]));
}
