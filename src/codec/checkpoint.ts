/**
 * The store `checkpoint` file (`StoreCheckpoint`): exactly 4096 bytes, big-endian i64 fields, rest zero.
 *
 * | offset | field               | versions | notes                                        |
 * |--------|---------------------|----------|----------------------------------------------|
 * | 0      | physicMsgTimestamp  | 4.9, 5.x | store ts of last flushed / dispatched record |
 * | 8      | logicsMsgTimestamp  | 4.9, 5.x | store ts of last consume-queue entry         |
 * | 16     | indexMsgTimestamp   | 4.9, 5.x | end ts of last flushed index file            |
 * | 24     | masterFlushedOffset | 5.x      | 0 in 4.9 files                               |
 * | 32     | confirmPhyOffset    | 5.x      | 0 in 4.9 files                               |
 * | 40     | zeros               |          | up to 4096                                   |
 */
import { SkiffError } from "../core/errors.ts";
import { tryReadI64, viewOf, writeI64 } from "../core/bytes.ts";

export const CHECKPOINT_FILE_SIZE = 4096;
/** Bytes that hold fields; a decoder needs at least these. */
export const CHECKPOINT_FIELDS_SIZE = 40;

export interface StoreCheckpoint {
  readonly physicMsgTimestamp: number;
  readonly logicsMsgTimestamp: number;
  readonly indexMsgTimestamp: number;
  readonly masterFlushedOffset: number;
  readonly confirmPhyOffset: number;
}

const FIELDS = ["physicMsgTimestamp", "logicsMsgTimestamp", "indexMsgTimestamp", "masterFlushedOffset", "confirmPhyOffset"] as const;

export function encodeCheckpoint(checkpoint: StoreCheckpoint): Uint8Array {
  const out = new Uint8Array(CHECKPOINT_FILE_SIZE);
  const view = viewOf(out);
  FIELDS.forEach((field, i) => writeI64(view, i * 8, checkpoint[field]));
  return out;
}

/** Reads the first 40 bytes; throws `SkiffError("CHECKPOINT_ILLEGAL")` if shorter or unsafe. */
export function decodeCheckpoint(bytes: Uint8Array): StoreCheckpoint {
  if (bytes.length < CHECKPOINT_FIELDS_SIZE) {
    throw new SkiffError("CHECKPOINT_ILLEGAL", `checkpoint has ${bytes.length} bytes, needs at least ${CHECKPOINT_FIELDS_SIZE}`);
  }
  const view = viewOf(bytes);
  const values = FIELDS.map((_, i) => tryReadI64(view, i * 8));
  if (values.some(Number.isNaN)) throw new SkiffError("CHECKPOINT_ILLEGAL", "checkpoint field outside the safe-integer range");
  const [physicMsgTimestamp, logicsMsgTimestamp, indexMsgTimestamp, masterFlushedOffset, confirmPhyOffset] = values;
  return { physicMsgTimestamp, logicsMsgTimestamp, indexMsgTimestamp, masterFlushedOffset, confirmPhyOffset };
}
