/**
 * Messages of the remoting scenarios as the test knows them (its own truth, independent of any
 * broker): what was sent (body bytes, tags, keys, user properties, delay level), each tagged with a
 * unique `sid` property; the SendClient commands that send them; and the comparison of a message a
 * Java consumer printed with what was sent.
 */
import assert from "node:assert/strict";
import type { JavaClient, JavaEvent, JavaFailure, JavaMessageEvent } from "./java-clients.ts";

export interface OutgoingMessage {
  readonly topic: string;
  /** The test's id of the message, sent as the user property `sid`. */
  readonly sid: string;
  readonly body: Uint8Array;
  readonly tags?: string;
  readonly keys?: readonly string[];
  /** User properties besides `sid` (names of letters, digits and `_`). */
  readonly properties?: Readonly<Record<string, string>>;
  readonly delayLevel?: number;
  readonly flag?: number;
}

export type SendMode = "sync" | "async" | "oneway";

/** A successful send as SendClient printed it (SendResult). */
export interface SendOk {
  readonly ok: true;
  readonly status: "SEND_OK" | "FLUSH_DISK_TIMEOUT" | "FLUSH_SLAVE_TIMEOUT" | "SLAVE_NOT_AVAILABLE";
  readonly msgId: string;
  readonly offsetMsgId: string;
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly elapsedMs: number;
  /** Batches: one per message. */
  readonly msgIds?: string[];
  readonly offsetMsgIds?: string[];
}

export type SendOutcome = SendOk | JavaFailure | { readonly ok: true; readonly mode: "oneway" };

export const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Deterministic bytes: 0x00–0xff, then xorshift32 noise (not UTF-8, and zlib cannot shrink it). */
export function binaryBody(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (Math.imul(seed + 1, 2654435761) >>> 0) || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = i < 256 ? i : x & 0xff;
  }
  return out;
}

function messageFields(m: OutgoingMessage, prefix = ""): Record<string, string | number | undefined> {
  const fields: Record<string, string | number | undefined> = {
    [`${prefix}body`]: base64(m.body),
    [`${prefix}tags`]: m.tags,
    [`${prefix}keys`]: m.keys?.join(" "),
    [`${prefix}delayLevel`]: m.delayLevel,
    [`${prefix}flag`]: m.flag,
    [`${prefix}p.sid`]: m.sid,
  };
  for (const [name, value] of Object.entries(m.properties ?? {})) {
    assert.match(name, /^\w+$/, "user property names of the scenarios are plain words");
    fields[`${prefix}p.${name}`] = value;
  }
  return fields;
}

/** The producer JVM (SendClient), with typed sends. */
export class JavaSender {
  readonly client: JavaClient;
  constructor(client: JavaClient) {
    this.client = client;
  }

  async send(m: OutgoingMessage, mode: SendMode = "sync", queueId?: number): Promise<SendOutcome> {
    return (await this.client.request("send", { topic: m.topic, mode, queueId, ...messageFields(m) })) as unknown as SendOutcome;
  }

  /** Sends and fails the test unless the result is a SendResult (any status). */
  async sendOk(m: OutgoingMessage, mode: "sync" | "async" = "sync", queueId?: number): Promise<SendOk> {
    const r = await this.send(m, mode, queueId);
    if (!r.ok || !("status" in r)) assert.fail(`send of ${m.sid} to ${m.topic} failed: ${JSON.stringify(r)}`);
    return r;
  }

  /** Writes every send at once and waits for all results (in the order given). */
  async sendAll(messages: readonly OutgoingMessage[], mode: SendMode = "sync", queueOf?: (m: OutgoingMessage, i: number) => number | undefined): Promise<SendOutcome[]> {
    const ids = messages.map((m, i) => {
      const id = this.client.newId("send");
      this.client.write("send", { id, topic: m.topic, mode, queueId: queueOf?.(m, i), ...messageFields(m) });
      return id;
    });
    const results = await this.client.waitForCount(`${ids.length} send results`, (e) => e.event === "result" && ids.includes(e.id as string), ids.length, 120_000);
    const byId = new Map(results.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) as unknown as SendOutcome);
  }

  async batch(messages: readonly OutgoingMessage[], queueId?: number): Promise<SendOutcome> {
    const fields: Record<string, string | number | undefined> = { topic: messages[0].topic, n: messages.length, queueId };
    messages.forEach((m, i) => Object.assign(fields, messageFields(m, `m${i}.`)));
    return (await this.client.request("batch", fields)) as unknown as SendOutcome;
  }

  /** The publish queue ids of a topic (its route, as the producer sees it). */
  async queueIds(topic: string): Promise<number[]> {
    const r = await this.client.request("queues", { topic });
    if (r.ok !== true) assert.fail(`queues of ${topic}: ${JSON.stringify(r)}`);
    return (r.queues as string[]).map((q) => Number(q.split("/")[1])).sort((a, b) => a - b);
  }
}

export function isMessage(event: JavaEvent): event is JavaEvent & JavaMessageEvent {
  return event.event === "message";
}

/**
 * The delivered message is the one sent: same body bytes, tags, keys and user properties (nothing
 * more, nothing less), the properties RocketMQ derives from them (TAGS, KEYS, DELAY), its topic, and
 * — where the send returned a result — its msgId, queue and queue offset.
 */
export function assertDelivered(got: JavaMessageEvent, sent: OutgoingMessage, result?: SendOk, index = 0): void {
  const what = `message ${sent.sid}`;
  assert.equal(got.topic, sent.topic, `${what}: topic`);
  assert.equal(got.bodyBase64, base64(sent.body), `${what}: body bytes`);
  assert.equal(got.tags, sent.tags ?? null, `${what}: tags`);
  assert.equal(got.keys, sent.keys?.join(" ") ?? null, `${what}: keys`);
  assert.deepEqual(got.userProperties, { ...sent.properties, sid: sent.sid }, `${what}: user properties`);
  assert.equal(got.properties.TAGS, sent.tags, `${what}: TAGS property`);
  assert.equal(got.properties.KEYS, sent.keys?.join(" "), `${what}: KEYS property`);
  assert.equal(got.flag, sent.flag ?? 0, `${what}: flag`);
  assert.equal(got.properties.UNIQ_KEY, got.msgId, `${what}: the consumer's msgId is the UNIQ_KEY`);
  if (sent.delayLevel !== undefined) assert.equal(got.properties.DELAY, String(sent.delayLevel), `${what}: DELAY`);
  assert.ok(got.storeTimestamp >= got.bornTimestamp - 1000, `${what}: stored (${got.storeTimestamp}) after it was born (${got.bornTimestamp})`);
  if (!result) return;
  assert.equal(got.queueId, result.queueId, `${what}: queue id of the send result`);
  assert.equal(got.msgId, result.msgIds ? result.msgIds[index] : result.msgId, `${what}: msgId of the send result`);
  // A delayed message's send result locates its copy in SCHEDULE_TOPIC_XXXX, not the one delivered.
  if (sent.delayLevel !== undefined) return;
  assert.equal(got.queueOffset, result.queueOffset + index, `${what}: queue offset of the send result`);
  assert.equal(got.offsetMsgId, result.offsetMsgIds ? result.offsetMsgIds[index] : result.offsetMsgId, `${what}: offsetMsgId of the send result`);
}
