/**
 * A real broker served by the current runtime's HTTP adapter answers long polls up to the
 * documented 30 s maximum: 2,000 concurrent polls of an idle queue, each waiting longer than Bun's
 * old 10 s idle timeout, are all answered NO_NEW_MSG and none is reset; one poll waits the full
 * 30 s; a poll woken by a message sent during its wait answers with it; and the client's default
 * `consume()` poll gets its empty answer and then its message. It would fail if an adapter
 * closed connections with a poll in flight (as Bun's default `idleTimeout` of 10 s did).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startBroker, type BrokerHandle } from "../../src/app/start-broker.ts";
import { HTTP_IDLE_TIMEOUT_MS, MAX_PULL_WAIT_MS } from "../../src/broker/pull-service.ts";
import { DEFAULT_CONSUME_WAIT_MS, Producer, PullConsumer } from "../../src/client/index.ts";
import { resolveBrokerConfig } from "../../src/config/sources.ts";
import { platform, removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { observedHttp, rawHttp, sleep, within } from "./helpers.ts";
import { lineLogger } from "../support/log.ts";

const TOPIC = "LongPoll";
const POLLS = 2_000;
const IDLE_POLL_WAIT_MS = 13_000; // above Bun's old 10 s default idle timeout
const IDLE_QUEUE = 0;
const FULL_WAIT_QUEUE = 1;
const WOKEN_QUEUE = 2;
const CONSUME_QUEUE = 3;

interface PollAnswer {
  readonly status: number;
  readonly pullStatus?: string;
  readonly bodies: string[];
  readonly elapsedMs: number;
}

describe(`long polls on a ${runtimeName} broker`, () => {
  let store = "";
  let broker: BrokerHandle;
  let base = "";
  let port = 0;
  const logs: string[] = [];
  const world = observedHttp(platform);

  before(async () => {
    store = await tempDir("long-poll");
    const config = resolveBrokerConfig({
      env: {},
      cliValues: { storePathRootDir: store, brokerIP1: "127.0.0.1", listenPort: 0, mappedFileSizeCommitLog: 1 << 20 },
    }).config;
    broker = await startBroker(config, world.platform, { log: lineLogger((line) => logs.push(line) )});
    base = `http://${broker.httpAddress}`;
    port = Number(broker.httpAddress.split(":")[1]);
    const created = await fetch(`${base}/topics/${TOPIC}`, {
      method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ readQueueNums: 4, writeQueueNums: 4 }),
    });
    assert.equal(created.status, 200, await created.text());
  });

  after(async () => {
    await broker?.stop();
    await removeDir(store);
  });

  async function poll(queueId: number, waitMs: number): Promise<PollAnswer> {
    const startMs = performance.now();
    const answer = await rawHttp(port, "GET", `/topics/${TOPIC}/queues/${queueId}/messages?offset=0&group=long_poll&waitMs=${waitMs}`);
    const body = JSON.parse(answer.body) as { pullStatus?: string; messages?: Array<{ bodyBase64: string }> };
    const bodies = (body.messages ?? []).map((m) => atob(m.bodyBase64));
    return { status: answer.status, pullStatus: body.pullStatus, bodies, elapsedMs: performance.now() - startMs };
  }

  it("lets the broker's idle timeout exceed the longest poll, and the client's default poll fit in it", () => {
    assert.ok(DEFAULT_CONSUME_WAIT_MS > 10_000, "the default poll is long enough to need the fix");
    assert.ok(DEFAULT_CONSUME_WAIT_MS <= MAX_PULL_WAIT_MS);
    assert.ok(HTTP_IDLE_TIMEOUT_MS > MAX_PULL_WAIT_MS);
  });

  it("answers 2,000 concurrent idle polls, a full 30 s poll, a woken poll and the default consume poll", async () => {
    const failures: string[] = [];
    const idle = Promise.all(Array.from({ length: POLLS }, () =>
      poll(IDLE_QUEUE, IDLE_POLL_WAIT_MS).catch((error: Error) => {
        failures.push(`${error.message} ${(error.cause as Error | undefined)?.message ?? ""}`);
        return undefined;
      })));
    const full = poll(FULL_WAIT_QUEUE, MAX_PULL_WAIT_MS);

    // Woken: the message comes after Bun's old 10 s limit, and well inside the poll's wait.
    const woken = poll(WOKEN_QUEUE, 25_000);
    const producer = new Producer({ broker: broker.httpAddress });
    const sendWoken = sleep(11_000).then(() => producer.send(TOPIC, { body: "woken", queueId: WOKEN_QUEUE }));

    // The client's own consume() with its default wait: its first poll must be answered empty
    // (not reset), only then does its message arrive, for the second poll.
    const consumer = new PullConsumer({ group: "long_poll_consumer", broker: broker.httpAddress });
    const stopConsume = new AbortController();
    const consumed = (async () => {
      for await (const batch of consumer.consume(TOPIC, CONSUME_QUEUE, { from: "first", signal: stopConsume.signal })) {
        if (batch.messages.length > 0) return new TextDecoder().decode(batch.messages[0].body);
      }
      return undefined;
    })();
    const consumePath = `GET /topics/${TOPIC}/queues/${CONSUME_QUEUE}/messages`;
    const sendConsumed = (async () => {
      const deadlineMs = performance.now() + DEFAULT_CONSUME_WAIT_MS + 15_000;
      while (!world.stats.answered.includes(consumePath) && performance.now() < deadlineMs) await sleep(100);
      assert.ok(world.stats.answered.includes(consumePath), "the first default consume poll was answered");
      return producer.send(TOPIC, { body: "consumed", queueId: CONSUME_QUEUE });
    })();

    const idleAnswers = await within(IDLE_POLL_WAIT_MS + 25_000, idle, "2,000 idle polls");
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${POLLS} polls failed`);
    assert.ok(world.stats.peakInFlight >= POLLS, `only ${world.stats.peakInFlight} polls were open at once`);
    for (const answer of idleAnswers) {
      assert.equal(answer?.status, 200);
      assert.equal(answer?.pullStatus, "NO_NEW_MSG");
      assert.deepEqual(answer?.bodies, []);
    }

    assert.equal((await sendWoken).status, "SEND_OK");
    const wokenAnswer = await within(30_000, woken, "woken poll");
    assert.equal(wokenAnswer.pullStatus, "FOUND");
    assert.deepEqual(wokenAnswer.bodies, ["woken"]);

    assert.equal((await within(30_000, sendConsumed, "message for consume()")).status, "SEND_OK");
    assert.equal(await within(30_000, consumed, "consume()"), "consumed");
    stopConsume.abort();

    const fullAnswer = await within(MAX_PULL_WAIT_MS + 20_000, full, "30 s poll");
    assert.equal(fullAnswer.status, 200);
    assert.equal(fullAnswer.pullStatus, "NO_NEW_MSG");
    assert.ok(fullAnswer.elapsedMs >= MAX_PULL_WAIT_MS - 50, `the 30 s poll was answered after ${Math.round(fullAnswer.elapsedMs)} ms`);
    assert.deepEqual(logs.filter((line) => /internal error/.test(line)), []);
  });
});
