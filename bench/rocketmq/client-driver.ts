/**
 * Skiff's own client as a load generator (client-load.ts), run under Bun in its own process, as
 * the issue asks ("Skiff's own client under Bun"), whatever the runtime of the brokers it drives.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runToEnd } from "../../test/interop/rocketmq/harness.ts";
import type { LoadFailure, LoadGenerator, LoadResult } from "./load-generator.ts";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "client-load.ts");
/** The topic, the first SEND_OK and exiting, beyond the warm-up and the measured window. */
const SETUP_BOUND_MS = 60_000;

export function prepareClientDriver(): LoadGenerator {
  return {
    async run(target, scenario, settings, _runDir, topic, cpuPids = []) {
      if (target.masterHttp === undefined) return { ok: false, phase: "client", error: "the pair has no HTTP API to drive (Skiff's client drives Skiff's)" };
      const args = { masterHttp: target.masterHttp, topic, threads: scenario.threads, batchSize: scenario.batchSize, bodyBytes: scenario.bodyBytes, warmupMs: settings.warmupMs, durationMs: settings.durationMs, cpuPids };
      const r = await runToEnd("skiff client load", "bun", [SCRIPT, JSON.stringify(args)], settings.warmupMs + settings.durationMs + SETUP_BOUND_MS);
      const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
      if (line) return JSON.parse(line) as LoadResult | LoadFailure;
      return { ok: false, phase: "client", error: `the client load exited ${r.code ?? r.signal} without a result line: ${r.stderr.trim().split("\n").slice(-5).join(" | ")}` };
    },
  };
}
