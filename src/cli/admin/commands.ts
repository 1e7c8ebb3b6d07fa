/**
 * The commands of `skiff admin`, named as mqadmin names them, each one HTTP exchange (or a few)
 * with a broker (`-b host:port`, its HTTP address) or a name server (`-n host:port`, its HTTP
 * address), printed as a table or, with `--json`, as the answer:
 *
 * | command            | asks                                              |
 * |--------------------|---------------------------------------------------|
 * | clusterList        | name server GET /cluster                          |
 * | brokerStatus       | GET /broker/status                                |
 * | haStatus           | GET /ha/status                                    |
 * | topicList          | GET /topics                                       |
 * | topicStatus        | GET /topics/{t}/status                            |
 * | updateTopic        | PUT /topics/{t}                                   |
 * | deleteTopic        | DELETE /topics/{t}                                |
 * | consumerProgress   | GET /consumer-groups/{g}/progress                 |
 * | queryMsgById       | GET /messages/{id} (every broker of the topic with -n) |
 * | queryMsgByKey      | GET /messages?topic=&key= (every broker of the topic with -n) |
 * | resetOffsetByTime  | POST /consumer-groups/{g}/reset-offset            |
 * | updateBrokerRole   | POST /admin/role                                  |
 * | resyncFromMaster   | POST /admin/ha/resync-from-master (a slave)       |
 */
import type {
  BrokerStatusJson, ConsumerProgressJson, ResetOffsetJson, TopicStatusJson,
} from "../../contract/broker-http.ts";
import type { ClusterInfo } from "../../contract/namesrv-http.ts";
import type { HttpClient } from "../../client/http.ts";
import { MessageFinder, type FetchLike, type PulledMessage } from "../../client/index.ts";
import { intFlag, timeFlag, UsageError, type FlagSpec, type FlagValues } from "./flags.ts";
import { keyValues, table, when } from "./table.ts";

export interface AdminContext {
  readonly http: HttpClient;
  readonly fetch: FetchLike;
  readonly nowMs: number;
}

export interface Output {
  /** What `--json` prints. */
  readonly json: unknown;
  /** What is printed otherwise. */
  readonly lines: readonly string[];
}

export interface AdminCommand {
  readonly name: string;
  readonly summary: string;
  readonly flags: readonly FlagSpec[];
  run(context: AdminContext, values: FlagValues): Promise<Output>;
}

const BROKER: FlagSpec = { name: "broker", short: "b", value: true, required: true, help: "the broker's HTTP address, host:port (httpListenPort, default 10913)" };
const NAMESRV: FlagSpec = { name: "namesrv", short: "n", value: true, required: true, help: "the name server's HTTP address, host:port (default 9877)" };
const TOPIC: FlagSpec = { name: "topic", short: "t", value: true, required: true, help: "topic name" };
const GROUP: FlagSpec = { name: "group", short: "g", value: true, required: true, help: "consumer group" };
const optional = (spec: FlagSpec, help = spec.help): FlagSpec => ({ ...spec, required: false, help });

const text = (values: FlagValues, name: string): string => values[name] as string;
const path = (...parts: string[]) => parts.map(encodeURIComponent).join("/");

async function getJson<T>(context: AdminContext, address: string, route: string, init: { method?: string; json?: unknown } = {}): Promise<T> {
  return (await context.http.json(address, route, init)) as T;
}

/** -b or -n, exactly one. */
function brokerOrNamesrv(values: FlagValues): { broker?: string; namesrv?: string } {
  const broker = values.broker as string | undefined;
  const namesrv = values.namesrv as string | undefined;
  if ((broker === undefined) === (namesrv === undefined)) throw new UsageError("give either --broker (-b) or --namesrv (-n)");
  return broker !== undefined ? { broker } : { namesrv };
}

function messageJson(m: PulledMessage) {
  const { body, ...fields } = m;
  const decoded = new TextDecoder("utf-8", { fatal: false }).decode(body);
  return { ...fields, bodyText: decoded.includes("\uFFFD") ? null : decoded, bodyBytes: body.byteLength };
}

