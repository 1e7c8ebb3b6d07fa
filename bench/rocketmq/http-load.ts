/**
 * What the HTTP drivers of the RocketMQ benchmark (wrk, Skiff's own client) share with each other
 * and with the Java producer's phases (bench/java/LoadGen.java): the topic is made with the same
 * queue count (here through the master's HTTP API, `PUT /topics/{topic}`), single messages are
 * sent until one answers SEND_OK (a SYNC_MASTER's slave is attached and acknowledging), and every
 * request carries what the Java producer sends: a body of `bodyBytes` bytes of 'a'…'z' repeated,
 * tag "Bench". One message travels as JSON (DESIGN §1.3), a batch as RocketMQ's binary batch
 * (§1.4, `application/x-rocketmq-batch`), the form Skiff's client sends.
 */
import { Producer } from "../../src/client/index.ts";
import { batchBody } from "../../src/client/message.ts";
import { BATCH_CONTENT_TYPE } from "../../src/contract/broker-http.ts";
import type { Scenario } from "./settings.ts";

/** The Java producer's default (LoadGen `queues=8`). */
export const BENCH_QUEUES = 8;
export const BENCH_TAG = "Bench";

/** `bytes` bytes of 'a'…'z' repeated, as LoadGen's body(). */
export function benchBody(bytes: number): string {
  let text = "";
  for (let i = 0; i < bytes; i++) text += String.fromCharCode(97 + (i % 26));
  return text;
}

/** The bytes of one send request of the scenario, and their content type. */
export function sendRequest(scenario: Scenario): { contentType: string; body: Uint8Array } {
  const body = benchBody(scenario.bodyBytes);
  if (scenario.batchSize === 1) return { contentType: "application/json", body: new TextEncoder().encode(JSON.stringify({ body, tags: BENCH_TAG })) };
  return { contentType: BATCH_CONTENT_TYPE, body: batchBody(Array.from({ length: scenario.batchSize }, () => ({ body, tags: BENCH_TAG }))) };
}

/** Makes `topic` on the master (`host:port` of its HTTP API), then sends until one message is SEND_OK; throws naming the last answer. */
export async function prepareTopic(masterHttp: string, topic: string, readyWaitMs: number): Promise<void> {
  const put = await fetch(`http://${masterHttp}/topics/${encodeURIComponent(topic)}`, {
    method: "PUT", headers: { "content-type": "application/json" }, signal: AbortSignal.timeout(10_000),
    body: JSON.stringify({ readQueueNums: BENCH_QUEUES, writeQueueNums: BENCH_QUEUES, perm: 6 }),
  });
  if (!put.ok) throw new Error(`PUT /topics/${topic} on ${masterHttp}: HTTP ${put.status} ${(await put.text()).slice(0, 300)}`);
  const producer = new Producer({ broker: masterHttp }, { timeoutMs: 3000 });
  const deadline = Date.now() + readyWaitMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const r = await producer.send(topic, { body: benchBody(16), tags: "Ready" });
      if (r.status === "SEND_OK") return;
      last = `status ${r.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no SEND_OK from ${masterHttp} within ${readyWaitMs} ms; last: ${last}`);
}
