/**
 * A RocketMQ remoting server (`NettyRemotingServer` without its thread pools): accepts TCP
 * connections, decodes frames (JSON and ROCKETMQ headers, spec §1.2–§1.4), hands each request to
 * the processor registered for its code and writes the answer back with the request's opaque.
 *
 * - **Dispatch**: an unknown code is answered `REQUEST_CODE_NOT_SUPPORTED` with Java's remark
 *   (`" request type <code> not supported"`); a processor that throws a `SkiffError` is answered
 *   by `errorAnswer` (the response code for its error code, its message as remark), any other
 *   throw — a bug — `SYSTEM_ERROR` with its details in the log only. A oneway request
 *   (`flag & 2`) is never answered (§1.6). Requests of one connection start in arrival order and
 *   may finish in any order (a long-polled pull is answered seconds later, others overtake it).
 * - **Server → client requests**: `channel.sendOneway` (the broker's NOTIFY_CONSUMER_IDS_CHANGED).
 * - **Bad input**: a frame that cannot be read (a length outside 4..16 MiB, a header that does not
 *   parse) loses the stream's framing: the connection is closed. Everything readable is answered
 *   while the connection lasts; a client's FIN closes it at once (Java's behaviour: answers still
 *   pending are dropped, a held pull is abandoned).
 *   Each client problem is one log line without a stack, rate-limited per kind (`problem-log.ts`).
 * - **Limits** (`RemotingLimits`): connections at once (one more is closed at accept); requests in
 *   flight per connection (beyond it: `SYSTEM_BUSY` at once, as a full Java thread pool answers);
 *   answer bytes waiting for a client that does not read, and how long one write may wait
 *   (either exceeded: the connection is closed); a connection silent for `idleTimeoutMs` is closed
 *   (Java's `serverChannelMaxIdleTimeSeconds`, 120 s; clients heartbeat every 30 s). So memory per
 *   connection is bounded by one frame being read plus `maxQueuedAnswerBytes`.
 */
import { assert, SkiffError, fail } from "../core/errors.ts";
import { formatHostPort } from "../core/host-port.ts";
import { idleTimer } from "../core/idle-timer.ts";
import type { Clock, Connection, HostPort, Listener, Network, TimerHandle } from "../core/platform.ts";
import { withWriteDeadline } from "../core/write-deadline.ts";
import { AnswerQueue } from "./answer-queue.ts";
import { ResponseCode } from "./codes.ts";
import { RepeatGate } from "../core/log-repeats.ts";
import {
  encodeRemotingCommand, FLAG_ONEWAY, isOneway, isResponse, RemotingFrameDecoder, responseCommand, SKIFF_REMOTING_VERSION,
  type RemotingAnswer, type RemotingCommand,
} from "./remoting-command.ts";
import type { Logger } from "../core/log.ts";

/** One client connection as processors see it. */
export interface RemotingChannel {
  /** Unique within the server's life. */
  readonly id: number;
  /** `ip:port` of the client. */
  readonly remoteAddress: string;
  readonly isOpen: boolean;
  /** A request the client must not answer (flag oneway); dropped when the channel is closed or its queue full. */
  sendOneway(code: number, extFields: Record<string, string>, body?: Uint8Array): void;
  /** Called once when the connection ends, with why. */
  onClose(listener: (reason: string) => void): void;
  /** Closes the connection; `reason` goes in the log's disconnect line. */
  close(reason?: string): void;
}

/**
 * Runs before every request's processor (RocketMQ's server RPC hook, e.g. ACL): `null` lets the
 * request through; an answer refuses it (a oneway refused gets none). Decisions of one connection
 * take effect in arrival order, so processors still start in that order.
 */
export type RemotingGuard = (request: RemotingCommand, channel: RemotingChannel) => Promise<RemotingAnswer | null>;

/** Answers one request; `null` = no answer (the connection closed while a long poll waited). */
export type RemotingProcessor = (request: RemotingCommand, channel: RemotingChannel) => RemotingAnswer | null | Promise<RemotingAnswer | null>;

export interface RemotingLimits {
  readonly maxConnections: number;
  readonly maxRequestsInFlightPerConnection: number;
  readonly maxQueuedAnswerBytes: number;
  readonly writeDeadlineMs: number;
  readonly idleTimeoutMs: number;
}

