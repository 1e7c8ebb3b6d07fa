/**
 * For the name-server processor tests: a real Skiff name server started in-process
 * (`startNamesrv`: route table, expiry scan, the remoting server and the HTTP app, each on a port
 * the OS chose) and a raw remoting client that writes frames or captured bytes and collects the
 * answers. Runs on the runtime's real TCP stack (Bun, Deno or Node).
 */
import assert from "node:assert/strict";
import { platform } from "../support/platform.ts";
import { resolveNamesrvConfig } from "../../src/config/namesrv-config.ts";
import { startNamesrv, type Namesrv } from "../../src/app/start-namesrv.ts";
import { parseHostPort } from "../../src/core/host-port.ts";
import type { Connection } from "../../src/core/platform.ts";
import type { RouteTableLimits } from "../../src/namesrv/route-table.ts";
import { encodeRemotingCommand, RemotingFrameDecoder, requestCommand, type RemotingCommand } from "../../src/remoting/remoting-command.ts";
import { lineLogger } from "../support/log.ts";

export interface NamesrvFront {
  readonly namesrv: Namesrv;
  /** `127.0.0.1:port` of the name server's remoting server (its listenPort). */
  readonly address: string;
  /** `127.0.0.1:port` of the name server's HTTP API. */
  readonly httpAddress: string;
  /** The route table's change lines and the remoting server's problem lines. */
  readonly logs: string[];
  close(): Promise<void>;
}

export async function startNamesrvFront(options: { limits?: Partial<RouteTableLimits>; brokerExpiryMs?: number } = {}): Promise<NamesrvFront> {
  const logs: string[] = [];
  const config = { ...resolveNamesrvConfig({}).config, listenPort: 0, httpListenPort: 0, ...(options.brokerExpiryMs ? { brokerExpiryMs: options.brokerExpiryMs } : {}) };
  const namesrv = await startNamesrv(config, platform, { log: lineLogger((line) => logs.push(line)), limits: options.limits });
  return {
    namesrv,
    address: namesrv.remotingAddress,
    httpAddress: namesrv.httpAddress,
    logs,
    close: () => namesrv.stop(),
  };
}

/** A raw client: writes frames (or captured bytes), collects decoded answers, knows when the server closed. */
export class RawClient {
  readonly frames: RemotingCommand[] = [];
  ended = false;
  private nextOpaque = 1000;
  private readonly connection: Connection;

  private constructor(connection: Connection) {
    this.connection = connection;
  }

  static async open(front: NamesrvFront): Promise<RawClient> {
    const client = new RawClient(await platform.net.connect(parseHostPort(front.address)));
    void client.readLoop();
    return client;
  }

  private async readLoop(): Promise<void> {
    const decoder = new RemotingFrameDecoder();
    try {
      for await (const chunk of this.connection.readable) this.frames.push(...decoder.push(chunk));
    } catch {
      // a reset: the same as an end here
    }
    this.ended = true;
  }

  /** Writes `bytes` (one whole request frame) and waits for the answer with `opaque`. */
  async callRaw(bytes: Uint8Array, opaque: number, timeoutMs = 10_000): Promise<RemotingCommand> {
    await this.connection.write(bytes);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = this.frames.find((f) => f.opaque === opaque && (f.flag & 1) === 1);
      if (answer) return answer;
      if (this.ended) assert.fail(`the server closed the connection before answering opaque ${opaque}`);
      if (Date.now() > deadline) assert.fail(`no answer to opaque ${opaque} within ${timeoutMs} ms`);
      await platform.clock.sleep(5);
    }
  }

  /** A JSON-header request as a Java client of `version` sends it. */
  call(code: number, extFields: Record<string, string> | undefined, body: Uint8Array = new Uint8Array(0), version = 407): Promise<RemotingCommand> {
    const opaque = this.nextOpaque++;
    const command = { ...requestCommand(code, opaque, extFields ?? {}, body), language: "JAVA", version, ...(extFields ? {} : { extFields: undefined }) };
    return this.callRaw(encodeRemotingCommand(command), opaque);
  }

  close(): void {
    this.connection.close();
  }
}

/** Polls `done` every 10 ms until it holds or `timeoutMs` passes. */
export async function eventually(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await platform.clock.sleep(10);
  }
}
