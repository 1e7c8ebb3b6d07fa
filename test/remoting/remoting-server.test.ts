// The remoting server on the runtime's real TCP stack: requests in JSON and in ROCKETMQ binary headers are dispatched by code and answered in JSON with their opaque; unknown codes get Java's REQUEST_CODE_NOT_SUPPORTED remark, a throwing processor SYSTEM_ERROR with its message, a oneway request nothing; answers may overtake each other; the server can send oneway requests to a client.
// Bad input: garbage, a length beyond 16 MiB, a header that is not JSON and random frames close that connection only; the connection cap, the in-flight cap (SYSTEM_BUSY), the cap on answers waiting for a client that does not read, and the idle timeout all hold, and a well-behaved client is served throughout.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { platform } from "../support/platform.ts";
import { SkiffError } from "../../src/core/errors.ts";
import { concatBytes, utf8Decode, utf8Encode, viewOf } from "../../src/core/bytes.ts";
import { ResponseCode } from "../../src/remoting/codes.ts";
import { encodeRemotingCommand, FLAG_ONEWAY, requestCommand } from "../../src/remoting/remoting-command.ts";
import { RequestHeader } from "../../src/remoting/request-header.ts";
import { RemotingServer, type RemotingLimits, type RemotingProcessor } from "../../src/remoting/remoting-server.ts";
import { RawRemotingClient } from "../support/remoting.ts";
import { lineLogger } from "../support/log.ts";

const ECHO = 9001;
const SLOW = 9002;
const HEADER = 9003;
const BUG = 9004;
const BIG = 9005;
const NOTIFY_ME = 9006;
const HOLD = 9007;
const TOO_BIG = 9008;

function processors(): Map<number, RemotingProcessor> {
  return new Map<number, RemotingProcessor>([
    [ECHO, (request) => ({ code: 0, extFields: { echoed: request.extFields?.v ?? "" }, body: request.body })],
    [SLOW, async (request) => {
      await platform.clock.sleep(Number(request.extFields?.ms ?? "200"));
      return { code: 0, remark: "slow" };
    }],
    [HEADER, (request) => ({ code: 0, extFields: { queueId: String(new RequestHeader(request.extFields).int("queueId")) } })],
    [BUG, () => {
      throw new TypeError("a bug");
    }],
    [BIG, () => ({ code: 0, body: new Uint8Array(256 * 1024) })],
    [NOTIFY_ME, (_request, channel) => {
      channel.sendOneway(40, { consumerGroup: "g" });
      return { code: 0 };
    }],
    [HOLD, () => new Promise(() => undefined)],
    [TOO_BIG, () => ({ code: 0, body: new Uint8Array(16 * 1024 * 1024) })],
  ]);
}

async function withServer(run: (server: RemotingServer, logs: string[]) => Promise<void>, limits: Partial<RemotingLimits> = {}): Promise<void> {
  const logs: string[] = [];
  const server = await RemotingServer.listen({
    net: platform.net, clock: platform.clock, at: { host: "127.0.0.1", port: 0 }, name: "remoting", processors: processors(), log: lineLogger((m) => logs.push(m)), limits,
  });
  try {
    await run(server, logs);
  } finally {
    await server.close();
  }
}

/** A ROCKETMQ binary-header frame (spec §1.4), written out by hand. */
function binaryFrame(code: number, opaque: number, ext: Record<string, string>, body: Uint8Array): Uint8Array {
  const entries = Object.entries(ext).map(([k, v]) => [utf8Encode(k), utf8Encode(v)] as const);
  const extLength = entries.reduce((n, [k, v]) => n + 2 + k.byteLength + 4 + v.byteLength, 0);
  const headerLength = 17 + 4 + extLength;
  const out = new Uint8Array(8 + headerLength + body.byteLength);
  const view = viewOf(out);
  view.setInt32(0, 4 + headerLength + body.byteLength);
  view.setInt32(4, (1 << 24) | headerLength);
  view.setInt16(8, code);
  view.setInt8(10, 0);
  view.setInt16(11, 479);
  view.setInt32(13, opaque);
  view.setInt32(17, 0);
  view.setInt32(21, 0);
  view.setInt32(25, extLength);
  let at = 29;
  for (const [k, v] of entries) {
    view.setInt16(at, k.byteLength);
    out.set(k, at + 2);
    at += 2 + k.byteLength;
    view.setInt32(at, v.byteLength);
    out.set(v, at + 4);
    at += 4 + v.byteLength;
  }
  out.set(body, at);
  return out;
}

async function assertServes(server: RemotingServer): Promise<void> {
  const client = await RawRemotingClient.open(platform.net, server.address);
  try {
    const answer = await client.call(requestCommand(ECHO, 77, { v: "still here" }));
    assert.equal(answer.extFields?.echoed, "still here");
  } finally {
    client.close();
  }
}

