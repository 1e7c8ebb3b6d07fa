/**
 * A log's write-failure state (segmented-log.ts): the error writes fail with while they fail
 * (from StoreHealth: STORE_DISK_FULL or STORE_IO_FAILED), how many tries failed in a row (the
 * retry backoff), and who waits for the first write that succeeds again (`holdWhileFailing`
 * appenders). StoreHealth hears of the failure and of the recovery.
 */
import type { SkiffError } from "../core/errors.ts";
import type { StoreHealth } from "./store-health.ts";

export class WriteFailure {
  private error: SkiffError | null = null;
  private attempts = 0;
  private waiters: Array<() => void> = [];
  private readonly health: StoreHealth;
  private readonly dir: string;

  constructor(health: StoreHealth, dir: string) {
    this.health = health;
    this.dir = dir;
  }

  /** The error writes fail with right now, or null. */
  get current(): SkiffError | null {
    return this.error;
  }

  /** Tries failed in a row (1 after the first failure). */
  get failedAttempts(): number {
    return this.attempts;
  }

  /** A write failed: answers the error (StoreHealth's) writes now fail with. */
  failed(cause: unknown): SkiffError {
    this.error = this.health.failed(this.dir, cause);
    this.attempts++;
    return this.error;
  }

  /** A write succeeded (or nothing is left unwritten): the failure, if any, is over. */
  succeeded(): void {
    if (this.error === null) return;
    this.error = null;
    this.attempts = 0;
    this.health.recovered(this.dir);
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** Resolves at the next `succeeded()` that ends a failure. */
  recovered(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}
