/**
 * A client of one RocketMQ remoting server (a name server, or a broker's listen port): one TCP
 * connection, opened on first use and again after it closed, carrying requests matched to their
 * answers by `opaque` (RocketMQ's `NettyRemotingClient.invokeSync`, without its thread pools).
 *
 * The connection is kept open on purpose: a RocketMQ name server drops a broker's registration as
 * soon as the channel it registered on closes (`BrokerHousekeepingService`), so a broker must
 * register and stay connected. Every call is bounded by `timeoutMs`; at most
 * `MAX_PENDING_REQUESTS` wait at once. A decode error or a reset fails every waiting call and
 * closes the connection; the next call reconnects.
 */
import { SkiffError, assert } from "../core/errors.ts";
import type { Clock, Connection, Network } from "../core/platform.ts";
import { parseHostPort } from "../core/host-port.ts";
import { encodeRemotingCommand, isResponse, RemotingFrameDecoder, requestCommand, type RemotingCommand } from "./remoting-command.ts";

export const MAX_PENDING_REQUESTS = 1024;
export const DEFAULT_REMOTING_TIMEOUT_MS = 6000;

interface Pending {
  resolve: (answer: RemotingCommand) => void;
  reject: (error: SkiffError) => void;
}

export interface RemotingClientOptions {
  readonly net: Network;
  readonly clock: Clock;
  /** `host:port` of the server. */
  readonly address: string;
}

export class RemotingClient {
  readonly address: string;
  private readonly options: RemotingClientOptions;
  private connection: Promise<Connection> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextOpaque = 1;
  private closed = false;

  constructor(options: RemotingClientOptions) {
    this.options = options;
    this.address = options.address;
  }

  /** Sends one request and resolves with its answer (any response code; the caller judges it). */
  async invoke(code: number, extFields: Record<string, string>, body: Uint8Array, timeoutMs = DEFAULT_REMOTING_TIMEOUT_MS): Promise<RemotingCommand> {
    if (this.closed) throw new SkiffError("REMOTING_CLOSED", `remoting client for ${this.address} is closed`);
    if (this.pending.size >= MAX_PENDING_REQUESTS) throw new SkiffError("REMOTING_BUSY", `${MAX_PENDING_REQUESTS} requests already wait for ${this.address}`, { retriable: true });
    const opaque = this.nextOpaque;
    this.nextOpaque = this.nextOpaque >= 0x7fffffff ? 1 : this.nextOpaque + 1;
    const answer = new Promise<RemotingCommand>((resolve, reject) => this.pending.set(opaque, { resolve, reject }));
    answer.catch(() => undefined); // awaited below; a timeout during connect must not go unhandled
    const timer = this.options.clock.setTimeout(() => {
      this.fail(opaque, new SkiffError("REMOTING_TIMEOUT", `${this.address} did not answer request code ${code} within ${timeoutMs} ms`, { retriable: true }));
    }, timeoutMs);
    try {
      const connection = await this.connect();
      await connection.write(encodeRemotingCommand(requestCommand(code, opaque, extFields, body)));
      return await answer;
    } catch (error) {
      this.pending.delete(opaque);
      throw error instanceof SkiffError ? error : new SkiffError("REMOTING_UNREACHABLE", `${this.address}: ${(error as Error).message}`, { retriable: true, cause: error });
    } finally {
      timer.cancel();
    }
  }

  /** Closes the connection; waiting calls fail, later calls are refused. */
  close(): void {
    this.closed = true;
    this.drop(new SkiffError("REMOTING_CLOSED", `remoting client for ${this.address} is closed`));
  }

  private connect(): Promise<Connection> {
    if (this.connection) return this.connection;
    const opening = this.options.net.connect(parseHostPort(this.address));
    this.connection = opening;
    opening.then(
      (connection) => void this.readLoop(connection, opening),
      () => {
        if (this.connection === opening) this.connection = null;
      },
    );
    return opening;
  }

  private async readLoop(connection: Connection, opening: Promise<Connection>): Promise<void> {
    const decoder = new RemotingFrameDecoder();
    let reason = "the server closed the connection";
    try {
      for await (const chunk of connection.readable) {
        for (const command of decoder.push(chunk)) {
          if (!isResponse(command)) continue; // a server-initiated request (e.g. a check): not ours to answer here
          const waiter = this.pending.get(command.opaque);
          if (!waiter) continue; // timed out already
          this.pending.delete(command.opaque);
          waiter.resolve(command);
        }
      }
    } catch (error) {
      reason = (error as Error).message;
    }
    if (this.connection === opening) {
      this.connection = null;
      this.drop(new SkiffError("REMOTING_UNREACHABLE", `${this.address}: ${reason}`, { retriable: true }), connection);
    }
  }

  private drop(error: SkiffError, connection?: Connection): void {
    const current = this.connection;
    this.connection = null;
    if (connection) connection.close();
    else void current?.then((c) => c.close(), () => undefined);
    for (const [opaque] of this.pending) this.fail(opaque, error);
  }

  private fail(opaque: number, error: SkiffError): void {
    const waiter = this.pending.get(opaque);
    if (!waiter) return;
    this.pending.delete(opaque);
    waiter.reject(error);
  }
}

/** One client per address, created on demand; `closeAll` on shutdown. */
/**
 * Clients a pool keeps at once (one per peer address: the configured name servers). Asking for one
 * more address closes the oldest client first (its waiting requests fail with REMOTING_CLOSED).
 */
export const REMOTING_CLIENTS_MAX = 64;

export class RemotingClientPool {
  private readonly clients = new Map<string, RemotingClient>();
  private readonly net: Network;
  private readonly clock: Clock;
  private readonly maxClients: number;

  constructor(net: Network, clock: Clock, maxClients = REMOTING_CLIENTS_MAX) {
    assert(Number.isSafeInteger(maxClients) && maxClients > 0, "a pool holds at least one client");
    this.net = net;
    this.clock = clock;
    this.maxClients = maxClients;
  }

  get size(): number {
    return this.clients.size;
  }

  get(address: string): RemotingClient {
    assert(address.length > 0, "remoting address must not be empty");
    let client = this.clients.get(address);
    if (!client) {
      if (this.clients.size >= this.maxClients) this.closeOldest();
      client = new RemotingClient({ net: this.net, clock: this.clock, address });
      this.clients.set(address, client);
    }
    assert(this.clients.size <= this.maxClients, "the pool stays within its bound");
    return client;
  }

  private closeOldest(): void {
    const [address, oldest] = this.clients.entries().next().value!;
    this.clients.delete(address);
    oldest.close();
  }

  closeAll(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
