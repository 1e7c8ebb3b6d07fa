/**
 * Hostile remoting peers for end-to-end tests of a broker process:
 *
 * - `randomFrame`: fast-check frames — made up (any code, JSON or binary header, random fields and
 *   body, sometimes oneway or flagged as a response), captured real client requests as they are
 *   (`fixtures/rocketmq/remoting/*-broker.c2s.bin`), and captured requests mutated (flipped bytes,
 *   lying lengths, cuts), plus raw garbage.
 * - `checkRandomStream`: writes one stream in random chunks and checks the broker answered what
 *   the stream holds: a stream that `RemotingFrameDecoder` reads whole gets exactly one answer per
 *   request (none for oneway requests and responses) and its connection stays open; a stream it
 *   cannot read is closed, with answers only to requests before the unreadable point.
 * - `neverReads`: a client that sends small requests as fast as it can and never reads an answer.
 * - `idleSockets`: many connections that never send a byte.
 *
 * Raw sockets are node:net (which all three runtimes provide) where the test must control
 * reading; the random streams use the runtime's own platform TCP (`RawRemotingClient`).
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import fc from "fast-check";
import { concatBytes } from "../../src/core/bytes.ts";
import { RequestCode, ResponseCode } from "../../src/remoting/codes.ts";
import { decodeFrameContent, encodeRemotingCommand, FLAG_ONEWAY, RemotingFrameDecoder, requestCommand, type RemotingCommand } from "../../src/remoting/remoting-command.ts";
import { platform } from "./platform.ts";
import { mutate, mutations, split } from "./property.ts";
import { binaryFrame } from "./remoting-frames.ts";
import { captureFiles, capturedFrames, RawRemotingClient } from "./remoting.ts";

/** Codes no RocketMQ version has: always answered REQUEST_CODE_NOT_SUPPORTED. */
export const UNKNOWN_CODES = { min: 20000, max: 30000 } as const;
const isUnknown = (code: number) => code >= UNKNOWN_CODES.min && code <= UNKNOWN_CODES.max;

/**
 * Every request real 4.9.7 / 5.3.3 clients and tools sent to a broker in the captures, except
 * pulls (a broker may hold them for seconds, by design) and the admin requests that change the
 * broker itself (its config, or deleting a topic).
 */
const NOT_SEEDS: ReadonlySet<number> = new Set([RequestCode.PULL_MESSAGE, RequestCode.LITE_PULL_MESSAGE, RequestCode.UPDATE_BROKER_CONFIG, RequestCode.DELETE_TOPIC_IN_BROKER]);
const seeds: Uint8Array[] = captureFiles("-broker.c2s.bin").flatMap((name) => capturedFrames(name))
  .filter((f) => !NOT_SEEDS.has(f.command.code) && (f.command.flag & 1) === 0)
  .map((f) => f.bytes);
const SEED_CODES = [...new Set(seeds.map((bytes) => decodeFrameContent(bytes.subarray(4)).code))];

const madeFrame = fc.record({
  code: fc.oneof(fc.integer(UNKNOWN_CODES), fc.constantFrom(...SEED_CODES), fc.integer({ min: -32768, max: 32767 })),
  opaque: fc.integer({ min: 0, max: 0x7fffffff }),
  flag: fc.constantFrom(0, 0, 0, FLAG_ONEWAY, 1),
  ext: fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), { maxKeys: 5 }),
  body: fc.uint8Array({ maxLength: 64 }),
  binary: fc.boolean(),
}).map(({ code, opaque, flag, ext, body, binary }) =>
  binary ? binaryFrame(code, opaque, ext, body, { flag }) : encodeRemotingCommand({ ...requestCommand(code, opaque, ext, body), flag }));

export const randomFrame: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 3, arbitrary: madeFrame },
  { weight: 2, arbitrary: fc.constantFrom(...seeds) },
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...seeds), mutations).map(([seed, steps]) => mutate(seed, steps)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 48 }) },
);

/** Frames of an incomplete tail up to this many bytes are completed with zeros; longer tails are left waiting. */
const FILL_LIMIT_BYTES = 64 * 1024;

interface Prediction {
  /** The requests the broker must (readable) or may (unreadable) answer: neither oneway nor responses. */
  readonly requests: readonly RemotingCommand[];
  readonly readable: boolean;
  /** Zeros that complete the last frame (within FILL_LIMIT_BYTES); after them the stream ends between frames. */
  readonly fill: Uint8Array;
  /** Whether the stream, with `fill`, ends between two frames (so a further request is read as one). */
  readonly complete: boolean;
}

/** What the broker reads from `stream`: byte by byte, so every frame before an unreadable point counts. */
function predict(stream: Uint8Array): Prediction {
  const decoder = new RemotingFrameDecoder();
  const commands: RemotingCommand[] = [];
  const answerable = () => commands.filter((c) => (c.flag & 1) === 0 && (c.flag & FLAG_ONEWAY) === 0);
  let fill = new Uint8Array(0);
  try {
    for (let i = 0; i < stream.byteLength; i++) commands.push(...decoder.push(stream.subarray(i, i + 1)));
    if (decoder.pendingBytes > 0 && decoder.bytesNeeded <= FILL_LIMIT_BYTES) {
      fill = new Uint8Array(decoder.bytesNeeded);
      commands.push(...decoder.push(fill));
    }
  } catch {
    return { requests: answerable(), readable: false, fill, complete: false };
  }
  return { requests: answerable(), readable: true, fill, complete: decoder.pendingBytes === 0 };
}

