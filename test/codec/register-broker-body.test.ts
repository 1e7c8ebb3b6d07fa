// RegisterBrokerBody as real 4.9.7 and 5.3.3 brokers send it (captured: JSON, and the zlib form of compressedRegister=true, which 5.3.3 labels "compressed":"false") decodes to the same topic table either way, and the compressed form round-trips through Skiff's encoder for both broker generations.
// Bodies that are not zlib, end early, declare lengths beyond what is there, carry a malformed topic line, or inflate beyond the bound are refused with REMOTING_BODY_INVALID and a reason.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Encode } from "../../src/core/bytes.ts";
import { decodeRegisterBrokerBody, encodeCompressedRegisterBrokerBody, isCompressedBody, VERSION_5_0_0 } from "../../src/codec/register-broker-body.ts";
import { JAVA_497, JAVA_497_COMPRESSED, JAVA_533, JAVA_533_COMPRESSED } from "../processors/namesrv-register-captures.ts";

const MAX = 16 * 1024 * 1024;

interface Decoded {
  filterServerList: unknown;
  topicConfigSerializeWrapper: { dataVersion: Record<string, number>; topicConfigTable: Record<string, Record<string, unknown>> };
}

async function decode(body: Uint8Array, compressed: boolean, version: number, max = MAX): Promise<Decoded> {
  return (await decodeRegisterBrokerBody(body, compressed, version, max)) as Decoded;
}

/** name → [read, write, perm], what the name server keeps of a topic. */
function queues(decoded: Decoded): Record<string, [unknown, unknown, unknown]> {
  const table = decoded.topicConfigSerializeWrapper.topicConfigTable;
  return Object.fromEntries(Object.entries(table).map(([name, c]) => [name, [c.readQueueNums, c.writeQueueNums, c.perm]]));
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => assert.fail("decoded without error"), (e: unknown) => e as Error & { code?: string });
  assert.equal(error.code, "REMOTING_BODY_INVALID", error.message);
  return error.message;
}

describe("RegisterBrokerBody, captured from real brokers", () => {
  it("reads a 4.9.7 broker's JSON body: eight system topics, TBW102 with 8 queues and perm 7", async () => {
    const body = await decode(JAVA_497.body, false, 407);
    assert.equal(Object.keys(queues(body)).length, 8);
    assert.deepEqual(queues(body).TBW102, [8, 8, 7]);
    assert.deepEqual(body.topicConfigSerializeWrapper.dataVersion, { counter: 0, timestamp: 1796185660072 });
    assert.deepEqual(body.filterServerList, []);
  });

  it("reads a 4.9.7 broker's compressed body to the same table as its JSON body", async () => {
    assert.equal(isCompressedBody(JAVA_497_COMPRESSED.body, true), true);
    const compressed = await decode(JAVA_497_COMPRESSED.body, true, 407);
    assert.deepEqual(queues(compressed), queues(await decode(JAVA_497.body, false, 407)));
    assert.equal(compressed.topicConfigSerializeWrapper.topicConfigTable.TBW102.topicSysFlag, 0, "the compressed form has no sysFlag: 0");
  });

  it("recognises 5.3.3's compressed body behind \"compressed\":\"false\" and reads its static-topic section", async () => {
    assert.equal(isCompressedBody(JAVA_533_COMPRESSED.body, false), true);
    assert.equal(isCompressedBody(JAVA_533.body, false), false);
    const compressed = await decode(JAVA_533_COMPRESSED.body, true, 479);
    const json = await decode(JAVA_533.body, false, 479);
    assert.equal(Object.keys(queues(json)).length, 13);
    assert.deepEqual(queues(compressed), queues(json));
    assert.deepEqual(queues(json)["rmq_sys_SYNC_BROKER_MEMBER_broker-a"], [1, 1, 1]);
    assert.equal(compressed.topicConfigSerializeWrapper.dataVersion.stateVersion, 0);
  });

  for (const version of [407, 479]) {
    it(`round-trips the compressed form of a broker of version ${version}`, async () => {
      const original = await decode(version >= VERSION_5_0_0 ? JAVA_533.body : JAVA_497.body, false, version);
      const encoded = await encodeCompressedRegisterBrokerBody(original as never, version);
      assert.equal(isCompressedBody(encoded, false), true);
      const again = await decode(encoded, true, version);
      assert.deepEqual(queues(again), queues(original));
      assert.deepEqual(again.topicConfigSerializeWrapper.dataVersion, original.topicConfigSerializeWrapper.dataVersion);
      assert.deepEqual(again.filterServerList, []);
    });
  }
});

