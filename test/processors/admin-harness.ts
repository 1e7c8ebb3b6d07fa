/**
 * The admin processors on a real broker and a real socket, for the admin tests: a broker started
 * in-process (`startBroker`) on a temp store with the runtime's platform, a `RemotingServer` on
 * 127.0.0.1 serving `adminProcessors(runtime)`, and a raw remoting client that sends a request (a
 * captured mqadmin one, or built by hand) and waits for the answer with its opaque. Messages are
 * sent through the broker's own send entry (`runtime.send`).
 */
import assert from "node:assert/strict";
import { startBroker, type BrokerHandle } from "../../src/app/start-broker.ts";
import { utf8Encode } from "../../src/core/bytes.ts";
import type { Connection } from "../../src/core/platform.ts";
import type { SendResult } from "../../src/contract/broker-http.ts";
import { errorAnswer } from "../../src/processors/error-answers.ts";
import { adminProcessors } from "../../src/processors/broker/admin-processors.ts";
import type { ConsumerSubscriptionLookup } from "../../src/broker/admin-stats.ts";
import { RemotingServer, type RemotingProcessor } from "../../src/remoting/remoting-server.ts";
import { encodeRemotingCommand, isResponse, RemotingFrameDecoder, requestCommand, type RemotingCommand } from "../../src/remoting/remoting-command.ts";
import { brokerConfig } from "../support/broker.ts";
import { platform, removeDir, tempDir } from "../support/platform.ts";
import { lineLogger } from "../support/log.ts";

export interface AdminWorld {
  readonly broker: BrokerHandle;
  readonly server: RemotingServer;
  readonly client: RawRemotingClient;
  readonly storeDir: string;
  readonly logs: string[];
  /** Sends one JSON message (`{body, tags, keys, queueId, …}`) through the broker's send entry. */
  send(topic: string, message: Record<string, unknown>): Promise<SendResult>;
  /** A request with `code` and `extFields`, answered. */
  call(code: number, extFields?: Record<string, string>, body?: Uint8Array): Promise<RemotingCommand>;
  /** A captured request, sent as it was (its code, fields, body and opaque), answered. */
  replay(request: RemotingCommand): Promise<RemotingCommand>;
  stop(): Promise<void>;
}

export interface AdminWorldOptions {
  readonly config?: Record<string, string | number | boolean>;
  readonly subscriptions?: ConsumerSubscriptionLookup;
  /** Fills the store directory before the broker opens it (e.g. with a captured broker's layout). */
  readonly prefill?: (storeDir: string) => Promise<void>;
}

export async function startAdminWorld(options: AdminWorldOptions = {}): Promise<AdminWorld> {
  const storeDir = await tempDir("admin");
  await options.prefill?.(storeDir);
  const logs: string[] = [];
  const log = lineLogger((line) => logs.push(line));
  const broker = await startBroker(brokerConfig({ storePathRootDir: storeDir, listenPort: 0, ...options.config }), platform, { log });
  const processors = new Map<number, RemotingProcessor>(adminProcessors({ runtime: broker.runtime, subscriptions: options.subscriptions }));
  const server = await RemotingServer.listen({
    net: platform.net, clock: platform.clock, at: { host: "127.0.0.1", port: 0 }, name: "remoting", processors, log, errorAnswer,
  });
  const client = await RawRemotingClient.open(server);
  let opaque = 1_000_000;
  return {
    broker, server, client, storeDir, logs,
    async send(topic, message) {
      const answer = await broker.runtime.send.sendBody(topic, { form: "json", bytes: utf8Encode(JSON.stringify(message)) });
      assert.equal(answer.kind, "single");
      return answer.kind === "single" ? answer.result : assert.fail("a single send");
    },
    call: (code, extFields = {}, body) => client.call(requestCommand(code, opaque++, extFields, body)),
    replay: (request) => client.call(request),
    async stop() {
      client.close();
      await server.close();
      await broker.stop();
      await removeDir(storeDir);
    },
  };
}

/** Writes frames and collects the answers; `call` waits (bounded) for the answer to its opaque. */
export class RawRemotingClient {
  private readonly answers = new Map<number, RemotingCommand>();
  private readonly waiters = new Set<() => void>();
  private ended = false;
  private readonly connection: Connection;

  private constructor(connection: Connection) {
    this.connection = connection;
  }

  static async open(server: RemotingServer): Promise<RawRemotingClient> {
    const client = new RawRemotingClient(await platform.net.connect(server.address));
    void client.readLoop();
    return client;
  }

  async call(request: RemotingCommand, timeoutMs = 10_000): Promise<RemotingCommand> {
    await this.connection.write(encodeRemotingCommand(request));
    const deadline = Date.now() + timeoutMs;
    while (!this.answers.has(request.opaque)) {
      if (this.ended) assert.fail(`the server closed the connection before answering opaque ${request.opaque}`);
      if (Date.now() > deadline) assert.fail(`no answer to request ${request.code} (opaque ${request.opaque}) within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.add(resolve);
        setTimeout(resolve, 50);
      });
    }
    const answer = this.answers.get(request.opaque)!;
    this.answers.delete(request.opaque);
    return answer;
  }

  close(): void {
    this.connection.close();
  }

  private async readLoop(): Promise<void> {
    const decoder = new RemotingFrameDecoder();
    try {
      for await (const chunk of this.connection.readable) {
        for (const frame of decoder.push(chunk)) if (isResponse(frame)) this.answers.set(frame.opaque, frame);
        this.wake();
      }
    } catch {
      // a reset ends the conversation as a FIN does
    }
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }
}

/** The answer's parts a client reads, for field-by-field comparison with a captured answer. */
export function answerShape(answer: RemotingCommand): { code: number; remark: string | undefined; extFields: Readonly<Record<string, string>> | undefined; bodyLength: number } {
  return { code: answer.code, remark: answer.remark, extFields: answer.extFields, bodyLength: answer.body.byteLength };
}
