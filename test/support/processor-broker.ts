/**
 * A real broker (startBroker on the runtime's platform, a temp store) with the broker's remoting
 * processors of this branch (send, pull, offsets, slave sync) served by a real RemotingServer on
 * loopback, and a raw remoting client that writes any command (captured ones included, with their
 * own version, flag and opaque) and collects the answers.
 */
import assert from "node:assert/strict";
import { startBroker, type BrokerHandle } from "../../src/app/start-broker.ts";
import { resolveBrokerConfig } from "../../src/config/sources.ts";
import type { BrokerConfig } from "../../src/config/broker-config.ts";
import { decodeMessageRecord, type DecodedMessage } from "../../src/codec/message-record-decode.ts";
import { errorAnswer } from "../../src/processors/error-answers.ts";
import { offsetProcessors } from "../../src/processors/broker/offset-processors.ts";
import { pullProcessors, type HeartbeatSubscription } from "../../src/processors/broker/pull-processors.ts";
import { sendProcessors } from "../../src/processors/broker/send-processors.ts";
import { slaveSyncProcessors } from "../../src/processors/broker/slave-sync-processors.ts";
import type { RemotingAnswer, RemotingCommand } from "../../src/remoting/remoting-command.ts";
import { RemotingServer, type RemotingProcessor } from "../../src/remoting/remoting-server.ts";
import { platform, removeDir, tempDir } from "./platform.ts";
import { RawRemotingClient } from "./remoting.ts";
import { lineLogger } from "./log.ts";

export type { RawRemotingClient };

export interface RemotingBroker {
  readonly broker: BrokerHandle;
  readonly server: RemotingServer;
  readonly logs: string[];
  /** Every request a processor finished, with what it answered (null: nothing, the client is gone). */
  readonly settled: Array<{ readonly code: number; readonly opaque: number; readonly answer: RemotingAnswer | null }>;
  /** `127.0.0.1:<port>` of the remoting server. */
  readonly address: string;
  client(): Promise<RawRemotingClient>;
  stop(): Promise<void>;
}

export interface RemotingBrokerOptions {
  readonly subscriptionOf?: (group: string, topic: string) => HeartbeatSubscription | undefined;
  /** Runs on the broker's configuration before the broker starts (e.g. to fill its store). */
  readonly beforeStart?: (config: BrokerConfig) => Promise<void>;
}

/** A broker named as in the captures (DefaultCluster / broker-a), with `values` over the defaults. */
export async function remotingBroker(values: Record<string, string | number | boolean> = {}, options: RemotingBrokerOptions = {}): Promise<RemotingBroker> {
  const dir = await tempDir("processors");
  const config = resolveBrokerConfig({
    env: { HOME: dir },
    cliValues: {
      storePathRootDir: dir, brokerIP1: "127.0.0.1", listenPort: 0, mappedFileSizeCommitLog: 1 << 20,
      brokerClusterName: "DefaultCluster", brokerName: "broker-a", ...values,
    },
  }).config;
  const logs: string[] = [];
  const log = lineLogger((line) => logs.push(line));
  await options.beforeStart?.(config);
  const broker = await startBroker(config, platform, { log });
  const { runtime } = broker;
  const settled: RemotingBroker["settled"] = [];
  const observed = (processor: RemotingProcessor): RemotingProcessor => async (request, channel) => {
    const answer = await processor(request, channel);
    settled.push({ code: request.code, opaque: request.opaque, answer });
    return answer;
  };
  const table = [
    ...sendProcessors({ runtime }),
    ...pullProcessors({ runtime, subscriptionOf: options.subscriptionOf }),
    ...offsetProcessors({ runtime }),
    ...slaveSyncProcessors({ runtime }),
  ];
  const processors = new Map(table.map(([code, processor]) => [code, observed(processor)] as const));
  const server = await RemotingServer.listen({ net: platform.net, clock: platform.clock, at: { host: "127.0.0.1", port: 0 }, name: "remoting", processors, log, errorAnswer });
  const clients: RawRemotingClient[] = [];
  return {
    broker,
    server,
    logs,
    settled,
    address: `127.0.0.1:${server.address.port}`,
    async client() {
      const client = await RawRemotingClient.open(platform.net, server.address);
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.close();
      await server.close();
      await broker.stop();
      await removeDir(dir);
    },
  };
}

/** Writes commands as they are; collects every frame the server sends. */
/** A request as a 4.9.7 Java client sends it (JSON header, language JAVA, version 407). */
export function javaRequest(code: number, opaque: number, extFields: Record<string, string>, body = new Uint8Array(0), version = 407): RemotingCommand {
  return { code, language: "JAVA", version, opaque, flag: 0, extFields, body };
}

/** Waits (checking every 5 ms) until `done()` holds; fails after `timeoutMs`. */
export async function waitFor(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The record stored at `physicalOffset` of the broker's commit log, decoded with its body. */
export async function storedRecordAt(rb: RemotingBroker, physicalOffset: number) {
  const { store } = rb.broker;
  const head = await store.readCommitLog(physicalOffset, 4);
  const size = new DataView(head.buffer, head.byteOffset, 4).getInt32(0);
  const record = decodeMessageRecord(await store.readCommitLog(physicalOffset, size), 0, { readBody: true });
  assert.equal(record.kind, "message", `a message record at ${physicalOffset}`);
  return record as DecodedMessage;
}
