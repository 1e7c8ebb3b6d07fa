/**
 * The `HttpServing` port over `Bun.serve`, which takes a fetch handler as is.
 *
 * `idleTimeoutMs` becomes Bun's `idleTimeout` (whole seconds, rounded up; Bun allows 1–255, and
 * closes a connection silent for longer, also one whose request is still being answered: its
 * default of 10 s would cut long polls short).
 *
 * `close()` is `server.stop()` without `closeActiveConnections`: Bun stops accepting, answers
 * the requests in flight, and resolves once their connections are closed.
 *
 * HTTPS: Bun.serve's `tls` option; `fetcher` passes Bun fetch's `tls.ca` (the CA replaces the
 * default roots for that request).
 */
import { assert } from "../../src/core/errors.ts";
import type { FetchFunction, FetchHandler, HostPort, HttpServer, HttpServing, ServeOptions, TlsClientOptions } from "../../src/core/platform.ts";

const BUN_IDLE_TIMEOUT_MAX_S = 255;

export const httpServing: HttpServing = {
  async serve(at: HostPort, handler: FetchHandler, options: ServeOptions = {}): Promise<HttpServer> {
    const idleTimeout = options.idleTimeoutMs === undefined ? undefined : Math.ceil(options.idleTimeoutMs / 1000);
    assert(idleTimeout === undefined || (idleTimeout >= 1 && idleTimeout <= BUN_IDLE_TIMEOUT_MAX_S), `idleTimeoutMs must be 1..${BUN_IDLE_TIMEOUT_MAX_S * 1000} on Bun, got ${options.idleTimeoutMs}`);
    const tls = options.tls === undefined ? undefined : { cert: options.tls.cert, key: options.tls.key };
    const server = Bun.serve({ hostname: at.host, port: at.port, idleTimeout, tls, fetch: (request) => handler(request) });
    return {
      address: { host: server.hostname ?? at.host, port: server.port ?? at.port },
      close: () => server.stop(),
    };
  },

  fetcher(tls?: TlsClientOptions): FetchFunction {
    if (tls === undefined) return (url, init) => fetch(url, init);
    return (url, init) => fetch(url, { ...init, tls: { ca: tls.ca } });
  },
};
