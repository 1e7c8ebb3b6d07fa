/**
 * The error side of every Skiff HTTP app (the broker's and the name server's): one body shape,
 * `{"error":{"code":"…","message":"…"}}` (DESIGN §1.3, ErrorBody in contract/error-body.ts), and
 * the helpers that produce it.
 *
 * A SkiffError's status comes from one total table, `HTTP_STATUS_BY_CODE` (every code of
 * core/error-codes.ts has one, or `tsc` fails): mostly a 4xx (the caller's problem: 400 bad input,
 * 403, 404 unknown, 409 wrong role or taken, 413 too large, 415), 503 for what is retriable (try
 * again later or elsewhere). A peer's numbered code (`REMOTING_<n>`, `HTTP_<n>`) is 503 when
 * retriable, else 400. An OS error that escaped as is with
 * ENOSPC/EDQUOT (a full disk) is a 503 STORE_DISK_FULL naming the cause. Anything else is a bug: 500
 * with a generic message; the details go to the log only. `checked` turns a zod failure into a 400.
 * An unknown path is a 404 in the same shape, a known path asked with another method a 405 with
 * `Allow` (`notFoundOrWrongMethod`).
 *
 * A client that closed its connection before its request was read is neither: nobody is left to
 * answer, and nothing is wrong with the server. Reading the body then fails on every runtime
 * (Bun: AbortError "The connection was closed.", Node: ECONNRESET "aborted", Deno: BadResource
 * "Cannot read body as underlying resource unavailable"); `readOrClientClosed` turns that into
 * CLIENT_CLOSED_REQUEST, which is logged as one low-level "client closed" line, not as an
 * internal error (Bun and Node also abort `request.signal`, which catches other reads).
 */
import type { Context, ErrorHandler, Hono, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ErrorBody } from "../contract/error-body.ts";
import { ErrorCode, isErrorCode, type PeerErrorCode } from "../core/error-codes.ts";
import { errorCode, SkiffError } from "../core/errors.ts";
import { silentLogger, type Logger } from "../core/log.ts";

export type HttpStatus = HTTPException["status"];

export function errorResponse(c: Context, status: HttpStatus, code: ErrorCode | PeerErrorCode, message: string): Response {
  const body: ErrorBody = { error: { code, message } };
  return c.json(body, status);
}

/**
 * The HTTP status of every error code. Codes that never reach an HTTP answer (start-up, files,
 * peers) keep the status a request would see if one escaped: 400, or 503 when retriable.
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, HttpStatus>> = {
  // Requests
  BAD_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  CLIENT_CLOSED_REQUEST: 400,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  INTERNAL_ERROR: 500,
  // Messages
  MESSAGE_ILLEGAL: 400,
  TOPIC_ILLEGAL: 400,
  TOPIC_TOO_LONG: 400,
  QUEUE_ID_ILLEGAL: 400,
  PROPERTIES_ILLEGAL: 400,
  PROPERTIES_SIZE_EXCEEDED: 413,
  BODY_SIZE_EXCEEDED: 413,
  MESSAGE_SIZE_EXCEEDED: 413,
  BATCH_ILLEGAL: 400,
  BATCH_TOO_LARGE: 413,
  MESSAGE_ID_ILLEGAL: 400,
  // Bytes and addresses
  INT64_UNSAFE: 400,
  HEX_ILLEGAL: 400,
  HOST_ADDRESS_ILLEGAL: 400,
  ADDRESS_ILLEGAL: 400,
  // Broker
  TOPIC_NOT_EXIST: 404,
  SUBSCRIPTION_GROUP_NOT_EXIST: 404,
  NO_PERMISSION: 403,
  UNAUTHENTICATED: 401,
  NOT_MASTER: 409,
  NOT_SLAVE: 409,
  SLAVE_CANNOT_SEND: 409,
  TRANSACTION_NOT_SUPPORTED: 501,
  SHUTDOWN_INCOMPLETE: 400,
  CLIENT_LIMIT_EXCEEDED: 409,
  CONSUMER_GROUP_ONLINE: 409,
  FILTER_NOT_SUPPORTED: 400,
  MESSAGE_NOT_FOUND: 404,
  // Configuration and metadata
  CONFIG_INVALID: 400,
  METADATA_CORRUPT: 400,
  METADATA_INVALID: 400,
  METADATA_JSON_SYNTAX: 400,
  METADATA_PERSIST_FAILED: 503,
  // Store
  STORE_CLOSED: 503,
  STORE_DISK_FULL: 503,
  STORE_IO_FAILED: 503,
  STORE_LOCKED: 400,
  PORT_IN_USE: 409,
  STORE_SHORT_READ: 400,
  STORE_SEGMENT_INVALID: 400,
  STORE_SHUTDOWN_INCOMPLETE: 400,
  CHECKPOINT_ILLEGAL: 400,
  CONSUME_QUEUE_ENTRY_ILLEGAL: 400,
  QUEUE_PATH_ILLEGAL: 400,
  // Replication
  HA_CONNECT_TIMEOUT: 503,
  HA_AUTH_FAILED: 503,
  HA_FRAME_ILLEGAL: 400,
  HA_FRAME_TOO_LARGE: 413,
  HA_REPORT_ILLEGAL: 400,
  HA_OFFSET_MISMATCH: 400,
  HA_OFFSET_ILLEGAL: 400,
  HA_RECORD_INVALID: 400,
  HA_WRITE_STALLED: 400,
  HA_NO_COMMON_PREFIX: 409,
  HA_MASTER_UNREACHABLE: 503,
  HA_RANGE_NOT_HELD: 416,
  // Name server
  BROKER_NAME_CONFLICT: 409,
  BROKER_ADDRESS_IN_USE: 409,
  BROKER_ID_TAKEN: 409,
  BROKER_LIMIT_EXCEEDED: 409,
  TOPIC_LIMIT_EXCEEDED: 409,
  NAMESRV_UNAVAILABLE: 503,
  NAMESRV_TIMEOUT: 503,
  NAMESRV_UNREACHABLE: 503,
  NAMESRV_BAD_ANSWER: 400,
  // Remoting client
  REMOTING_BUSY: 503,
  REMOTING_CLOSED: 400,
  REMOTING_TIMEOUT: 503,
  REMOTING_UNREACHABLE: 503,
  REMOTING_FRAME_ILLEGAL: 400,
  REMOTING_FRAME_TOO_LARGE: 413,
  REMOTING_HEADER_INVALID: 400,
  REMOTING_BODY_INVALID: 400,
  REMOTING_WRITE_STALLED: 503,
};

export function statusOf(error: SkiffError): HttpStatus {
  if (isErrorCode(error.code)) return HTTP_STATUS_BY_CODE[error.code];
  return error.retriable ? 503 : 400; // a peer's numbered code
}

export const CLIENT_CLOSED_REQUEST = ErrorCode.CLIENT_CLOSED_REQUEST;

/** Awaits a read of the request body; its failure means the client closed the connection. */
export async function readOrClientClosed<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof SkiffError) throw error;
    throw new SkiffError(CLIENT_CLOSED_REQUEST, `the client closed the connection before its request body was read (${describe(error)})`, { cause: error });
  }
}

