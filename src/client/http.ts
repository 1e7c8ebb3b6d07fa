/**
 * The client's only way out: one request over an injected `fetch` (the global one by default; in
 * tests, Hono's `app.request`), to `http://host:port` (an address that already names a scheme is
 * used as it is). Each request is bounded by `AbortSignal.timeout`: `timeoutMs` (10 s by default),
 * or what the caller asks for (a long-poll pull asks for waitMs + timeoutMs). A caller's own
 * `signal` aborts the request with the signal's reason, untouched.
 *
 * Every failure becomes a SkiffClientError (errors.ts): NETWORK_ERROR or TIMEOUT without an answer,
 * the code and message of the `{"error":{"code","message"}}` body for an error answer, HTTP_<status>
 * for an error answer without one, BAD_RESPONSE for a success whose body is not what was promised.
 */
import type { ErrorBody } from "../contract/error-body.ts";
import { basicAuthorization, type AccountCredentials } from "../codec/basic-credentials.ts";
import { SkiffClientError } from "./errors.ts";

/** What the client needs of `fetch`: the global one and Hono's `app.request` both fit. */
export type FetchLike = (url: string, init: RequestInit) => Response | Promise<Response>;

export const DEFAULT_TIMEOUT_MS = 10_000;
const ERROR_TEXT_MAX = 200;

export interface HttpOptions {
  readonly fetch?: FetchLike;
  /** Time limit of one request, answer and body, in milliseconds. */
  readonly timeoutMs?: number;
  /**
   * An ACL account of a broker with aclEnable=true, sent with every request as HTTP Basic
   * credentials (its secret travels with each request: use `https://` addresses off a trusted network).
   */
  readonly credentials?: AccountCredentials;
}

export interface RequestOptions {
  readonly method?: string;
  /** Sent as JSON (`content-type: application/json`). */
  readonly json?: unknown;
  /** Sent as it is; set `contentType` with it. */
  readonly body?: Uint8Array;
  readonly contentType?: string;
  readonly accept?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export class HttpClient {
  readonly timeoutMs: number;
  private readonly fetchFn: FetchLike;
  private readonly authorization: string | undefined;

  constructor(options: HttpOptions = {}) {
    this.fetchFn = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.authorization = options.credentials === undefined ? undefined : basicAuthorization(options.credentials);
  }

  /** A 2xx answer with its body unread; anything else throws. */
  async request(address: string, path: string, options: RequestOptions = {}): Promise<ExchangeResult> {
    options.signal?.throwIfAborted();
    const method = options.method ?? "GET";
    const url = baseUrl(address) + path;
    const what = `${method} ${url}`;
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const headers: Record<string, string> = {};
    if (this.authorization !== undefined) headers.authorization = this.authorization;
    if (options.accept) headers.accept = options.accept;
    let body: BodyInit | undefined;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    } else if (options.body !== undefined) {
      headers["content-type"] = options.contentType ?? "application/octet-stream";
      body = options.body as Uint8Array<ArrayBuffer>;
    }
    const fail = (error: unknown): never => {
      if (options.signal?.aborted) throw options.signal.reason;
      if (timeout.aborted) throw new SkiffClientError("TIMEOUT", `${what}: no answer within ${options.timeoutMs ?? this.timeoutMs} ms`, { cause: error });
      if (error instanceof SkiffClientError) throw error;
      throw new SkiffClientError("NETWORK_ERROR", `${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    };
    let response: Response;
    try {
      response = await this.fetchFn(url, { method, headers, body, signal });
    } catch (error) {
      return fail(error);
    }
    if (!response.ok) {
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        return fail(error);
      }
      throw errorFromAnswer(what, response.status, text);
    }
    const read = async <T>(reader: () => Promise<T>): Promise<T> => {
      try {
        return await reader();
      } catch (error) {
        return fail(error);
      }
    };
    return {
      response,
      bytes: () => read(async () => new Uint8Array(await response.arrayBuffer())),
      json: () =>
        read(async () => {
          const text = await response.text();
          try {
            return JSON.parse(text) as unknown;
          } catch {
            throw new SkiffClientError("BAD_RESPONSE", `${what}: the answer is not JSON: ${clip(text)}`, { status: response.status });
          }
        }),
      what,
    };
  }

  /** `request` and its JSON body. */
  async json(address: string, path: string, options: RequestOptions = {}): Promise<unknown> {
    return (await this.request(address, path, options)).json();
  }
}

export interface ExchangeResult {
  readonly response: Response;
  /** `METHOD url`, for messages. */
  readonly what: string;
  bytes(): Promise<Uint8Array>;
  json(): Promise<unknown>;
}

/** `http://host:port`, or the address itself when it names a scheme; no trailing slash. */
export function baseUrl(address: string): string {
  const base = address.includes("://") ? address : `http://${address}`;
  return base.endsWith("/") ? base.slice(0, -1) : base;
}

/** The error of a non-2xx answer: the body's code and message when it has the Skiff shape. */
export function errorFromAnswer(what: string, status: number, text: string): SkiffClientError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const error = (parsed as Unchecked<ErrorBody> | undefined)?.error;
  if (error && typeof error.code === "string") {
    const message = typeof error.message === "string" ? error.message : "";
    return new SkiffClientError(error.code, `${error.code}: ${message} (${what} answered ${status})`, { status });
  }
  return new SkiffClientError(`HTTP_${status}`, `${what} answered ${status}: ${clip(text)}`, { status });
}

/** A parsed answer not checked yet: the contract's field names, each of them maybe absent and of any type. */
export type Unchecked<T> = { readonly [K in keyof T]?: T[K] extends object ? Unchecked<T[K]> : unknown };

/** A BAD_RESPONSE for a 2xx answer whose body lacks what the API promises. */
export function badResponse(what: string, status: number, problem: string): SkiffClientError {
  return new SkiffClientError("BAD_RESPONSE", `${what}: ${problem}`, { status, retriable: status >= 500 });
}

function clip(text: string): string {
  return text.length > ERROR_TEXT_MAX ? `${text.slice(0, ERROR_TEXT_MAX)}…` : text;
}
