// The remoting frame codec decodes frames captured from real Apache RocketMQ 4.9.7 and 5.3.3 peers (JSON and binary ROCKETMQ headers, answers with and without extFields or a remark), and re-encodes every JSON one to the same bytes.
// The push decoder returns the same commands for whole streams, one byte at a time and random splits, and refuses oversized or malformed frames.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8Decode } from "../../src/core/bytes.ts";
import {
  FRAME_MAX_BYTES, RemotingFrameDecoder, decodeFrameContent, encodeRemotingCommand, isResponse, requestCommand, type RemotingCommand,
} from "../../src/remoting/remoting-command.ts";
import { RequestCode } from "../../src/remoting/codes.ts";

function hex(...lines: string[]): Uint8Array {
  const text = lines.join("");
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// Provenance: captured on 2026-11-21 with test/interop/rocketmq/capture-remoting.ts, a recording TCP
// relay in front of a real RocketMQ 4.9.7 or 5.3.3 name server on loopback (Java 17, Maven Central
// jars), between it and a Skiff slave registering with namesrvProtocol=rocketmq, and between it and
// the Java producer of test/interop/rocketmq/java (BINARY_* frames: ROCKETMQ_SERIALIZE_TYPE=ROCKETMQ).
// 4.9.7 name server -> Skiff slave: REGISTER_BROKER answer naming the master.
const REGISTER_ANSWER_497 = hex(
  "000000b1000000ad7b22636f6465223a302c226578744669656c6473223a7b22686153657276657241646472223a22313237",
  "2e302e302e313a3331323839222c226d617374657241646472223a223132372e302e302e313a3331323838227d2c22666c61",
  "67223a312c226c616e6775616765223a224a415641222c226f7061717565223a312c2273657269616c697a65547970654375",
  "7272656e74525043223a224a534f4e222c2276657273696f6e223a3430377d",
);
// 4.9.7 Java producer -> name server: GET_ROUTEINFO_BY_TOPIC for TopicTest.
const ROUTE_REQUEST_497 = hex(
  "00000087000000837b22636f6465223a3130352c226578744669656c6473223a7b22746f706963223a22546f706963546573",
  "74227d2c22666c6167223a302c226c616e6775616765223a224a415641222c226f7061717565223a322c2273657269616c69",
  "7a655479706543757272656e74525043223a224a534f4e222c2276657273696f6e223a3430377d",
);
// 5.3.3 name server -> Java producer: TOPIC_NOT_EXIST (17) with a remark, no extFields.
const TOPIC_NOT_EXIST_533 = hex(
  "000000f9000000f57b22636f6465223a31372c22666c6167223a312c226c616e6775616765223a224a415641222c226f7061",
  "717565223a302c2272656d61726b223a224e6f20746f70696320726f75746520696e666f20696e206e616d65207365727665",
  "7220666f722074686520746f7069633a20546f706963546573745c6e5365652068747470733a2f2f726f636b65746d712e61",
  "70616368652e6f72672f646f63732f6265737450726163746963652f303646415120666f7220667572746865722064657461",
  "696c732e222c2273657269616c697a655479706543757272656e74525043223a224a534f4e222c2276657273696f6e223a34",
  "37397d",
);
// 5.3.3 name server -> Skiff slave: REGISTER_BROKER answer before the master registered (extFields {}).
const REGISTER_ANSWER_NO_MASTER_533 = hex(
  "000000720000006e7b22636f6465223a302c226578744669656c6473223a7b7d2c22666c6167223a312c226c616e67756167",
  "65223a224a415641222c226f7061717565223a312c2273657269616c697a655479706543757272656e74525043223a224a53",
  "4f4e222c2276657273696f6e223a3437397d",
);
// 4.9.7 Java producer -> name server, binary (ROCKETMQ) header: GET_ROUTEINFO_BY_TOPIC for TopicTest.
const BINARY_ROUTE_REQUEST_497 = hex(
  "0000002d010000290069000197000000020000000000000000000000140005746f70696300000009546f70696354657374",
);
// 4.9.7 name server -> Java producer, binary header (4.9 answers in the request's type) + route JSON body.
const BINARY_ROUTE_ANSWER_497 = hex(
  "0000011a010000150000000197000000000000000100000000000000007b2262726f6b65724461746173223a5b7b2262726f",
  "6b65724164647273223a7b2230223a223132372e302e302e313a3331323838222c2231223a223132372e302e302e313a3337",
  "333435227d2c2262726f6b65724e616d65223a2262726f6b65722d61222c22636c7573746572223a2244656661756c74436c",
  "7573746572227d5d2c2266696c7465725365727665725461626c65223a7b7d2c2271756575654461746173223a5b7b226272",
  "6f6b65724e616d65223a2262726f6b65722d61222c227065726d223a372c227265616451756575654e756d73223a382c2274",
  "6f706963537973466c6167223a302c22777269746551756575654e756d73223a387d5d7d",
);

const JSON_GOLDENS = { REGISTER_ANSWER_497, ROUTE_REQUEST_497, TOPIC_NOT_EXIST_533, REGISTER_ANSWER_NO_MASTER_533 };

function decodeFrame(frame: Uint8Array): RemotingCommand {
  assert.equal(new DataView(frame.buffer, frame.byteOffset).getInt32(0), frame.byteLength - 4, "length field");
  return decodeFrameContent(frame.subarray(4));
}

describe("remoting frames from real RocketMQ peers", () => {
  it("decodes a 4.9.7 name server's REGISTER_BROKER answer for a slave", () => {
    const answer = decodeFrame(REGISTER_ANSWER_497);
    assert.deepEqual({ ...answer, body: answer.body.byteLength }, {
      code: 0, language: "JAVA", version: 407, opaque: 1, flag: 1, body: 0,
      extFields: { haServerAddr: "127.0.0.1:31289", masterAddr: "127.0.0.1:31288" },
    });
    assert.ok(isResponse(answer));
  });

  it("decodes a 4.9.7 producer's GET_ROUTEINFO_BY_TOPIC request", () => {
    const request = decodeFrame(ROUTE_REQUEST_497);
    assert.equal(request.code, RequestCode.GET_ROUTEINFO_BY_TOPIC);
    assert.deepEqual(request.extFields, { topic: "TopicTest" });
    assert.equal(isResponse(request), false);
  });

  it("decodes 5.3.3 answers: an error with a multi-line remark and no extFields, and an empty extFields", () => {
    const error = decodeFrame(TOPIC_NOT_EXIST_533);
    assert.equal(error.code, 17);
    assert.equal(error.extFields, undefined);
    assert.match(error.remark ?? "", /^No topic route info in name server for the topic: TopicTest\nSee https:/);
    const noMaster = decodeFrame(REGISTER_ANSWER_NO_MASTER_533);
    assert.deepEqual([noMaster.code, noMaster.version, noMaster.extFields], [0, 479, {}]);
  });

  it("re-encodes every captured JSON frame to the same bytes (round-trip twin)", () => {
    for (const [name, frame] of Object.entries(JSON_GOLDENS)) {
      assert.deepEqual(encodeRemotingCommand(decodeFrame(frame)), frame, name);
    }
  });

  it("decodes 4.9.7 binary (ROCKETMQ) headers, request and answer with its body", () => {
    const request = decodeFrame(BINARY_ROUTE_REQUEST_497);
    assert.deepEqual({ ...request, body: request.body.byteLength }, {
      code: 105, language: "JAVA", version: 407, opaque: 2, flag: 0, extFields: { topic: "TopicTest" }, body: 0,
    });
    const answer = decodeFrame(BINARY_ROUTE_ANSWER_497);
    assert.deepEqual([answer.code, answer.opaque, answer.flag, answer.extFields], [0, 0, 1, {}]);
    assert.equal(JSON.parse(utf8Decode(answer.body)).brokerDatas[0].brokerAddrs["0"], "127.0.0.1:31288");
  });

  it("writes Skiff's requests as JSON headers Java reads: fastjson's field order, language OTHER", () => {
    const frame = encodeRemotingCommand(requestCommand(RequestCode.GET_ALL_TOPIC_CONFIG, 7));
    assert.equal(utf8Decode(frame.subarray(8)), `{"code":21,"extFields":{},"flag":0,"language":"OTHER","opaque":7,"serializeTypeCurrentRPC":"JSON","version":409}`);
    assert.equal(new DataView(frame.buffer).getInt32(4), frame.byteLength - 8, "serialize type 0 (JSON) and the header length");
  });
});

describe("RemotingFrameDecoder", () => {
  const stream = new Uint8Array([...REGISTER_ANSWER_497, ...BINARY_ROUTE_ANSWER_497, ...TOPIC_NOT_EXIST_533, ...BINARY_ROUTE_REQUEST_497]);
  const whole = new RemotingFrameDecoder().push(stream);

  it("returns every command of a stream pushed at once", () => {
    assert.deepEqual(whole.map((c) => [c.code, c.opaque]), [[0, 1], [0, 0], [17, 0], [105, 2]]);
  });

  it("returns the same commands when fed one byte at a time", () => {
    const decoder = new RemotingFrameDecoder();
    const out: RemotingCommand[] = [];
    for (let i = 0; i < stream.byteLength; i++) out.push(...decoder.push(stream.subarray(i, i + 1)));
    assert.deepEqual(out, whole);
    assert.equal(decoder.bytesNeeded, 4);
  });

  it("decodes a frame whole in its chunk where it lies (its body a view, no copy); a split one into a buffer of its own", () => {
    const send = encodeRemotingCommand(requestCommand(310, 7, { topic: "t" }, new Uint8Array(1024).fill(0x61)));
    const chunk = new Uint8Array([...send, ...send.subarray(0, 100)]);
    const decoder = new RemotingFrameDecoder();
    const [first] = decoder.push(chunk);
    assert.equal(first.body.buffer, chunk.buffer, "the body of the whole frame is a view into the chunk");
    assert.deepEqual(first.body, new Uint8Array(1024).fill(0x61));
    const [second] = decoder.push(send.slice(100));
    assert.notEqual(second.body.buffer, chunk.buffer, "a frame split across chunks is gathered apart");
    assert.deepEqual(second, first);
    assert.equal(decoder.bytesNeeded, 4);
  });

  it("returns the same commands for random splits", () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 50; round++) {
      const decoder = new RemotingFrameDecoder();
      const out: RemotingCommand[] = [];
      for (let at = 0; at < stream.byteLength;) {
        const n = 1 + Math.floor(random() * 300);
        out.push(...decoder.push(stream.subarray(at, at + n)));
        at += n;
      }
      assert.deepEqual(out, whole);
    }
  });

  it("refuses a frame longer than 16 MiB and a header longer than its frame", () => {
    const tooLong = new Uint8Array(8);
    new DataView(tooLong.buffer).setInt32(0, FRAME_MAX_BYTES);
    assert.throws(() => new RemotingFrameDecoder().push(tooLong), { code: "REMOTING_FRAME_ILLEGAL" });
    const badHeader = new Uint8Array(12);
    new DataView(badHeader.buffer).setInt32(0, 8);
    new DataView(badHeader.buffer).setInt32(4, 100);
    assert.throws(() => new RemotingFrameDecoder().push(badHeader), { code: "REMOTING_FRAME_ILLEGAL" });
  });

  it("refuses an unknown serialize type and a JSON header that does not parse", () => {
    const frame = encodeRemotingCommand(requestCommand(RequestCode.REGISTER_BROKER, 1));
    const badType = frame.slice();
    badType[4] = 7;
    assert.throws(() => new RemotingFrameDecoder().push(badType), { code: "REMOTING_FRAME_ILLEGAL" });
    const badJson = frame.slice();
    badJson[8] = 0x5b; // "[" instead of "{"
    assert.throws(() => new RemotingFrameDecoder().push(badJson), { code: "REMOTING_FRAME_ILLEGAL" });
  });
});
