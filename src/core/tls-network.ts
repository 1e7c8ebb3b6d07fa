/**
 * RocketMQ's three TLS server modes over any `Network`, and TLS for outgoing connections.
 *
 * | tlsMode    | a TLS client                      | a plain-text client                     |
 * |------------|-----------------------------------|-----------------------------------------|
 * | disabled   | its ClientHello reaches the       | served                                  |
 * |            | protocol as bytes (refused there) |                                         |
 * | permissive | served, decrypted                 | served                                  |
 * | enforcing  | served, decrypted                 | never reaches the handler (no handshake)|
 *
 * Permissive tells the two apart as RocketMQ's Netty handler does: a TLS connection's first byte
 * is 0x16 (a TLS handshake record), which no request of RocketMQ's remoting (a 4-byte length
 * below 16 MiB), of RocketMQ's HA (a slave's 8-byte offset, below 2^56) or of HTTP (a method name)
 * begins with. No runtime here can start a server-side handshake on a socket it already reads
 * (Bun and Deno have no server-side upgrade), so a TLS connection is relayed over loopback to a
 * second listener of the same service, a TLS one on 127.0.0.1 and an OS-chosen port; the relay
 * tells it which peer a relayed connection comes from, so `remote` stays the real peer (ACL
 * whitelists check it). Each TLS connection in permissive mode costs two loopback sockets and one
 * copy each way; plain connections cost nothing. Enforcing needs no relay.
 *
 * `tlsHttp` does the same for an HTTP server (`HttpServing` listens on its own sockets, so in
 * permissive mode both kinds are relayed: plain to a loopback HTTP server, TLS to a loopback HTTPS one).
 */
import type { Connection, ConnectOptions, FetchHandler, HostPort, HttpServer, HttpServing, Listener, ListenOptions, Network, ServeOptions, TlsClientOptions, TlsServerOptions } from "./platform.ts";

export type TlsMode = "disabled" | "permissive" | "enforcing";
export const TLS_MODES: readonly TlsMode[] = ["disabled", "permissive", "enforcing"];

/** The first byte of a TLS record carrying a handshake message (a ClientHello, first of all). */
const TLS_HANDSHAKE_RECORD = 0x16;
const RELAY_HOST = "127.0.0.1";
/**
 * Connections of a permissive listener that have not sent their first byte yet (the protocol's
 * own connection cap sees a connection only after it). Beyond this many, a new one is closed.
 */
export const MAX_UNIDENTIFIED_CONNECTIONS = 4096;

export interface TlsServing {
  readonly mode: TlsMode;
  /** Required unless `mode` is disabled. */
  readonly identity?: TlsServerOptions;
}

/** How a server listens and a client dials: `server` for every `listen`, `client` (when set) for every `connect`. */
export interface TlsPolicy {
  readonly server: TlsServing;
  readonly client?: TlsClientOptions;
}

export const NO_TLS: TlsPolicy = { server: { mode: "disabled" } };

function identityOf(serving: TlsServing): TlsServerOptions {
  if (serving.identity === undefined) throw new Error(`tlsMode=${serving.mode} needs a server certificate and key`);
  return serving.identity;
}

/** A `Network` whose `listen` follows `policy.server` and whose `connect` speaks TLS when `policy.client` is set. */
export function tlsNetwork(base: Network, policy: TlsPolicy): Network {
  if (policy.server.mode === "disabled" && policy.client === undefined) return base;
  return {
    listen(at: HostPort, onConnection: (connection: Connection) => void, options: ListenOptions = {}): Promise<Listener> {
      if (options.tls !== undefined || policy.server.mode === "disabled") return base.listen(at, onConnection, options);
      if (policy.server.mode === "enforcing") return base.listen(at, onConnection, { tls: identityOf(policy.server) });
      return listenPermissive(base, at, identityOf(policy.server), onConnection);
    },
    connect(to: HostPort, options: ConnectOptions = {}): Promise<Connection> {
      return base.connect(to, options.tls === undefined && policy.client !== undefined ? { tls: policy.client } : options);
    },
  };
}

interface Peeked {
  /** The first chunk the peer sent; undefined when it closed before sending any. */
  readonly first: Uint8Array | undefined;
  /** The rest of the connection's chunks (the first already taken). */
  readonly rest: AsyncIterator<Uint8Array>;
}

/** Peeks at connections' first chunks, at most `MAX_UNIDENTIFIED_CONNECTIONS` at a time; closes those beyond. */
function peeker(): (connection: Connection, then: (first: Uint8Array, rest: AsyncIterator<Uint8Array>) => unknown) => void {
  let waiting = 0;
  return (connection, then) => {
    if (waiting >= MAX_UNIDENTIFIED_CONNECTIONS) return connection.close();
    waiting++;
    peek(connection).then(
      (peeked) => {
        waiting--;
        if (peeked.first === undefined) return connection.close();
        return then(peeked.first, peeked.rest);
      },
      () => {
        waiting--;
        connection.close();
      },
    );
  };
}

