/**
 * Skiff as a test peer: `skiff broker` and `skiff namesrv` started as real processes on the
 * current runtime or a given one (ready on their boot lines, stopped by PID), the broker's HTTP API, and the
 * comparison of its pull answers with what the Java consumer parsed.
 */
import { skiffCommand as skiffProcessCommand } from "../../support/skiff-process.ts";
import { runtimeName, type RuntimeName } from "../../support/platform.ts";
import { BOOT_TIMEOUT_MS, REPO_ROOT } from "./env.ts";
import { startProcess, type ProcessResult, type TrackedProcess } from "./processes.ts";

export interface SkiffProcess {
  readonly pid: number;
  readonly process: TrackedProcess;
  /** `127.0.0.1:port` of its HTTP API (httpListenPort). */
  readonly httpAddress: string;
  /** `127.0.0.1:port` of its RocketMQ remoting port (listenPort): a broker's registered brokerAddr, a name server's namesrvAddr. */
  readonly remotingAddress: string;
  stop(): Promise<ProcessResult>;
  kill(): Promise<ProcessResult>;
}

/** Skiff as its start command runs it (test/support/skiff-process.ts); the runtime running the tests by its own executable, another by name from PATH. */
function skiffCommand(runtime: RuntimeName): [string, string[]] {
  const [name, args] = skiffProcessCommand(runtime, [], REPO_ROOT);
  return [runtime === runtimeName ? process.execPath : name, args];
}

/** Starts `skiff broker --key=value…` on `runtime` (default: the one running the tests). */
export async function startSkiff(flags: Record<string, string | number | boolean>, runtime: RuntimeName = runtimeName): Promise<SkiffProcess> {
  const proc = startSkiffCommand("broker", flags, runtime);
  const line = await booted(proc, /The broker\[[^,\]]+, ([0-9.:]+)\] boot success\..* http=([0-9.:]+)/);
  return { pid: proc.pid, process: proc, httpAddress: line[2], remotingAddress: line[1], stop: () => proc.stop(), kill: () => proc.kill() };
}

/** Starts `skiff namesrv --key=value…` on `runtime` (default: the one running the tests), ready on its boot line (which names both addresses). */
export async function startSkiffNamesrv(flags: Record<string, string | number | boolean>, runtime: RuntimeName = runtimeName): Promise<SkiffProcess> {
  const proc = startSkiffCommand("namesrv", flags, runtime);
  const line = await booted(proc, /The Name Server boot success\. .*address ([0-9.:]+), http ([0-9.:]+)/);
  return { pid: proc.pid, process: proc, httpAddress: line[2], remotingAddress: line[1], stop: () => proc.stop(), kill: () => proc.kill() };
}

function startSkiffCommand(what: "broker" | "namesrv", flags: Record<string, string | number | boolean>, runtime: RuntimeName): TrackedProcess {
  const [command, prefix] = skiffCommand(runtime);
  const args = [...prefix, what, ...Object.entries(flags).map(([k, v]) => `--${k}=${v}`)];
  // Skiff reads SKIFF_<key> as configuration: keep the harness's own variables (SKIFF_INTEROP_*) and
  // any other SKIFF_* of the caller's shell away from it, so the flags given here are all it sees.
  const env: Record<string, string | undefined> = {};
  for (const name of Object.keys(process.env)) if (name.startsWith("SKIFF_")) env[name] = undefined;
  return startProcess(`skiff ${what} (${runtime})`, command, args, { env });
}

async function booted(proc: TrackedProcess, boot: RegExp): Promise<RegExpMatchArray> {
  try {
    return await proc.waitForLine(boot, BOOT_TIMEOUT_MS);
  } catch (error) {
    await proc.kill().catch(() => undefined);
    throw new Error(`Skiff did not start: ${(error as Error).message}`);
  }
}

/** GET/PUT/POST JSON against a Skiff broker; throws on a network error, returns status and body. */
export async function skiffJson(address: string, path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: any }> {
  const response = await fetch(`http://${address}${path}`, {
    method: init?.method ?? "GET",
    headers: init?.body === undefined ? undefined : { "content-type": "application/json" },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Every message of one queue through Skiff's pull API, from its min offset to its end. */
export async function skiffPullAll(address: string, topic: string, queueId: number, from = 0): Promise<any[]> {
  const out: any[] = [];
  let offset = from;
  for (let round = 0; round < 100_000; round++) {
    const { status, body } = await skiffJson(address, `/topics/${encodeURIComponent(topic)}/queues/${queueId}/messages?offset=${offset}&max=256`);
    if (status !== 200) throw new Error(`pull ${topic}/${queueId}@${offset} on ${address}: HTTP ${status} ${JSON.stringify(body)}`);
    if (body.status === "OFFSET_TOO_SMALL") {
      // A slave does not correct the offset (RocketMQ's offsetCheckInSlave=false): start at its min.
      offset = Math.max(body.nextBeginOffset, body.minOffset);
      continue;
    }
    out.push(...body.messages);
    if (body.messages.length === 0 || body.nextBeginOffset === offset) return out;
    offset = body.nextBeginOffset;
  }
  throw new Error("skiffPullAll: too many rounds");
}

/** Every message of a topic's queues through Skiff's pull API, sorted by (queueId, queueOffset). */
export async function skiffPullTopic(address: string, topic: string): Promise<any[]> {
  const { status, body } = await skiffJson(address, `/topics/${encodeURIComponent(topic)}`);
  if (status !== 200) throw new Error(`GET /topics/${topic} on ${address}: HTTP ${status} ${JSON.stringify(body)}`);
  const out: any[] = [];
  for (let q = 0; q < body.readQueueNums; q++) out.push(...(await skiffPullAll(address, topic, q)));
  return out;
}

/** Properties the Java client adds when it pulls (PullAPIWrapper), which are not stored. */
export const CLIENT_ADDED_PROPERTIES = ["MIN_OFFSET", "MAX_OFFSET"];

/** What a Skiff pull (JSON) and a Java consumer agree on, for one message; used to compare them. */
export function comparable(message: { topic: string; queueId: number; queueOffset: number; commitLogOffset: number; msgId: string; tags?: string | null; keys?: string | null; properties: Record<string, string>; bodyBase64: string }) {
  const properties = Object.fromEntries(Object.entries(message.properties).filter(([k]) => !CLIENT_ADDED_PROPERTIES.includes(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    topic: message.topic,
    queueId: message.queueId,
    queueOffset: message.queueOffset,
    commitLogOffset: message.commitLogOffset,
    msgId: message.msgId,
    tags: message.tags ?? null,
    keys: message.keys ?? null,
    properties,
    bodyBase64: message.bodyBase64,
  };
}

/** Sorted by (queueId, queueOffset), as `comparable` values. */
export function comparableAll(messages: readonly Parameters<typeof comparable>[0][]) {
  return messages.map(comparable).sort((a, b) => a.queueId - b.queueId || a.queueOffset - b.queueOffset);
}
