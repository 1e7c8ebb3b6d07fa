/**
 * Whether the broker is ready to do its job (`GET /readyz`), as two checks, each with a reason an
 * operator can read:
 *
 * | check       | role          | ready when                                                          | reason when not        |
 * |-------------|---------------|---------------------------------------------------------------------|------------------------|
 * | store       | every role    | recovered (the servers start only after recovery) and every write succeeds | `STORE_DISK_FULL: …`, `STORE_IO_FAILED: …` |
 * | replication | SLAVE         | connected to its master over HA, not diverged from its log, not behind its retention | `HA_NOT_FOLLOWING: …`, `HA_DIVERGED: …`, `HA_BEHIND_MASTER_RETENTION: …` |
 * |             | SYNC_MASTER   | a slave is in sync: connected, within `haSlaveFallbehindMax` (else sends are SLAVE_NOT_AVAILABLE) | `HA_NO_SLAVE_IN_SYNC: …` |
 * |             | ASYNC_MASTER  | always (it does not wait for slaves); the detail counts them         | —                      |
 *
 * Liveness (`/healthz`) is not here: a broker that answers HTTP is alive.
 */
import type { BrokerConfig } from "../config/broker-config.ts";
import type { MessageStore } from "../store/message-store.ts";
import type { ReplicationView } from "./roles.ts";

export interface ReadinessCheck {
  readonly name: "store" | "replication";
  readonly ok: boolean;
  readonly detail: string;
}

export interface Readiness {
  readonly ready: boolean;
  readonly role: BrokerConfig["brokerRole"];
  /** `CODE: what is wrong` for each failed check (empty when ready). */
  readonly reasons: readonly string[];
  readonly checks: readonly ReadinessCheck[];
}

export interface ReadinessInput {
  readonly config: BrokerConfig;
  readonly store: Pick<MessageStore, "ioProblems" | "offsets">;
  readonly replication: ReplicationView;
  /** Wall-clock ms, for how long ago the master was last heard. */
  readonly nowMs: number;
}

export function readiness(input: ReadinessInput): Readiness {
  const store = storeCheck(input);
  const replication = replicationCheck(input);
  const reasons = [...store.reasons, ...replication.reasons];
  return { ready: reasons.length === 0, role: input.config.brokerRole, reasons, checks: [store.check, replication.check] };
}

interface Checked {
  readonly check: ReadinessCheck;
  readonly reasons: string[];
}

function storeCheck({ store }: ReadinessInput): Checked {
  const problems = store.ioProblems();
  const { minOffset, maxOffset, flushedOffset } = store.offsets;
  if (problems.length === 0) {
    return { check: { name: "store", ok: true, detail: `recovered and writable: commit log [${minOffset}, ${maxOffset}), flushed to ${flushedOffset}` }, reasons: [] };
  }
  const reasons = problems.map((p) => `${p.code}: ${p.message}`);
  return { check: { name: "store", ok: false, detail: reasons.join("; ") }, reasons };
}

function replicationCheck({ config, store, replication, nowMs }: ReadinessInput): Checked {
  const ok = (detail: string): Checked => ({ check: { name: "replication", ok: true, detail }, reasons: [] });
  const failed = (reason: string): Checked => ({ check: { name: "replication", ok: false, detail: reason }, reasons: [reason] });
  const { slave, master } = replication;
  if (config.brokerRole === "SLAVE") {
    const at = slave?.masterHaAddress ?? "an unknown address (no haMasterAddress, none learned from a name server yet)";
    if (slave?.divergence) return failed(`HA_DIVERGED: ${slave.divergence}`);
    if (slave?.behindMasterRetention) return failed(`HA_BEHIND_MASTER_RETENTION: ${slave.behindMasterRetention}`);
    if (!slave?.connected) return failed(`HA_NOT_FOLLOWING: not connected to its master at ${at}${slave?.lastError ? ` (${slave.lastError})` : ""}`);
    const heard = slave.lastReadAt === null ? "nothing read yet" : `last byte ${Math.max(0, Math.round((nowMs - slave.lastReadAt) / 1000))} s ago`;
    return ok(`following its master at ${at}, ${heard}`);
  }
  const connections = master?.connections ?? 0;
  const slaves = `${connections} slave${connections === 1 ? "" : "s"} connected`;
  if (config.brokerRole === "ASYNC_MASTER") return ok(`${slaves} (an ASYNC_MASTER does not wait for them)`);
  if (master?.slaveInSync) return ok(`${slaves}, acknowledged up to ${master.push2SlaveMaxOffset} of ${store.offsets.maxOffset}`);
  if (connections === 0) return failed("HA_NO_SLAVE_IN_SYNC: no slave is connected, so SYNC_MASTER sends are answered SLAVE_NOT_AVAILABLE; start a slave or check its haMasterAddress");
  const behind = store.offsets.maxOffset - (master?.push2SlaveMaxOffset ?? 0);
  return failed(`HA_NO_SLAVE_IN_SYNC: ${slaves}, but the best is ${behind} bytes behind, not less than haSlaveFallbehindMax (${config.haSlaveFallbehindMax}), so SYNC_MASTER sends are answered SLAVE_NOT_AVAILABLE until it catches up`);
}