async function peek(connection: Connection): Promise<Peeked> {
  const rest = connection.readable[Symbol.asyncIterator]();
  const head = await rest.next();
  return { first: head.done === true ? undefined : head.value, rest };
}

/** `connection` reading `first` and then `rest`, and with `remote` replaced when given. */
function prefixed(connection: Connection, first: Uint8Array, rest: AsyncIterator<Uint8Array>, remote: HostPort = connection.remote): Connection {
  let firstTaken = false;
  const chunks: AsyncIterator<Uint8Array> = {
    next: async () => {
      if (firstTaken) return rest.next();
      firstTaken = true;
      return { done: false, value: first };
    },
    return: async () => (await rest.return?.()) ?? { done: true, value: undefined },
  };
  return {
    local: connection.local,
    remote,
    readable: { [Symbol.asyncIterator]: () => chunks },
    write: (bytes) => connection.write(bytes),
    end: () => connection.end(),
    close: () => connection.close(),
    closed: connection.closed,
  };
}

/** Copies `chunks` into `to` until they end (then half-closes `to`); on a failure closes `from` and `to`. */
async function pump(chunks: AsyncIterator<Uint8Array>, from: Connection, to: Connection): Promise<void> {
  try {
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) await to.write(next.value);
    await to.end();
  } catch {
    from.close();
    to.close();
  }
}

/**
 * Relays `outer` (whose `first` chunk was read, `rest` not yet) to a new connection to `target`,
 * both ways; `onDialled` learns the relay's connection before any byte is written to it. Each
 * direction holds one chunk at a time (writes are awaited), and a close on either side closes both.
 */
async function relay(net: Network, outer: Connection, first: Uint8Array, rest: AsyncIterator<Uint8Array>, target: HostPort, onDialled: (inner: Connection) => void = () => {}): Promise<void> {
  let inner: Connection;
  try {
    inner = await net.connect(target);
    onDialled(inner);
    await inner.write(first);
  } catch {
    outer.close();
    return;
  }
  void outer.closed.then(() => inner.close());
  void inner.closed.then(() => outer.close());
  await Promise.all([pump(rest, outer, inner), pump(inner.readable[Symbol.asyncIterator](), inner, outer)]);
}

async function listenPermissive(base: Network, at: HostPort, identity: TlsServerOptions, onConnection: (connection: Connection) => void): Promise<Listener> {
  // The peer behind each relay, by the relay's local port (what the TLS listener sees as `remote`).
  const peers = new Map<number, HostPort>();
  const peekSecure = peeker();
  const secure = await base.listen({ host: RELAY_HOST, port: 0 }, (decrypted) => {
    // The relay registers its peer before it writes the ClientHello, and no byte is decrypted
    // before the handshake that ClientHello starts: by the first decrypted chunk the peer is known.
    peekSecure(decrypted, (first, rest) => onConnection(prefixed(decrypted, first, rest, peers.get(decrypted.remote.port) ?? decrypted.remote)));
  }, { tls: identity });
  const peekOuter = peeker();
  const outer = await base.listen(at, (connection) => {
    peekOuter(connection, (first, rest) => {
      if (first[0] !== TLS_HANDSHAKE_RECORD) return onConnection(prefixed(connection, first, rest));
      return relay(base, connection, first, rest, secure.address, (inner) => {
        peers.set(inner.local.port, connection.remote);
        void inner.closed.then(() => peers.delete(inner.local.port));
      });
    });
  }).catch(async (error: unknown) => {
    await secure.close();
    throw error;
  });
  return {
    address: outer.address,
    close: async () => {
      await outer.close();
      await secure.close();
    },
  };
}

/** An `HttpServing` whose `serve` follows `serving` (HTTP when disabled, HTTPS when enforcing, both on one port when permissive). */
export function tlsHttp(base: HttpServing, net: Network, serving: TlsServing): HttpServing {
  if (serving.mode === "disabled") return base;
  return {
    fetcher: (tls) => base.fetcher(tls),
    async serve(at: HostPort, handler: FetchHandler, options: ServeOptions = {}): Promise<HttpServer> {
      if (options.tls !== undefined) return base.serve(at, handler, options);
      const identity = identityOf(serving);
      if (serving.mode === "enforcing") return base.serve(at, handler, { ...options, tls: identity });
      const plain = await base.serve({ host: RELAY_HOST, port: 0 }, handler, options);
      const secure = await base.serve({ host: RELAY_HOST, port: 0 }, handler, { ...options, tls: identity }).catch(async (error: unknown) => {
        await plain.close();
        throw error;
      });
      const peekOuter = peeker();
      const outer = await net.listen(at, (connection) => {
        peekOuter(connection, (first, rest) => relay(net, connection, first, rest, first[0] === TLS_HANDSHAKE_RECORD ? secure.address : plain.address));
      }).catch(async (error: unknown) => {
        await Promise.all([plain.close(), secure.close()]);
        throw error;
      });
      return {
        address: outer.address,
        close: async () => {
          await outer.close();
          await Promise.all([plain.close(), secure.close()]);
        },
      };
    },
  };
}
