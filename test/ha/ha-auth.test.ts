/**
 * The authenticated HA link (haAuthSecret, src/ha/codec/auth-handshake.ts) over real loopback TCP,
 * on whichever runtime runs this file:
 *
 * - master and slave with the same secret replicate byte for byte, SYNC_MASTER acks included;
 * - a slave with another secret (it finds the master's proof wrong and leaves), a classic slave (no
 *   secret, as Apache RocketMQ's) and a raw client that sends an offset report get no log byte,
 *   cannot ack, and are listed as refused;
 * - a slave with the secret refuses a master without it and a fake master, applying nothing.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, createServer, type Server } from "node:net";
import { HaClient, HaMaster, haOptions, type HaOptions } from "../../src/ha/index.ts";
import { encodeOffsetReport } from "../../src/ha/codec/offset-report.ts";
import { MessageStore } from "../../src/store/message-store.ts";
import { defaultStoreOptions } from "../../src/store/store-options.ts";
import { platform, removeDir, tempDir } from "../support/platform.ts";
import { fill } from "./ha-world.ts";
import { lineLogger } from "../support/log.ts";

const SECRET = "correct horse battery staple";
const dirs: string[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  for (const dir of dirs) await removeDir(dir);
});

async function openStore(name: string): Promise<MessageStore> {
  const dir = await tempDir(`ha-auth-${name}`);
  dirs.push(dir);
  const store = await MessageStore.open({ fs: platform.fs, clock: platform.clock, system: platform.system }, defaultStoreOptions(dir, { segmentSizeCommitLogBytes: 1024 * 1024 }));
  cleanups.push(() => store.close());
  return store;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function options(overrides: Partial<HaOptions>, logs: string[] = []): HaOptions {
  return haOptions({ haListenHost: "127.0.0.1", haListenPort: 0, haSendHeartbeatIntervalMs: 200, log: lineLogger((line) => logs.push(line)), ...overrides });
}

async function startMaster(secret: string | undefined): Promise<{ store: MessageStore; ha: HaMaster; address: string; end: number }> {
  const store = await openStore("master");
  const end = await fill(store, 200, 300);
  const ha = await HaMaster.start({ net: platform.net, clock: platform.clock, source: store.replicationSource, options: options({ haAuthSecret: secret }) });
  cleanups.push(() => ha.close());
  return { store, ha, address: `127.0.0.1:${ha.address.port}`, end };
}

async function follow(address: string, secret: string | undefined, brokerName = "broker-a"): Promise<{ store: MessageStore; client: HaClient }> {
  const store = await openStore("slave");
  const client = new HaClient({ net: platform.net, clock: platform.clock, replica: store.replica, masterAddress: () => address, options: options({ haAuthSecret: secret, brokerName }) });
  client.start();
  cleanups.push(() => client.stop());
  return { store, client };
}

/** A raw client: sends `bytes`, counts what comes back until the master closes or `ms` pass. */
function rawClient(address: string, bytes: Uint8Array, ms = 1500): Promise<number> {
  const [host, port] = address.split(":");
  return new Promise((resolve) => {
    let received = 0;
    const socket = connect(Number(port), host, () => socket.write(bytes));
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on("data", (chunk) => (received += chunk.length));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}

describe(`the authenticated HA link over real TCP (${platform.system.runtime})`, () => {
  it("replicates byte for byte when both sides know the secret, and the acks count", async () => {
    const master = await startMaster(SECRET);
    const slave = await follow(master.address, SECRET);
    await waitFor(() => slave.store.offsets.maxOffset === master.end, "the slave caught up");
    await waitFor(() => master.ha.push2SlaveMaxOffset === master.end, "the master saw the ack");
    assert.equal(await master.ha.waitForReplication(master.end, 1000), "PUT_OK");
    assert.deepEqual(await slave.store.readCommitLog(0, 4096), await master.store.readCommitLog(0, 4096));
    assert.deepEqual(master.ha.refusedSlaves(), []);
  });

  it("gives a wrong secret, a classic slave and a raw offset report nothing, and lists them as refused", async () => {
    const master = await startMaster(SECRET);
    const wrong = await follow(master.address, "another secret, 16+ chars");
    const classic = await follow(master.address, undefined);
    const raw = await rawClient(master.address, encodeOffsetReport(0));
    await waitFor(() => master.ha.refusedSlaves().length >= 3, "three refusals");
    assert.equal(raw, 0, "no byte for a raw offset report");
    assert.equal(wrong.store.offsets.maxOffset, 0);
    assert.equal(classic.store.offsets.maxOffset, 0);
    assert.equal(master.ha.push2SlaveMaxOffset, 0, "nothing acked");
    assert.equal(master.ha.isSlaveOk(master.end), false, "no slave counts for SYNC_MASTER");
    const reasons = master.ha.refusedSlaves().map((r) => r.reason);
    // The slave checks the master's proof first: with another secret it leaves before sending its own.
    assert.ok(reasons.some((r) => /^HA handshake failed: HA_AUTH_FAILED: the connection ended before the slave's proof$/.test(r)), reasons.join("\n"));
    assert.ok(reasons.some((r) => /did not start the Skiff HA handshake/.test(r)), reasons.join("\n"));
    await waitFor(() => /HA_AUTH_FAILED: the master's HA handshake proof is wrong \(haAuthSecret differs, or it is not the master of broker-a\)/.test(wrong.client.state.lastError ?? ""), "the slave with the wrong secret says why");
  });

  it("binds the broker group: a slave of another brokerName with the same secret gets nothing and cannot ack", async () => {
    const master = await startMaster(SECRET);
    const stranger = await follow(master.address, SECRET, "broker-b");
    await waitFor(() => /HA_AUTH_FAILED: the master's HA handshake proof is wrong \(haAuthSecret differs, or it is not the master of broker-b\)/.test(stranger.client.state.lastError ?? ""), "the slave of broker-b says why");
    await waitFor(() => master.ha.refusedSlaves().length >= 1, "the master lists the refusal");
    assert.equal(stranger.store.offsets.maxOffset, 0, "no log byte");
    assert.equal(master.ha.push2SlaveMaxOffset, 0, "nothing acked");
    assert.equal(master.ha.isSlaveOk(master.end), false, "it does not count for SYNC_MASTER");
    const own = await follow(master.address, SECRET, "broker-a");
    await waitFor(() => own.store.offsets.maxOffset === master.end, "the slave of broker-a catches up");
  });

  it("a slave with the secret follows neither a master without it nor a fake master", async () => {
    const plain = await startMaster(undefined);
    const toPlain = await follow(plain.address, SECRET);
    await waitFor(() => /did not answer the HA handshake \(is haAuthSecret set on the master\?\)/.test(toPlain.client.state.lastError ?? ""), "the slave names the missing setting");
    assert.equal(toPlain.store.offsets.maxOffset, 0);

    // A fake master that answers the hello with the magic and garbage.
    const fake: Server = createServer((socket) => {
      socket.once("data", () => socket.write(new Uint8Array([...new TextEncoder().encode("SKIFFHA1"), ...new Uint8Array(64).fill(7)])));
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", () => resolve()));
    cleanups.push(() => new Promise((resolve) => fake.close(() => resolve(undefined))));
    const toFake = await follow(`127.0.0.1:${(fake.address() as { port: number }).port}`, SECRET);
    await waitFor(() => /master's HA handshake proof is wrong/.test(toFake.client.state.lastError ?? ""), "the slave refuses the fake master");
    assert.equal(toFake.store.offsets.maxOffset, 0);
    assert.equal(toFake.client.state.connected, false);
  });
});
