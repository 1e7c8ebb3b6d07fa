/**
 * How the client's requests fail: every failure is a SkiffClientError with a stable code, the HTTP
 * status and a `retriable` flag (network errors, timeouts and 502/503/504 yes; 4xx and plain 500 no),
 * its message carrying the broker's. A broker that cannot be reached is NETWORK_ERROR, an answer
 * that breaks the API's promises BAD_RESPONSE, and a caller's abort stays the caller's.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isRetriable, Producer, PullConsumer, SkiffClientError } from "../../src/client/index.ts";
import { baseUrl, HttpClient, type FetchLike } from "../../src/client/http.ts";

const answer = (status: number, body: string, headers: Record<string, string> = {}): FetchLike => async () => new Response(body, { status, headers });
/** A server that never answers; it gives up when the request's signal aborts, as fetch does. */
const silent: FetchLike = (_url, init) =>
  new Promise((_, reject) => {
    init.signal?.throwIfAborted();
    init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
  });
const errorBody = (code: string, message: string) => JSON.stringify({ error: { code, message } });

async function failure(promise: Promise<unknown>): Promise<SkiffClientError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SkiffClientError, `expected a SkiffClientError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a failure");
}

describe("client errors", () => {
  it("reports a broker nobody listens on as NETWORK_ERROR, status 0, retriable", async () => {
    const producer = new Producer({ broker: "127.0.0.1:1" }, { timeoutMs: 5000 });
    const e = await failure(producer.send("T", { body: "x" }));
    assert.deepEqual([e.code, e.status, e.retriable], ["NETWORK_ERROR", 0, true]);
    assert.match(e.message, /POST http:\/\/127\.0\.0\.1:1\/topics\/T\/messages/);
    assert.ok(e.cause !== undefined);
  });

  it("reports no answer within timeoutMs as TIMEOUT, retriable", async () => {
    const e = await failure(new HttpClient({ fetch: silent, timeoutMs: 30 }).json("b:1", "/health"));
    assert.deepEqual([e.code, e.status, e.retriable], ["TIMEOUT", 0, true]);
    assert.match(e.message, /within 30 ms/);
  });

  it("gives a long-poll pull waitMs on top of its time limit", async () => {
    let seen: AbortSignal | undefined;
    const slow: FetchLike = async (_url, init) => {
      seen = init.signal ?? undefined;
      await new Promise((resolve) => setTimeout(resolve, 60));
      return new Response(new Uint8Array(0), { headers: pullHeaders() });
    };
    const consumer = new PullConsumer({ group: "G", broker: "b:1", fetch: slow, timeoutMs: 30 });
    const result = await consumer.pull("T", 0, 0, { waitMs: 100 });
    assert.equal(result.pullStatus, "NO_NEW_MSG");
    assert.equal(seen?.aborted, false);
  });

  it("passes a caller's abort through untouched", async () => {
    const stop = new AbortController();
    const pending = new PullConsumer({ group: "G", broker: "b:1", fetch: silent }).pull("T", 0, 0, { signal: stop.signal });
    await new Promise((resolve) => setTimeout(resolve, 5));
    stop.abort(new Error("enough"));
    await assert.rejects(pending, { message: "enough" });
    await assert.rejects(new HttpClient({ fetch: silent }).json("b:1", "/x", { signal: stop.signal }), { message: "enough" });
  });

  it("takes code and message from the broker's error body, and the retriable flag from the status", async () => {
    const busy = await failure(new HttpClient({ fetch: answer(503, errorBody("STORE_CLOSED", "the store is shut down")) }).json("b:1", "/x"));
    assert.deepEqual([busy.code, busy.status, busy.retriable], ["STORE_CLOSED", 503, true]);
    assert.match(busy.message, /^STORE_CLOSED: the store is shut down \(GET http:\/\/b:1\/x answered 503\)$/);

    const conflict = await failure(new HttpClient({ fetch: answer(409, errorBody("SLAVE_CANNOT_SEND", "send to its master")) }).json("b:1", "/x"));
    assert.deepEqual([conflict.code, conflict.status, conflict.retriable], ["SLAVE_CANNOT_SEND", 409, false]);

    const bug = await failure(new HttpClient({ fetch: answer(500, errorBody("INTERNAL_ERROR", "internal error")) }).json("b:1", "/x"));
    assert.deepEqual([bug.code, bug.retriable], ["INTERNAL_ERROR", false]);
  });

  it("names an error answer without the JSON body by its status (a proxy's page)", async () => {
    const e = await failure(new HttpClient({ fetch: answer(502, "<html>Bad Gateway</html>") }).json("b:1", "/x"));
    assert.deepEqual([e.code, e.status, e.retriable], ["HTTP_502", 502, true]);
    assert.match(e.message, /Bad Gateway/);
  });

  it("reports a success that breaks the API's promises as BAD_RESPONSE", async () => {
    const notJson = await failure(new Producer({ broker: "b:1" }, { fetch: answer(200, "hello") }).send("T", { body: "x" }));
    assert.deepEqual([notJson.code, notJson.status, notJson.retriable], ["BAD_RESPONSE", 200, false]);
    const wrongShape = await failure(new Producer({ broker: "b:1" }, { fetch: answer(200, "{\"status\":\"MAYBE\"}") }).send("T", { body: "x" }));
    assert.equal(wrongShape.code, "BAD_RESPONSE");
    const noHeaders = await failure(new PullConsumer({ group: "G", broker: "b:1", fetch: answer(200, "") }).pull("T", 0, 0));
    assert.match(noHeaders.message, /x-rocketmq-pull-status/);
    const torn = await failure(new PullConsumer({ group: "G", broker: "b:1", fetch: answer(200, "\u0000\u0000\u0000\u00ff", pullHeaders(1)) }).pull("T", 0, 0));
    assert.deepEqual([torn.code, torn.retriable], ["BAD_RESPONSE", false]);
    assert.match(torn.message, /not a message \(partial/);
  });

  it("retries by the documented rule and builds URLs from host:port", () => {
    assert.deepEqual([isRetriable("X", 503), isRetriable("X", 504), isRetriable("SYSTEM_BUSY", 0), isRetriable("SERVICE_NOT_AVAILABLE", 500)], [true, true, true, true]);
    assert.deepEqual([isRetriable("X", 500), isRetriable("X", 404), isRetriable("SYSTEM_BUSY", 429), isRetriable("BAD_REQUEST", 0)], [false, false, false, false]);
    assert.equal(baseUrl("127.0.0.1:10911"), "http://127.0.0.1:10911");
    assert.equal(baseUrl("[::1]:10911"), "http://[::1]:10911");
    assert.equal(baseUrl("https://broker.example/"), "https://broker.example");
  });
});

function pullHeaders(count = 0): Record<string, string> {
  return {
    "content-type": "application/x-rocketmq-messages",
    "x-rocketmq-status": "OFFSET_OVERFLOW_ONE",
    "x-rocketmq-pull-status": "NO_NEW_MSG",
    "x-rocketmq-next-begin-offset": "0",
    "x-rocketmq-min-offset": "0",
    "x-rocketmq-max-offset": "0",
    "x-rocketmq-suggest-which-broker-id": "0",
    "x-rocketmq-message-count": String(count),
  };
}
