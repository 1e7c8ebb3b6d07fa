/**
 * A client that closes its connection in the middle of sending a message, on a real broker served
 * by the current runtime's HTTP adapter, is logged as one low-level "client closed" line and never
 * as an internal error, whether its body had a Content-Length or was chunked; the broker goes on
 * serving. It would fail if a runtime's body-read error (Bun's AbortError, Node's ECONNRESET,
 * Deno's BadResource) reached the log as "internal error on POST …".
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { startBroker, type BrokerHandle } from "../../src/app/start-broker.ts";
import { resolveBrokerConfig } from "../../src/config/sources.ts";
import { platform, removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { loopback, observedHttp, rawHttp, sleep, within } from "./helpers.ts";
import { lineLogger } from "../support/log.ts";

const TOPIC = "Closing";

describe(`a client closing mid-request on a ${runtimeName} broker`, () => {
  let store = "";
  let broker: BrokerHandle;
  let port = 0;
  const logs: string[] = [];
  const world = observedHttp(platform);

  before(async () => {
    store = await tempDir("client-closed");
    const config = resolveBrokerConfig({
      env: {},
      cliValues: { storePathRootDir: store, brokerIP1: loopback, listenPort: 0, mappedFileSizeCommitLog: 1 << 20 },
    }).config;
    broker = await startBroker(config, world.platform, { log: lineLogger((line) => logs.push(line) )});
    port = Number(broker.httpAddress.split(":")[1]);
  });

  after(async () => {
    await broker?.stop();
    await removeDir(store);
  });

  /** Sends `head` and part of a body, waits until the broker is reading it, then drops the connection. */
  async function abandon(head: string, partialBody: string): Promise<void> {
    const socket = connect(port, loopback);
    socket.on("error", () => {});
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    const inFlightBefore = world.stats.inFlight;
    socket.write(head + partialBody);
    const deadlineMs = performance.now() + 10_000;
    while (world.stats.inFlight === inFlightBefore && performance.now() < deadlineMs) await sleep(10);
    assert.ok(world.stats.inFlight > inFlightBefore, "the broker started on the request");
    socket.destroy();
  }

  async function loggedClientClose(count: number): Promise<string[]> {
    const deadlineMs = performance.now() + 10_000;
    const closes = () => logs.filter((line) => line.startsWith(`client closed the connection during POST /topics/${TOPIC}/messages`));
    while (closes().length < count && performance.now() < deadlineMs) await sleep(20);
    return closes();
  }

  async function sendsStillWork(): Promise<void> {
    const sent = await within(10_000, rawHttp(port, "POST", `/topics/${TOPIC}/messages`, JSON.stringify({ body: "after" })), "send after");
    assert.equal(sent.status, 200, sent.body);
    assert.equal(JSON.parse(sent.body).status, "SEND_OK");
  }

  it("logs a body cut short before its Content-Length as a client close, not an internal error", async () => {
    const head = `POST /topics/${TOPIC}/messages HTTP/1.1\r\nhost: ${loopback}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n`;
    await abandon(head, `{"body":"${"x".repeat(100)}`);
    const closes = await loggedClientClose(1);
    assert.equal(closes.length, 1, logs.join("\n"));
    assert.deepEqual(logs.filter((line) => /internal error/.test(line)), []);
    await sendsStillWork();
  });

  it("logs a chunked body cut short mid-chunk as a client close, not an internal error", async () => {
    const head = `POST /topics/${TOPIC}/messages HTTP/1.1\r\nhost: ${loopback}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`;
    await abandon(head, `400\r\n{"body":"${"y".repeat(100)}`);
    const closes = await loggedClientClose(2);
    assert.equal(closes.length, 2, logs.join("\n"));
    assert.deepEqual(logs.filter((line) => /internal error/.test(line)), []);
    await sendsStillWork();
  });
});
