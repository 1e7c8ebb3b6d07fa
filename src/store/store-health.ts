/**
 * The store's write health: which of its logs cannot write right now (the disk is full, or another
 * I/O error), since when and why, for sends (refused with the same error), `/health` and `/readyz`.
 *
 * A log whose write fails keeps its unwritten bytes and asks `retryLater`: the write is tried again
 * after a backoff (`retryBaseMs` doubling to `retryMaxMs`), and the problem clears by itself when a
 * write succeeds. Each change (failing, recovered) is logged once, not on every retry.
 * Errors are SkiffErrors, retriable: STORE_DISK_FULL (ENOSPC, EDQUOT) or STORE_IO_FAILED.
 */
import { errorCode, SkiffError } from "../core/errors.ts";
import type { Clock, TimerHandle } from "../core/platform.ts";
import type { Logger } from "../core/log.ts";

export type StoreIoCode = "STORE_DISK_FULL" | "STORE_IO_FAILED";

export interface StoreIoProblem {
  readonly code: StoreIoCode;
  /** The directory of the failing log. */
  readonly where: string;
  readonly message: string;
  /** Wall-clock ms of the first failure. */
  readonly sinceMs: number;
}

export interface StoreHealthOptions {
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
}

const DISK_FULL_CODES = new Set(["ENOSPC", "EDQUOT"]);

/** The SkiffError for a failed write under `where`: names the cause and what to do. */
export function storeIoError(where: string, cause: unknown): SkiffError {
  if (cause instanceof SkiffError && (cause.code === "STORE_DISK_FULL" || cause.code === "STORE_IO_FAILED")) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  if (DISK_FULL_CODES.has(errorCode(cause) ?? "")) {
    return new SkiffError(
      "STORE_DISK_FULL",
      `the disk holding ${where} is full (${detail}): new messages are refused (a slave stops replicating) until space is freed there; writes are retried and everything resumes by itself`,
      { retriable: true, cause },
    );
  }
  return new SkiffError(
    "STORE_IO_FAILED",
    `writing ${where} failed (${detail}): new messages are refused (a slave stops replicating) until a write succeeds again (retried by itself); check the disk`,
    { retriable: true, cause },
  );
}

export function isStoreIoError(error: unknown): error is SkiffError {
  return error instanceof SkiffError && (error.code === "STORE_DISK_FULL" || error.code === "STORE_IO_FAILED");
}

export class StoreHealth {
  private readonly options: StoreHealthOptions;
  private readonly failing = new Map<string, StoreIoProblem>();
  private readonly timers = new Map<string, TimerHandle>();
  private readonly recoveredListeners = new Set<() => void>();
  private closed = false;

  constructor(options: StoreHealthOptions = {}) {
    this.options = options;
  }

  /** Current problems, oldest first; empty when every log writes. */
  get problems(): StoreIoProblem[] {
    return [...this.failing.values()];
  }

  get ok(): boolean {
    return this.failing.size === 0;
  }

  /** Records that a write under `where` failed; returns the error to hand to callers. */
  failed(where: string, cause: unknown): SkiffError {
    const error = storeIoError(where, cause);
    const known = this.failing.get(where);
    if (!known || known.code !== error.code) {
      this.failing.set(where, { code: error.code as StoreIoCode, where, message: error.message, sinceMs: known?.sinceMs ?? this.now() });
      this.options.log?.error(`${error.code}: ${error.message}`);
    }
    return error;
  }

  /** A write under `where` succeeded again. */
  recovered(where: string): void {
    const known = this.failing.get(where);
    if (!known) return;
    this.failing.delete(where);
    this.options.log?.info(`writes to ${where} succeed again after ${Math.round((this.now() - known.sinceMs) / 1000)} s (${known.code})`);
    for (const listener of this.recoveredListeners) listener();
  }

  /** Called whenever a failing log writes again (to resume work that stalled on it). */
  onRecovered(listener: () => void): () => void {
    this.recoveredListeners.add(listener);
    return () => this.recoveredListeners.delete(listener);
  }

  /** Runs `retry` once after the backoff for `attempt` (1, 2, …); one pending retry per key. */
  retryLater(key: string, attempt: number, retry: () => void): void {
    const clock = this.options.clock;
    if (!clock || this.closed || this.timers.has(key)) return;
    const base = this.options.retryBaseMs ?? 100;
    const delayMs = Math.min(base * 2 ** Math.min(attempt - 1, 20), this.options.retryMaxMs ?? 5000);
    this.timers.set(key, clock.setTimeout(() => {
      this.timers.delete(key);
      if (!this.closed) retry();
    }, delayMs));
  }

  /** Cancels pending retries (the store is closing). */
  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }

  private now(): number {
    return this.options.clock?.now() ?? 0;
  }
}
