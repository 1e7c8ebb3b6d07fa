/**
 * The one error the client throws. `code` is the broker's (or name server's) error code from its
 * `{"error":{"code","message"}}` body (TOPIC_NOT_EXIST, BAD_REQUEST, NOT_MASTER, …), or one of the
 * client's own:
 *
 * | code                 | status | retriable | when                                                  |
 * |----------------------|--------|-----------|-------------------------------------------------------|
 * | NETWORK_ERROR        | 0      | yes       | `fetch` failed: refused, reset, DNS, TLS              |
 * | TIMEOUT              | 0      | yes       | no whole answer within the request's time limit       |
 * | BAD_RESPONSE         | HTTP   | 5xx only  | an answer that is not what the API promises           |
 * | HTTP_<status>        | HTTP   | by status | an error answer without the JSON error body (a proxy) |
 * | MASTER_NOT_AVAILABLE | 0      | yes       | the route has no master (id 0) for a broker name      |
 * | NO_ROUTE             | 0      | yes       | the route has no broker that can serve the request    |
 * | NO_HTTP_ADDRESS      | 0      | no        | the only brokers for the request have no HTTP address |
 * | BROKER_NAME_REQUIRED | 0      | no        | a queue id that several broker names of a topic have  |
 * | BAD_REQUEST, …       | 0      | no        | the client refused the input before sending it        |
 *
 * `status` is the HTTP status, 0 when there was no answer. `retriable` says whether the same request
 * may succeed later or elsewhere: network failures, timeouts, 502/503/504 and the codes in
 * `RETRIABLE_CODES` are; every other 4xx and a plain 500 (a broker bug) are not.
 */

/** Codes that mean "busy or not there yet", whatever the HTTP status (RocketMQ's retry set). */
export const RETRIABLE_CODES: ReadonlySet<string> = new Set([
  "NETWORK_ERROR",
  "TIMEOUT",
  "SERVICE_NOT_AVAILABLE",
  "SYSTEM_BUSY",
  "STORE_CLOSED",
  "METADATA_PERSIST_FAILED",
  "MASTER_NOT_AVAILABLE",
  "NO_ROUTE",
]);

const RETRIABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

export interface SkiffClientErrorOptions {
  /** The HTTP status; 0 (the default) when there was no answer. */
  readonly status?: number;
  /** Overrides the rule in the header. */
  readonly retriable?: boolean;
  readonly cause?: unknown;
}

export class SkiffClientError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: SkiffClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SkiffClientError";
    this.code = code;
    this.status = options.status ?? 0;
    this.retriable = options.retriable ?? isRetriable(code, this.status);
  }
}

/** The rule of the header: 4xx never, 502/503/504 always, otherwise by code. */
export function isRetriable(code: string, status: number): boolean {
  if (status >= 400 && status < 500) return false;
  return RETRIABLE_STATUSES.has(status) || RETRIABLE_CODES.has(code);
}

/** Re-throws anything a local codec threw (a SkiffError with a code) as a SkiffClientError. */
export function asClientError(error: unknown): SkiffClientError {
  if (error instanceof SkiffClientError) return error;
  const code = typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "string"
    ? (error as { code: string }).code
    : "BAD_REQUEST";
  return new SkiffClientError(code, error instanceof Error ? error.message : String(error), { cause: error });
}
