/**
 * The `Network` port over `node:net`: a listener and an outgoing connect, each socket created
 * with `allowHalfOpen` and TCP_NODELAY and wrapped as a `NodeConnection` (`connection.ts`).
 */
import * as net from "node:net";
import type { Connection, HostPort, Listener, Network } from "../../src/core/platform.ts";
import { NodeConnection } from "./connection.ts";

export const network: Network = {
  async listen(at: HostPort, onConnection: (connection: Connection) => void): Promise<Listener> {
    const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      onConnection(new NodeConnection(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: at.host, port: at.port }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    // Accept failures (EMFILE, …) are transient: the server keeps listening; without a listener
    // Node would turn them into an uncaught exception.
    server.on("error", () => {});
    const bound = server.address() as net.AddressInfo;
    return {
      address: { host: bound.address, port: bound.port },
      // server.close() stops accepting at once; its callback would wait for every connection.
      close: async () => {
        if (server.listening) server.close();
      },
    };
  },

  connect(to: HostPort): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: to.host, port: to.port, allowHalfOpen: true, noDelay: true });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new NodeConnection(socket));
      });
    });
  },
};
