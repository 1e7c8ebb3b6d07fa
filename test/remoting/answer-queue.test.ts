// The queue of answers waiting for one remoting client: bytes come out in the order they went in;
// while something waits, small frames share 16 KiB chunks (so thousands of small answers cost
// their bytes, not an object each) and large frames stay whole; what it holds is counted exactly.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { concatBytes } from "../../src/core/bytes.ts";
import { AnswerQueue, CHUNK_BYTES } from "../../src/remoting/answer-queue.ts";

const frame = (sizeBytes: number, fill: number) => new Uint8Array(sizeBytes).fill(fill);

describe("remoting answer queue", () => {
  it("keeps the first frame as it is, and copies the small ones behind it into one chunk", () => {
    const queue = new AnswerQueue();
    const first = frame(150, 1);
    queue.push(first);
    assert.equal(queue.sizeBytes, 150);
    assert.equal(queue.costOf(frame(150, 2)), CHUNK_BYTES, "the next small frame opens a chunk");
    for (let i = 0; i < 100; i++) queue.push(frame(150, 2));
    assert.equal(queue.sizeBytes, 150 + CHUNK_BYTES, "100 small frames held in one chunk");
    assert.equal(queue.costOf(frame(150, 3)), 0, "and the chunk has room for more");
    const head = queue.take()!;
    assert.equal(head.bytes, first, "not copied");
    const chunk = queue.take()!;
    assert.deepEqual([chunk.bytes.byteLength, chunk.heldBytes], [100 * 150, CHUNK_BYTES]);
    assert.equal(queue.sizeBytes, 0);
    assert.equal(queue.take(), undefined);
  });

  it("keeps a large frame whole and opens a new chunk behind it", () => {
    const queue = new AnswerQueue();
    queue.push(frame(10, 1));
    queue.push(frame(10, 2));
    const large = frame(CHUNK_BYTES, 3);
    queue.push(large);
    queue.push(frame(10, 4));
    assert.equal(queue.sizeBytes, 10 + CHUNK_BYTES + CHUNK_BYTES + CHUNK_BYTES);
    assert.deepEqual([queue.take()!.bytes.byteLength, queue.take()!.bytes.byteLength], [10, 10]);
    assert.equal(queue.take()!.bytes, large);
    assert.deepEqual([...queue.take()!.bytes], new Array(10).fill(4));
  });

  it("gives back every byte in order, and counts what it holds, for any sizes and takes", () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 3 * CHUNK_BYTES })), { maxLength: 200 }), fc.array(fc.boolean(), { maxLength: 200 }), (sizes, takes) => {
      const queue = new AnswerQueue();
      const pushed: Uint8Array[] = [];
      const taken: Uint8Array[] = [];
      let held = 0;
      sizes.forEach((size, i) => {
        const f = frame(size, i % 251);
        held += queue.costOf(f);
        queue.push(f);
        pushed.push(f);
        assert.equal(queue.sizeBytes, held);
        if (takes[i]) {
          const next = queue.take()!;
          held -= next.heldBytes;
          taken.push(next.bytes);
        }
      });
      for (let next = queue.take(); next !== undefined; next = queue.take()) taken.push(next.bytes);
      assert.deepEqual(concatBytes(taken), concatBytes(pushed));
      assert.equal(queue.sizeBytes, 0);
      assert.ok(queue.isEmpty);
    }), { numRuns: 200 });
  });

  it("holds nothing after clear", () => {
    const queue = new AnswerQueue();
    for (let i = 0; i < 10; i++) queue.push(frame(100, i));
    queue.clear();
    assert.deepEqual([queue.sizeBytes, queue.isEmpty, queue.take()], [0, true, undefined]);
  });
});
