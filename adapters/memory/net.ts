/**
 * The `Network` port in memory, for deterministic HA tests: no sockets, no timers, only promises.
 *
 * A connection is a `MemoryLink`: two `Pipe`s (`pipe.ts`), one per direction, each with bounded
 * buffering (`write()` resolves only when the peer's buffer has room) and its own test controls:
 * `chunkBytes` (deliver at most N bytes per read, e.g. 1), `stall()`/`resume()` (a silent peer).
 *
 * Semantics, as the port documents them (`src/core/platform.ts`):
 * - `end()` is a FIN after the queued bytes; the peer's iteration ends; reading goes on.
 * - `close()` drops queued bytes, ends our own iteration quietly, refuses our writes (EPIPE); the
 *   peer sees a reset: its iteration throws ECONNRESET and its writes reject with ECONNRESET.
 * - `closed` resolves on a close from either side, or once both directions have sent their FIN.
 * - `connect` to a port nobody listens on rejects with ECONNREFUSED; `listen` on a taken port with
 *   EADDRINUSE; port 0 allocates a free one. A listener on 0.0.0.0 / :: accepts any host.
 */
import type { Connection, HostPort, Listener, Network, ConnectOptions, ListenOptions } from "../../src/core/platform.ts";
import { Pipe, netError } from "./pipe.ts";

export interface MemoryNetworkOptions {
  /** Per-direction buffer ("kernel socket buffers"); default 256 KiB. */
  readonly bufferBytes?: number;
  /** Largest chunk a read delivers; default 64 KiB. */
  readonly chunkBytes?: number;
}

class MemoryConnection implements Connection {
  readonly local: HostPort;
  readonly remote: HostPort;
  readonly readable: AsyncIterable<Uint8Array>;
  readonly closed: Promise<void>;
  private readonly link: MemoryLink;
  private readonly inbound: Pipe;
  private readonly outbound: Pipe;
  private ending: Promise<void> | null = null;
  /** Set by our own `close()`. */
  closedLocally = false;

  constructor(link: MemoryLink, local: HostPort, remote: HostPort, inbound: Pipe, outbound: Pipe) {
    this.link = link;
    this.local = local;
    this.remote = remote;
    this.inbound = inbound;
    this.outbound = outbound;
    this.readable = { [Symbol.asyncIterator]: () => inbound.chunks() };
    this.closed = link.closed;
  }

  write(bytes: Uint8Array): Promise<void> {
    const refusal = this.refusal();
    if (refusal) return Promise.reject(refusal);
    return this.outbound.write(bytes);
  }

  end(): Promise<void> {
    if (this.ending) return this.ending;
    const refusal = this.refusal();
    if (refusal) return Promise.reject(refusal);
    this.ending = this.outbound.finish();
    return this.ending;
  }

  close(): void {
    if (this.closedLocally) return;
    this.closedLocally = true;
    this.inbound.abort(netError("ECONNRESET", "connection reset by peer"));
    this.link.closeFrom(this);
  }

  private refusal(): Error | null {
    if (this.closedLocally) return netError("EPIPE", "connection closed");
    if (this.link.closedBy !== null) return netError("ECONNRESET", "connection reset by peer");
    if (this.ending) return netError("EPIPE", "write after end()");
    return null;
  }
}

/** One live connection, both ends, with the test controls of each direction. */
export class MemoryLink {
  readonly id: number;
  /** client → server bytes. */
  readonly toServer: Pipe;
  /** server → client bytes. */
  readonly toClient: Pipe;
  readonly client: Connection;
  readonly server: Connection;
  readonly closed: Promise<void>;
  /** Who closed it: one end (its `close()`), or "network" (`cut()`). */
  closedBy: Connection | "network" | null = null;
  private resolveClosed!: () => void;
  private readonly onGone: (link: MemoryLink) => void;

  constructor(id: number, clientAt: HostPort, serverAt: HostPort, options: Required<MemoryNetworkOptions>, onGone: (link: MemoryLink) => void) {
    this.id = id;
    this.onGone = onGone;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    const pipe = () => new Pipe({ ...options, onFin: () => this.afterFin() });
    this.toServer = pipe();
    this.toClient = pipe();
    this.client = new MemoryConnection(this, clientAt, serverAt, this.toClient, this.toServer);
    this.server = new MemoryConnection(this, serverAt, clientAt, this.toServer, this.toClient);
  }