export const DEFAULT_REMOTING_LIMITS: RemotingLimits = {
  maxConnections: 4096,
  maxRequestsInFlightPerConnection: 1024,
  maxQueuedAnswerBytes: 32 * 1024 * 1024,
  writeDeadlineMs: 30_000,
  idleTimeoutMs: 120_000,
};

/** What went wrong with a client; the set is fixed, so the log's state per kind is bounded. */
export type ProblemKind =
  | "unreadable" // a frame that could not be read, or a failed read: the connection is closed
  | "refused" // beyond maxConnections
  | "not-reading" // answers queued beyond maxQueuedAnswerBytes, or a write stalled or failed
  | "idle"; // silent for idleTimeoutMs

/** Problems with clients (bad frames, stalls, caps, silence) are logged at most once per kind and interval, with a count. */
export const PROBLEM_LOG_INTERVAL_MS = 10_000;
/** Connects and disconnects are logged one by one, up to this many per interval (a client in a connect loop is summarised). */
export const CONNECTION_LOG_BURST = 50;

export interface RemotingServerOptions {
  readonly net: Network;
  readonly clock: Clock;
  readonly at: HostPort;
  /** What the log calls this server, e.g. `remoting` or `remoting (fast channel)`. */
  readonly name: string;
  readonly processors: ReadonlyMap<number, RemotingProcessor>;
  readonly log: Logger;
  readonly limits?: Partial<RemotingLimits>;
  /** The answer for a `SkiffError` a processor threw; default SYSTEM_ERROR with its message. */
  readonly errorAnswer?: (error: SkiffError) => RemotingAnswer;
  /** Checked before each request (none: every request goes to its processor). */
  readonly guard?: RemotingGuard;
}

export class RemotingServer {
  private readonly options: RemotingServerOptions;
  private readonly limits: RemotingLimits;
  private readonly channels = new Set<ServerChannel>();
  private listener: Listener | null = null;
  private nextChannelId = 1;
  private nextOpaque = 1;
  private readonly problems: RepeatGate;
  private readonly connections: RepeatGate;

  private constructor(options: RemotingServerOptions) {
    this.options = options;
    this.limits = { ...DEFAULT_REMOTING_LIMITS, ...options.limits };
    for (const [key, value] of Object.entries(this.limits)) if (!(Number.isSafeInteger(value) && value > 0)) fail(`remoting limit ${key} must be a positive integer`);
    this.problems = new RepeatGate(options.clock, PROBLEM_LOG_INTERVAL_MS);
    this.connections = new RepeatGate(options.clock, PROBLEM_LOG_INTERVAL_MS, { burst: CONNECTION_LOG_BURST });
  }

  static async listen(options: RemotingServerOptions): Promise<RemotingServer> {
    const server = new RemotingServer(options);
    server.listener = await options.net.listen(options.at, (connection) => server.accept(connection));
    return server;
  }

  get address(): HostPort {
    assert(this.listener !== null, "the server listens");
    return this.listener.address;
  }

  get connectionCount(): number {
    return this.channels.size;
  }

  /** Stops accepting and closes every connection (waiting long polls are abandoned, as Java does). */
  async close(): Promise<void> {
    await this.listener?.close();
    for (const channel of [...this.channels]) channel.close("the server is stopping");
  }

  /** The next opaque for a request this server sends (one counter per server, like a JVM's). */
  takeOpaque(): number {
    const opaque = this.nextOpaque;
    this.nextOpaque = opaque >= 0x7fffffff ? 1 : opaque + 1;
    return opaque;
  }

  /** A client problem, logged as one line without a stack (rate-limited per kind: core/log-repeats.ts). */
  problem(kind: ProblemKind, remoteAddress: string, what: string): void {
    this.problems.log(this.options.log, "warn", kind, `${this.options.name}: ${remoteAddress}: ${what}`, { server: this.options.name, client: remoteAddress, problem: kind });
  }

  /** A client connected or left (with why): one line each, summarised beyond a burst. */
  private connectionEvent(channel: ServerChannel, closedBecause?: string): void {
    const fields = { server: this.options.name, client: channel.remoteAddress, channel: channel.id, connections: this.channels.size };
    if (closedBecause === undefined) this.connections.log(this.options.log, "info", "connect", `${this.options.name}: client ${channel.remoteAddress} connected`, fields);
    else this.connections.log(this.options.log, "info", "disconnect", `${this.options.name}: client ${channel.remoteAddress} disconnected: ${closedBecause}`, { ...fields, reason: closedBecause });
  }

