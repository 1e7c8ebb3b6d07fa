/**
 * The broker's HTTP client on Node (`HttpServing.fetcher`): `node:http` and `node:https` with
 * keep-alive agents, in `fetch`'s shape, for what the broker asks of its peers (a slave's metadata
 * sync, name-server registration over HTTP, role switches).
 *
 * Why not Node's global `fetch`: its first call instantiates undici's HTTP parser (llhttp compiled
 * to WebAssembly) and connection pool. Measured on Node 24, one idle process, RSS: 62 MB → 81 MB
 * after eight `fetch` calls to a loopback server, 62 → 64 MB after eight `http.get` calls; a Skiff
 * slave grew from 78 to 95 MiB at its first metadata sync. `node:http`'s parser is the one the
 * broker's own HTTP server already has loaded. (Without a CA, undici's `Agent` was also the only
 * way to give Node's `fetch` a trusted certificate: `https.Agent` takes `ca` itself.)
 *
 * The subset of `fetch` it serves, all a peer call needs:
 * - `method`, `headers` (anything `Headers` takes; the caller names its body's content type),
 *   `body` as a string (UTF-8) or bytes, `signal`;
 * - the answer as a `Response` holding the whole body, read up to `maxResponseBytes` (64 MiB by
 *   default: a peer that sends more gets the request failed and its connection closed);
 * - failures as `fetch` reports them: a `TypeError` "fetch failed" with the socket's error as its
 *   `cause` (and its `code`), or the signal's reason (`AbortSignal.timeout` → a `TimeoutError`);
 * - no redirects followed (a peer that answers 3xx gets its answer back as it is), no
 *   content decoding (it asks for none), no streamed request bodies.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { FetchFunction, TlsClientOptions } from "../../src/core/platform.ts";

/** The largest answer body read into memory, by default. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Connections kept per peer (host:port); further requests to it wait for one. */
const MAX_SOCKETS_PER_PEER = 8;
/** Idle keep-alive connections kept per peer (Node closes them before the server's keep-alive timeout). */
const MAX_FREE_SOCKETS_PER_PEER = 2;

/** No answer (or no byte of it) for this long fails the request, as undici's headers and body timeouts do. */
const SOCKET_IDLE_LIMIT_MS = 300_000;

/** Statuses whose `Response` has no body (the Fetch standard's null body statuses). */
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

export interface NodeHttpClientOptions {
  readonly tls?: TlsClientOptions;
  readonly maxResponseBytes?: number;
}

export function nodeHttpClient(options: NodeHttpClientOptions = {}): FetchFunction {
  const maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const pool = { keepAlive: true, maxSockets: MAX_SOCKETS_PER_PEER, maxFreeSockets: MAX_FREE_SOCKETS_PER_PEER };
  const plain = new http.Agent(pool);
  const secure = new https.Agent({ ...pool, ca: options.tls?.ca });
  return (input, init = {}) => {
    const url = new URL(input);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return Promise.reject(new TypeError(`fetch failed: ${url.protocol} URLs are not served (only http: and https:)`));
    }
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const headers = new Headers(init.headers);
    const body = requestBody(init.body);
    if (body !== undefined) headers.set("content-length", String(body.byteLength));
    const requestOptions = { method: (init.method ?? "GET").toUpperCase(), headers: Object.fromEntries(headers) };
    const request = url.protocol === "https:"
      ? https.request(url.href, { ...requestOptions, agent: secure })
      : http.request(url.href, { ...requestOptions, agent: plain });
    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        outcome();
      };
      const failed = (error: Error) => settle(() => reject(Object.assign(new TypeError("fetch failed", { cause: error }), { code: (error as NodeJS.ErrnoException).code })));
      const onAbort = () => {
        request.destroy();
        settle(() => reject(signal!.reason));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      request.on("error", failed);
      request.setTimeout(SOCKET_IDLE_LIMIT_MS, () => {
        request.destroy();
        failed(new Error(`no answer for ${SOCKET_IDLE_LIMIT_MS / 1000} s`));
      });
      request.once("response", (response) => {
        const status = response.statusCode ?? 0;
        if (status < 200 || status > 599) {
          request.destroy();
          failed(new Error(`the peer answered HTTP status ${status}`));
          return;
        }
        const chunks: Buffer[] = [];
        let length = 0;
        response.on("data", (chunk: Buffer) => {
          length += chunk.byteLength;
          if (length > maxResponseBytes) {
            request.destroy();
            failed(new Error(`the answer's body exceeds ${maxResponseBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on("error", failed);
        response.once("end", () => settle(() => resolve(new Response(NULL_BODY_STATUS.has(status) ? null : Buffer.concat(chunks, length), {
          status,
          statusText: response.statusMessage,
          headers: responseHeaders(response.rawHeaders),
        }))));
      });
      request.end(body);
    });
  };
}

function requestBody(body: RequestInit["body"]): Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError("fetch failed: the peer client sends string or byte bodies only");
}

/** `rawHeaders` is [name, value, name, value, …], repeated names (set-cookie) included. */
function responseHeaders(raw: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  return headers;
}
