/**
 * The `HttpServing` port over `Bun.serve`, which takes a fetch handler as is.
 *
 * `close()` is `server.stop()` without `closeActiveConnections`: Bun stops accepting, answers
 * the requests in flight, and resolves once their connections are closed.
 */
import type { FetchHandler, HostPort, HttpServer, HttpServing } from "../../src/core/platform.ts";

export const httpServing: HttpServing = {
  async serve(at: HostPort, handler: FetchHandler): Promise<HttpServer> {
    const server = Bun.serve({ hostname: at.host, port: at.port, fetch: (request) => handler(request) });
    return {
      address: { host: server.hostname ?? at.host, port: server.port ?? at.port },
      close: () => server.stop(),
    };
  },
};
