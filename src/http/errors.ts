/**
 * The error side of every Skiff HTTP app (the broker's and the name server's): one body shape,
 * `{"error":{"code":"…","message":"…"}}` (DESIGN §1.3, ErrorBody in contract/error-body.ts), and
 * the helpers that produce it.
 *
 * A SkiffError is the caller's problem, so a 4xx: first by code (TOPIC_NOT_EXIST → 404,
 * NOT_MASTER → 409, …), then by the code's ending (`…_NOT_FOUND`/`…_NOT_EXIST` → 404;
 * `…_CONFLICT`/`…_IN_USE`/`…_LIMIT_EXCEEDED` → 409; `…_TOO_LARGE` → 413), else 400 — except a
 * retriable one, which is 503 (try again later or elsewhere). An OS error that escaped as is with
 * ENOSPC/EDQUOT (a full disk) is a 503 STORE_DISK_FULL naming the cause. Anything else is a bug: 500
 * with a generic message; the details go to the log only. `checked` turns a zod failure into a 400.
 * An unknown path is a 404 in the same shape (`notFound`).
 *
 * A client that closed its connection before its request was read is neither: nobody is left to
 * answer, and nothing is wrong with the server. Reading the body then fails on every runtime
 * (Bun: AbortError "The connection was closed.", Node: ECONNRESET "aborted", Deno: BadResource
 * "Cannot read body as underlying resource unavailable"); `readOrClientClosed` turns that into
 * CLIENT_CLOSED_REQUEST, which is logged as one low-level "client closed" line, not as an
 * internal error (Bun and Node also abort `request.signal`, which catches other reads).
 */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ErrorBody } from "../contract/error-body.ts";
import { errorCode, SkiffError } from "../core/errors.ts";

export type HttpStatus = HTTPException["status"];

export function errorResponse(c: Context, status: HttpStatus, code: string, message: string): Response {
  const body: ErrorBody = { error: { code, message } };
  return c.json(body, status);
}

const STATUS_BY_CODE: Readonly<Record<string, HttpStatus>> = {
  TOPIC_NOT_EXIST: 404,
  SUBSCRIPTION_GROUP_NOT_EXIST: 404,
  NO_PERMISSION: 403,
  NOT_MASTER: 409,
  NOT_SLAVE: 409,
  HA_NO_COMMON_PREFIX: 409,
  SLAVE_CANNOT_SEND: 409,
  ROLE_SWITCH_REFUSED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  STORE_IO_FAILED: 503,
  STORE_DISK_FULL: 503,
};

const STATUS_BY_SUFFIX: readonly (readonly [string, HttpStatus])[] = [
  ["_NOT_FOUND", 404],
  ["_NOT_EXIST", 404],
  ["_CONFLICT", 409],
  ["_IN_USE", 409],
  ["_LIMIT_EXCEEDED", 409],
  ["_TOO_LARGE", 413],
];

export function statusOf(error: SkiffError): HttpStatus {
  const known = STATUS_BY_CODE[error.code];
  if (known !== undefined) return known;
  for (const [suffix, status] of STATUS_BY_SUFFIX) if (error.code.endsWith(suffix)) return status;
  return error.retriable ? 503 : 400;
}

export const CLIENT_CLOSED_REQUEST = "CLIENT_CLOSED_REQUEST";

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
export function errorHandler(log: (line: string) => void = () => {}): ErrorHandler {
  return (error, c) => {
    if (isClientClosed(error, c.req.raw)) {
      const cause = error instanceof SkiffError ? error.cause : error;
      log(`client closed the connection during ${c.req.method} ${c.req.path}; nothing to answer (${describe(cause)})`);
      return errorResponse(c, 400, CLIENT_CLOSED_REQUEST, "the client closed the connection");
    }
    if (error instanceof SkiffError) return errorResponse(c, statusOf(error), error.code, error.message);
    if (error instanceof HTTPException) return errorResponse(c, error.status, `HTTP_${error.status}`, error.message || "request failed");
    const os = errorCode(error);
    if (os === "ENOSPC" || os === "EDQUOT") {
      log(`disk full on ${c.req.method} ${c.req.path}: ${(error as Error).message}`);
      return errorResponse(c, 503, "STORE_DISK_FULL", `the disk is full (${os}); free space on the broker's disk and retry`);
    }
    log(`internal error on ${c.req.method} ${c.req.path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return errorResponse(c, 500, "INTERNAL_ERROR", "internal error");
  };
}

/** `errorHandler` without a log. */
export const onError: ErrorHandler = errorHandler();

export const notFound: NotFoundHandler = (c) => errorResponse(c, 404, "NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`);

/** Moved to src/core/checked.ts (the broker checks its input too); re-exported for the HTTP apps. */
export { checked, describeIssues } from "../core/checked.ts";