  private accept(raw: Connection): void {
    if (this.channels.size >= this.limits.maxConnections) {
      this.problem("refused", formatHostPort(raw.remote), `refused: ${this.limits.maxConnections} connections are open already`);
      raw.close();
      return;
    }
    const connection = withWriteDeadline(raw, this.options.clock, this.limits.writeDeadlineMs, "REMOTING_WRITE_STALLED");
    const channel = new ServerChannel(this.nextChannelId++, connection, this, this.limits);
    this.channels.add(channel);
    this.connectionEvent(channel);
    channel.onClose((reason) => {
      this.channels.delete(channel);
      this.connectionEvent(channel, reason);
    });
    void channel.run();
  }

  dispatch(request: RemotingCommand, channel: ServerChannel): Promise<RemotingAnswer | null> | RemotingAnswer | null {
    const guard = this.options.guard;
    if (!guard) return this.process(request, channel);
    const decided = channel.admitInOrder(() => guard(request, channel));
    return decided.then((refusal) => refusal ?? this.process(request, channel));
  }

  private process(request: RemotingCommand, channel: ServerChannel): Promise<RemotingAnswer | null> | RemotingAnswer | null {
    const processor = this.options.processors.get(request.code);
    if (!processor) return { code: ResponseCode.REQUEST_CODE_NOT_SUPPORTED, remark: ` request type ${request.code} not supported` };
    return processor(request, channel);
  }

  answerFor(error: SkiffError): RemotingAnswer {
    return this.options.errorAnswer?.(error) ?? { code: ResponseCode.SYSTEM_ERROR, remark: error.message };
  }

  logBug(request: RemotingCommand, error: unknown): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.options.log.error(`${this.options.name}: request code ${request.code} failed: ${message}`, { code: request.code, stack: (error as Error)?.stack });
  }

  get clock(): Clock {
    return this.options.clock;
  }
}

/** What a client is told when a processor failed on a bug (the details are in the log only). */
const INTERNAL_ERROR: RemotingAnswer = { code: ResponseCode.SYSTEM_ERROR, remark: "internal error (see the server's log)" };

class ServerChannel implements RemotingChannel {
  readonly id: number;
  readonly remoteAddress: string;
  private readonly connection: Connection;
  private readonly server: RemotingServer;
  private readonly limits: RemotingLimits;
  private readonly closeListeners: ((reason: string) => void)[] = [];
  private closedBecause = "";
  private inFlight = 0;
  private readonly queued = new AnswerQueue();
  private flushing = false;
  private lastActivityMs: number;
  private idle: TimerHandle | null = null;
  private open = true;
  /** The last guard decision of this connection (decisions settle in arrival order). */
  private admitted: Promise<unknown> = Promise.resolve();

  /** Runs `decide` and resolves with its result after every earlier decision of this connection. */
  admitInOrder<T>(decide: () => Promise<T>): Promise<T> {
    const decision = decide();
    const inOrder = this.admitted.then(() => decision);
    this.admitted = inOrder.catch(() => undefined);
    return inOrder;
  }