function isClientClosed(error: unknown, request: Request): boolean {
  if (error instanceof SkiffError) return error.code === CLIENT_CLOSED_REQUEST;
  const abortLike = error instanceof Error && (error.name === "AbortError" || errorCode(error) === "ECONNRESET");
  return abortLike && request.signal.aborted;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * An `app.onError` handler; `log` receives the details of unexpected errors (the client sees none)
 * and one line per request whose client went away.
 */
export function errorHandler(log: Logger = silentLogger): ErrorHandler {
  return (error, c) => {
    if (isClientClosed(error, c.req.raw)) {
      const cause = error instanceof SkiffError ? error.cause : error;
      log.info(`client closed the connection during ${c.req.method} ${c.req.path}; nothing to answer (${describe(cause)})`, { method: c.req.method, path: c.req.path });
      return errorResponse(c, 400, CLIENT_CLOSED_REQUEST, "the client closed the connection");
    }
    if (error instanceof SkiffError) return errorResponse(c, statusOf(error), error.code, error.message);
    if (error instanceof HTTPException) return errorResponse(c, error.status, `HTTP_${error.status}`, error.message || "request failed");
    const os = errorCode(error);
    if (os === "ENOSPC" || os === "EDQUOT") {
      log.error(`disk full on ${c.req.method} ${c.req.path}: ${(error as Error).message}`, { method: c.req.method, path: c.req.path, code: os });
      return errorResponse(c, 503, "STORE_DISK_FULL", `the disk is full (${os}); free space on the broker's disk and retry`);
    }
    log.error(`internal error on ${c.req.method} ${c.req.path}: ${error instanceof Error ? error.message : String(error)}`, { method: c.req.method, path: c.req.path, stack: error instanceof Error ? error.stack : undefined });
    return errorResponse(c, 500, "INTERNAL_ERROR", "internal error");
  };
}

/** `errorHandler` without a log. */
export const onError: ErrorHandler = errorHandler();

export const notFound: NotFoundHandler = (c) => errorResponse(c, 404, "NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`);

const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"] as const;

/** `app`'s not-found handler: 405 with `Allow` when the path has routes for other methods, else 404. */
export function notFoundOrWrongMethod(app: Hono): NotFoundHandler {
  return (c) => {
    const asked = c.req.method === "HEAD" ? "GET" : c.req.method;
    const allowed = METHODS.filter((method) => method !== asked && app.router.match(method, c.req.path)[0].length > 0);
    if (allowed.length === 0) return notFound(c);
    c.header("Allow", allowed.join(", "));
    return errorResponse(c, 405, "METHOD_NOT_ALLOWED", `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(" or ")}`);
  };
}

/** Moved to src/core/checked.ts (the broker checks its input too); re-exported for the HTTP apps. */
export { checked, describeIssues } from "../core/checked.ts";
