/**
 * The `HttpServing` port over `Deno.serve`, which takes a fetch handler as is.
 *
 * `idleTimeoutMs` needs nothing here: `Deno.serve` has no idle timeout and never closes a
 * connection whose request is still being answered.
 *
 * `onListen` is passed only to silence Deno's "Listening on …" banner. `close()` is
 * `server.shutdown()`: stop accepting, answer the requests in flight, close idle connections.
 */
import type { FetchFunction, FetchHandler, HostPort, HttpServer, HttpServing, ServeOptions, TlsClientOptions } from "../../src/core/platform.ts";
import { withCode } from "./connection.ts";

export const httpServing: HttpServing = {
  async serve(at: HostPort, handler: FetchHandler, options: ServeOptions = {}): Promise<HttpServer> {
    let server: Deno.HttpServer<Deno.NetAddr>;
    const tls = options.tls === undefined ? {} : { cert: options.tls.cert, key: options.tls.key };
    try {
      server = Deno.serve({ hostname: at.host, port: at.port, onListen: () => {}, ...tls }, (request) => handler(request));
    } catch (error) {
      throw withCode(error);
    }
    return {
      address: { host: server.addr.hostname, port: server.addr.port },
      close: () => server.shutdown(),
    };
  },

  fetcher(tls?: TlsClientOptions): FetchFunction {
    if (tls === undefined) return (url, init) => fetch(url, init);
    const client = Deno.createHttpClient({ caCerts: [tls.ca] });
    return (url, init) => fetch(url, { ...init, client } as RequestInit);
  },
};
