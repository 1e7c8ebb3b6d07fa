/**
 * The `HttpServing` port over `node:http`, bridged to a fetch handler by `@hono/node-server`.
 *
 * `createAdaptorServer` (rather than `serve`) lets `listen` errors such as `EADDRINUSE` reject
 * instead of surfacing as an unhandled `error` event. The adapter keeps its default of replacing
 * the process-wide `Request` and `Response` with its lighter ones (subclasses in `instanceof`
 * terms, which build undici's objects only when a caller needs one): a `Response` made with a
 * string or bytes is then written to the socket as it is, where undici's own is read back through
 * its `ReadableStream` — a stream, a reader and up to a timer's turn per answer. Measured with wrk
 * (32 connections, 1 KiB POST answered with JSON, Hono, same run): 4,834 / 6,907 requests/s with
 * undici's objects, 11,390 / 16,364 with the lighter ones. So every Node process that serves HTTP
 * uses them from its first `serve` on — the broker, the name server and the tests alike.
 *
 * `idleTimeoutMs` becomes `server.timeout` (a socket silent that long is closed; Node's default is
 * never). Node's other limits are about receiving a request, not answering it (`headersTimeout`
 * 60 s, `requestTimeout` 300 s) or about idle keep-alive connections between requests
 * (`keepAliveTimeout` 5 s), so none of them cuts a long poll short.
 *
 * `server.close()` closes the keep-alive connections idle at that moment, but a connection whose
 * request is in flight would stay open after its response until the keep-alive timeout (seconds).
 * So on close, responses not yet started get `Connection: close`, and each response finishing
 * afterwards closes the connections that became idle.
 *
 * HTTPS: `node:https`'s server in the same bridge. `fetcher` is the broker's client for its peers
 * over `node:http` and `node:https` (http-client.ts), not Node's `fetch`.
 */
import type { Server, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { nodeHttpClient } from "./http-client.ts";
import type { FetchFunction, FetchHandler, HostPort, HttpServer, HttpServing, ServeOptions, TlsClientOptions } from "../../src/core/platform.ts";

export const httpServing: HttpServing = {
  async serve(at: HostPort, handler: FetchHandler, options: ServeOptions = {}): Promise<HttpServer> {
    const tls = options.tls === undefined ? {} : { createServer: createHttpsServer, serverOptions: { cert: options.tls.cert, key: options.tls.key } };
    const server = createAdaptorServer({ fetch: (request) => handler(request), ...tls }) as Server;
    if (options.idleTimeoutMs !== undefined) server.timeout = options.idleTimeoutMs;
    const inFlight = new Set<ServerResponse>();
    let closing: Promise<void> | undefined;
    server.on("request", (_request, response: ServerResponse) => {
      inFlight.add(response);
      response.once("close", () => {
        inFlight.delete(response);
        if (closing !== undefined) setImmediate(() => server.closeIdleConnections());
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(at.port, at.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const bound = server.address() as AddressInfo;
    return {
      address: { host: bound.address, port: bound.port },
      close: () => {
        closing ??= new Promise<void>((resolve) => {
          for (const response of inFlight) if (!response.headersSent) response.setHeader("connection", "close");
          server.close(() => resolve());
        });
        return closing;
      },
    };
  },

  fetcher(tls?: TlsClientOptions): FetchFunction {
    return nodeHttpClient({ tls });
  },
};
