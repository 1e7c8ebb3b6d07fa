/**
 * The `Network` port over `Deno.listen` / `Deno.connect` (and `Deno.listenTls` / `Deno.connectTls`
 * for TLS): an accept loop handing each conn to `onConnection` as a `DenoConnection`
 * (`connection.ts`), with Deno's errors given OS codes.
 *
 * Deno runs a TLS handshake lazily, on the first read or write. Both sides here run it before the
 * connection is handed over, so a listener never sees a peer whose handshake failed and `connect`
 * rejects when the server's certificate is not trusted. A peer that opens a TCP connection and
 * never completes a handshake is closed after `tlsHandshakeTimeoutMs` (Node's default, 120 s).
 */
import type { Connection, ConnectOptions, HostPort, Listener, ListenOptions, Network } from "../../src/core/platform.ts";
import { DenoConnection, withCode } from "./connection.ts";

const acceptRetryMs = 10;
const tlsHandshakeTimeoutMs = 120_000;

function listenerFor(at: HostPort, options: ListenOptions): Deno.Listener<Deno.Conn> {
  try {
    if (options.tls === undefined) return Deno.listen({ hostname: at.host, port: at.port, transport: "tcp" });
    return Deno.listenTls({ hostname: at.host, port: at.port, transport: "tcp", cert: options.tls.cert, key: options.tls.key });
  } catch (error) {
    throw withCode(error);
  }
}

/** Hands a TLS conn over once its handshake is done; closes it if the handshake fails or stalls. */
function afterHandshake(conn: Deno.TlsConn, onConnection: (connection: Connection) => void): void {
  const timer = setTimeout(() => conn.close(), tlsHandshakeTimeoutMs);
  conn.handshake().then(
    () => onConnection(new DenoConnection(conn)),
    () => {
      try {
        conn.close();
      } catch {
        // Closed by the timer already.
      }
    },
  ).finally(() => clearTimeout(timer));
}

export const network: Network = {
  async listen(at: HostPort, onConnection: (connection: Connection) => void, options: ListenOptions = {}): Promise<Listener> {
    const listener = listenerFor(at, options);
    let closing = false;
    const accepting = (async () => {
      while (!closing) {
        let conn: Deno.Conn;
        try {
          conn = await listener.accept();
        } catch {
          // Closed (then we stop) or a transient failure such as EMFILE (then we retry shortly).
          if (!closing) await new Promise((resolve) => setTimeout(resolve, acceptRetryMs));
          continue;
        }
        if (options.tls === undefined) onConnection(new DenoConnection(conn as Deno.TcpConn));
        else afterHandshake(conn as Deno.TlsConn, onConnection);
      }
    })();
    const bound = listener.addr as Deno.NetAddr;
    return {
      address: { host: bound.hostname, port: bound.port },
      // The pending accept holds the listening socket open after close(): until it settles, a
      // connect is reset (ECONNRESET) instead of refused, so wait for the accept loop to exit.
      close: async () => {
        if (!closing) {
          closing = true;
          listener.close();
        }
        await accepting;
      },
    };
  },

  async connect(to: HostPort, options: ConnectOptions = {}): Promise<Connection> {
    try {
      if (options.tls === undefined) return new DenoConnection(await Deno.connect({ hostname: to.host, port: to.port, transport: "tcp" }));
      const conn = await Deno.connectTls({ hostname: to.host, port: to.port, caCerts: [options.tls.ca] });
      try {
        await conn.handshake();
      } catch (error) {
        conn.close();
        throw error;
      }
      return new DenoConnection(conn);
    } catch (error) {
      throw withCode(error);
    }
  },
};
