/**
 * Master -> slave transfer frame (classic HA, spec §4.3), big-endian:
 *
 * | offset | field           | type | notes                                             |
 * |--------|-----------------|------|---------------------------------------------------|
 * | 0      | masterPhyOffset | i64  | commit-log offset of the first body byte          |
 * | 8      | bodySize        | i32  | 0 = heartbeat (offset = next offset to be sent)   |
 * | 12     | body            | n    | raw commit-log bytes, never across two segments   |
 *
 * The master (ha-connection.ts) builds its frames with `writeTransferHeader`: the commit-log bytes it
 * read ahead (up to 1 MiB) are copied once, behind their headers, into one buffer of consecutive
 * frames written in one call (not zero copy: one copy per byte shipped); a heartbeat is one 12-byte
 * frame. `TransferFrameDecoder.push(chunk)` returns the frames completed by a chunk;
 * `pendingHeader` shows a header as soon as its 12 bytes are in, before its body (the slave checks
 * the offset first). Bodies are views into the pushed chunk when they lie within one chunk (the
 * transport hands over fresh chunks), copies otherwise; `copyBodies: true` always copies.
 *
 * A Java slave's buffer is 4 MiB, so the default body limit is 4 MiB - 12. A size above the limit
 * throws `SkiffError("HA_FRAME_TOO_LARGE")`; a negative size or a negative/unsafe offset
 * `SkiffError("HA_FRAME_ILLEGAL")`. The connection should then be closed; the decoder keeps failing,
 * and frames completed earlier in the same chunk are not returned (the slave re-reports its offset).
 */
import { SkiffError, assert, assertSafeOffset, fail } from "../../core/errors.ts";
import { tryReadI64, viewOf, writeI64 } from "../../core/bytes.ts";

export const TRANSFER_HEADER_SIZE = 12;
export const DEFAULT_MAX_TRANSFER_BODY_BYTES = 4 * 1024 * 1024 - TRANSFER_HEADER_SIZE;
/** Java's `haTransferBatchSize` default: the largest body a master sends. */
export const DEFAULT_TRANSFER_BATCH_BYTES = 32768;

export interface TransferHeader {
  readonly offset: number;
  readonly bodySize: number;
}

export interface TransferFrame {
  readonly offset: number;
  /** Empty for a heartbeat. */
  readonly body: Uint8Array;
}

export function writeTransferHeader(target: Uint8Array, at: number, offset: number, bodySize: number, view: DataView = viewOf(target)): void {
  assertSafeOffset(offset, "transfer offset");
  if (!(Number.isInteger(bodySize) && bodySize >= 0 && bodySize <= 0x7fffffff)) fail(`transfer body size must be an i32 >= 0, got ${bodySize}`);
  writeI64(view, at, offset);
  view.setInt32(at + 8, bodySize);
}

export function encodeTransferHeader(offset: number, bodySize: number): Uint8Array {
  const out = new Uint8Array(TRANSFER_HEADER_SIZE);
  writeTransferHeader(out, 0, offset, bodySize);
  return out;
}

export interface TransferFrameDecoderOptions {
  readonly maxBodyBytes?: number;
  readonly copyBodies?: boolean;
}

export class TransferFrameDecoder {
  private readonly maxBodyBytes: number;
  private readonly copyBodies: boolean;
  private readonly headerBytes = new Uint8Array(TRANSFER_HEADER_SIZE);
  private readonly headerView = viewOf(this.headerBytes);
  private headerFilled = 0;
  private header: TransferHeader | null = null;
  private body: Uint8Array | null = null;
  private bodyFilled = 0;
  private failure: SkiffError | null = null;

  constructor(options: TransferFrameDecoderOptions = {}) {
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_TRANSFER_BODY_BYTES;
    this.copyBodies = options.copyBodies ?? false;
    assert(Number.isInteger(this.maxBodyBytes) && this.maxBodyBytes >= 0, "maxBodyBytes must be a non-negative integer");
  }

  /** The header of the frame whose body is still incomplete, if any. */
  get pendingHeader(): TransferHeader | null {
    return this.header;
  }

  /** Bytes still needed to complete the header or body in progress (12 when idle). */
  get bytesNeeded(): number {
    if (this.header === null) return TRANSFER_HEADER_SIZE - this.headerFilled;
    return this.header.bodySize - this.bodyFilled;
  }

  push(chunk: Uint8Array): TransferFrame[] {
    if (this.failure !== null) throw this.failure;
    const frames: TransferFrame[] = [];
    let i = 0;
    let chunkView: DataView | null = null;
    while (i < chunk.length) {
      if (this.header === null) {
        if (this.headerFilled === 0 && chunk.length - i >= TRANSFER_HEADER_SIZE) {
          chunkView ??= viewOf(chunk);
          this.header = this.readHeader(chunkView, i);
          i += TRANSFER_HEADER_SIZE;
        } else {
          const take = Math.min(TRANSFER_HEADER_SIZE - this.headerFilled, chunk.length - i);
          this.headerBytes.set(chunk.subarray(i, i + take), this.headerFilled);
          this.headerFilled += take;
          i += take;
          if (this.headerFilled < TRANSFER_HEADER_SIZE) break;
          this.headerFilled = 0;
          this.header = this.readHeader(this.headerView, 0);
        }
      }
      i = this.takeBody(chunk, i, frames);
    }
    return frames;
  }

  /** Consumes body bytes from `chunk[i]`; emits the frame when complete; returns the new index. */
  private takeBody(chunk: Uint8Array, i: number, frames: TransferFrame[]): number {
    const header = this.header!;
    const size = header.bodySize;
    if (this.body === null && (size === 0 || chunk.length - i >= size)) {
      const body = this.copyBodies ? chunk.slice(i, i + size) : chunk.subarray(i, i + size);
      frames.push({ offset: header.offset, body });
      this.header = null;
      return i + size;
    }
    if (i === chunk.length) return i;
    this.body ??= new Uint8Array(size);
    const take = Math.min(size - this.bodyFilled, chunk.length - i);
    this.body.set(chunk.subarray(i, i + take), this.bodyFilled);
    this.bodyFilled += take;
    if (this.bodyFilled === size) {
      frames.push({ offset: header.offset, body: this.body });
      this.header = null;
      this.body = null;
      this.bodyFilled = 0;
    }
    return i + take;
  }

  private readHeader(view: DataView, at: number): TransferHeader {
    const offset = tryReadI64(view, at);
    const bodySize = view.getInt32(at + 8);
    if (Number.isNaN(offset) || offset < 0) {
      this.failure = new SkiffError("HA_FRAME_ILLEGAL", "transfer frame offset is negative or not a safe integer");
    } else if (bodySize < 0) {
      this.failure = new SkiffError("HA_FRAME_ILLEGAL", `transfer frame body size ${bodySize} is negative`);
    } else if (bodySize > this.maxBodyBytes) {
      this.failure = new SkiffError("HA_FRAME_TOO_LARGE", `transfer frame body size ${bodySize} is outside 0..${this.maxBodyBytes}`);
    }
    if (this.failure !== null) throw this.failure;
    return { offset, bodySize };
  }
}
