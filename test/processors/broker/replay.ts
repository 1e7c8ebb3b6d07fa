/**
 * Replaying captured client requests (test/support/remoting-fixtures.ts) against Skiff's remoting
 * processors, and comparing each answer with what the real broker answered. What may differ, and
 * is normalized, is named where it is: the store host (the real broker listened on
 * 127.0.0.1:50911, Skiff on brokerIP1:listenPort of the test broker), born/store timestamps and the
 * producer's port, and — against a 5.3.3 broker, or when the real store held other scenarios'
 * messages first — physical offsets and the properties a 5.3.3 broker adds (MSG_REGION,
 * TRACE_ON, WAIT: Skiff stores 4.9-style, a documented choice).
 */
import assert from "node:assert/strict";
import { utf8Decode } from "../../../src/core/bytes.ts";
import { formatHostAddress } from "../../../src/codec/host-address.ts";
import { decodeOffsetMsgId } from "../../../src/codec/message-id.ts";
import { decodeMessageRecord, type DecodedMessage } from "../../../src/codec/message-record-decode.ts";
import { decodeProperties } from "../../../src/codec/properties.ts";
import { decodeBatch } from "../../../src/codec/batch.ts";
import { RequestCode } from "../../../src/remoting/codes.ts";
import { isOneway, type RemotingCommand } from "../../../src/remoting/remoting-command.ts";
import { storedRecordAt, waitFor, type RemotingBroker } from "../../support/processor-broker.ts";
import { capturedExchanges } from "../../support/remoting-fixtures.ts";

/** Properties a 5.3.3 broker writes into every record and a 4.9 broker (and Skiff) does not. */
export const ADDED_BY_5X_BROKER: ReadonlySet<string> = new Set(["MSG_REGION", "TRACE_ON", "WAIT"]);
export const JAVA_BROKER_ADDRESS = "127.0.0.1:50911";

export interface Normalization {
  /** Physical offsets (and hence record sizes and msgId offsets) are not compared. */
  readonly physicalOffsets: boolean;
  /** Properties left out of the comparison on both sides. */
  readonly ignoredProperties: ReadonlySet<string>;
}

export const EXACT: Normalization = { physicalOffsets: false, ignoredProperties: new Set() };
/** Sends into a store that held other messages first, or against a 5.3.3 broker's longer records. */
export const OFFSETS_DIFFER: Normalization = { physicalOffsets: true, ignoredProperties: new Set() };

/** Every record of a pull body (the stored records concatenated). */
export function recordsOf(body: Uint8Array): DecodedMessage[] {
  const out: DecodedMessage[] = [];
  let at = 0;
  while (at < body.byteLength) {
    const record = decodeMessageRecord(body, at, { readBody: true });
    assert.equal(record.kind, "message", `a whole record at byte ${at} of the body`);
    if (record.kind !== "message") break;
    out.push(record);
    at += record.totalSize;
  }
  return out;
}

/** A record without what belongs to the run (times, client port, store host). */
export function comparableRecord(record: DecodedMessage, n: Normalization) {
  const properties = decodeProperties(record.properties);
  for (const key of n.ignoredProperties) properties.delete(key);
  return {
    magic: record.magic, bodyCrc: record.bodyCrc, queueId: record.queueId, flag: record.flag, queueOffset: record.queueOffset,
    sysFlag: record.sysFlag, reconsumeTimes: record.reconsumeTimes, preparedTransactionOffset: record.preparedTransactionOffset,
    body: utf8Decode(record.body!), topic: record.topic, properties: Object.fromEntries([...properties].sort(([a], [b]) => (a < b ? -1 : 1))),
    bornHostAddress: [...record.bornHost.address].join("."),
    ...(n.physicalOffsets ? {} : { totalSize: record.totalSize, physicalOffset: record.physicalOffset, propertiesText: record.properties }),
  };
}

