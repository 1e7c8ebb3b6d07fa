/**
 * Property-based bad input for RocketMQ remoting frames (length, JSON or ROCKETMQ binary header,
 * body): arbitrary, mutated and real captured bytes decode to a well-formed command or a
 * `REMOTING_FRAME_ILLEGAL`, never another throw or a hang, and random commands round-trip through
 * both header types. The push decoder gives the captured streams' commands in any chunking, holds
 * at most one frame under the 16 MiB limit, refuses a longer length at once, and keeps failing after an error.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SkiffError } from "../../src/core/errors.ts";
import {
  decodeFrameContent, encodeRemotingCommand, FRAME_MAX_BYTES, RemotingFrameDecoder, type RemotingCommand,
} from "../../src/remoting/remoting-command.ts";
import { fixtureBytes } from "../support/fixtures.ts";
import { assertRefusal, chunking, mutate, mutations, RUNS, split, valueOrRefusal } from "../support/property.ts";

const CODES = ["REMOTING_FRAME_ILLEGAL"];
const STREAMS = [
  "v4.9.7/v4.9.7-producer-rocketmq-ser-02-broker.c2s.bin", // ROCKETMQ binary headers
  "v4.9.7/v4.9.7-producer-rocketmq-ser-02-broker.s2c.bin",
  "v4.9.7/v4.9.7-admin-topicRoute-01-namesrv.c2s.bin",
  "v4.9.7/v4.9.7-admin-topicRoute-01-namesrv.s2c.bin",
  "v5.3.3/v5.3.3-producer-02-broker.c2s.bin",
  "v5.3.3/v5.3.3-producer-02-broker.s2c.bin",
].map((name) => fixtureBytes(`remoting/${name}`));

/** A decoded command is well-formed: integer numbers, string fields, string ext values, a body of its own. */
function assertWellFormed(command: RemotingCommand): void {
  for (const n of [command.code, command.version, command.opaque, command.flag]) assert.ok(Number.isInteger(n), `not an integer: ${n}`);
  assert.equal(typeof command.language, "string");
  if (command.remark !== undefined) assert.equal(typeof command.remark, "string");
  for (const value of Object.values(command.extFields ?? {})) assert.equal(typeof value, "string");
  assert.ok(command.body instanceof Uint8Array);
}

function decodeContent(bytes: Uint8Array): RemotingCommand | undefined {
  const command = valueOrRefusal(CODES, () => decodeFrameContent(bytes));
  if (command !== undefined) assertWellFormed(command);
  return command;
}

const text = fc.string({ unit: "grapheme", maxLength: 20 });
const command: fc.Arbitrary<RemotingCommand> = fc.record({
  code: fc.integer({ min: -0x8000, max: 0x7fff }),
  language: fc.constantFrom("JAVA", "CPP", "OTHER", "GO", "RUST", "NODE_JS"),
  version: fc.integer({ min: 0, max: 0x7fff }),
  opaque: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  flag: fc.integer({ min: 0, max: 3 }),
  remark: fc.option(text.filter((s) => s.length > 0), { nil: undefined }),
  extFields: fc.dictionary(text, text, { maxKeys: 5 }).map((d) => ({ ...d })),
  body: fc.uint8Array({ maxLength: 100 }),
}).map(({ remark, ...c }) => (remark === undefined ? { ...c } : { ...c, remark }));

const LANGUAGE_CODES: Record<string, number> = { JAVA: 0, CPP: 1, OTHER: 7, GO: 9, RUST: 12, NODE_JS: 13 };

/** The ROCKETMQ binary header layout, written straight from the spec (what a Java client sends with serialize.type=ROCKETMQ). */
function encodeBinaryFrame(c: RemotingCommand): Uint8Array {
  const enc = new TextEncoder();
  const remark = c.remark === undefined ? null : enc.encode(c.remark);
  const entries = Object.entries(c.extFields ?? {}).map(([k, v]) => [enc.encode(k), enc.encode(v)]);
  const extLength = entries.reduce((n, [k, v]) => n + 2 + k.length + 4 + v.length, 0);
  const headerLength = 17 + (remark?.length ?? 0) + 4 + extLength;
  const out = new Uint8Array(8 + headerLength + c.body.length);
  const view = new DataView(out.buffer);
  view.setInt32(0, 4 + headerLength + c.body.length);
  view.setInt32(4, (1 << 24) | headerLength);
  view.setInt16(8, c.code);
  view.setInt8(10, LANGUAGE_CODES[c.language]);
  view.setInt16(11, c.version);
  view.setInt32(13, c.opaque);
  view.setInt32(17, c.flag);
  view.setInt32(21, remark?.length ?? 0);
  let at = 25;
  if (remark) (out.set(remark, at), (at += remark.length));
  view.setInt32(at, extLength);
  at += 4;
  for (const [k, v] of entries) {
    view.setInt16(at, k.length);
    out.set(k, at + 2);
    view.setInt32(at + 2 + k.length, v.length);
    out.set(v, at + 6 + k.length);
    at += 6 + k.length + v.length;
  }
  out.set(c.body, at);
  return out;
}

