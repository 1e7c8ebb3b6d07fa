/**
 * Does this slave's log continue its master's? A Skiff-only check, off the HA wire (a RocketMQ
 * peer never sees it), run by the slave before every connect.
 *
 * The classic protocol cannot say: the slave reports an offset, and a master that lost a tail in a
 * power loss and then wrote new records (of the same sizes, say) may well have a record boundary
 * at that offset too. So the slave asks its master, over the master's HTTP API (`GET /ha/log`),
 * for the bytes just before its own end, and compares them with its own: replication copies bytes
 * verbatim, so a slave that is a prefix of its master holds exactly the master's bytes there, while
 * a slave left ahead holds old records that differ (store timestamps, message ids) from the new ones.
 *
 * | answer                                        | verdict                                            |
 * |-----------------------------------------------|----------------------------------------------------|
 * | the same bytes                                | agree: connect                                     |
 * | other bytes                                   | diverged: the logs differ before this slave's end  |
 * | the master does not hold them (ends earlier)  | diverged: the master lost bytes this slave holds   |
 * | the master's log starts after this slave's end | behind: the master deleted the bytes this slave needs next (retention); it cannot catch up (`masterMinOffset` says where the master starts) |
 * | no answer (not a Skiff master, unreachable)   | unknown: connect, the master's own checks still run |
 *
 * An empty slave (no segment) ending at 0 always agrees: the master chooses where it starts
 * (`sendFromFirstSegment`). One left empty at another offset (it started over at a master's first
 * segment, and got nothing yet) is behind when the master's log now starts later: the HA client
 * then moves it there by itself, since it discards nothing.
 *
 * `findCommonPrefix` is the operator's recovery (`POST /admin/ha/truncate`): walking back from the
 * end in chunks until the bytes agree, then to the start of the record holding the first byte that
 * differs. What lies beyond it exists on this slave only.
 */
import { assert, SkiffError } from "../core/errors.ts";
import { segmentStartOf } from "../store/segment-name.ts";

/** The master's answer for a range of its log. */
export type ProbeAnswer =
  | { readonly held: true; readonly bytes: Uint8Array }
  | { readonly held: false; readonly minOffset: number; readonly shippableOffset: number };

/** Reads the master's log (over its HTTP API); null when the master cannot be asked. */
export interface MasterLogProbe {
  read(offset: number, length: number): Promise<ProbeAnswer | null>;
  /** The master's end offset (`maxPhyOffset`), for the slave's catch-up report; null when it cannot be asked. */
  maxOffset?(): Promise<number | null>;
}

