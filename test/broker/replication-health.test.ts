/**
 * `/healthz`, `/readyz` and the HA part of `/metrics` for a master and a slave on one in-memory
 * network and clock: a SYNC_MASTER is ready only with a slave in sync (the reason says why not),
 * a slave only while it follows its master, and the master's metrics show each slave's ack and lag
 * while the slave's show its connection and metadata sync, failures included.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, settle } from "../../adapters/memory/clock.ts";
import { MemoryNetwork } from "../../adapters/memory/net.ts";
import { createMemoryPlatform } from "../../adapters/memory/platform.ts";
import { memoryBroker } from "../support/broker.ts";
import { sampleValue, scrape } from "../support/prometheus.ts";

async function pair(masterValues: Record<string, string | number | boolean> = {}) {
  const clock = new ManualClock();
  const net = new MemoryNetwork();
  const masterMemory = createMemoryPlatform({ clock, net });
  const slaveMemory = createMemoryPlatform({ clock, net });
  const master = await memoryBroker({ brokerRole: "SYNC_MASTER", ...masterValues }, masterMemory);
  const startSlave = () => memoryBroker({
    brokerRole: "SLAVE", brokerId: 1, listenPort: 11911, haMasterAddress: "127.0.0.1:10912", slaveSynchronizePeriod: 10_000,
  }, slaveMemory, masterMemory.fetch);
  return { clock, master, startSlave };
}

describe("health and replication metrics of a master and a slave", () => {
  it("a SYNC_MASTER is not ready without a slave, is once one is in sync, and its metrics show the slave's ack and lag", async () => {
    const t = await pair();
    const alive = await t.master.json("/healthz");
    assert.deepEqual([alive.status, alive.body.status, alive.body.role], [200, "ok", "SYNC_MASTER"]);
    let ready = await t.master.json("/readyz");
    assert.equal(ready.status, 503);
    assert.equal(ready.body.ready, false);
    assert.match(ready.body.reasons[0], /^HA_NO_SLAVE_IN_SYNC: no slave is connected, so SYNC_MASTER sends are answered SLAVE_NOT_AVAILABLE/);
    assert.deepEqual(ready.body.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]), [["store", true], ["replication", false]]);
    assert.equal(sampleValue(await scrape(t.master.request), "skiff_ha_slave_in_sync"), 0);

    const slave = await t.startSlave();
    await t.clock.advance(10); // the slave connects and reports
    for (let i = 0; i < 5; i++) assert.equal((await t.master.send("Rep", { body: `m${i}`, queueId: 0 })).body.status, "SEND_OK");
    ready = await t.master.json("/readyz");
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.deepEqual(ready.body.reasons, []);
    const max = t.master.broker.store.offsets.maxOffset;
    assert.match(ready.body.checks[1].detail, new RegExp(`^1 slave connected, acknowledged up to ${max} of ${max}$`));

    const m = await scrape(t.master.request);
    assert.equal(sampleValue(m, "skiff_ha_connections"), 1);
    assert.equal(sampleValue(m, "skiff_ha_slave_in_sync"), 1);
    assert.equal(sampleValue(m, "skiff_ha_push2slave_max_offset_bytes"), max);
    const [ack] = m.get("skiff_ha_slave_ack_offset_bytes")!.samples;
    assert.match(ack.labels.slave, /^127\.0\.0\.1:\d+$/);
    assert.equal(ack.value, max);
    assert.equal(sampleValue(m, "skiff_ha_slave_lag_bytes", { slave: ack.labels.slave }), 0);
    assert.equal(sampleValue(m, "skiff_ha_slave_lag_seconds", { slave: ack.labels.slave }), 0);
    assert.equal(sampleValue(m, "skiff_send_slave_wait_seconds", {}, "skiff_send_slave_wait_seconds_count"), 5);
    assert.equal(m.get("skiff_ha_master_connected")!.samples.length, 0, "slave metrics have no samples on a master");

    await slave.broker.stop();
    await settle();
    ready = await t.master.json("/readyz");
    assert.equal(ready.status, 503, "the slave left");
    assert.equal(sampleValue(await scrape(t.master.request), "skiff_ha_connections"), 0);
    await t.master.broker.stop();
  });

  it("says a connected slave too far behind is not in sync (haSlaveFallbehindMax)", async () => {
    const t = await pair({ haSlaveFallbehindMax: 0 });
    const slave = await t.startSlave();
    await t.clock.advance(10);
    const ready = await t.master.json("/readyz");
    assert.equal(ready.status, 503);
    assert.match(ready.body.reasons[0], /^HA_NO_SLAVE_IN_SYNC: 1 slave connected, but the best is 0 bytes behind, not less than haSlaveFallbehindMax \(0\)/);
    await slave.broker.stop();
    await t.master.broker.stop();
  });

  it("a slave is ready while it follows its master, and its metrics show the connection and the metadata sync", async () => {
    const t = await pair({ brokerRole: "ASYNC_MASTER" });
    const slave = await t.startSlave();
    await t.master.send("Rep", { body: "x" });
    await t.clock.advance(10);
    let ready = await slave.json("/readyz");
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.match(ready.body.checks[1].detail, /^following its master at 127\.0\.0\.1:10912, last byte \d+ s ago$/);
    assert.equal((await t.master.json("/readyz")).status, 200, "an ASYNC_MASTER needs no slave");

    await t.clock.advance(3000); // the first metadata sync
    await settle(200);
    let m = await scrape(slave.request);
    assert.equal(sampleValue(m, "skiff_ha_master_connected"), 1);
    assert.ok(sampleValue(m, "skiff_ha_master_last_read_age_seconds") < 10);
    assert.equal(sampleValue(m, "skiff_ha_diverged"), 0);
    assert.ok(sampleValue(m, "skiff_metadata_sync_age_seconds") < 1, "just synced");
    assert.equal(m.get("skiff_metadata_sync_failures_total")!.samples.length, 0);
    assert.equal(m.get("skiff_ha_connections")!.samples.length, 0, "master metrics have no samples on a slave");
    assert.equal(sampleValue(m, "skiff_broker_info", { role: "SLAVE", broker_id: "1" }), 1);

    await t.master.broker.stop();
    await t.clock.advance(10_000); // one more sync period, against a master that is gone
    await settle(200);
    ready = await slave.json("/readyz");
    assert.equal(ready.status, 503);
    assert.match(ready.body.reasons[0], /^HA_NOT_FOLLOWING: not connected to its master at 127\.0\.0\.1:10912/);
    m = await scrape(slave.request);
    assert.equal(sampleValue(m, "skiff_ha_master_connected"), 0);
    assert.ok(sampleValue(m, "skiff_metadata_sync_age_seconds") >= 10, "no sync since the master left");
    assert.ok(sampleValue(m, "skiff_metadata_sync_failures_total", { what: "topic-config" }) >= 1);
    await slave.broker.stop();
  });
});