/** Feeds chunks until the first error; checks the error is a refusal and sticky, and the decoder stays within one frame. */
function feed(chunks: readonly Uint8Array[]): { commands: RemotingCommand[]; error: string | null } {
  const decoder = new RemotingFrameDecoder();
  const commands: RemotingCommand[] = [];
  for (const chunk of chunks) {
    try {
      for (const c of decoder.push(chunk)) (assertWellFormed(c), commands.push(c));
    } catch (error) {
      assertRefusal(error, CODES);
      assert.throws(() => decoder.push(new Uint8Array(4)), (again: unknown) => again instanceof SkiffError && again.code === error.code);
      return { commands, error: error.code };
    }
    assert.ok(decoder.pendingBytes < FRAME_MAX_BYTES, `decoder holds ${decoder.pendingBytes} bytes`);
  }
  return { commands, error: null };
}

describe("remoting frame content, property-based", () => {
  it("decodes arbitrary bytes, and arbitrary JSON or binary headers, to a well-formed command or REMOTING_FRAME_ILLEGAL", () => {
    const withHeader = (type: number, header: Uint8Array, body: Uint8Array) => {
      const out = new Uint8Array(4 + header.length + body.length);
      new DataView(out.buffer).setInt32(0, (type << 24) | header.length);
      out.set(header, 4);
      out.set(body, 4 + header.length);
      return out;
    };
    const content = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.tuple(fc.json({ maxDepth: 3 }), fc.uint8Array({ maxLength: 8 })).map(([json, body]) => withHeader(0, new TextEncoder().encode(json), body)),
      fc.tuple(fc.uint8Array({ maxLength: 120 }), fc.uint8Array({ maxLength: 8 })).map(([h, body]) => withHeader(1, h, body)),
    );
    fc.assert(fc.property(content, (bytes) => void decodeContent(bytes)), { numRuns: RUNS });
  });

  it("round-trips random commands through the JSON header Skiff writes and the ROCKETMQ binary header Java can send", () => {
    fc.assert(fc.property(command, (c) => {
      const expected = { ...c, extFields: { ...c.extFields } };
      assert.deepEqual(decodeFrameContent(encodeRemotingCommand(c).subarray(4)), expected);
      assert.deepEqual(decodeFrameContent(encodeBinaryFrame(c).subarray(4)), expected);
    }), { numRuns: RUNS });
  });

  it("decodes mutated frames (random commands of both header types, captured frames) to a well-formed command or a refusal", () => {
    const frames = fc.oneof(
      command.map((c) => encodeRemotingCommand(c).subarray(4)),
      command.map((c) => encodeBinaryFrame(c).subarray(4)),
      fc.constantFrom(...STREAMS).map((s) => s.subarray(4, 4 + new DataView(s.buffer, s.byteOffset).getInt32(0))),
    );
    fc.assert(fc.property(frames, mutations, (frame, steps) => void decodeContent(mutate(frame, steps))), { numRuns: RUNS });
  });
});

describe("remoting push decoder, property-based", () => {
  it("decodes the captured conversations the same in any chunking as whole, with no error", () => {
    fc.assert(fc.property(fc.constantFrom(...STREAMS), chunking, (stream, cuts) => {
      const whole = feed([stream]);
      assert.equal(whole.error, null);
      assert.ok(whole.commands.length > 0);
      assert.deepEqual(feed(split(stream, cuts)), whole);
    }), { numRuns: 100 });
  });

  it("gives garbage and mutated streams the same commands and error in any chunking, holding at most one frame", () => {
    const stream = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.tuple(fc.constantFrom(...STREAMS), mutations).map(([s, m]) => mutate(s, m)),
      fc.tuple(fc.array(command, { maxLength: 4 }), mutations).map(([cs, m]) => mutate(concat(cs.map(encodeBinaryFrame)), m)),
    );
    fc.assert(fc.property(stream, chunking, (bytes, cuts) => {
      const whole = feed([bytes]);
      const chunked = feed(split(bytes, cuts));
      assert.equal(chunked.error, whole.error);
      if (whole.error === null) assert.deepEqual(chunked.commands, whole.commands);
    }), { numRuns: RUNS });
  });

  it("refuses a frame length outside 4..16 MiB-4 as soon as its 4 bytes are in, before any body", () => {
    const badLength = fc.oneof(fc.integer({ min: FRAME_MAX_BYTES - 3, max: 0x7fffffff }), fc.integer({ min: -0x80000000, max: 3 }));
    fc.assert(fc.property(badLength, fc.uint8Array({ maxLength: 32 }), (length, tail) => {
      const prefix = new Uint8Array(4);
      new DataView(prefix.buffer).setInt32(0, length);
      const decoder = new RemotingFrameDecoder();
      assert.deepEqual(decoder.push(prefix.subarray(0, 3)), []);
      assert.throws(() => decoder.push(new Uint8Array([prefix[3], ...tail])), (e: unknown) => e instanceof SkiffError && e.code === "REMOTING_FRAME_ILLEGAL");
      assert.equal(decoder.pendingBytes, 0, "nothing of the refused frame is held");
    }), { numRuns: RUNS });
  });
});

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}
