/**
 * A remoting client pool holds at most `maxClients` clients (REMOTING_CLIENTS_MAX by default): the
 * same address gets the same client, and one address more closes the oldest client (its later
 * requests are refused with REMOTING_CLOSED) while the others keep working.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { MemoryNetwork } from "../../adapters/memory/net.ts";
import { REMOTING_CLIENTS_MAX, RemotingClientPool } from "../../src/remoting/remoting-client.ts";

describe("RemotingClientPool", () => {
  it("keeps one client per address, within its bound, closing the oldest for a new address", async () => {
    const pool = new RemotingClientPool(new MemoryNetwork(), new ManualClock(), 2);
    const a = pool.get("127.0.0.1:9001");
    assert.equal(pool.get("127.0.0.1:9001"), a, "the same address, the same client");
    const b = pool.get("127.0.0.1:9002");
    const c = pool.get("127.0.0.1:9003");
    assert.equal(pool.size, 2);
    await assert.rejects(a.invoke(105, {}, new Uint8Array(0), 1000), (e: Error & { code?: string }) => e.code === "REMOTING_CLOSED");
    assert.equal(pool.get("127.0.0.1:9002"), b, "the newer clients stay");
    assert.equal(pool.get("127.0.0.1:9003"), c);
    assert.notEqual(pool.get("127.0.0.1:9001"), a, "the evicted address gets a new client");
    assert.equal(pool.size, 2);
    pool.closeAll();
  });

  it("holds REMOTING_CLIENTS_MAX clients by default", () => {
    const pool = new RemotingClientPool(new MemoryNetwork(), new ManualClock());
    for (let i = 0; i < REMOTING_CLIENTS_MAX + 5; i++) pool.get(`127.0.0.1:${10000 + i}`);
    assert.equal(pool.size, REMOTING_CLIENTS_MAX);
    pool.closeAll();
  });
});
