/**
 * The name server's `GET /metrics` counts its brokers and topics and the route table's changes by
 * kind (registrations, expiries, the queue data a masterless broker name loses) as they happen,
 * with the process metrics; `/healthz` answers liveness as the broker's does.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMemoryPlatform } from "../../adapters/memory/platform.ts";
import { resolveNamesrvConfig } from "../../src/config/namesrv-config.ts";
import { registerBroker } from "../../src/namesrv/namesrv-client.ts";
import { startNamesrv } from "../../src/app/start-namesrv.ts";
import { sampleValue, scrape } from "../support/prometheus.ts";
import { master, slave } from "./registrations.ts";

describe("name server /metrics", () => {
  it("counts brokers, topics and route-table changes by kind, and stops its sampler with the server", async () => {
    const memory = createMemoryPlatform();
    const namesrv = await startNamesrv(resolveNamesrvConfig({}).config, memory.platform);
    const get = (path: string) => memory.fetch(`http://${namesrv.httpAddress}${path}`);
    let m = await scrape(get);
    assert.equal(sampleValue(m, "skiff_namesrv_brokers"), 0);
    assert.deepEqual(m.get("skiff_namesrv_route_changes_total")!.samples, []);
    assert.equal(sampleValue(m, "skiff_runtime_info", { runtime: "memory" }), 1);

    await registerBroker([namesrv.httpAddress], master(), memory.fetch);
    await registerBroker([namesrv.httpAddress], slave(), memory.fetch);
    await registerBroker([namesrv.httpAddress], slave(), memory.fetch); // a refresh changes nothing
    m = await scrape(get);
    assert.equal(sampleValue(m, "skiff_namesrv_brokers"), 2);
    assert.equal(sampleValue(m, "skiff_namesrv_topics"), 1);
    assert.equal(sampleValue(m, "skiff_namesrv_route_changes_total", { change: "registered" }), 2);

    await memory.clock.advance(60_000);
    await registerBroker([namesrv.httpAddress], slave(), memory.fetch);
    await memory.clock.advance(70_000); // the master expires
    m = await scrape(get);
    assert.equal(sampleValue(m, "skiff_namesrv_brokers"), 1);
    assert.equal(sampleValue(m, "skiff_namesrv_topics"), 0, "a slave alone routes nothing");
    assert.equal(sampleValue(m, "skiff_namesrv_route_changes_total", { change: "expired" }), 1);
    assert.equal(sampleValue(m, "skiff_namesrv_route_changes_total", { change: "queue_data_dropped" }), 1);
    assert.ok(sampleValue(m, "skiff_event_loop_delay_seconds", {}, "skiff_event_loop_delay_seconds_count") > 100, "sampled every 200 ms of the clock");

    const alive = await get("/healthz");
    assert.deepEqual([alive.status, await alive.json()], [200, { status: "ok", brokers: 1, topics: 0 }]);
    await namesrv.stop();
    assert.equal(memory.clock.pendingTimers, 0, "the expiry scan and the event-loop sampler are stopped");
  });
});
