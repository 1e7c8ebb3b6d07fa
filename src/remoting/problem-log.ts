/**
 * The remoting server's log of client problems (bad frames, caps, clients that do not read or go
 * silent), rate-limited per kind: the first problem of a kind is logged at once, later ones of
 * that kind at most once per `intervalMs`, each line saying how many of its kind were not logged
 * since the previous one. So a flood of one kind cannot hide another kind, and neither fills the
 * log. Client problems are expected in operation: one line each, never a stack trace.
 */
import type { Clock } from "../core/platform.ts";

/** What went wrong with a client; the set is fixed, so the state kept per kind is bounded. */
export type ProblemKind =
  | "unreadable" // a frame that could not be read, or a failed read: the connection is closed
  | "refused" // beyond maxConnections
  | "not-reading" // answers queued beyond maxQueuedAnswerBytes, or a write stalled or failed
  | "idle"; // silent for idleTimeoutMs

interface KindState {
  lastLogMs: number;
  notLogged: number;
}

export class ProblemLog {
  private readonly kinds = new Map<ProblemKind, KindState>();
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly log: (line: string) => void;

  constructor(clock: Clock, intervalMs: number, log: (line: string) => void) {
    this.clock = clock;
    this.intervalMs = intervalMs;
    this.log = log;
  }

  /** Logs `line` unless a line of this kind was logged less than `intervalMs` ago. */
  report(kind: ProblemKind, line: string): void {
    const now = this.clock.monotonicMs();
    const state = this.kinds.get(kind);
    if (state !== undefined && now - state.lastLogMs < this.intervalMs) {
      state.notLogged++;
      return;
    }
    const notLogged = state?.notLogged ?? 0;
    this.log(notLogged > 0 ? `${line} (and ${notLogged} more like it since the last such line)` : line);
    this.kinds.set(kind, { lastLogMs: now, notLogged: 0 });
  }
}