describe("remoting server: dispatch", () => {
  it("answers a JSON request by its code, with its opaque, the response flag and a JSON header", () =>
    withServer(async (server) => {
      const client = await RawRemotingClient.open(platform.net, server.address);
      const answer = await client.call(requestCommand(ECHO, 12345, { v: "hello" }, utf8Encode("body bytes")));
      assert.equal(answer.code, 0);
      assert.equal(answer.flag, 1);
      assert.equal(answer.extFields?.echoed, "hello");
      assert.equal(utf8Decode(answer.body), "body bytes");
      client.close();
    }));

  it("reads a ROCKETMQ binary header and answers it in JSON (as 5.3.3 servers do)", () =>
    withServer(async (server) => {
      const client = await RawRemotingClient.open(platform.net, server.address);
      await client.connection.write(binaryFrame(ECHO, 7, { v: "bin" }, utf8Encode("b")));
      await client.until("the answer", () => client.frames.length === 1);
      assert.equal(client.frames[0].opaque, 7);
      assert.equal(client.frames[0].extFields?.echoed, "bin");
      client.close();
    }));

  it("answers an unknown code with REQUEST_CODE_NOT_SUPPORTED and Java's remark", () =>
    withServer(async (server) => {
      const client = await RawRemotingClient.open(platform.net, server.address);
      const answer = await client.call(requestCommand(4242, 3));
      assert.equal(answer.code, ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
      assert.equal(answer.remark, " request type 4242 not supported");
      client.close();
    }));

  it("answers a header field that is missing or not a number with SYSTEM_ERROR and a remark naming it", () =>
    withServer(async (server) => {
      const client = await RawRemotingClient.open(platform.net, server.address);
      const missing = await client.call(requestCommand(HEADER, 1, {}));
      assert.equal(missing.code, ResponseCode.SYSTEM_ERROR);
      assert.equal(missing.remark, "the custom field <queueId> is null");
      const notNumber = await client.call(requestCommand(HEADER, 2, { queueId: "3x" }));
      assert.equal(notNumber.code, ResponseCode.SYSTEM_ERROR);
      assert.match(notNumber.remark ?? "", /<queueId> is not an int: "3x"/);
      const fine = await client.call(requestCommand(HEADER, 3, { queueId: "-7" }));
      assert.equal(fine.extFields?.queueId, "-7");
      client.close();
    }));

  it("answers a processor's bug with SYSTEM_ERROR without its details, and logs the details", () =>
    withServer(async (server, logs) => {
      const client = await RawRemotingClient.open(platform.net, server.address);
      const answer = await client.call(requestCommand(BUG, 1));
      assert.equal(answer.code, ResponseCode.SYSTEM_ERROR);
      assert.doesNotMatch(answer.remark ?? "", /a bug/);
      assert.ok(logs.some((l) => l.includes("TypeError: a bug")), logs.join("\n"));
      client.close();
    }));

  it("never answers a oneway request", () =>
    withServer(async (server) => {
      const client = await RawRemotingClient.open(platform.net, server.address);
      await client.send({ ...requestCommand(ECHO, 1, { v: "oneway" }), flag: FLAG_ONEWAY });
      await client.send({ ...requestCommand(BUG, 2), flag: FLAG_ONEWAY });
      const answer = await client.call(requestCommand(ECHO, 3, { v: "sync" }));
      assert.equal(answer.extFields?.echoed, "sync");
      assert.deepEqual(client.frames.map((f) => f.opaque), [3]);
      client.close();
    }));

  it("lets a quick answer overtake a slow one on the same connection", () =>
    withServer(async (server) => {
      const client = await RawRemotingClient.open(platform.net, server.address);
      await client.send(requestCommand(SLOW, 1, { ms: "300" }));
      await client.send(requestCommand(ECHO, 2, { v: "quick" }));
      await client.until("both answers", () => client.frames.length === 2);
      assert.deepEqual(client.frames.map((f) => f.opaque), [2, 1]);
      client.close();
    }));

  it("sends its own oneway requests to a client on the client's connection", () =>
    withServer(async (server) => {
      const client = await RawRemotingClient.open(platform.net, server.address);
      await client.send(requestCommand(NOTIFY_ME, 5));
      await client.until("the notification and the answer", () => client.frames.length === 2);
      const notification = client.frames.find((f) => f.code === 40)!;
      assert.equal(notification.flag, FLAG_ONEWAY);
      assert.equal(notification.extFields?.consumerGroup, "g");
      client.close();
    }));
});

describe("remoting server: bad input and limits", () => {
  it("closes a connection that sends garbage, and keeps serving others", () =>
    withServer(async (server, logs) => {
      const client = await RawRemotingClient.open(platform.net, server.address);
      await client.connection.write(utf8Encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
      await client.until("the close", () => client.ended);
      assert.equal(client.frames.length, 0);
      assert.ok(logs.some((l) => /frame length .* is outside/.test(l)), logs.join("\n"));
      await assertServes(server);
    }));

  it("closes a connection whose length prefix is beyond 16 MiB as soon as the prefix is in", () =>
    withServer(async (server) => {
      const client = await RawRemotingClient.open(platform.net, server.address);
      const prefix = new Uint8Array(4);
      viewOf(prefix).setInt32(0, 16 * 1024 * 1024 + 1);
      await client.connection.write(prefix);
      await client.until("the close", () => client.ended);
      await assertServes(server);
    }));

  it("closes a connection whose header is not JSON", () =>
    withServer(async (server) => {
      const client = await RawRemotingClient.open(platform.net, server.address);
      const header = utf8Encode("{not json");
      const frame = new Uint8Array(8 + header.byteLength);
      viewOf(frame).setInt32(0, 4 + header.byteLength);
      viewOf(frame).setInt32(4, header.byteLength);
      frame.set(header, 8);
      await client.connection.write(frame);
      await client.until("the close", () => client.ended);
      await assertServes(server);
    }));

  it("survives random frames: each is answered or its connection closed, and the server keeps serving", async () => {
    await withServer(async (server) => {
      const codes = fc.constantFrom(ECHO, HEADER, BUG, 4242, 0, -1, 40);
      const frame = fc.oneof(
        fc.uint8Array({ maxLength: 64 }),
        fc.record({ code: codes, ext: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 4 }), body: fc.uint8Array({ maxLength: 32 }), binary: fc.boolean() })
          .map(({ code, ext, body, binary }) => (binary ? binaryFrame(code, 1, ext, body) : encodeRemotingCommand(requestCommand(code, 1, ext, body)))),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 4 }), async (frames) => {
          const client = await RawRemotingClient.open(platform.net, server.address);
          for (const bytes of frames) await client.connection.write(bytes).catch(() => undefined);
          await client.send(requestCommand(ECHO, 999, { v: "after" })).catch(() => undefined);
          // A random prefix may announce a frame longer than what follows: the FIN ends the channel.
          await client.connection.end().catch(() => undefined);
          await client.until("the server's close after the half-close", () => client.ended);
          for (const f of client.frames) assert.ok((f.flag & 1) === 1 && [0, 1, 3].includes(f.code), `unexpected frame ${JSON.stringify([f.code, f.flag, f.remark])}`);
          client.close();
        }),
        { numRuns: 60 },
      );
      await assertServes(server);
    });
  });

  it("closes connections beyond maxConnections at once", () =>
    withServer(async (server, logs) => {
      const clients = await Promise.all(Array.from({ length: 3 }, () => RawRemotingClient.open(platform.net, server.address)));
      await clients[0].call(requestCommand(ECHO, 1, { v: "a" }));
      await clients[1].call(requestCommand(ECHO, 1, { v: "b" }));
      await clients[2].until("the close", () => clients[2].ended);
      assert.ok(logs.some((l) => l.includes("2 connections are open already")), logs.join("\n"));
      clients[0].close();
      await clients[0].until("the close", () => clients[0].ended);
      const deadline = Date.now() + 5000;
      while (server.connectionCount > 1 && Date.now() < deadline) await platform.clock.sleep(20);
      const again = await RawRemotingClient.open(platform.net, server.address);
      assert.equal((await again.call(requestCommand(ECHO, 2, { v: "c" }))).extFields?.echoed, "c");
      for (const c of [...clients, again]) c.close();
    }, { maxConnections: 2 }));

  it("answers SYSTEM_BUSY beyond maxRequestsInFlightPerConnection, and serves again once they finish", () =>
    withServer(async (server) => {
      const client = await RawRemotingClient.open(platform.net, server.address);
      await client.send(requestCommand(HOLD, 1));
      await client.send(requestCommand(HOLD, 2));
      const busy = await client.call(requestCommand(ECHO, 3, { v: "x" }));
      assert.equal(busy.code, ResponseCode.SYSTEM_BUSY);
      assert.match(busy.remark ?? "", /OVERLOAD/);
      client.close();
      await assertServes(server);
    }, { maxRequestsInFlightPerConnection: 2 }));

  it("does not count answers computed at once as in flight: a burst beyond maxRequestsInFlightPerConnection is served", () =>
    withServer(async (server) => {
      const client = await RawRemotingClient.open(platform.net, server.address);
      await client.connection.write(concatBytes(Array.from({ length: 100 }, (_, i) => encodeRemotingCommand(requestCommand(ECHO, i + 1, { v: "burst" })))));
      await client.until("100 answers", () => client.frames.length === 100);
      assert.deepEqual(new Set(client.frames.map((f) => f.code)), new Set([0]), "no SYSTEM_BUSY for requests answered at once");
      client.close();
    }, { maxRequestsInFlightPerConnection: 2 }));

  it("answers SYSTEM_ERROR, and logs the bug, when a processor's answer is beyond the 16 MiB frame limit", () =>
    withServer(async (server, logs) => {
      const client = await RawRemotingClient.open(platform.net, server.address);
      const answer = await client.call(requestCommand(TOO_BIG, 1));
      assert.deepEqual([answer.code, answer.remark], [ResponseCode.SYSTEM_ERROR, "internal error (see the server's log)"]);
      assert.ok(logs.some((l) => /request code 9008 failed: .*exceeds/.test(l)), logs.join("\n"));
      assert.equal((await client.call(requestCommand(ECHO, 2, { v: "next" }))).extFields?.echoed, "next");
      client.close();
    }));

  it("closes a client that never reads once its waiting answers pass maxQueuedAnswerBytes", () =>
    withServer(async (server, logs) => {
      const client = await RawRemotingClient.open(platform.net, server.address, { read: false });
      const requests = Array.from({ length: 400 }, (_, i) => encodeRemotingCommand(requestCommand(BIG, i)));
      for (const r of requests) {
        try {
          await client.connection.write(r);
        } catch {
          break; // closed by the server
        }
      }
      const deadline = Date.now() + 20_000;
      while (server.connectionCount > 0 && Date.now() < deadline) await platform.clock.sleep(50);
      assert.equal(server.connectionCount, 0, "the server dropped the client that does not read");
      assert.ok(logs.some((l) => /bytes of answers wait for a client that does not read/.test(l) || /did not take a write/.test(l)), logs.join("\n"));
      client.close();
      await assertServes(server);
    }, { maxQueuedAnswerBytes: 1024 * 1024, writeDeadlineMs: 5_000 }));

  it("ends a channel at the client's FIN: a held request is abandoned and the close is seen at once", () =>
    withServer(async (server) => {
      const client = await RawRemotingClient.open(platform.net, server.address);
      await client.send(requestCommand(HOLD, 1));
      await client.call(requestCommand(ECHO, 2, { v: "x" }));
      assert.equal(server.connectionCount, 1);
      await client.connection.end();
      await client.until("the close", () => client.ended, 2000);
      const deadline = Date.now() + 2000;
      while (server.connectionCount > 0 && Date.now() < deadline) await platform.clock.sleep(10);
      assert.equal(server.connectionCount, 0);
    }));

  it("answers thousands of pipelined requests, each once and intact, coalesced into few writes", () =>
    withServer(async (server) => {
      const client = await RawRemotingClient.open(platform.net, server.address);
      const requests = Array.from({ length: 5000 }, (_, i) => encodeRemotingCommand(requestCommand(ECHO, i + 1, { v: `v${i}` }, utf8Encode(`body ${i}`))));
      await client.connection.write(concatBytes(requests));
      await client.until("5000 answers", () => client.frames.length === 5000, 20_000);
      const byOpaque = new Map(client.frames.map((f) => [f.opaque, f]));
      assert.equal(byOpaque.size, 5000);
      for (let i = 0; i < 5000; i++) {
        const answer = byOpaque.get(i + 1)!;
        assert.deepEqual([answer.extFields?.echoed, utf8Decode(answer.body)], [`v${i}`, `body ${i}`]);
      }
      client.close();
    }));

  it("closes a connection that stays silent for idleTimeoutMs", () =>
    withServer(async (server) => {
      const client = await RawRemotingClient.open(platform.net, server.address);
      await client.call(requestCommand(ECHO, 1, { v: "then silence" }));
      await client.until("the idle close", () => client.ended, 5_000);
      client.close();
    }, { idleTimeoutMs: 300 }));

  it("refuses a header-reading error as a SkiffError with one line", () => {
    assert.throws(() => new RequestHeader({ queueOffset: "9".repeat(30) }).long("queueOffset"), (e: unknown) => e instanceof SkiffError && e.code === "REMOTING_HEADER_INVALID" && !e.message.includes("\n"));
    assert.equal(new RequestHeader({ endTimestamp: "9223372036854775807" }).long("endTimestamp"), Number.MAX_SAFE_INTEGER);
    assert.equal(new RequestHeader({ order: "TRUE" }).bool("order"), true);
    assert.equal(new RequestHeader({ order: "yes" }).bool("order"), false);
    assert.equal(new RequestHeader({ attributes: "" }).optionalString("attributes"), undefined);
  });
});
