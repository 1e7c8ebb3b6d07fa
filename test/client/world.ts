/**
 * In-process "networks" for client tests: a `fetch` that hands each request to the Hono app
 * registered under the URL's `host:port` (a real broker or name server app, through
 * `app.request()`), refuses unknown addresses as a real connection would, and records every call.
 */
import type { FetchLike } from "../../src/client/http.ts";

export interface AppLike {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

export interface Call {
  readonly method: string;
  readonly address: string;
  readonly path: string;
  readonly contentType: string | null;
  readonly accept: string | null;
}

export function network(apps: Record<string, AppLike>) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    const parsed = new URL(url);
    const headers = new Headers(init.headers);
    calls.push({
      method: init.method ?? "GET",
      address: parsed.host,
      path: parsed.pathname + parsed.search,
      contentType: headers.get("content-type"),
      accept: headers.get("accept"),
    });
    const app = apps[parsed.host];
    if (!app) throw new TypeError(`connect ECONNREFUSED ${parsed.host}`);
    return app.request(url, init);
  };
  /** Calls whose path starts with `prefix`, as `METHOD address` strings. */
  const callsTo = (prefix: string) => calls.filter((c) => c.path.startsWith(prefix)).map((c) => `${c.method} ${c.address}`);
  return { fetch, calls, callsTo, apps };
}

export const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
