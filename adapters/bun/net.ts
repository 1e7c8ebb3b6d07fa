/**
 * The `Network` port over `Bun.listen` / `Bun.connect`. One set of socket handlers routes Bun's
 * callbacks to the `BunConnection` kept in each socket's `data` (`connection.ts`); sockets are
 * half-open capable (`allowHalfOpen`) so that a peer's FIN does not close our side.
 *
 * TLS (Bun's `tls` option, BoringSSL): a connection is handed over only after its handshake
 * succeeded (`handshake` callback), on both sides, so a listener never sees a peer whose handshake
 * failed and `connect` rejects when the server's certificate is not trusted for the address dialled.
 */
import type { SocketHandler } from "bun";
import type { Connection, ConnectOptions, HostPort, Listener, ListenOptions, Network } from "../../src/core/platform.ts";
import { BunConnection, type BunSocket } from "./connection.ts";

function connectionOf(socket: BunSocket): BunConnection {
  socket.data ??= new BunConnection(socket);
  return socket.data;
}

function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

interface Handover {
  readonly tls: boolean;
  /** A client checks the server's certificate; a server asks for none (its `authorizationError` only says the client sent none). */
  readonly verifyPeer?: boolean;
  readonly ready: (connection: BunConnection) => void;
  readonly failed?: (error: Error) => void;
}

function handlers(handover: Handover): SocketHandler<BunConnection | undefined> {
  return {
    binaryType: "uint8array",
    open: (socket) => {
      if (!handover.tls) handover.ready(connectionOf(socket));
    },
    handshake: (socket, success, authorizationError) => {
      if (success && (authorizationError === null || handover.verifyPeer !== true)) return handover.ready(connectionOf(socket));
      handover.failed?.(codedError("ECERTREJECTED", `TLS handshake failed: ${authorizationError?.message ?? "refused"}`));
      socket.end();
    },
    data: (socket, chunk) => connectionOf(socket).readable.push(chunk),
    drain: (socket) => connectionOf(socket).onDrain(),
    end: (socket) => connectionOf(socket).readable.finish(),
    close: (socket, error) => {
      handover.failed?.(error ?? codedError("ECONNRESET", "connection closed before it was ready"));
      connectionOf(socket).onClose(error);
    },
    // A handler threw (a bug upstream): fail this connection rather than leave it half-working.
    error: (socket, error) => {
      connectionOf(socket).onClose(error);
      socket.end();
    },
  };
}

export const network: Network = {
  async listen(at: HostPort, onConnection: (connection: Connection) => void, options: ListenOptions = {}): Promise<Listener> {
    const listener = Bun.listen<BunConnection | undefined>({
      hostname: at.host,
      port: at.port,
      allowHalfOpen: true,
      tls: options.tls === undefined ? undefined : { cert: options.tls.cert, key: options.tls.key },
      socket: handlers({ tls: options.tls !== undefined, ready: onConnection }),
    });
    return {
      address: { host: listener.hostname, port: listener.port },
      // stop(false): stop accepting, keep the open connections.
      close: async () => listener.stop(false),
    };
  },

  async connect(to: HostPort, options: ConnectOptions = {}): Promise<Connection> {
    if (options.tls === undefined) {
      const socket = await Bun.connect<BunConnection | undefined>({
        hostname: to.host,
        port: to.port,
        allowHalfOpen: true,
        socket: handlers({ tls: false, ready: () => {} }),
      });
      return connectionOf(socket);
    }
    const { promise, resolve, reject } = Promise.withResolvers<Connection>();
    let settled = false;
    const settle = (outcome: () => void) => {
      if (!settled) (settled = true), outcome();
    };
    const ca = options.tls.ca;
    await Bun.connect<BunConnection | undefined>({
      hostname: to.host,
      port: to.port,
      allowHalfOpen: true,
      tls: { ca, rejectUnauthorized: true, serverName: to.host },
      socket: handlers({ tls: true, verifyPeer: true, ready: (connection) => settle(() => resolve(connection)), failed: (error) => settle(() => reject(error)) }),
    }).catch((error: Error) => settle(() => reject(error)));
    return promise;
  },
};