/** What the check needs of the slave's own log (the store's `Replica` fits). */
export interface LocalLog {
  readonly minOffset: number;
  readonly maxOffset: number;
  readonly segmentSizeBytes: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export type Agreement =
  | { readonly kind: "agree" }
  | { readonly kind: "unknown" }
  | { readonly kind: "diverged"; readonly slaveOffset: number; readonly reason: string }
  | { readonly kind: "behind"; readonly slaveOffset: number; readonly masterMinOffset: number; readonly reason: string };

/** Bytes compared before every connect. */
export const AGREEMENT_WINDOW_BYTES = 4096;
/** Largest range one probe asks for. */
export const PROBE_MAX_BYTES = 64 * 1024;

export async function checkAgreement(log: LocalLog, probe: MasterLogProbe): Promise<Agreement> {
  const end = log.maxOffset;
  if (end === 0) return { kind: "agree" };
  if (end <= log.minOffset) return checkNextByte(log, probe); // empty at `end`: nothing to compare
  const from = Math.max(segmentStartOf(end - 1, log.segmentSizeBytes), end - AGREEMENT_WINDOW_BYTES, log.minOffset);
  const answer = await probe.read(from, end - from);
  if (answer === null) return { kind: "unknown" };
  if (!answer.held) {
    if (answer.shippableOffset < end) {
      return diverged(end, `the master's log ends at ${answer.shippableOffset}, before this slave's end ${end}: the master lost bytes this slave holds`);
    }
    if (answer.minOffset > end) return behind(end, answer.minOffset);
    return { kind: "agree" }; // the master no longer holds that far back (retention) but holds `end` on: nothing to compare
  }
  if (equalBytes(answer.bytes, await log.read(from, end - from))) return { kind: "agree" };
  return diverged(end, `this slave's log differs from the master's in [${from}, ${end}): it does not continue the master's log`);
}

/**
 * Only whether the master still holds the byte at this log's end (one byte asked): "behind" when
 * its log starts later, else "agree" (or "unknown" when it cannot be asked). Cheap enough for a
 * connected slave that hears only heartbeats to ask now and then.
 */
export async function checkNextByte(log: LocalLog, probe: MasterLogProbe): Promise<Agreement> {
  const end = log.maxOffset;
  if (end === 0) return { kind: "agree" };
  const next = await probe.read(end, 1);
  if (next === null) return { kind: "unknown" };
  return !next.held && next.minOffset > end ? behind(end, next.minOffset) : { kind: "agree" };
}

/** What a slave behind its master's retention is told to do (its log, `/ha/status`). */
export const BEHIND_RETENTION_FIX =
  "discard this slave's log and start again from the master's first segment: POST /admin/ha/resync-from-master on this slave (see \"A slave behind its master's retention\" in the README)";

function behind(slaveOffset: number, masterMinOffset: number): Agreement {
  return {
    kind: "behind", slaveOffset, masterMinOffset,
    reason: `this slave's log ends at ${slaveOffset}, but the master's log now starts at ${masterMinOffset}: the master deleted the bytes this slave needs next (its retention), so it cannot catch up`,
  };
}

/**
 * Where the master's log starts (its first segment), from the probe; null when it cannot be asked.
 * A start offset a slave could not take (not a segment start of `segmentSizeBytes`) is refused.
 */
export async function masterMinOffset(probe: MasterLogProbe, segmentSizeBytes: number): Promise<number | null> {
  const answer = await probe.read(0, 1);
  if (answer === null) return null;
  const min = answer.held ? 0 : answer.minOffset;
  if (!Number.isSafeInteger(min) || min < 0 || min % segmentSizeBytes !== 0) {
    throw new SkiffError("HA_OFFSET_ILLEGAL", `the master says its log starts at ${min}, not a segment start of ${segmentSizeBytes} bytes: do master and slave use the same mappedFileSizeCommitLog?`);
  }
  return min;
}

function diverged(slaveOffset: number, reason: string): Agreement {
  return { kind: "diverged", slaveOffset, reason: `${reason}; promote this slave if it holds acknowledged messages the master lost, or truncate it to the common prefix (POST /admin/ha/truncate)` };
}

/**
 * The offset up to which this log and the master's agree, rounded down to a record start of this
 * log; null when the master cannot be asked or no agreeing byte was found.
 */
export async function findCommonPrefix(log: LocalLog, probe: MasterLogProbe): Promise<number | null> {
  let hi = log.maxOffset;
  while (hi > log.minOffset) {
    const lo = Math.max(segmentStartOf(hi - 1, log.segmentSizeBytes), hi - PROBE_MAX_BYTES, log.minOffset);
    const answer = await probe.read(lo, hi - lo);
    if (answer === null) return null;
    if (!answer.held) {
      // Only compare what the master holds: move down to its end, unless it no longer holds `lo`.
      if (answer.shippableOffset < hi && answer.shippableOffset > log.minOffset) {
        hi = answer.shippableOffset;
        continue;
      }
      return null;
    }
    const mine = await log.read(lo, hi - lo);
    const firstDifference = firstDifferingIndex(mine, answer.bytes);
    if (firstDifference === 0) {
      hi = lo;
      continue;
    }
    const agreedEnd = lo + (firstDifference < 0 ? mine.byteLength : firstDifference);
    return recordStartAtOrBefore(log, agreedEnd);
  }
  return null;
}

/** The start of the record of `log` that holds `offset` (or `offset` itself when a record starts there). */
export async function recordStartAtOrBefore(log: LocalLog, offset: number): Promise<number> {
  const segmentStart = segmentStartOf(offset, log.segmentSizeBytes);
  let at = Math.max(segmentStart, log.minOffset);
  assert(at === segmentStart || at === log.minOffset, "a scan starts at a record start");
  while (at < offset && at + 4 <= log.maxOffset) {
    const header = await log.read(at, 4);
    const size = new DataView(header.buffer, header.byteOffset, 4).getInt32(0);
    if (size <= 0 || at + size > offset) return at;
    at += size;
  }
  return at;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && firstDifferingIndex(a, b) < 0;
}

/** Index of the first byte where `a` and `b` differ (over `a`'s length), -1 when none. */
function firstDifferingIndex(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.byteLength; i++) if (i >= b.byteLength || a[i] !== b[i]) return i;
  return -1;
}