  /** The end of this link that is not `connection`. */
  peerOf(connection: Connection): Connection {
    return connection === this.client ? this.server : this.client;
  }

  /** The reset that one end's `close()` sends (its own iteration was ended by the end itself). */
  closeFrom(by: Connection): void {
    if (this.closedBy !== null) return;
    this.closedBy = by;
    const outbound = by === this.client ? this.toServer : this.toClient;
    outbound.reset(netError("ECONNRESET", "connection reset by peer"), netError("EPIPE", "connection closed"));
    this.gone();
  }

  /** Resets both ends at once (a network failure): both iterations throw ECONNRESET. */
  cut(): void {
    if (this.closedBy !== null) return;
    this.closedBy = "network";
    for (const pipe of [this.toServer, this.toClient]) pipe.reset(netError("ECONNRESET", "connection reset"), netError("ECONNRESET", "connection reset"));
    this.gone();
  }

  private afterFin(): void {
    if (this.toServer.finished && this.toClient.finished) this.gone();
  }

  private gone(): void {
    this.onGone(this);
    this.resolveClosed();
  }
}

interface MemoryListener {
  readonly address: HostPort;
  readonly onConnection: (connection: Connection) => void;
}

const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", ""]);

export class MemoryNetwork implements Network {
  /** Applied to links created from now on; each link's pipes can be changed on their own. */
  bufferBytes: number;
  chunkBytes: number;
  private readonly listeners = new Map<number, MemoryListener>();
  private readonly reservedPorts = new Set<number>();
  private readonly liveLinks = new Set<MemoryLink>();
  private nextListenPort = 30000;
  private nextClientPort = 50000;
  private nextLinkId = 1;

  constructor(options: MemoryNetworkOptions = {}) {
    this.bufferBytes = options.bufferBytes ?? 256 * 1024;
    this.chunkBytes = options.chunkBytes ?? 64 * 1024;
  }

  /** Live connections, oldest first. */
  get links(): MemoryLink[] {
    return [...this.liveLinks];
  }

  /** The link a connection (either end) belongs to. */
  linkOf(connection: Connection): MemoryLink | undefined {
    return this.links.find((link) => link.client === connection || link.server === connection);
  }

  /** Resets every live connection. */
  closeAll(): void {
    for (const link of this.links) link.cut();
  }

  /** Claims a port (0 → a free one), shared with the in-memory HTTP servers; EADDRINUSE if taken. */
  reservePort(port: number): number {
    if (port === 0) {
      while (this.reservedPorts.has(this.nextListenPort)) this.nextListenPort++;
      port = this.nextListenPort++;
    }
    if (this.reservedPorts.has(port)) throw netError("EADDRINUSE", `port ${port} is in use`);
    this.reservedPorts.add(port);
    return port;
  }

  releasePort(port: number): void {
    this.reservedPorts.delete(port);
  }

  async listen(at: HostPort, onConnection: (connection: Connection) => void, options: ListenOptions = {}): Promise<Listener> {
    if (options.tls !== undefined) throw netError("ENOTSUP", "TLS is not simulated by the in-memory network: test it over a runtime's sockets");
    const port = this.reservePort(at.port);
    const entry: MemoryListener = { address: { host: at.host, port }, onConnection };
    this.listeners.set(port, entry);
    return {
      address: entry.address,
      close: async () => {
        if (this.listeners.get(port) !== entry) return;
        this.listeners.delete(port);
        this.releasePort(port);
      },
    };
  }

  async connect(to: HostPort, connectOptions: ConnectOptions = {}): Promise<Connection> {
    if (connectOptions.tls !== undefined) throw netError("ENOTSUP", "TLS is not simulated by the in-memory network: test it over a runtime's sockets");
    const entry = this.listeners.get(to.port);
    if (!entry || !(WILDCARD_HOSTS.has(entry.address.host) || entry.address.host === to.host)) {
      throw netError("ECONNREFUSED", `nothing listens on ${to.host}:${to.port}`);
    }
    const options = { bufferBytes: this.bufferBytes, chunkBytes: this.chunkBytes };
    const clientAt = { host: to.host, port: this.nextClientPort++ };
    const link = new MemoryLink(this.nextLinkId++, clientAt, { host: to.host, port: to.port }, options, (l) => this.liveLinks.delete(l));
    this.liveLinks.add(link);
    entry.onConnection(link.server);
    return link.client;
  }
}