function messageLines(m: PulledMessage): string[] {
  const shown = messageJson(m);
  return keyValues([
    ["Topic", m.topic], ["Tags", m.tags], ["Keys", m.keys], ["Queue ID", m.queueId], ["Queue Offset", m.queueOffset],
    ["CommitLog Offset", m.commitLogOffset], ["Reconsume Times", m.reconsumeTimes], ["Born Timestamp", when(m.bornTimestamp)],
    ["Store Timestamp", when(m.storeTimestamp)], ["Message ID", m.msgId], ["Offset ID", m.offsetMsgId],
    ["Properties", JSON.stringify(m.properties)], ["Body", shown.bodyText ?? `(${shown.bodyBytes} bytes, not UTF-8)`],
  ]);
}

export const COMMANDS: readonly AdminCommand[] = [
  {
    name: "clusterList",
    summary: "brokers registered with a name server, by cluster and broker name",
    flags: [NAMESRV],
    async run(context, values) {
      const info = await getJson<ClusterInfo>(context, text(values, "namesrv"), "/cluster");
      const rows = info.clusters.flatMap((c) => c.brokerGroups.flatMap((g) => g.brokers.map((b) => [c.clusterName, g.brokerName, b.brokerId, b.brokerAddr, b.httpAddr, b.haServerAddr, when(b.lastUpdateTimestamp)])));
      return { json: info, lines: [...table(["#Cluster", "#Broker", "#BID", "#Addr", "#HttpAddr", "#HaAddr", "#LastUpdate"], rows), `${info.brokerCount} broker(s), ${info.topicCount} topic(s)`] };
    },
  },
  {
    name: "brokerStatus",
    summary: "a broker's runtime table (RocketMQ's keys: putTps, commitLogMaxOffset, …)",
    flags: [BROKER],
    async run(context, values) {
      const status = await getJson<BrokerStatusJson>(context, text(values, "broker"), "/broker/status");
      return { json: status, lines: [`${status.brokerName} id ${status.brokerId} (${status.brokerRole})`, ...keyValues(Object.entries(status.table))] };
    },
  },
  {
    name: "haStatus",
    summary: "a broker's replication: its role, master, and each slave's ack offset and lag",
    flags: [BROKER],
    async run(context, values) {
      type Behind = { slaveOffset: number; masterMinOffset: number; reason?: string; fix: string };
      const status = await getJson<{
        role: string; brokerName: string; brokerId: number; maxPhyOffset: number; masterAddress?: string | null;
        slaves: { address: string; ackOffset: number; lagBytes: number; behindMasterRetention?: Behind }[]; divergence?: { reason: string } | null; behindMasterRetention?: Behind | null;
      }>(context, text(values, "broker"), "/ha/status");
      const lines = keyValues([["Broker", `${status.brokerName} id ${status.brokerId}`], ["Role", status.role], ["Commit log max offset", status.maxPhyOffset], ["Master", status.masterAddress ?? "-"]]);
      if (status.divergence) lines.push(`DIVERGED: ${status.divergence.reason}`);
      if (status.behindMasterRetention) lines.push(`BEHIND THE MASTER'S RETENTION: ${status.behindMasterRetention.reason}; ${status.behindMasterRetention.fix} (skiff admin resyncFromMaster)`);
      for (const s of status.slaves) {
        if (s.behindMasterRetention) lines.push(`SLAVE ${s.address} BEHIND THIS MASTER'S RETENTION: it needs ${s.behindMasterRetention.slaveOffset}, the log starts at ${s.behindMasterRetention.masterMinOffset}; ${s.behindMasterRetention.fix}`);
      }
      if (status.slaves.length > 0) lines.push("", ...table(["#Slave", "#AckOffset", "#LagBytes"], status.slaves.map((s) => [s.address, s.ackOffset, s.lagBytes])));
      return { json: status, lines };
    },
  },
  {
    name: "topicList",
    summary: "the topics a broker has, with their queue counts and permissions",
    flags: [BROKER],
    async run(context, values) {
      const answer = await getJson<{ topics: { topicName: string; readQueueNums: number; writeQueueNums: number; perm: number }[] }>(context, text(values, "broker"), "/topics");
      const topics = [...answer.topics].sort((a, b) => (a.topicName < b.topicName ? -1 : 1));
      return { json: answer, lines: table(["#Topic", "#Read", "#Write", "#Perm"], topics.map((t) => [t.topicName, t.readQueueNums, t.writeQueueNums, t.perm])) };
    },
  },
  {
    name: "topicStatus",
    summary: "per queue of a topic: min and max offset, last store time",
    flags: [BROKER, TOPIC],
    async run(context, values) {
      const status = await getJson<TopicStatusJson>(context, text(values, "broker"), `/${path("topics", text(values, "topic"), "status")}`);
      return { json: status, lines: table(["#QID", "#MinOffset", "#MaxOffset", "#LastUpdate"], status.queues.map((q) => [q.queueId, q.minOffset, q.maxOffset, when(q.lastUpdateTimestamp)])) };
    },
  },
  {
    name: "updateTopic",
    summary: "create a topic or change its queue counts and permission",
    flags: [BROKER, TOPIC,
      { name: "readQueueNums", short: "r", value: true, help: "read queues, 1..1024 (default 8)" },
      { name: "writeQueueNums", short: "w", value: true, help: "write queues, 1..1024 (default 8)" },
      { name: "perm", short: "p", value: true, help: "permission bits: 6 read+write (default), 4 read, 2 write" }],
    async run(context, values) {
      const body = {
        readQueueNums: intFlag(values, "readQueueNums", 1, 1024) ?? 8,
        writeQueueNums: intFlag(values, "writeQueueNums", 1, 1024) ?? 8,
        perm: intFlag(values, "perm", 0, 15) ?? 6,
      };
      const config = await getJson<Record<string, unknown>>(context, text(values, "broker"), `/${path("topics", text(values, "topic"))}`, { method: "PUT", json: body });
      return { json: config, lines: [`topic ${text(values, "topic")} updated on ${text(values, "broker")}`, ...keyValues(Object.entries(config).map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : (v as string)]))] };
    },
  },
  {
    name: "deleteTopic",
    summary: "delete a topic: its config, consume queues and offsets",
    flags: [BROKER, TOPIC],
    async run(context, values) {
      await context.http.request(text(values, "broker"), `/${path("topics", text(values, "topic"))}`, { method: "DELETE" });
      return { json: { deleted: text(values, "topic") }, lines: [`topic ${text(values, "topic")} deleted on ${text(values, "broker")}`] };
    },
  },
  {
    name: "consumerProgress",
    summary: "a group's lag per queue: broker offset, consumer offset, difference",
    flags: [BROKER, GROUP, optional(TOPIC, "only this topic (default: every topic the group has offsets for)")],
    async run(context, values) {
      const topic = values.topic as string | undefined;
      const route = `/${path("consumer-groups", text(values, "group"), "progress")}${topic === undefined ? "" : `?topic=${encodeURIComponent(topic)}`}`;
      const p = await getJson<ConsumerProgressJson>(context, text(values, "broker"), route);
      const rows = p.queues.map((q) => [q.topic, q.queueId, q.brokerOffset, q.consumerOffset, q.lag, when(q.lastTimestamp)]);
      return {
        json: p,
        lines: [...table(["#Topic", "#QID", "#BrokerOffset", "#ConsumerOffset", "#Diff", "#LastTime"], rows), "", ...keyValues([["Consume TPS", p.consumeTps], ["Diff Total", p.totalLag], ["Online consumers", p.onlineConsumers]])],
      };
    },
  },
  {
    name: "queryMsgById",
    summary: "a message by its msgId (UNIQ_KEY) or offsetMsgId",
    flags: [optional(BROKER), optional(NAMESRV, "a name server's HTTP address: ask every broker of the topic (needs --topic)"),
      { name: "msgId", short: "i", value: true, required: true, help: "msgId or offsetMsgId, as a send answered" },
      optional(TOPIC, "the message's topic (needed with -n)")],
    async run(context, values) {
      const finder = new MessageFinder({ ...brokerOrNamesrv(values), fetch: context.fetch });
      const found = await finder.byId(text(values, "msgId"), { topic: values.topic as string | undefined });
      if (!found) return { json: null, lines: [`no message with id ${text(values, "msgId")}`] };
      return { json: messageJson(found), lines: messageLines(found) };
    },
  },
  {
    name: "queryMsgByKey",
    summary: "messages of a topic by key (a KEYS word or a msgId), from the message index",
    flags: [optional(BROKER), optional(NAMESRV, "a name server's HTTP address: ask every broker of the topic"), TOPIC,
      { name: "key", short: "k", value: true, required: true, help: "the key" },
      { name: "maxNum", short: "m", value: true, help: "at most this many, 1..64 (default 64)" }],
    async run(context, values) {
      const finder = new MessageFinder({ ...brokerOrNamesrv(values), fetch: context.fetch });
      const found = await finder.byKey(text(values, "topic"), text(values, "key"), { maxNum: intFlag(values, "maxNum", 1, 64) });
      return { json: found.map(messageJson), lines: table(["#Message ID", "#QID", "#Offset", "#StoreTime"], found.map((m) => [m.msgId, m.queueId, m.queueOffset, when(m.storeTimestamp)])) };
    },
  },
  {
    name: "resetOffsetByTime",
    summary: "move a group's offsets of a topic to the first message stored at or after a time (group offline)",
    flags: [BROKER, GROUP, TOPIC,
      { name: "timestamp", short: "s", value: true, required: true, help: "ms since the epoch, an ISO date, now, or -30m / -2h / -1d ago; 0 = from the start" }],
    async run(context, values) {
      const timestamp = timeFlag(values, "timestamp", context.nowMs)!;
      const answer = await getJson<ResetOffsetJson>(context, text(values, "broker"), `/${path("consumer-groups", text(values, "group"), "reset-offset")}`, { method: "POST", json: { topic: text(values, "topic"), timestamp } });
      return { json: answer, lines: [`offsets of ${answer.group} on ${answer.topic} reset to ${timestamp === 0 ? "the queues' first messages" : when(timestamp)}`, ...table(["#QID", "#Before", "#After"], answer.queues.map((q) => [q.queueId, q.previousOffset < 0 ? "-" : q.previousOffset, q.offset]))] };
    },
  },
  {
    name: "updateBrokerRole",
    summary: "switch a running broker between ASYNC_MASTER, SYNC_MASTER and SLAVE",
    flags: [BROKER,
      { name: "role", value: true, required: true, help: "ASYNC_MASTER, SYNC_MASTER or SLAVE" },
      { name: "brokerId", value: true, help: "the broker id to take (a slave's is > 0)" }],
    async run(context, values) {
      const role = text(values, "role");
      if (!["ASYNC_MASTER", "SYNC_MASTER", "SLAVE"].includes(role)) throw new UsageError(`--role must be ASYNC_MASTER, SYNC_MASTER or SLAVE, got ${JSON.stringify(role)}`);
      const brokerId = intFlag(values, "brokerId", 0, 0x7fffffff);
      const status = await getJson<{ role: string; brokerId: number }>(context, text(values, "broker"), "/admin/role", { method: "POST", json: { brokerRole: role, ...(brokerId === undefined ? {} : { brokerId }) } });
      return { json: status, lines: [`${text(values, "broker")} is now ${status.role} (broker id ${status.brokerId})`] };
    },
  },
  {
    name: "resyncFromMaster",
    summary: "a slave behind its master's retention: discard its log and start again at the master's first segment",
    flags: [BROKER],
    async run(context, values) {
      const r = await getJson<{ discardedFrom: number; discardedTo: number; restartAt: number }>(context, text(values, "broker"), "/admin/ha/resync-from-master", { method: "POST" });
      return { json: r, lines: [`${text(values, "broker")} discarded its commit log [${r.discardedFrom}, ${r.discardedTo}) and follows its master again from offset ${r.restartAt}`] };
    },
  },
];
