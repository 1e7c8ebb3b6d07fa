/**
 * The remoting client programs of `java/` (SendClient, PushClient, LitePullClient; ClientIo.java
 * says the line formats) as long-lived JVMs of one RocketMQ version: commands written to their
 * stdin, one JSON event per stdout line collected here, and bounded waits for events. A JVM start
 * costs seconds on a small machine, so a test keeps one producer for many checks and starts
 * consumers only where a check needs a process of its own. Each JVM's stdout is saved as
 * `stdout.log` in its run directory when it exits (kept with SKIFF_INTEROP_KEEP=1 or on failure).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BOOT_TIMEOUT_MS, type RocketMQVersion } from "./env.ts";
import { ensureRocketMQ, jvmFlags } from "./java-peers.ts";
import { startProcess, withTimeout, type TrackedProcess } from "./processes.ts";

/** A message as the Java client parsed it (ClientIo.message), plus what PushClient adds. */
export interface JavaMessageEvent {
  readonly event: "message";
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  readonly msgId: string;
  readonly offsetMsgId: string | null;
  readonly tags: string | null;
  readonly keys: string | null;
  readonly flag: number;
  readonly sysFlag: number;
  readonly bodyBase64: string;
  readonly properties: Record<string, string>;
  /** The properties minus RocketMQ's own keys (MessageConst.STRING_HASH_SET). */
  readonly userProperties: Record<string, string>;
  readonly reconsumeTimes: number;
  readonly bornTimestamp: number;
  readonly storeTimestamp: number;
  readonly bornHost: string;
  readonly storeHost: string;
  /** The client's clock when it printed the message. */
  readonly receivedAt: number;
  /** PushClient: what the listener answered, and when it ran. */
  readonly reply?: "CONSUME_SUCCESS" | "RECONSUME_LATER" | "SUCCESS";
  readonly consumeStartedAt?: number;
  readonly consumeEndedAt?: number;
}

export interface JavaFailure {
  readonly ok: false;
  readonly exception: string;
  readonly responseCode: number | null;
  readonly message: string;
  readonly causes: ReadonlyArray<{ exception: string; responseCode: number | null; message: string }>;
}

export type JavaEvent = { readonly event: string; readonly id?: string; readonly [key: string]: unknown };
type Fields = Record<string, string | number | boolean | undefined>;

/** One client JVM: its events in arrival order, commands with ids, bounded waits. */
export class JavaClient {
  readonly name: string;
  readonly process: TrackedProcess;
  readonly events: JavaEvent[] = [];
  private partial = "";
  private nextId = 0;
  private listeners = new Set<() => void>();

  constructor(name: string, process: TrackedProcess, runDir: string) {
    this.name = name;
    this.process = process;
    process.child.stdout?.on("data", (chunk: string) => this.onOutput(chunk));
    // A command written after the JVM died fails with EPIPE; the waits report the exit instead.
    process.child.stdin?.on("error", () => undefined);
    void process.exited.then(async (r) => {
      this.notify();
      await writeFile(join(runDir, "stdout.log"), `${r.stdout}\n[stderr]\n${r.stderr}`).catch(() => undefined);
    });
  }

  get pid(): number {
    return this.process.pid;
  }

  /** Every message event so far. */
  messages(): JavaMessageEvent[] {
    return this.events.filter((e): e is JavaMessageEvent & JavaEvent => e.event === "message");
  }

  /** Resolves with the events matching `test` once there are `count` of them; rejects after `timeoutMs` or when the JVM exits first. */
  waitForCount(what: string, test: (event: JavaEvent) => boolean, count: number, timeoutMs: number): Promise<JavaEvent[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.filter(test);
        if (found.length >= count) return finish(() => resolve(found));
        if (!this.process.running) finish(() => reject(new Error(`${this.name} (pid ${this.pid}) exited before ${what} (${found.length} of ${count})\n${this.process.tail(40)}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`${this.name} (pid ${this.pid}): ${what} not within ${timeoutMs} ms (${this.events.filter(test).length} of ${count})\n${this.process.tail(20)}`))), timeoutMs);
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        fn();
      };
      this.listeners.add(check);
      check();
    });
  }

  async waitFor(what: string, test: (event: JavaEvent) => boolean, timeoutMs: number): Promise<JavaEvent> {
    return (await this.waitForCount(what, test, 1, timeoutMs))[0];
  }

  /** Writes `command key=value…` (values percent-encoded) to the JVM's stdin. */
  write(command: string, fields: Fields = {}): void {
    const tokens = [command];
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) tokens.push(`${key}=${encodeURIComponent(String(value))}`);
    this.process.child.stdin?.write(`${tokens.join(" ")}\n`);
  }

  /** Writes a command with a fresh id and resolves with its result event. */
  async request(command: string, fields: Fields = {}, timeoutMs = 60_000): Promise<JavaEvent> {
    const id = `${command}-${++this.nextId}`;
    this.write(command, { id, ...fields });
    return this.waitFor(`the result of ${command} ${id}`, (e) => e.event === "result" && e.id === id, timeoutMs);
  }

  /** A fresh command id, for commands whose results are awaited together. */
  newId(prefix: string): string {
    return `${prefix}-${++this.nextId}`;
  }

  /** `stop` on stdin (the client shuts down and exits), then SIGTERM/SIGKILL if it does not exit in time. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (!this.process.running) return;
    this.process.child.stdin?.end("stop\n");
    if (await withTimeout(this.process.exited, timeoutMs)) return;
    await this.process.stop();
  }

  private onOutput(chunk: string): void {
    const lines = (this.partial + chunk).split("\n");
    this.partial = lines.pop() ?? "";
    let added = false;
    for (const line of lines) {
      if (!line.startsWith('{"event"')) continue;
      this.events.push(JSON.parse(line) as JavaEvent);
      added = true;
    }
    if (added) this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Starts `mainClass` of the compiled programs with `key=value` arguments; resolves after its `ready` event (or at once with `ready: false`). */
/** `jvm`: more JVM flags (system properties such as RocketMQ's `-Dtls.enable=true`). */
export async function startJavaClient(version: RocketMQVersion, mainClass: string, args: Fields, runDir: string, options: { ready?: boolean; jvm?: readonly string[] } = {}): Promise<JavaClient> {
  const paths = await ensureRocketMQ(version);
  await mkdir(runDir, { recursive: true });
  const argv = Object.entries(args).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
  const proc = startProcess(`${mainClass} (RocketMQ ${version})`, "java", [...jvmFlags(version, runDir, "client"), ...(options.jvm ?? []), "-cp", `${paths.classes}:${paths.lib}/*`, mainClass, ...argv], {
    env: { ROCKETMQ_HOME: paths.home },
    stdin: "pipe",
  });
  const client = new JavaClient(`${mainClass} ${version} ${argv.filter((a) => /^(group|topic|mode)=/.test(a)).join(" ")}`.trim(), proc, runDir);
  if (options.ready === false) return client;
  try {
    await client.waitFor("its ready event", (e) => e.event === "ready", BOOT_TIMEOUT_MS);
  } catch (error) {
    await proc.kill().catch(() => undefined);
    throw error;
  }
  return client;
}
