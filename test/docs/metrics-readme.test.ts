/**
 * The README's "Metrics and health" table names exactly the metrics a broker and a name server
 * export (read from their own /metrics): a metric added, renamed or dropped without the README
 * fails here.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createMemoryPlatform } from "../../adapters/memory/platform.ts";
import { resolveNamesrvConfig } from "../../src/config/namesrv-config.ts";
import { startNamesrv } from "../../src/app/start-namesrv.ts";
import { memoryBroker } from "../support/broker.ts";
import { scrape } from "../support/prometheus.ts";

const README = decodeURIComponent(new URL("../../README.md", import.meta.url).pathname);

/** `a_{x,y}_b` → `a_x_b`, `a_y_b`. */
function expand(name: string): string[] {
  const match = /\{([^}]*)\}/.exec(name);
  if (!match) return [name];
  return match[1].split(",").flatMap((part) => expand(name.slice(0, match.index) + part + name.slice(match.index + match[0].length)));
}

function documentedMetrics(): Set<string> {
  const text = readFileSync(README, "utf8");
  const section = text.slice(text.indexOf("## Metrics and health"), text.indexOf("\n## ", text.indexOf("## Metrics and health") + 1));
  const names = new Set<string>();
  for (const row of section.split("\n").filter((line) => line.startsWith("| `"))) {
    const firstCell = row.split("|")[1];
    for (const [, name] of firstCell.matchAll(/`([a-z0-9_{},]+)`/g)) for (const one of expand(name)) names.add(one);
  }
  return names;
}

describe("README: Metrics and health", () => {
  it("lists every metric a broker and a name server export, and no other", async () => {
    const broker = await memoryBroker();
    const brokerMetrics = [...(await scrape(broker.request)).keys()];
    await broker.broker.stop();
    const memory = createMemoryPlatform();
    const namesrv = await startNamesrv(resolveNamesrvConfig({}).config, memory.platform);
    const namesrvMetrics = [...(await scrape((path) => memory.fetch(`http://${namesrv.httpAddress}${path}`))).keys()];
    await namesrv.stop();
    const exported = new Set([...brokerMetrics, ...namesrvMetrics]);
    const documented = documentedMetrics();
    assert.ok(documented.size > 40, `${documented.size} names read from the table`);
    assert.deepEqual([...exported].filter((name) => !documented.has(name)).sort(), [], "exported but not in the README");
    assert.deepEqual([...documented].filter((name) => !exported.has(name)).sort(), [], "in the README but not exported");
  });
});
