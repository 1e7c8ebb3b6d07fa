/**
 * Skiff brokers and name servers as real processes (one per process), on any of the three
 * runtimes, for end-to-end tests: started with `skiff broker|namesrv` flags, ready once they print
 * their boot line, stopped with SIGTERM or killed with SIGKILL, by PID. Every wait is bounded.
 *
 * A process's stdout is not a terminal, so it logs JSON lines: `output` holds each record's
 * message (the sentence tests match on; other lines as written), `records` the parsed records.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import type { RuntimeName } from "./platform.ts";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseJsonLogLine, type JsonLogLine } from "./log.ts";
import { ensureBundle } from "../../scripts/build.ts";

export const repo = decodeURIComponent(new URL("../..", import.meta.url).pathname);

/**
 * The program and arguments that run `skiff <args>` on `runtime`, as `npm run broker`,
 * `deno task broker` and `bun run broker` do: Node and Deno from their bundle (scripts/build.ts,
 * built here first if a source is newer), Bun from the sources. `root` is the checkout (a
 * benchmark's `--baseline=DIR` may be one from before the bundles: it runs its sources). Paths
 * are absolute.
 */
export function skiffCommand(runtime: RuntimeName, args: string[], root = repo): [string, string[]] {
  if (runtime === "bun") return ["bun", [join(root, "adapters/bun/main.ts"), ...args]];
  const bundled = existsSync(join(root, "scripts/build.ts"));
  if (runtime === "deno") return ["deno", ["run", "--allow-all", bundled ? ensureBundle("deno", root).path : join(root, "adapters/deno/main.ts"), ...args]];
  return ["node", [bundled ? ensureBundle("node", root).path : join(root, "adapters/node/main.ts"), ...args]];
}

export interface SkiffProcess {
  readonly runtime: RuntimeName;
  readonly pid: number;
  /** `host:port` of its HTTP API (httpListenPort). */
  readonly address: string;
  /** `host:port` of its RocketMQ remoting port (listenPort). */
  readonly remotingAddress: string;
  /** Each line's message (`msg` of a JSON log line; any other line as it is), last 5000. */
  readonly output: string[];
  /** The JSON log records, last 5000. */
  readonly records: JsonLogLine[];
  /**
   * SIGTERM, wait for exit (bounded). `code` is the exit code as the test runner sees it: Deno's
   * node:child_process reports `null` (and the signal) for any child it sent a signal to, even one
   * that exited 0, so `clean` (the process printed its clean-shutdown line) is what to assert.
   */
  stop(): Promise<{ code: number | null; clean: boolean }>;
  /** SIGKILL, wait for exit. */
  kill(): Promise<void>;
  exited: Promise<number | null>;
  /** Resolves when a line matching `pattern` was printed (bounded by `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export async function startSkiff(runtime: RuntimeName, command: "broker" | "namesrv", flags: string[], timeoutMs = 30_000): Promise<SkiffProcess> {
  const [bin, args] = skiffCommand(runtime, [command, ...flags]);
  const child: ChildProcess = spawn(bin, args, { cwd: repo, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } });
  const output: string[] = [];
  const records: JsonLogLine[] = [];
  const listeners = new Set<(line: string) => void>();
  const onLine = (raw: string) => {
    if (raw.length === 0) return;
    const record = parseJsonLogLine(raw);
    if (record) {
      records.push(record);
      if (records.length > 5000) records.shift();
    }
    const line = record?.msg ?? raw;
    output.push(line);
    if (output.length > 5000) output.shift();
    for (const listener of listeners) listener(line);
  };
  child.stdout?.setEncoding("utf8").on("data", lineSplitter(onLine));
  child.stderr?.setEncoding("utf8").on("data", lineSplitter(onLine));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const waitFor = (pattern: RegExp, waitMs = timeoutMs) =>
    new Promise<string>((resolve, reject) => {
      const seen = output.find((l) => pattern.test(l));
      if (seen) return resolve(seen);
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`no line matching ${pattern} within ${waitMs} ms from ${runtime} ${command}; output:\n${output.slice(-30).join("\n")}`));
      }, waitMs);
      const listener = (line: string) => {
        if (!pattern.test(line)) return;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(line);
      };
      listeners.add(listener);
      void exited.then((code) => {
        if (!listeners.has(listener)) return;
        clearTimeout(timer);
        listeners.delete(listener);
        reject(new Error(`${runtime} ${command} exited with ${code} before printing ${pattern}; output:\n${output.slice(-30).join("\n")}`));
      });
    });
  const boot = await waitFor(command === "broker" ? /boot success/ : /The Name Server boot success/);
  const { remoting: remotingAddress, http: address } = bootAddresses(command, boot);
  const waitExit = async (ms: number) => {
    let handle: ReturnType<typeof setTimeout> | undefined;
    const timer = new Promise<"timeout">((resolve) => (handle = setTimeout(() => resolve("timeout"), ms)));
    // Cleared once the process exits: a pending 20 s timer would keep the test runner alive that long.
    return Promise.race([exited, timer]).finally(() => clearTimeout(handle));
  };
  return {
    runtime,
    pid: child.pid!,
    address,
    remotingAddress,
    output,
    records,
    exited,
    waitFor,
    async stop() {
      child.kill("SIGTERM");
      const code = await waitExit(20_000);
      if (code === "timeout") {
        child.kill("SIGKILL");
        await exited;
        throw new Error(`${runtime} ${command} did not stop within 20 s of SIGTERM`);
      }
      const clean = output.some((l) => /shut down cleanly|stopped cleanly/.test(l));
      return { code, clean };
    },
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Whole lines of a stream, however its chunks fall (a chunk may end inside a line). */
function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let partial = "";
  return (chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop()!;
    for (const line of lines) onLine(line);
  };
}

/**
 * The addresses in a boot line: the broker's `The broker[<name>, <remoting>] boot success. … http=<http> …`,
 * the name server's `The Name Server boot success. … address <remoting>, http <http>`. Throws on another line.
 */
export function bootAddresses(command: "broker" | "namesrv", line: string): { remoting: string; http: string } {
  const match = command === "broker"
    ? /The broker\[[^,\]]+, ([^\]]+)\] boot success\..* http=(\S+)/.exec(line)
    : /The Name Server boot success\..* address ([^\s,]+), http (\S+)/.exec(line);
  if (!match) throw new Error(`not a ${command} boot line: ${line}`);
  return { remoting: match[1], http: match[2] };
}

export const RUNTIMES: readonly RuntimeName[] = ["bun", "deno", "node"];

/** Runs a short-lived `skiff <args>` command (e.g. `role`) to completion; bounded by `timeoutMs`. */
export function runSkiffCommand(runtime: RuntimeName, args: string[], timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const [bin, full] = skiffCommand(runtime, args);
  return new Promise((resolve) => {
    execFile(bin, full, { cwd: repo, timeout: timeoutMs, env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === "number" ? (error as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
