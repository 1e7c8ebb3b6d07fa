/**
 * The `Network` port over `node:net` and `node:tls`: a listener and an outgoing connect, each
 * socket created with `allowHalfOpen` and TCP_NODELAY and wrapped as a `NodeConnection`
 * (`connection.ts`; a `TLSSocket` is a `net.Socket`, so the same wrapper carries decrypted bytes).
 *
 * A TLS listener hands a connection over once its handshake is done (`secureConnection`); a peer
 * whose handshake fails never reaches `onConnection` (its socket is destroyed by `node:tls`).
 */
import * as net from "node:net";
import * as tls from "node:tls";
import type { Connection, ConnectOptions, HostPort, Listener, ListenOptions, Network } from "../../src/core/platform.ts";
import { NodeConnection } from "./connection.ts";

function serverFor(options: ListenOptions, onSocket: (socket: net.Socket) => void): net.Server {
  if (options.tls === undefined) return net.createServer({ allowHalfOpen: true, noDelay: true }, onSocket);
  const server = tls.createServer({ allowHalfOpen: true, cert: options.tls.cert, key: options.tls.key }, onSocket);
  // A failed handshake (a plain-text client, an untrusting one) concerns that socket only.
  server.on("tlsClientError", () => {});
  return server;
}

export const network: Network = {
  async listen(at: HostPort, onConnection: (connection: Connection) => void, options: ListenOptions = {}): Promise<Listener> {
    const server = serverFor(options, (socket) => onConnection(new NodeConnection(socket)));
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

  connect(to: HostPort, options: ConnectOptions = {}): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = options.tls === undefined
        ? net.connect({ host: to.host, port: to.port, allowHalfOpen: true, noDelay: true })
        // An IP address is checked against the certificate's IP subjectAltNames (no SNI is sent for one).
        : tls.connect({ host: to.host, port: to.port, allowHalfOpen: true, ca: options.tls.ca, servername: net.isIP(to.host) ? undefined : to.host });
      const ready = options.tls === undefined ? "connect" : "secureConnect";
      socket.once("error", reject);
      socket.once(ready, () => {
        socket.off("error", reject);
        resolve(new NodeConnection(socket));
      });
    });
  },
};
