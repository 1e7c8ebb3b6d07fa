/**
 * `mqadmin` (rocketmq-tools' MQAdminStartup) of one RocketMQ version, run in one reused JVM
 * (java/AdminSession.java: a fresh JVM per command costs ~3.7 s, mostly waiting at exit), and
 * parsers for the output of the commands the remoting tests assert on. Each parser reads what
 * 4.9.7 and 5.3.3 print (the fixtures' `*-client-output.txt` show both) and throws, quoting the
 * output, when it finds nothing it can read.
 */
import { readFileSync } from "node:fs";
import type { RocketMQVersion } from "./env.ts";
import { startJavaClient, type JavaClient } from "./java-clients.ts";

export class MqadminSession {
  readonly version: RocketMQVersion;
  private readonly client: JavaClient;
  private readonly namesrvAddr: string;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 0;

  private constructor(version: RocketMQVersion, client: JavaClient, namesrvAddr: string) {
    this.version = version;
    this.client = client;
    this.namesrvAddr = namesrvAddr;
  }

  static async start(version: RocketMQVersion, namesrvAddr: string, runDir: string): Promise<MqadminSession> {
    return new MqadminSession(version, await startJavaClient(version, "AdminSession", {}, runDir, { ready: false }), namesrvAddr);
  }

  /** `mqadmin <command> -n <namesrv> <args…>`; resolves with everything it printed. Commands run one at a time. */
  run(command: string, args: readonly string[] = [], timeoutMs = 60_000): Promise<string> {
    const next = this.queue.then(() => this.runNow(command, args, timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(command: string, args: readonly string[], timeoutMs: number): Promise<string> {
    const id = String(++this.nextId);
    const start = this.client.process.stdout.length;
    this.client.process.child.stdin?.write(`${[id, command, "-n", this.namesrvAddr, ...args].join("\t")}\n`);
    await this.client.waitFor(`mqadmin ${command} ${args.join(" ")}`, (e) => e.event === "mqadmin-done" && e.id === id, timeoutMs);
    const text = this.client.process.stdout.slice(start);
    // 5.3.3's shaded logback prints its own configuration status once per JVM (`hh:mm:ss,SSS |-INFO in …`).
    return text.slice(0, text.indexOf('{"event":"mqadmin-done"')).split("\n").filter((l) => !/^\d\d:\d\d:\d\d,\d{3} \|-/.test(l)).join("\n").trim();
  }

  stop(): Promise<void> {
    return this.client.stop();
  }
}

function unreadable(what: string, text: string): never {
  throw new Error(`mqadmin ${what}: nothing readable in its output:\n${text.slice(0, 3000)}`);
}

/**
 * A table printed under a `#Name  #Other …` header: one record per row, keyed by the header's
 * names. Cells are separated by blanks; only the last column may hold blanks (timestamps).
 */
export function parseTable(text: string, what: string): Array<Record<string, string>> {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.startsWith("#"));
  if (at < 0) unreadable(what, text);
  const names = lines[at].split("#").map((n) => n.trim()).filter((n) => n.length > 0);
  const rows: Array<Record<string, string>> = [];
  for (const line of lines.slice(at + 1)) {
    const cells = line.trim().split(/\s+/);
    if (line.trim() === "" || cells.length < names.length - 1 || /^[A-Z][\w ]*:/.test(line.trim())) continue;
    const row: Record<string, string> = {};
    names.forEach((name, i) => (row[name] = i < names.length - 1 ? cells[i] ?? "" : cells.slice(i).join(" ")));
    rows.push(row);
  }
  return rows;
}

export interface QueueStatus {
  readonly brokerName: string;
  readonly queueId: number;
  readonly minOffset: number;
  readonly maxOffset: number;
  readonly lastUpdated: string;
}

/** `topicStatus -t T`. */
export function parseTopicStatus(text: string): QueueStatus[] {
  return parseTable(text, "topicStatus").map((r) => ({
    brokerName: r["Broker Name"], queueId: Number(r.QID), minOffset: Number(r["Min Offset"]), maxOffset: Number(r["Max Offset"]), lastUpdated: r["Last Updated"],
  }));
}

export interface QueueProgress {
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
  readonly brokerOffset: number;
  readonly consumerOffset: number;
  /** Broker offset minus consumer offset, as mqadmin printed it. */
  readonly diff: number;
  readonly lastTime: string;
}

/** `consumerProgress -g G`: one row per queue (the retry topic's too), and the printed total. */
export function parseConsumerProgress(text: string): { queues: QueueProgress[]; diffTotal: number } {
  // Only the last column may hold blanks; 5.3.3 adds #Inflight before #LastTime.
  const queues = parseTable(text, "consumerProgress").map((r) => ({
    topic: r.Topic, brokerName: r["Broker Name"], queueId: Number(r.QID), brokerOffset: Number(r["Broker Offset"]),
    consumerOffset: Number(r["Consumer Offset"]), diff: Number(r.Diff), lastTime: r.LastTime,
  }));
  const total = /Diff Total: (-?\d+)/.exec(text);
  if (!total) unreadable("consumerProgress", text);
  return { queues, diffTotal: Number(total[1]) };
}

export interface ClusterRow {
  readonly cluster: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly address: string;
  readonly version: string;
}

/** `clusterList`: the first five columns (later ones differ between versions and hold blanks in 5.3.3). */
export function parseClusterList(text: string): ClusterRow[] {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.startsWith("#Cluster Name"));
  if (at < 0) unreadable("clusterList", text);
  return lines.slice(at + 1).map((l) => l.trim().split(/\s+/)).filter((c) => c.length >= 5 && /^\d+$/.test(c[2])).map((c) => ({
    cluster: c[0], brokerName: c[1], brokerId: Number(c[2]), address: c[3], version: c[4],
  }));
}

/** `topicList`: one topic per line. */
export function parseTopicList(text: string): string[] {
  const topics = text.split("\n").map((l) => l.trim()).filter((l) => /^[%|\w-]+$/.test(l));
  if (topics.length === 0) unreadable("topicList", text);
  return topics;
}

export interface RouteData {
  readonly brokerDatas: Array<{ cluster: string; brokerName: string; brokerAddrs: Record<string, string> }>;
  readonly queueDatas: Array<{ brokerName: string; perm: number; readQueueNums: number; writeQueueNums: number; topicSysFlag: number }>;
}

/** `topicRoute -t T`: fastjson's pretty print, whose map keys (broker ids) are not quoted. */
export function parseTopicRoute(text: string): RouteData {
  const start = text.indexOf("{");
  if (start < 0) unreadable("topicRoute", text);
  try {
    return JSON.parse(text.slice(start, text.lastIndexOf("}") + 1).replace(/([{,]\s*)(\d+):/g, '$1"$2":')) as RouteData;
  } catch {
    return unreadable("topicRoute", text);
  }
}

/** `brokerStatus -b ADDR`: `key : value` lines. */
export function parseKeyValues(text: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^(\w[\w./-]*)\s*: ?(.*)$/.exec(line);
    if (m) out[m[1]] = m[2].trim();
  }
  if (Object.keys(out).length === 0) unreadable(what, text);
  return out;
}

export interface ViewedMessage {
  readonly offsetId: string;
  readonly topic: string;
  readonly tags: string;
  readonly keys: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  readonly reconsumeTimes: number;
  readonly storeHost: string;
  readonly properties: Record<string, string>;
  /** The body as mqadmin saved it (its "Message Body Path"). */
  readonly body: Uint8Array;
}

/** `queryMsgById -i ID`: the `Name: value` block of the first message. */
export function parseQueryMsgById(text: string): ViewedMessage {
  const fields: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z][A-Za-z ]*?):\s+(.*)$/.exec(line);
    if (m && !(m[1] in fields)) fields[m[1]] = m[2].trim();
  }
  if (!fields.Topic || !fields["Message Body Path"]) unreadable("queryMsgById", text);
  const brackets = (v: string) => v.replace(/^\[/, "").replace(/\]$/, "");
  const properties: Record<string, string> = {};
  for (const pair of brackets(fields.Properties.replace(/^\{/, "[").replace(/\}$/, "]")).split(", ")) {
    const eq = pair.indexOf("=");
    if (eq > 0) properties[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return {
    offsetId: fields.OffsetID ?? "", topic: fields.Topic, tags: brackets(fields.Tags), keys: brackets(fields.Keys),
    queueId: Number(fields["Queue ID"]), queueOffset: Number(fields["Queue Offset"]), commitLogOffset: Number(fields["CommitLog Offset"]),
    reconsumeTimes: Number(fields["Reconsume Times"]), storeHost: fields["Store Host"], properties,
    body: new Uint8Array(readFileSync(fields["Message Body Path"])),
  };
}

/** `queryMsgByKey -t T -k K`: message id, queue id and queue offset per match. */
export function parseQueryMsgByKey(text: string): Array<{ msgId: string; queueId: number; queueOffset: number }> {
  return parseTable(text, "queryMsgByKey").map((r) => ({ msgId: r["Message ID"], queueId: Number(r.QID), queueOffset: Number(r.Offset) }));
}

/** `updateTopic`: the address it created the topic on and the TopicConfig it printed. */
export function parseUpdateTopic(text: string): { createdOn: string[]; config: Record<string, string> } {
  const createdOn = [...text.matchAll(/create topic to (\S+) success/g)].map((m) => m[1]);
  const config = /TopicConfig \[(.*)\]/.exec(text);
  if (createdOn.length === 0 || !config) unreadable("updateTopic", text);
  const fields: Record<string, string> = {};
  for (const pair of config[1].split(", ")) {
    const eq = pair.indexOf("=");
    if (eq > 0) fields[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { createdOn, config: fields };
}
