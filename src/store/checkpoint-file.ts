/**
 * The `checkpoint` file (spec §3.2): 4096 bytes, RocketMQ's field offsets (codec/checkpoint.ts).
 * Rewritten in place and fsync'd after every consume-queue flush.
 */
import type { FileHandle, FileSystem } from "../core/platform.ts";
import { decodeCheckpoint, encodeCheckpoint, type StoreCheckpoint } from "../codec/checkpoint.ts";

const EMPTY: StoreCheckpoint = { physicMsgTimestamp: 0, logicsMsgTimestamp: 0, indexMsgTimestamp: 0, masterFlushedOffset: 0, confirmPhyOffset: 0 };

export class CheckpointFile {
  private current: StoreCheckpoint;
  private readonly handle: FileHandle;

  private constructor(handle: FileHandle, current: StoreCheckpoint) {
    this.handle = handle;
    this.current = current;
  }

  /** Opens (or creates) the file; a missing or unreadable checkpoint reads as all zeros. */
  static async open(fs: FileSystem, path: string): Promise<CheckpointFile> {
    const handle = await fs.open(path, { create: true });
    const bytes = new Uint8Array(40);
    const n = await handle.read(bytes, 0);
    let current = EMPTY;
    if (n === 40) {
      try {
        current = decodeCheckpoint(bytes);
      } catch {
        current = EMPTY;
      }
    }
    return new CheckpointFile(handle, current);
  }

  get value(): StoreCheckpoint {
    return this.current;
  }

  async update(fields: Partial<StoreCheckpoint>): Promise<void> {
    this.current = { ...this.current, ...fields };
    await this.handle.write(encodeCheckpoint(this.current), 0);
    await this.handle.sync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
