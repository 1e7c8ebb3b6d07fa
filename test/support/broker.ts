/** A broker on the in-memory platform, and its Hono app for `app.request()` tests. */
import { createMemoryPlatform } from "../../adapters/memory/platform.ts";
import { resolveBrokerConfig } from "../../src/config/sources.ts";
import type { BrokerConfig } from "../../src/config/broker-config.ts";
import { startBroker } from "../../src/app/start-broker.ts";
import { brokerApp } from "../../src/http/broker/app.ts";
import { lineLogger } from "./log.ts";

export function brokerConfig(values: Record<string, string | number | boolean> = {}): BrokerConfig {
  return resolveBrokerConfig({
    env: { HOME: "/home/test" },
    cliValues: { storePathRootDir: "/store", listenPort: 10911, mappedFileSizeCommitLog: 1 << 20, maxHashSlotNum: 1024, maxIndexNum: 4096, ...values },
  }).config;
}

export async function memoryBroker(
  values: Record<string, string | number | boolean> = {},
  memory = createMemoryPlatform(),
  fetch: (url: string, init?: RequestInit) => Promise<Response> = memory.fetch,
) {
  const logs: string[] = [];
  const broker = await startBroker(brokerConfig(values), memory.platform, { log: lineLogger((line) => logs.push(line)), fetch });
  const app = brokerApp(broker.runtime);
  const request = (path: string, init?: RequestInit) => app.request(path, init);
  const json = async (path: string, init?: RequestInit) => {
    const response = await request(path, init);
    return { status: response.status, body: (await response.json()) as any };
  };
  const send = (topic: string, body: unknown) =>
    json(`/topics/${topic}/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { broker, app, memory, logs, request, json, send };
}
