/**
 * RocketMQ 5.x's timer checkpoint as `TimerCheckpoint.encode` writes it: the body of the answer to
 * GET_TIMER_CHECK_POINT (60), which a 5.3.3 slave asks its master for every 3 s, and the first 56
 * bytes of a 5.x store's `config/timercheck` file (a 4 KiB page; Skiff writes no such file).
 * Big-endian i64 fields:
 *
 * | offset | field                     | notes                                                      |
 * |--------|---------------------------|------------------------------------------------------------|
 * | 0      | lastReadTimeMs            | how far the timer wheel has read (ms since the epoch)       |
 * | 8      | lastTimerLogFlushPos      | flushed end of `timerlog`                                  |
 * | 16     | lastTimerQueueOffset      | next offset of `rmq_sys_wheel_timer` queue 0 to enqueue     |
 * | 24     | masterTimerQueueOffset    | the same, as the master has it (a slave follows it)         |
 * | 32     | dataVersion.stateVersion  | absent (32-byte body) before dataVersion was added          |
 * | 40     | dataVersion.timestamp     |                                                            |
 * | 48     | dataVersion.counter       |                                                            |
 *
 * Java's decode reads the data version only when bytes remain after offset 32, and then all three
 * fields; so a body is 32 bytes (no data version) or at least 56 (the rest is not read).
 */
import { SkiffError } from "../core/errors.ts";
import { tryReadI64, viewOf, writeI64 } from "../core/bytes.ts";

export const TIMER_CHECKPOINT_BYTES = 56;
/** A body without the data version. */
export const TIMER_CHECKPOINT_V1_BYTES = 32;

export interface TimerCheckpointDataVersion {
  readonly stateVersion: number;
  readonly timestamp: number;
  readonly counter: number;
}

export interface TimerCheckpoint {
  readonly lastReadTimeMs: number;
  readonly lastTimerLogFlushPos: number;
  readonly lastTimerQueueOffset: number;
  readonly masterTimerQueueOffset: number;
  /** null: a 32-byte body, which has none. */
  readonly dataVersion: TimerCheckpointDataVersion | null;
}

export function encodeTimerCheckpoint(checkpoint: TimerCheckpoint): Uint8Array {
  const { dataVersion } = checkpoint;
  const out = new Uint8Array(dataVersion ? TIMER_CHECKPOINT_BYTES : TIMER_CHECKPOINT_V1_BYTES);
  const view = viewOf(out);
  writeI64(view, 0, checkpoint.lastReadTimeMs);
  writeI64(view, 8, checkpoint.lastTimerLogFlushPos);
  writeI64(view, 16, checkpoint.lastTimerQueueOffset);
  writeI64(view, 24, checkpoint.masterTimerQueueOffset);
  if (dataVersion) {
    writeI64(view, 32, dataVersion.stateVersion);
    writeI64(view, 40, dataVersion.timestamp);
    writeI64(view, 48, dataVersion.counter);
  }
  return out;
}

/** Throws `SkiffError("REMOTING_BODY_INVALID")` for a length Java's decode cannot read, or a field beyond the safe-integer range. */
export function decodeTimerCheckpoint(bytes: Uint8Array): TimerCheckpoint {
  if (bytes.length !== TIMER_CHECKPOINT_V1_BYTES && bytes.length < TIMER_CHECKPOINT_BYTES) {
    throw new SkiffError("REMOTING_BODY_INVALID", `a timer checkpoint has ${TIMER_CHECKPOINT_V1_BYTES} or at least ${TIMER_CHECKPOINT_BYTES} bytes, got ${bytes.length}`);
  }
  const view = viewOf(bytes);
  const fields = Array.from({ length: bytes.length === TIMER_CHECKPOINT_V1_BYTES ? 4 : 7 }, (_, i) => tryReadI64(view, i * 8));
  const unsafe = fields.findIndex(Number.isNaN);
  if (unsafe >= 0) throw new SkiffError("REMOTING_BODY_INVALID", `timer checkpoint field at byte ${unsafe * 8} is outside the safe-integer range`);
  const [lastReadTimeMs, lastTimerLogFlushPos, lastTimerQueueOffset, masterTimerQueueOffset, stateVersion, timestamp, counter] = fields;
  return {
    lastReadTimeMs, lastTimerLogFlushPos, lastTimerQueueOffset, masterTimerQueueOffset,
    dataVersion: fields.length === 7 ? { stateVersion, timestamp, counter } : null,
  };
}
