/**
 * Rate limiting of repeated log lines: the first line of a key is written at once, later ones of
 * that key at most once per `intervalMs` (or `burst` times), each saying how many of its kind were held back since
 * the previous one. So a failure that repeats every 100 ms (a name server down, a client sending
 * garbage) writes one line a minute, and a flood of one kind cannot hide another kind.
 *
 * Keys are few and fixed by the caller (`registration:<address>`, `remoting:unreadable`); the map
 * is bounded all the same (`maxKeys`, oldest forgotten first), since a key may carry a peer address.
 */
import { assert } from "./errors.ts";
import type { Clock } from "./platform.ts";
import type { LogFields, Logger, LogLevel } from "./log.ts";

interface KeyState {
  /** When the current interval of this key began (its first line written in it). */
  windowStartMs: number;
  /** Lines written in the current interval. */
  written: number;
  held: number;
}

export interface RepeatGateOptions {
  /** Lines of one key written per interval before the rest are held (default 1). */
  readonly burst?: number;
  /** Keys remembered at once (default 1024). */
  readonly maxKeys?: number;
}

export class RepeatGate {
  private readonly keys = new Map<string, KeyState>();
  private readonly clock: Pick<Clock, "monotonicMs">;
  private readonly intervalMs: number;
  private readonly maxKeys: number;
  private readonly burst: number;

  constructor(clock: Pick<Clock, "monotonicMs">, intervalMs: number, options: RepeatGateOptions = {}) {
    this.clock = clock;
    this.intervalMs = intervalMs;
    this.maxKeys = options.maxKeys ?? 1024;
    this.burst = options.burst ?? 1;
    assert(intervalMs > 0 && this.maxKeys > 0 && this.burst > 0, "a repeat gate needs a positive interval, burst and key count");
  }

  /** Null: hold this line back (it is counted). A number: write it now; that many were held since the last. */
  admit(key: string): number | null {
    const now = this.clock.monotonicMs();
    const state = this.keys.get(key);
    if (state !== undefined && now - state.windowStartMs < this.intervalMs) {
      if (state.written < this.burst) {
        state.written++;
        return 0;
      }
      state.held++;
      return null;
    }
    const held = state?.held ?? 0;
    this.keys.delete(key); // re-inserted last: the map's order is the order of use
    if (this.keys.size >= this.maxKeys) this.keys.delete(this.keys.keys().next().value!);
    this.keys.set(key, { windowStartMs: now, written: 1, held: 0 });
    return held;
  }

  /** The condition is over (a peer answers again): the next line of `key` is written at once. */
  clear(key: string): void {
    this.keys.delete(key);
  }

  /** Writes `message` through `log` at `level` unless held back; the held count goes in the line and the fields. */
  log(log: Logger, level: LogLevel, key: string, message: string, fields: LogFields = {}): void {
    const held = this.admit(key);
    if (held === null) return;
    if (held === 0) log[level](message, fields);
    else log[level](`${message} (and ${held} more like it since the last such line)`, { ...fields, repeated: held });
  }
}
