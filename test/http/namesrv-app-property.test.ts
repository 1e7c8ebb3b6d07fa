/**
 * Property-based bad input for every route of the name server's HTTP API, through `app.request()`:
 * random methods, hostile paths, content types and bodies (random JSON, random bytes, mutated valid
 * registrations) get a 2xx or a 4xx in the `{"error":{"code","message"}}` shape, never a 5xx, and
 * nothing is logged as an internal error. The route table stays within its broker and topic limits.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { namesrvApp } from "../../src/http/namesrv-app.ts";
import { RouteTable } from "../../src/namesrv/route-table.ts";
import { master, slave } from "../namesrv/registrations.ts";
import { RUNS } from "../support/property.ts";
import { bodyFrom, checkAnswer, contentType, describeSpec, hostileSegment, queueIdText, requestInit, type RequestSpec } from "./http-property.ts";
import { lineLogger } from "../support/log.ts";

const topicQueue = fc.record({ readQueueNums: fc.integer({ min: -1, max: 70_000 }), writeQueueNums: fc.integer({ min: 0, max: 16 }), perm: fc.integer({ min: -1, max: 16 }), topicSysFlag: fc.integer() });
const registration = fc.tuple(fc.boolean(), fc.dictionary(fc.oneof(fc.constantFrom("TopicTest", "__proto__", "a".repeat(300)), hostileSegment), topicQueue, { maxKeys: 3 }), fc.nat(), fc.oneof(fc.constant("127.0.0.1:10911"), hostileSegment))
  .map(([isSlave, topics, counter, brokerAddr]) => (isSlave ? slave : master)({ topics, counter, brokerAddr }));

const validRegistration = fc.tuple(fc.boolean(), fc.nat(100)).map(([isSlave, counter]) => JSON.stringify((isSlave ? slave : master)({ counter })));
const request: fc.Arbitrary<RequestSpec> = fc.oneof(fc.record({ method: fc.constant("POST"), path: fc.constant("/brokers"), body: validRegistration }), fc.record({
  method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"),
  path: fc.oneof(
    fc.constantFrom("/brokers", "/cluster", "/health", "/routes/TopicTest", "/brokers/", "/routes/"),
    hostileSegment.map((t) => `/routes/${t}`),
    fc.tuple(fc.oneof(fc.constant("DefaultCluster"), hostileSegment), fc.oneof(fc.constant("broker-a"), hostileSegment), queueIdText).map(([c, b, id]) => `/brokers/${c}/${b}/${id}`),
    fc.array(hostileSegment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join("/")}`),
  ),
  contentType,
  body: bodyFrom(registration),
}, { requiredKeys: ["method", "path"] }));

describe("name server HTTP API, property-based", () => {
  it("answers random requests to every route with a 2xx or a 4xx in the error shape", async () => {
    const routeTable = new RouteTable({});
    const logged: string[] = [];
    const app = namesrvApp({ routeTable, clock: new ManualClock(), log: lineLogger((line) => logged.push(line) )});
    let registered = 0;
    await fc.assert(fc.asyncProperty(request, async (spec) => {
      const response = await app.request(spec.path, requestInit(spec));
      await checkAnswer(response, describeSpec(spec), spec.method);
      if (spec.method === "POST" && response.status === 200) registered++;
      assert.deepEqual(logged, [], "no internal error");
    }), { numRuns: RUNS });
    assert.ok(registered > 0, "some registrations were valid (the property is not vacuous)");
    const { brokerCount, topicCount } = routeTable.counts();
    assert.ok(brokerCount <= registered && topicCount >= 0);
  });
});