/** Compares a send answer field by field; returns Skiff's physical offsets, after checking each names a stored record. */
export async function assertSendAnswer(rb: RemotingBroker, skiff: RemotingCommand, java: RemotingCommand, n: Normalization, what: string): Promise<number[]> {
  assert.equal(skiff.code, java.code, `${what}: code (remark ${skiff.remark})`);
  assert.equal(skiff.remark, java.remark, `${what}: remark`);
  const skiffFields = skiff.extFields ?? {};
  const javaFields = java.extFields ?? {};
  assert.deepEqual(Object.keys(skiffFields).sort(), Object.keys(javaFields).sort(), `${what}: extFields keys`);
  for (const key of Object.keys(javaFields)) if (key !== "msgId") assert.equal(skiffFields[key], javaFields[key], `${what}: ${key}`);
  const skiffIds = skiffFields.msgId.split(",").map(decodeOffsetMsgId);
  const javaIds = javaFields.msgId.split(",").map(decodeOffsetMsgId);
  assert.equal(skiffIds.length, javaIds.length, `${what}: number of msgIds`);
  const config = rb.broker.runtime.config();
  for (const [i, id] of skiffIds.entries()) {
    assert.equal(formatHostAddress(id.storeHost), `${config.brokerIP1}:${config.listenPort}`, `${what}: msgId ${i} names brokerIP1:listenPort`);
    assert.equal(formatHostAddress(javaIds[i].storeHost), JAVA_BROKER_ADDRESS);
    if (!n.physicalOffsets) assert.equal(id.physicalOffset, javaIds[i].physicalOffset, `${what}: msgId ${i} physical offset`);
  }
  return skiffIds.map((id) => id.physicalOffset);
}

/** Compares a pull answer: code, remark, header fields, and the records of the body. */
export function assertPullAnswer(skiff: RemotingCommand, java: RemotingCommand, n: Normalization, what: string): void {
  assert.equal(skiff.code, java.code, `${what}: code (remark ${skiff.remark})`);
  assert.equal(skiff.remark, java.remark, `${what}: remark`);
  assert.deepEqual(skiff.extFields, java.extFields, `${what}: extFields`);
  assert.deepEqual(recordsOf(skiff.body).map((r) => comparableRecord(r, n)), recordsOf(java.body).map((r) => comparableRecord(r, n)), `${what}: records`);
}

const SEND_CODES = new Set<number>([RequestCode.SEND_MESSAGE_V2, RequestCode.SEND_BATCH_MESSAGE]);

/** Replays the sends of `base` in order; returns Skiff's physical offsets of every answered send. */
export async function replaySends(rb: RemotingBroker, base: string, n: Normalization): Promise<number[]> {
  const client = await rb.client();
  const sent: number[] = [];
  const { store } = rb.broker;
  for (const { request, answer } of capturedExchanges(base).filter((e) => SEND_CODES.has(e.request.code))) {
    const what = `${base} opaque ${request.opaque}`;
    if (isOneway(request)) {
      const before = store.offsets.maxOffset;
      await client.send(request);
      await waitFor(`${what} stored`, () => store.offsets.maxOffset > before);
      continue;
    }
    assert.ok(answer, `${what}: the capture holds the real answer`);
    const offsets = await assertSendAnswer(rb, await client.call(request), answer, n, what);
    const bodies = request.code === RequestCode.SEND_BATCH_MESSAGE ? decodeBatch(request.body).map((m) => m.body) : [request.body];
    for (const [i, offset] of offsets.entries()) {
      const record = await storedRecordAt(rb, offset);
      const topic = request.extFields!.b;
      assert.equal(utf8Decode(record.body!), utf8Decode(bodies[i]), `${what}: msgId ${i} names the record sent`);
      assert.ok(record.topic === topic || decodeProperties(record.properties).get("REAL_TOPIC") === topic, `${what}: topic of record ${i}`);
    }
    sent.push(...offsets);
  }
  return sent;
}