describe("RegisterBrokerBody, refused", () => {
  const table = { filterServerList: [], topicConfigSerializeWrapper: { dataVersion: { counter: 1, timestamp: 2 }, topicConfigTable: { T: { readQueueNums: 4, writeQueueNums: 4, perm: 6 } } } };

  it("a body that is not zlib, or zlib cut short", async () => {
    assert.match(await rejection(decode(utf8Encode("not zlib at all"), true, 407)), /not a zlib stream|ends before/);
    const whole = await encodeCompressedRegisterBrokerBody(table, 407);
    assert.match(await rejection(decode(whole.subarray(0, whole.byteLength - 6), true, 407)), /not a zlib stream|Adler-32 trailer does not match/);
    const wrongTrailer = whole.slice();
    wrongTrailer[wrongTrailer.byteLength - 1] ^= 1;
    assert.match(await rejection(decode(wrongTrailer, true, 407)), /not a zlib stream|Adler-32 trailer does not match/);
  });

  it("a JSON body that does not parse, with the parser's position", async () => {
    assert.match(await rejection(decode(utf8Encode('{"topicConfigSerializeWrapper":'), false, 407)), /RegisterBrokerBody JSON does not parse: .*offset/);
    assert.match(await rejection(decode(new Uint8Array([0x7b, 0xff, 0x7d]), false, 407)), /does not parse/);
  });

  it("a malformed topic line, and a length beyond the inflated data", async () => {
    const badLine = await compressedParts([dv(), count(1), part("T four 4 6 SINGLE_TAG"), part("[]")]);
    assert.match(await rejection(decode(badLine, true, 407)), /topic config "T four 4 6 SINGLE_TAG"/);
    const badType = await compressedParts([dv(), count(1), part("T 4 4 6 SQL92"), part("[]")]);
    assert.match(await rejection(decode(badType, true, 407)), /SINGLE_TAG\|MULTI_TAG/);
    const tooMany = await compressedParts([dv(), count(1000), part("[]")]);
    assert.match(await rejection(decode(tooMany, true, 407)), /topic count is 1000, but \d+ bytes are left/);
    const noMappings = await compressedParts([dv(), count(0), part("[]")]);
    assert.match(await rejection(decode(noMappings, true, 479)), /ends before the static-topic mapping count/);
    assert.deepEqual(queues(await decode(noMappings, true, 407)), {});
  });

  it("a zip bomb: refused once the output passes the bound, not inflated whole", async () => {
    const bomb = await compressedParts([new Uint8Array(8 * 1024 * 1024)]);
    assert.ok(bomb.byteLength < 64 * 1024);
    assert.match(await rejection(decode(bomb, true, 407, 1024 * 1024)), /inflates to more than 1048576 bytes/);
  });
});

function count(n: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, n);
  return bytes;
}

function part(text: string): Uint8Array {
  const bytes = utf8Encode(text);
  const out = new Uint8Array(4 + bytes.byteLength);
  out.set(count(bytes.byteLength));
  out.set(bytes, 4);
  return out;
}

function dv(): Uint8Array {
  return part('{"counter":1,"timestamp":2}');
}

async function compressedParts(parts: Uint8Array[]): Promise<Uint8Array> {
  const whole = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) (whole.set(p, at), (at += p.byteLength));
  const stream = new Blob([whole]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
