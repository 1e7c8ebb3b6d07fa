/**
 * One error class for the whole broker: a stable string `code` (RocketMQ's names where one exists),
 * a `retriable` flag for clients, and the underlying `cause`.
 *
 * Programmer errors are assertions (`assert`), not SkiffErrors: they mean a bug, not bad input.
 */

export class SkiffError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SkiffError";
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

export function assertSafeOffset(value: number, what: string): void {
  assert(Number.isSafeInteger(value) && value >= 0, `${what} must be a non-negative safe integer, got ${value}`);
}

/** The OS error code of an adapter error (`ENOENT`, `ECONNRESET`, …), if any. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}
