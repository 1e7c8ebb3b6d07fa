/**
 * The frame of the Java-client scenario files (test/interop/remoting-java-*.test.ts, one per family
 * of scenarios): for each client version a `describe` whose `before` starts the suite (the target
 * of SKIFF_REMOTING_TARGET with its Skiff processes on SKIFF_REMOTING_RUNTIME, one producer JVM, one
 * mqadmin JVM; remoting-scenarios.ts) and whose `after` stops it, keeping the run directory when a
 * scenario failed; and the checks every family uses on a send's outcome and on deliveries.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { tempDir } from "../../support/platform.ts";
import { INTEROP_SKIP, ROCKETMQ_VERSIONS, finishRun, type RocketMQVersion } from "./env.ts";
import type { JavaFailure, JavaMessageEvent } from "./java-clients.ts";
import type { SendOk } from "./java-messages.ts";
import { remotingTargetKind, skiffRuntime } from "./remoting-target.ts";
import { startSuite, type Suite } from "./remoting-scenarios.ts";

export type TestFn = (name: string, options: { timeout: number; skip?: string | false }, fn: () => Promise<void>) => void;

/** The scenarios of one family, registered with `it` for clients of `version`; `suite()` is the running suite. */
export type Scenarios = (version: RocketMQVersion, suite: () => Suite, it: TestFn) => void;

/** What the clients are pointed at, for test names: `Skiff on bun`, `Apache RocketMQ`. */
export function targetLabel(): string {
  return remotingTargetKind() === "skiff" ? `Skiff on ${skiffRuntime()}` : "Apache RocketMQ";
}

/** Why a scenario that reads or writes with Skiff's own HTTP client is skipped on the RocketMQ target. */
export const SKIFF_CLIENT_SKIP = remotingTargetKind() === "rocketmq" ? "Skiff's own HTTP client talks to a Skiff broker only; this target is Apache RocketMQ" : false;

/** One describe per client version, named `RocketMQ <version> Java clients, <family>, against <target>`, around one suite. */
export function describeJavaClients(family: string, scenarios: Scenarios): void {
  for (const version of ROCKETMQ_VERSIONS) {
    describe(`RocketMQ ${version} Java clients, ${family}, against ${targetLabel()}`, { skip: INTEROP_SKIP }, () => {
      let suite: Suite | null = null;
      let runDir = "";
      let failed = false;
      before(async () => {
        runDir = await tempDir(`remoting-clients-${version}`);
        try {
          suite = await startSuite(version, runDir);
        } catch (error) {
          failed = true;
          throw error;
        }
      }, { timeout: 180_000 });
      after(async () => {
        await suite?.cleanup.run();
        await finishRun(runDir, !failed);
      }, { timeout: 180_000 });
      const tracked: TestFn = (name, options, fn) => it(name, options, async () => {
        try {
          await fn();
        } catch (error) {
          failed = true;
          throw error;
        }
      });
      scenarios(version, () => {
        if (!suite) throw new Error("the target did not start");
        return suite;
      }, tracked);
    });
  }
}

/** A send's outcome that must be a SendResult. */
export function ok(outcome: unknown, what: string): SendOk {
  const r = outcome as SendOk | JavaFailure;
  if (!r.ok || !("status" in r)) assert.fail(`${what}: ${JSON.stringify(r)}`);
  return r;
}

/** A send's outcome that must be a refusal. */
export function failure(outcome: unknown, what: string): JavaFailure {
  const r = outcome as SendOk | JavaFailure;
  if (r.ok) assert.fail(`${what}: expected a refusal, got ${JSON.stringify(r)}`);
  return r;
}

/** Each sid delivered exactly once; the deliveries by sid. */
export function once(deliveries: Map<string, JavaMessageEvent[]>, sids: readonly string[], what: string): Map<string, JavaMessageEvent> {
  const out = new Map<string, JavaMessageEvent>();
  for (const sid of sids) {
    const got = deliveries.get(sid) ?? [];
    assert.equal(got.length, 1, `${what}: ${sid} delivered ${got.length} times`);
    out.set(sid, got[0]);
  }
  return out;
}
