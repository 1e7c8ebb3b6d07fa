// Bad requests to the name server's processors get SYSTEM_ERROR with a remark that names the problem — a missing or non-numeric header field, an address that is not host:port, a crc32 mismatch (Java's "crc32 not match"), a body that is not JSON, not zlib, of the wrong shape or over the route table's caps — and change nothing in the table.
// Random REGISTER_BROKER bodies and headers are always answered (0 or 1), never crash the server or close the connection, and a well-formed request on the same connection is served afterwards.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { platform } from "../support/platform.ts";
import { utf8Encode } from "../../src/core/bytes.ts";
import { bodyCrc } from "../../src/codec/crc32.ts";
import { registerBrokerBody, registerBrokerHeader } from "../../src/namesrv/register-broker-remoting.ts";
import { RequestCode, ResponseCode } from "../../src/remoting/codes.ts";
import { master, registration } from "../namesrv/registrations.ts";
import { RawClient, startNamesrvFront, type NamesrvFront } from "./namesrv-harness.ts";

const { SYSTEM_ERROR, SUCCESS } = ResponseCode;

describe(`bad input to the name server's processors (${platform.system.runtime})`, () => {
  let front: NamesrvFront;
  let client: RawClient;
  before(async () => {
    front = await startNamesrvFront({ limits: { maxTopics: 10, maxBrokers: 2 } });
    client = await RawClient.open(front);
  });
  after(async () => {
    client.close();
    await front.close();
  });

  /** A REGISTER_BROKER of `reg` with its header fields changed by `header`, and `body` if given. */
  function register(reg = master(), header: Record<string, string | undefined> = {}, body = registerBrokerBody(reg)) {
    const fields: Record<string, string> = { ...registerBrokerHeader(reg, body) };
    for (const [key, value] of Object.entries(header)) {
      if (value === undefined) delete fields[key];
      else fields[key] = value;
    }
    return client.call(RequestCode.REGISTER_BROKER, fields, body);
  }

  async function refused(answer: Promise<{ code: number; remark?: string }>, remark: RegExp): Promise<void> {
    const { code, remark: text } = await answer;
    assert.equal(code, SYSTEM_ERROR, text);
    assert.match(text ?? "", remark);
    assert.equal(front.namesrv.routeTable.counts().brokerCount, 0, "nothing registered");
  }

  it("GET_ROUTEINFO_BY_TOPIC without a topic", async () => {
    const answer = await client.call(RequestCode.GET_ROUTEINFO_BY_TOPIC, {});
    assert.deepEqual([answer.code, answer.remark], [SYSTEM_ERROR, "the custom field <topic> is null"]);
  });

  it("REGISTER_BROKER with a header field missing, not a number, out of range or not host:port", async () => {
    await refused(register(master(), { brokerName: undefined }), /the custom field <brokerName> is null/);
    await refused(register(master(), { haServerAddr: undefined }), /the custom field <haServerAddr> is null/);
    await refused(register(master(), { brokerId: "zero" }), /the custom field <brokerId> is not a long: "zero"/);
    await refused(register(master(), { brokerId: "-1" }), /brokerId: must be at least 0/);
    await refused(register(master(), { brokerAddr: "nowhere" }), /brokerAddr: must be host:port/);
    await refused(register(master(), { httpAddr: "127.0.0.1:99999" }), /httpAddr: must be host:port/);
    await refused(register(master(), { bodyCrc32: "12x" }), /the custom field <bodyCrc32> is not an int/);
  });

  it("REGISTER_BROKER whose body does not match its bodyCrc32", async () => {
    const body = registerBrokerBody(master());
    await refused(register(master(), { bodyCrc32: String((bodyCrc(body) + 1) & 0x7fffffff) }, body), /^crc32 not match$/);
  });

  it("REGISTER_BROKER whose body is not JSON, not zlib, or not a RegisterBrokerBody", async () => {
    await refused(register(master(), { bodyCrc32: "0" }, utf8Encode('{"filterServerList":[')), /RegisterBrokerBody JSON does not parse/);
    await refused(register(master(), { bodyCrc32: "0", compressed: "true" }, utf8Encode("garbage")), /not a zlib stream/);
    const wrongShape = utf8Encode(JSON.stringify({ topicConfigSerializeWrapper: { dataVersion: { counter: 1, timestamp: 1 }, topicConfigTable: { T: { readQueueNums: "four", writeQueueNums: 4, perm: 6 } } } }));
    await refused(register(master(), { bodyCrc32: "0" }, wrongShape), /topicConfigSerializeWrapper\.topicConfigTable\.T\.readQueueNums/);
    const noWrapper = utf8Encode(JSON.stringify({ filterServerList: [] }));
    await refused(register(master(), { bodyCrc32: "0" }, noWrapper), /topicConfigSerializeWrapper/);
  });

  it("REGISTER_BROKER beyond the route table's caps on topics and brokers", async () => {
    const topics = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`T${i}`, { readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0 }]));
    await refused(register(master({ topics })), /would make 11 topics \(maxTopics 10\)/);
    for (const [name, port] of [["broker-a", 10911], ["broker-b", 20911]] as const) {
      const answer = await register(registration({ brokerName: name, brokerAddr: `127.0.0.1:${port}`, haServerAddr: `127.0.0.1:${port + 1}` }));
      assert.equal(answer.code, SUCCESS, answer.remark);
    }
    const third = await register(registration({ brokerName: "broker-c", brokerAddr: "127.0.0.1:30911", haServerAddr: "127.0.0.1:30912" }));
    assert.deepEqual([third.code, third.remark], [SYSTEM_ERROR, "the name server already holds 2 brokers (maxBrokers 2)"]);
    const taken = await register(registration({ brokerName: "broker-d", brokerAddr: "127.0.0.1:10911" }));
    assert.equal(taken.code, SYSTEM_ERROR);
    assert.match(taken.remark ?? "", /address 127\.0\.0\.1:10911 is registered by DefaultCluster\/broker-a\/0/);
    for (const name of ["broker-a", "broker-b"]) front.namesrv.routeTable.unregister("DefaultCluster", name, 0);
  });

  it("UNREGISTER_BROKER and QUERY_DATA_VERSION with missing fields or a body that is not a DataVersion", async () => {
    const fields = { brokerName: "broker-a", brokerAddr: "127.0.0.1:10911", clusterName: "DefaultCluster", brokerId: "0" };
    const unregister = await client.call(RequestCode.UNREGISTER_BROKER, { ...fields, clusterName: "" });
    assert.deepEqual([unregister.code, unregister.remark], [SYSTEM_ERROR, "the custom field <clusterName> is null"]);
    const query = await client.call(RequestCode.QUERY_DATA_VERSION, fields, utf8Encode('{"counter":"one"}'));
    assert.equal(query.code, SYSTEM_ERROR);
    assert.match(query.remark ?? "", /the body of request code 322 is not a DataVersion: counter: /);
  });

  it("random REGISTER_BROKER bodies and header values: always an answer, the connection stays, the next request is served", async () => {
    const value = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 12 }), fc.integer().map(String));
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.record({ brokerId: value, brokerAddr: value, compressed: fc.constantFrom(undefined, "true", "false"), bodyCrc32: fc.constantFrom(undefined, "0") }),
        async (body, header) => {
          const answer = await register(master(), header, body);
          assert.ok(answer.code === SUCCESS || answer.code === SYSTEM_ERROR, `code ${answer.code}`);
          if (answer.code === SYSTEM_ERROR) assert.ok((answer.remark ?? "").length > 0);
          front.namesrv.routeTable.unregister("DefaultCluster", "broker-a", 0);
          for (const [id] of front.namesrv.routeTable.cluster().clusters.flatMap((c) => c.brokerGroups.flatMap((g) => g.brokers.map((b) => [b.brokerId])))) {
            front.namesrv.routeTable.unregister("DefaultCluster", "broker-a", id);
          }
        },
      ),
      { numRuns: 150 },
    );
    assert.equal(client.ended, false, "the connection is still open");
    const ok = await register(master());
    assert.equal(ok.code, SUCCESS, ok.remark);
    assert.ok(!front.logs.some((l) => /failed: /.test(l)), `no processor bug: ${front.logs.join("\n")}`);
  });
});
