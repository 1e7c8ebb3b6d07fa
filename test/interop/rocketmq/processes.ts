/**
 * Child processes of the interop tests: every one tracked and stopped by PID (SIGTERM, then SIGKILL
 * after a bound), also when the test process exits; output kept for error messages; every wait
 * bounded. Also free ports, bounded polling, and a cleanup stack.
 */
import { randomPortBelowEphemeral } from "../../support/ports.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { REPO_ROOT, STOP_TIMEOUT_MS } from "./env.ts";

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A child process started by this harness; its output is kept (bounded) for error messages. */
export class TrackedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<ProcessResult>;
  private out = "";
  private err = "";
  private lineWaiters: Array<{ pattern: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];

  constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.child = child;
    if (child.pid === undefined) throw new Error(`${name}: the process did not start`);
    this.pid = child.pid;
    child.stdout?.setEncoding("utf8");
    child.stderr?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => this.onOutput(chunk, "out"));
    child.stderr?.on("data", (chunk: string) => this.onOutput(chunk, "err"));
    this.exited = new Promise((resolve) => {
      child.on("close", (code, signal) => {
        live.delete(this);
        resolve({ code, signal, stdout: this.out, stderr: this.err });
      });
    });
    live.add(this);
  }

  get stdout(): string {
    return this.out;
  }
  get stderr(): string {
    return this.err;
  }
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first output line matching `pattern`; rejects on exit or after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const already = (this.out + this.err).match(pattern);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const waiter = { pattern, resolve: (m: RegExpMatchArray) => done(() => resolve(m)) };
      const timer = setTimeout(() => done(() => reject(new Error(`${this.name} (pid ${this.pid}): no line matching ${pattern} within ${timeoutMs} ms\n${this.tail()}`))), timeoutMs);
      const onExit = (r: ProcessResult) => done(() => reject(new Error(`${this.name} (pid ${this.pid}) exited (code ${r.code}, signal ${r.signal}) before printing ${pattern}\n${this.tail()}`)));
      let settled = false;
      const done = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.lineWaiters = this.lineWaiters.filter((w) => w !== waiter);
        fn();
      };
      this.lineWaiters.push(waiter);
      void this.exited.then(onExit);
    });
  }

  /** SIGTERM, then SIGKILL if still running after `timeoutMs`. */
  async stop(timeoutMs = STOP_TIMEOUT_MS): Promise<ProcessResult> {
    if (this.running) this.child.kill("SIGTERM");
    const result = await withTimeout(this.exited, timeoutMs);
    if (result) return result;
    return this.kill();
  }

  /** SIGKILL, and wait (bounded) for the exit. */
  async kill(): Promise<ProcessResult> {
    if (this.running) this.child.kill("SIGKILL");
    const result = await withTimeout(this.exited, 10_000);
    if (!result) throw new Error(`${this.name} (pid ${this.pid}) did not exit 10 s after SIGKILL`);
    return result;
  }

  /** The last lines of output (each cut at 1000 characters), for error messages. */
  tail(lines = 30): string {
    const all = (this.out.slice(-200_000) + (this.err ? `\n[stderr]\n${this.err.slice(-200_000)}` : "")).split("\n");
    return all.slice(-lines).map((l) => (l.length > 1000 ? `${l.slice(0, 1000)}…` : l)).join("\n");
  }

  private onOutput(chunk: string, stream: "out" | "err"): void {
    const cap = 256 << 20; // a consumer prints every message it read
    if (stream === "out") this.out = (this.out + chunk).slice(-cap);
    else this.err = (this.err + chunk).slice(-cap);
    if (this.lineWaiters.length === 0) return;
    const text = this.out + this.err;
    for (const waiter of [...this.lineWaiters]) {
      const m = text.match(waiter.pattern);
      if (m) waiter.resolve(m);
    }
  }
}

const live = new Set<TrackedProcess>();
process.on("exit", () => {
  for (const p of live) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

export function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs);
    void promise.then((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

/** Starts `command`; its stdin is closed unless `stdin: "pipe"` (then `child.stdin` takes input). */
export function startProcess(name: string, command: string, args: readonly string[], options: { cwd?: string; env?: Record<string, string | undefined>; stdin?: "pipe" } = {}): TrackedProcess {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...options.env })) if (v !== undefined) env[k] = v;
  const child = spawn(command, args, { cwd: options.cwd ?? REPO_ROOT, env, stdio: [options.stdin ?? "ignore", "pipe", "pipe"] });
  const tracked = new Promise<void>((resolve, reject) => {
    child.once("spawn", () => resolve());
    child.once("error", (error) => reject(error));
  });
  void tracked.catch(() => undefined);
  return new TrackedProcess(name, child);
}

/** Runs a command to completion (bounded); throws with its output if it fails. */
export async function runToEnd(name: string, command: string, args: readonly string[], timeoutMs: number, env?: Record<string, string | undefined>): Promise<ProcessResult> {
  let proc: TrackedProcess;
  try {
    proc = startProcess(name, command, args, { env });
  } catch (error) {
    throw new Error(`${name}: cannot start ${command}: ${(error as Error).message}`);
  }
  const result = await withTimeout(proc.exited, timeoutMs);
  if (!result) {
    await proc.kill();
    throw new Error(`${name}: still running after ${timeoutMs} ms, killed\n${proc.tail()}`);
  }
  return result;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "0.0.0.0", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `count` consecutive free TCP ports (Java brokers bind the wildcard address); returns the first. */
export async function freePortBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = randomPortBelowEphemeral(count);
    let free = true;
    for (let p = base; p < base + count && free; p++) free = await canListen(p);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

/** Polls `check` every `intervalMs` until it returns a truthy value or `timeoutMs` passes (then throws `what`). */
export async function waitUntil<T>(what: string, timeoutMs: number, check: () => Promise<T | null | undefined | false>, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ""}`);
}

/**
 * What a test started, stopped in reverse order by `run()` (each stop bounded; errors collected),
 * so a failing test still leaves no process behind.
 */
export class Cleanup {
  private readonly steps: Array<() => Promise<unknown>> = [];

  add<T extends { stop(): Promise<unknown> }>(thing: T): T {
    this.steps.push(() => thing.stop());
    return thing;
  }

  defer(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new Error(`cleanup failed: ${errors.map((e) => (e as Error).message).join("; ")}`);
  }
}
