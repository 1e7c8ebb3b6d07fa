/**
 * The `Network` port over `Bun.listen` / `Bun.connect`. One set of socket handlers routes Bun's
 * callbacks to the `BunConnection` kept in each socket's `data` (`connection.ts`); sockets are
 * half-open capable (`allowHalfOpen`) so that a peer's FIN does not close our side.
 */
import type { SocketHandler } from "bun";
import type { Connection, HostPort, Listener, Network } from "../../src/core/platform.ts";
import { BunConnection, type BunSocket } from "./connection.ts";

function connectionOf(socket: BunSocket): BunConnection {
  socket.data ??= new BunConnection(socket);
  return socket.data;
}

function handlers(onOpen: (connection: BunConnection) => void): SocketHandler<BunConnection | undefined> {
  return {
    binaryType: "uint8array",
    open: (socket) => onOpen(connectionOf(socket)),
    data: (socket, chunk) => connectionOf(socket).readable.push(chunk),
    drain: (socket) => connectionOf(socket).onDrain(),
    end: (socket) => connectionOf(socket).readable.finish(),
    close: (socket, error) => connectionOf(socket).onClose(error),
    // A handler threw (a bug upstream): fail this connection rather than leave it half-working.
    error: (socket, error) => {
      connectionOf(socket).onClose(error);
      socket.end();
    },
  };
}

export const network: Network = {
  async listen(at: HostPort, onConnection: (connection: Connection) => void): Promise<Listener> {
    const listener = Bun.listen<BunConnection | undefined>({
      hostname: at.host,
      port: at.port,
      allowHalfOpen: true,
      socket: handlers(onConnection),
    });
    return {
      address: { host: listener.hostname, port: listener.port },
      // stop(false): stop accepting, keep the open connections.
      close: async () => listener.stop(false),
    };
  },

  async connect(to: HostPort): Promise<Connection> {
    const socket = await Bun.connect<BunConnection | undefined>({
      hostname: to.host,
      port: to.port,
      allowHalfOpen: true,
      socket: handlers(() => {}),
    });
    return connectionOf(socket);
  },
};