  constructor(id: number, connection: Connection, server: RemotingServer, limits: RemotingLimits) {
    this.id = id;
    this.connection = connection;
    this.server = server;
    this.limits = limits;
    this.remoteAddress = formatHostPort(connection.remote);
    this.lastActivityMs = server.clock.monotonicMs();
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** `listener` hears why the channel closed (at once if it is closed already). */
  onClose(listener: (reason: string) => void): void {
    if (this.open) this.closeListeners.push(listener);
    else listener(this.closedBecause);
  }

  async run(): Promise<void> {
    this.idle = idleTimer(this.server.clock, this.limits.idleTimeoutMs, () => this.lastActivityMs, () => {
      this.server.problem("idle", this.remoteAddress, `silent for ${this.limits.idleTimeoutMs} ms; connection closed`);
      this.close(`silent for ${this.limits.idleTimeoutMs} ms`);
    });
    const decoder = new RemotingFrameDecoder();
    try {
      for await (const chunk of this.connection.readable) {
        this.lastActivityMs = this.server.clock.monotonicMs();
        for (const command of decoder.push(chunk)) {
          if (!this.open) break;
          if (!isResponse(command)) this.handle(command);
          // Answers to the server's own requests are not awaited (only oneway requests are sent).
        }
        if (!this.open) break;
      }
    } catch (error) {
      this.server.problem("unreadable", this.remoteAddress, `${(error as Error).message}; connection closed`);
      this.close(`unreadable: ${(error as Error).message}`);
    }
    // The client's FIN (stock clients close so after their last UNREGISTER_CLIENT) ends the channel
    // at once, as Netty does: held pulls are abandoned and its groups learn it left.
    this.close("the client closed the connection");
  }

  /**
   * Dispatches one request. An answer the processor returns at once is written at once: only
   * requests still waiting for a promise count as in flight (a chunk of thousands of heartbeats
   * answered synchronously is no overload).
   */
  private handle(request: RemotingCommand): void {
    const oneway = isOneway(request);
    if (this.inFlight >= this.limits.maxRequestsInFlightPerConnection) {
      if (!oneway) this.answer(request, { code: ResponseCode.SYSTEM_BUSY, remark: "[OVERLOAD]system busy, start flow control for a while" });
      return;
    }
    let result: Promise<RemotingAnswer | null> | RemotingAnswer | null;
    try {
      result = this.server.dispatch(request, this);
    } catch (error) {
      this.failed(request, oneway, error);
      return;
    }
    if (!(result instanceof Promise)) {
      if (result !== null && !oneway) this.answer(request, result);
      return;
    }
    this.inFlight++;
    result.then(
      (answer) => {
        this.inFlight--;
        if (answer !== null && !oneway) this.answer(request, answer);
      },
      (error: unknown) => {
        this.inFlight--;
        this.failed(request, oneway, error);
      },
    );
  }

  private failed(request: RemotingCommand, oneway: boolean, error: unknown): void {
    if (!(error instanceof SkiffError)) this.server.logBug(request, error);
    if (!oneway) this.answer(request, error instanceof SkiffError ? this.server.answerFor(error) : INTERNAL_ERROR);
  }

  /** An answer that cannot be framed (beyond 16 MiB) is a bug: logged, and answered SYSTEM_ERROR. */
  private answer(request: RemotingCommand, answer: RemotingAnswer): void {
    let frame: Uint8Array;
    try {
      frame = encodeRemotingCommand(responseCommand(request, answer));
    } catch (error) {
      this.server.logBug(request, error);
      frame = encodeRemotingCommand(responseCommand(request, INTERNAL_ERROR));
    }
    this.write(frame);
  }

  sendOneway(code: number, extFields: Record<string, string>, body: Uint8Array = new Uint8Array(0)): void {
    if (!this.open) return;
    const opaque = this.server.takeOpaque();
    this.write(encodeRemotingCommand({ code, language: "JAVA", version: SKIFF_REMOTING_VERSION, opaque, flag: FLAG_ONEWAY, extFields, body }));
  }

  /**
   * Answers go out in completion order, one write at a time; those that complete meanwhile (or in
   * the same turn) wait in the queue (`answer-queue.ts`), within maxQueuedAnswerBytes of what it holds.
   */
  private write(frame: Uint8Array): void {
    if (!this.open) return;
    if (this.queued.sizeBytes + this.queued.costOf(frame) > this.limits.maxQueuedAnswerBytes) {
      this.server.problem("not-reading", this.remoteAddress, `${this.queued.sizeBytes} bytes of answers wait for a client that does not read; connection closed`);
      this.close("the client does not read its answers");
      return;
    }
    this.queued.push(frame);
    if (!this.flushing) {
      this.flushing = true;
      // One microtask later, not at once: the answers completing in the same turn (one slave ack
      // releases many SYNC_MASTER sends) join the queue first and go out in one write.
      void Promise.resolve().then(() => this.flush());
    }
  }

  private async flush(): Promise<void> {
    for (let next = this.queued.take(); next !== undefined && this.open; next = this.queued.take()) {
      try {
        await this.connection.write(next.bytes);
      } catch (error) {
        if (this.open) this.server.problem("not-reading", this.remoteAddress, `${(error as Error).message}; connection closed`);
        this.close(`write failed: ${(error as Error).message}`);
      }
    }
    this.flushing = false;
  }

  close(reason = "closed by the broker"): void {
    if (!this.open) return;
    this.open = false;
    this.closedBecause = reason;
    this.idle?.cancel();
    this.queued.clear();
    this.connection.close();
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }
}
