/**
 * A real broker (startBroker on the runtime's platform, a temp store) with a RemotingServer on
 * loopback serving the processor table a test gives it, built from the broker's runtime — what
 * the broker's listen port will serve once the lead wires it. `open()` connects raw clients;
 * `stop()` closes clients, server, broker and store directory.
 */
import { startBroker, type BrokerHandle } from "../../src/app/start-broker.ts";
import type { BrokerRuntime } from "../../src/broker/runtime.ts";
import { resolveBrokerConfig } from "../../src/config/sources.ts";
import { errorAnswer } from "../../src/processors/error-answers.ts";
import { RemotingServer, type RemotingProcessor } from "../../src/remoting/remoting-server.ts";
import { platform, removeDir, tempDir } from "./platform.ts";
import { RawRemotingClient } from "./remoting.ts";
import { lineLogger } from "./log.ts";

export interface RemotingBroker {
  readonly broker: BrokerHandle;
  readonly server: RemotingServer;
  readonly logs: string[];
  open(): Promise<RawRemotingClient>;
  stop(): Promise<void>;
}

export async function remotingBroker(
  processors: (runtime: BrokerRuntime) => ReadonlyArray<readonly [number, RemotingProcessor]>,
  values: Record<string, string | number | boolean> = {},
): Promise<RemotingBroker> {
  const store = await tempDir("remoting-broker");
  const logs: string[] = [];
  const log = lineLogger((line) => logs.push(line));
  const config = resolveBrokerConfig({
    env: {},
    cliValues: { storePathRootDir: store, brokerIP1: "127.0.0.1", listenPort: 0, mappedFileSizeCommitLog: 1 << 20, ...values },
  }).config;
  const broker = await startBroker(config, platform, { log });
  const server = await RemotingServer.listen({
    net: platform.net, clock: platform.clock, at: { host: "127.0.0.1", port: 0 }, name: "remoting",
    processors: new Map(processors(broker.runtime)), log, errorAnswer,
  });
  const clients: RawRemotingClient[] = [];
  return {
    broker,
    server,
    logs,
    async open() {
      const client = await RawRemotingClient.open(platform.net, server.address);
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.close();
      await server.close();
      await broker.stop();
      await removeDir(store);
    },
  };
}
