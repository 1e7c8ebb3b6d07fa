/**
 * Remoting helpers for tests: the frames of a captured conversation (`fixtures/rocketmq/remoting/`,
 * real 4.9.7 / 5.3.3 clients and brokers), raw and decoded, and a raw TCP client that replays
 * frames byte for byte, collects every frame the server sends (answers and its own oneway
 * requests) and knows when the server closed the connection.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { viewOf } from "../../src/core/bytes.ts";
import type { Connection, HostPort, Network } from "../../src/core/platform.ts";
import { decodeFrameContent, encodeRemotingCommand, RemotingFrameDecoder, type RemotingCommand } from "../../src/remoting/remoting-command.ts";
import { fixtureBytes } from "./fixtures.ts";

export interface CapturedFrame {
  /** The whole frame as it crossed the wire, length prefix included. */
  readonly bytes: Uint8Array;
  readonly command: RemotingCommand;
}

/** Every frame of one direction of a capture, e.g. `remoting/v4.9.7/v4.9.7-push-dlq-02-broker.c2s.bin`. */
export function capturedFrames(name: string): CapturedFrame[] {
  const all = fixtureBytes(name);
  const frames: CapturedFrame[] = [];
  for (let at = 0; at < all.byteLength;) {
    const length = viewOf(all).getInt32(at);
    const bytes = all.slice(at, at + 4 + length);
    frames.push({ bytes, command: decodeFrameContent(bytes.subarray(4)) });
    at += 4 + length;
  }
  return frames;
}

/** Every capture file (`<folder>/<name>`, under `remoting/`) whose name ends with `suffix`, e.g. `-broker.c2s.bin`. */
export function captureFiles(suffix: string): string[] {
  const root = fileURLToPath(new URL("../../../shared/fixtures/rocketmq/remoting/", import.meta.url).href);
  const names: string[] = [];
  for (const folder of readdirSync(root, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    for (const file of readdirSync(`${root}/${folder.name}`)) if (file.endsWith(suffix)) names.push(`remoting/${folder.name}/${file}`);
  }
  return names.sort();
}

/** The captured requests with `code`, in wire order. */
export function capturedRequests(name: string, code: number): CapturedFrame[] {
  return capturedFrames(name).filter((f) => f.command.code === code && (f.command.flag & 1) === 0);
}

export class RawRemotingClient {
  readonly frames: RemotingCommand[] = [];
  ended = false;
  private waiters: (() => void)[] = [];
  readonly connection: Connection;

  private constructor(connection: Connection) {
    this.connection = connection;
  }

  /** `read: false` leaves the answers unread (a client that never reads, for the server's limits). */
  static async open(net: Network, address: HostPort, options: { read?: boolean } = {}): Promise<RawRemotingClient> {
    const client = new RawRemotingClient(await net.connect(address));
    if (options.read !== false) void client.readLoop();
    return client;
  }

  /** `ip:port` of this client's end, as the server sees it. */
  get localAddress(): string {
    return `${this.connection.local.host}:${this.connection.local.port}`;
  }

  private async readLoop(): Promise<void> {
    const decoder = new RemotingFrameDecoder();
    try {
      for await (const chunk of this.connection.readable) {
        this.frames.push(...decoder.push(chunk));
        this.wake();
      }
    } catch {
      // a reset ends the connection as well
    }
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  async until(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames.map((f) => [f.code, f.opaque, f.flag, f.remark]))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
  }

  /** Writes a command without waiting for anything. */
  send(command: RemotingCommand): Promise<void> {
    return this.connection.write(encodeRemotingCommand(command));
  }

  /** The first answer received with `opaque`. */
  answerTo(opaque: number): RemotingCommand | undefined {
    return this.frames.find((f) => f.opaque === opaque && (f.flag & 1) === 1);
  }

  /** The server's own requests with `code` (e.g. NOTIFY_CONSUMER_IDS_CHANGED) received so far. */
  requests(code: number): RemotingCommand[] {
    return this.frames.filter((f) => (f.flag & 1) === 0 && f.code === code);
  }

  /**
   * Writes `frame` (a captured frame's bytes, or a command) and waits for its answer: the next
   * response with its opaque (a captured frame may be replayed more than once).
   */
  async call(frame: Uint8Array | RemotingCommand, timeoutMs = 10_000): Promise<RemotingCommand> {
    const bytes = frame instanceof Uint8Array ? frame : encodeRemotingCommand(frame);
    const { opaque } = decodeFrameContent(bytes.subarray(4));
    const answers = () => this.frames.filter((f) => f.opaque === opaque && (f.flag & 1) === 1);
    const before = answers().length;
    await this.connection.write(bytes);
    await this.until(`the answer to opaque ${opaque}`, () => answers().length > before, timeoutMs);
    return answers()[before];
  }

  close(): void {
    this.connection.close();
  }
}
