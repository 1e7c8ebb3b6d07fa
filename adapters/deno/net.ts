/**
 * The `Network` port over `Deno.listen` / `Deno.connect`: an accept loop handing each conn to
 * `onConnection` as a `DenoConnection` (`connection.ts`), with Deno's errors given OS codes.
 */
import type { Connection, HostPort, Listener, Network } from "../../src/core/platform.ts";
import { DenoConnection, withCode } from "./connection.ts";

const acceptRetryMs = 10;

export const network: Network = {
  async listen(at: HostPort, onConnection: (connection: Connection) => void): Promise<Listener> {
    let listener: Deno.TcpListener;
    try {
      listener = Deno.listen({ hostname: at.host, port: at.port, transport: "tcp" });
    } catch (error) {
      throw withCode(error);
    }
    let closing = false;
    const accepting = (async () => {
      while (!closing) {
        let conn: Deno.TcpConn;
        try {
          conn = await listener.accept();
        } catch {
          // Closed (then we stop) or a transient failure such as EMFILE (then we retry shortly).
          if (!closing) await new Promise((resolve) => setTimeout(resolve, acceptRetryMs));
          continue;
        }
        onConnection(new DenoConnection(conn));
      }
    })();
    return {
      address: { host: listener.addr.hostname, port: listener.addr.port },
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

  async connect(to: HostPort): Promise<Connection> {
    try {
      return new DenoConnection(await Deno.connect({ hostname: to.host, port: to.port, transport: "tcp" }));
    } catch (error) {
      throw withCode(error);
    }
  },
};