const PROBE_OPAQUE = 0x7ffffffe;
const count = (opaques: readonly number[]) => opaques.reduce((m, o) => m.set(o, (m.get(o) ?? 0) + 1), new Map<number, number>());

export async function checkRandomStream(port: number, stream: Uint8Array, cuts: readonly number[]): Promise<void> {
  const prediction = predict(stream);
  const requests = [...prediction.requests];
  const client = await RawRemotingClient.open(platform.net, { host: "127.0.0.1", port });
  try {
    for (const chunk of split(concatBytes([stream, prediction.fill]), cuts)) await client.connection.write(chunk).catch(() => undefined);
    if (prediction.readable && prediction.complete) {
      const probe = requestCommand(UNKNOWN_CODES.min, PROBE_OPAQUE);
      requests.push(probe);
      await client.connection.write(encodeRemotingCommand(probe));
    }
    const expected = count(requests.map((r) => r.opaque));
    const answers = () => client.frames.filter((f) => (f.flag & 1) === 1);
    const described = () => `stream ${stream.byteLength} bytes (+${prediction.fill.byteLength} fill), readable=${prediction.readable}, ` +
      `requests ${JSON.stringify(requests.map((r) => [r.code, r.opaque]))}, answers ${JSON.stringify(answers().map((f) => [f.code, f.opaque, f.remark]))}`;
    if (prediction.readable) {
      const allIn = () => [...expected].every(([opaque, n]) => (count(answers().map((f) => f.opaque)).get(opaque) ?? 0) >= n);
      await client.until(`every answer: ${described()}`, () => allIn() || client.ended, 10_000);
      assert.equal(client.ended, false, `a readable stream's connection stays open: ${described()}`);
      await new Promise((resolve) => setTimeout(resolve, 20)); // an extra (wrong) answer would show up now
      assert.deepEqual(count(answers().map((f) => f.opaque)), expected, `exactly one answer per request: ${described()}`);
    } else {
      await client.until(`the close of an unreadable stream: ${described()}`, () => client.ended, 10_000);
      for (const [opaque, n] of count(answers().map((f) => f.opaque))) assert.ok(n <= (expected.get(opaque) ?? 0), `answers only to requests before the unreadable point: ${described()}`);
    }
    for (const answer of answers()) {
      assert.doesNotMatch(answer.remark ?? "", /internal error/, `no processor failed on a bug: ${described()}`);
      const request = requests.filter((r) => r.opaque === answer.opaque);
      if (request.length === 1 && isUnknown(request[0].code)) {
        assert.deepEqual([answer.code, answer.remark], [ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ` request type ${request[0].code} not supported`]);
      }
    }
  } finally {
    client.close();
  }
}

export interface NeverReadsResult {
  readonly sentBytes: number;
  /** Whether the broker closed the connection (before `maxBytes` were sent, and within 10 s after). */
  readonly closed: boolean;
  readonly ms: number;
}

/**
 * Connects, never reads, and sends binary-header requests of an unknown code (29 bytes each, each
 * answered with about 150) until the broker closes the connection or `maxBytes` are sent.
 */
export async function neverReads(port: number, maxBytes: number): Promise<NeverReadsResult> {
  const started = Date.now();
  const socket: Socket = connect({ host: "127.0.0.1", port });
  socket.pause();
  let closed = false;
  socket.on("error", () => undefined);
  socket.on("close", () => (closed = true));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  const chunk = concatBytes(Array.from({ length: 2048 }, (_, i) => binaryFrame(UNKNOWN_CODES.max, i, {})));
  let sentBytes = 0;
  while (!closed && sentBytes < maxBytes) {
    const ok = await new Promise<boolean>((resolve) => socket.write(chunk, (error) => resolve(!error)));
    if (!ok) break;
    sentBytes += chunk.byteLength;
  }
  const deadline = Date.now() + 10_000;
  while (!closed && Date.now() < deadline) {
    if (!socket.destroyed) socket.write(chunk, () => undefined); // a write to a closed peer is reset
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const result = { sentBytes, closed, ms: Date.now() - started };
  socket.destroy();
  return result;
}

/** `n` connections that never send; `closedCount()` says how many the server closed. */
export async function idleSockets(port: number, n: number): Promise<{ sockets: Socket[]; closedCount: () => number; destroy: () => void }> {
  const sockets: Socket[] = [];
  let closed = 0;
  for (let from = 0; from < n; from += 250) {
    const batch = Array.from({ length: Math.min(250, n - from) }, () => {
      const socket = connect({ host: "127.0.0.1", port });
      socket.on("error", () => undefined);
      socket.on("close", () => closed++);
      sockets.push(socket);
      return new Promise<void>((resolve) => {
        socket.once("connect", () => resolve());
        socket.once("close", () => resolve());
      });
    });
    await Promise.all(batch);
  }
  return { sockets, closedCount: () => closed, destroy: () => sockets.forEach((s) => s.destroy()) };
}
