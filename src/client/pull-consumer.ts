/**
 * Pulls messages of one queue at a time and keeps a consumer group's offsets on the broker
 * (DESIGN §1.3, §1.4). Pulls use the raw-records form (the stored bytes, decoded here: no base64,
 * no JSON per message). Offsets are only committed when the caller says so.
 *
 * Reading from slaves, as RocketMQ's PullAPIWrapper (spec §6.3), with a name server: after each
 * pull the consumer keeps, per (broker name, topic, queueId), the broker id the answer suggested
 * (`suggestWhichBrokerId`: 1 when the pull lags far behind the log's end on a master with
 * `slaveReadEnable`); the next pull of that queue goes to that id's address in the route (the
 * master's when the route has no such id, any address when it has no master), and back to the
 * master once an answer suggests 0. A failed pull forgets the route and the suggestion. Offsets
 * are committed to the master only (`brokerHttpAddrs["0"]`: the client dials HTTP addresses, see
 * route.ts); committed offsets are read from the
 * master too, or from a slave (which syncs them from its master) while the route has no master.
 * With `broker: "host:port"` everything goes to that broker.
 *
 * A topic served by several broker names has queue ids on each: pass `brokerName` to say which.
 *
 * A topic the name servers do not know yet is asked for again for up to `NEW_TOPIC_ROUTE_WAIT_MS`
 * (100 ms doubling to 800 ms) before TOPIC_NOT_EXIST: a producer's first send creates a topic on
 * the broker, which registers it with the name servers a moment later, and a consumer started
 * right after the producer must not fail in that moment.
 */
import { RECORDS_CONTENT_TYPE, type ConsumerOffsetJson, type QueueOffsetAtJson } from "../contract/broker-http.ts";
import { MASTER_ID, type TopicRouteData } from "../contract/namesrv-http.ts";
import { SkiffClientError } from "./errors.ts";
import { HttpClient, type FetchLike, type Unchecked } from "./http.ts";
import type { AccountCredentials } from "../codec/basic-credentials.ts";
import { decodePullAnswer, type PullResult } from "./pull-answer.ts";
import { addressFor, brokerData, httpAddrs, noHttpAddress, readableBrokerNames, RouteCache } from "./route.ts";

/** How long a topic the name servers do not know is asked for again before TOPIC_NOT_EXIST. */
export const NEW_TOPIC_ROUTE_WAIT_MS = 3000;

export interface PullConsumerOptions {
  readonly group: string;
  /** One broker, `host:port`… */
  readonly broker?: string;
  /** …or name servers, `host:port;host:port`. */
  readonly namesrv?: string;
  readonly fetch?: FetchLike;
  /** An ACL account (aclEnable=true on the broker), sent as HTTP Basic credentials with every request. */
  readonly credentials?: AccountCredentials;
  /** Time limit of one request in milliseconds (default 10 s); a long poll gets waitMs on top. */
  readonly timeoutMs?: number;
  /** How long a topic route is reused (default 30 s). */
  readonly routeTtlMs?: number;
}

export interface QueueOptions {
  /** With a name server, the broker name whose queue is meant (needed when several have it). */
  readonly brokerName?: string;
}

export interface PullOptions extends QueueOptions {
  /** At most this many messages (default 32; the broker also caps by bytes). */
  readonly max?: number;
  /** Long poll: wait up to this long for a message when none is there (default 0, max 30000). */
  readonly waitMs?: number;
  /** Only these tags (RocketMQ's subscription expression `TagA || TagB`, or a list); all by default. */
  readonly tags?: string | readonly string[];
  readonly signal?: AbortSignal;
}

export interface ConsumeOptions extends QueueOptions {
  /** Where to start: the group's committed offset (else the queue's first), the first, or an offset. */
  readonly from?: "committed" | "first" | number;
  /** Long-poll time of each pull (default 15000); 0 ends the iteration at the queue's end. */
  readonly waitMs?: number;
  readonly max?: number;
  /** Only these tags, as in `pull`. */
  readonly tags?: string | readonly string[];
  /** Ends the iteration (quietly, also in the middle of a long poll). */
  readonly signal?: AbortSignal;
}

export const DEFAULT_PULL_MAX = 32;
export const DEFAULT_CONSUME_WAIT_MS = 15_000;

interface Target {
  readonly address: string;
  readonly brokerId: number;
  readonly key: string;
}

export class PullConsumer {
  readonly group: string;
  private readonly http: HttpClient;
  private readonly broker: string | undefined;
  private readonly routes: RouteCache | undefined;
  private readonly suggested = new Map<string, number>();

  constructor(options: PullConsumerOptions) {
    if (typeof options.group !== "string" || !/^[%|a-zA-Z0-9_-]{1,255}$/.test(options.group)) {
      throw new SkiffClientError("BAD_REQUEST", `group must match ^[%|a-zA-Z0-9_-]{1,255}$, got ${JSON.stringify(options.group)}`);
    }
    this.group = options.group;
    this.http = new HttpClient(options);
    if (options.broker) this.broker = options.broker;
    else if (options.namesrv) this.routes = new RouteCache(this.http, options.namesrv, options.routeTtlMs);
    else throw new SkiffClientError("BAD_REQUEST", "a pull consumer needs broker: \"host:port\" or namesrv: \"host:port;host:port\"");
  }

  /** Up to `max` messages of the queue from `offset`; statuses are results, failures throw. */
  async pull(topic: string, queueId: number, offset: number, options: PullOptions = {}): Promise<PullResult> {
    const waitMs = options.waitMs ?? 0;
    const to = await this.target(topic, queueId, options.brokerName, "pull");
    const tags = options.tags === undefined ? "" : `&tags=${encodeURIComponent(typeof options.tags === "string" ? options.tags : options.tags.join("||"))}`;
    const query = `offset=${offset}&max=${options.max ?? DEFAULT_PULL_MAX}&group=${encodeURIComponent(this.group)}&waitMs=${waitMs}${tags}`;
    const path = `/topics/${encodeURIComponent(topic)}/queues/${queueId}/messages?${query}`;
    let result: PullResult;
    try {
      const exchange = await this.http.request(to.address, path, { accept: RECORDS_CONTENT_TYPE, timeoutMs: waitMs + this.http.timeoutMs, signal: options.signal });
      result = decodePullAnswer(exchange.response.headers, await exchange.bytes(), exchange.what, exchange.response.status, to.address);
    } catch (error) {
      this.routes?.invalidate(topic);
      this.suggested.delete(to.key);
      throw error;
    }
    this.suggested.set(to.key, result.suggestWhichBrokerId);
    return result;
  }

  /** Stores the group's offset for the queue (the next offset to consume) on the master. */
  async commitOffset(topic: string, queueId: number, offset: number, options: QueueOptions = {}): Promise<void> {
    const to = await this.target(topic, queueId, options.brokerName, "commit");
    try {
      const body: ConsumerOffsetJson = { offset };
      await this.http.json(to.address, this.offsetPath(topic, queueId), { method: "PUT", json: body });
    } catch (error) {
      this.routes?.invalidate(topic);
      throw error;
    }
  }

  /** The group's committed offset for the queue, -1 when nothing is committed. */
  async committedOffset(topic: string, queueId: number, options: QueueOptions = {}): Promise<number> {
    const to = await this.target(topic, queueId, options.brokerName, "read-offset");
    const exchange = await this.http.request(to.address, this.offsetPath(topic, queueId));
    const offset = ((await exchange.json()) as Unchecked<ConsumerOffsetJson> | null)?.offset;
    if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < -1) {
      throw new SkiffClientError("BAD_RESPONSE", `${exchange.what}: expected {offset}, got ${JSON.stringify(offset)}`, { status: exchange.response.status });
    }
    return offset;
  }

  /**
   * The first offset of the queue whose message was stored at or after `timestamp` (ms since the
   * epoch), the queue's end when none was: where to start consuming "from this morning on"
   * (RocketMQ's `searchOffset`). Asked of the master, or of a slave while the route has no master.
   */
  async offsetForTimestamp(topic: string, queueId: number, timestamp: number, options: QueueOptions = {}): Promise<number> {
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new SkiffClientError("BAD_REQUEST", `timestamp must be ms since the epoch, got ${timestamp}`);
    const to = await this.target(topic, queueId, options.brokerName, "read-offset");
    const exchange = await this.http.request(to.address, `/topics/${encodeURIComponent(topic)}/queues/${queueId}/offset?timestamp=${timestamp}`);
    const offset = ((await exchange.json()) as Unchecked<QueueOffsetAtJson> | null)?.offset;
    if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
      throw new SkiffClientError("BAD_RESPONSE", `${exchange.what}: expected {timestamp, offset}, got ${JSON.stringify(offset)}`, { status: exchange.response.status });
    }
    return offset;
  }

  /** The broker id the next pull of the queue goes to (0 = master). */
  async nextBrokerId(topic: string, queueId: number, options: QueueOptions = {}): Promise<number> {
    return (await this.target(topic, queueId, options.brokerName, "pull")).brokerId;
  }

  /**
   * Batches of the queue, one per pull that found messages, in order, forever (or, with
   * `waitMs: 0`, until the queue's end). Resumes from the committed offset unless told otherwise,
   * follows `nextBeginOffset` (also after OFFSET_ILLEGAL, to the queue's first or last offset), and
   * commits nothing: call `commitOffset(topic, queueId, batch.nextBeginOffset)` when a batch is done.
   */
  async *consume(topic: string, queueId: number, options: ConsumeOptions = {}): AsyncGenerator<PullResult, void, undefined> {
    const { from = "committed", waitMs = DEFAULT_CONSUME_WAIT_MS, signal } = options;
    let offset = from === "committed" ? Math.max(0, await this.committedOffset(topic, queueId, options)) : from === "first" ? 0 : from;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new SkiffClientError("BAD_REQUEST", `consume from ${String(from)}: not an offset`);
    while (!signal?.aborted) {
      let result: PullResult;
      try {
        result = await this.pull(topic, queueId, offset, { max: options.max, waitMs, brokerName: options.brokerName, tags: options.tags, signal });
      } catch (error) {
        if (signal?.aborted) return;
        throw error;
      }
      // A slave keeps an offset below its min as asked (RocketMQ's offsetCheckInSlave=false) and
      // sends a routed consumer to its master; a consumer pinned to it starts at its min instead.
      offset = result.nextBeginOffset === offset && offset < result.minOffset ? result.minOffset : result.nextBeginOffset;
      if (result.messages.length > 0) yield result;
      else if (waitMs === 0 && result.pullStatus === "NO_NEW_MSG") return;
    }
  }

  private offsetPath(topic: string, queueId: number): string {
    return `/consumer-offsets/${encodeURIComponent(this.group)}/${encodeURIComponent(topic)}/${queueId}`;
  }

  /** The topic's route, waiting out the moment between a topic's creation and its registration. */
  private async routeOf(routes: RouteCache, topic: string): Promise<TopicRouteData> {
    const deadline = Date.now() + NEW_TOPIC_ROUTE_WAIT_MS;
    for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 800)) {
      try {
        return await routes.get(topic);
      } catch (error) {
        const unknown = error instanceof SkiffClientError && error.code === "TOPIC_NOT_EXIST";
        if (!unknown || Date.now() + delayMs > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  /** Where a request about the queue goes (see the header). */
  private async target(topic: string, queueId: number, brokerName: string | undefined, purpose: "pull" | "commit" | "read-offset"): Promise<Target> {
    if (!this.routes) return { address: this.broker as string, brokerId: MASTER_ID, key: `\u0001${topic}\u0001${queueId}` };
    const route = await this.routeOf(this.routes, topic);
    let name = brokerName;
    if (name === undefined) {
      const names = readableBrokerNames(route, queueId);
      if (names.length > 1) throw new SkiffClientError("BROKER_NAME_REQUIRED", `topic ${topic} has a queue ${queueId} on ${names.join(", ")}: pass brokerName`);
      name = names[0] ?? route.brokerDatas[0]?.brokerName;
    }
    const key = `${name}\u0001${topic}\u0001${queueId}`;
    const master = name === undefined ? undefined : httpAddrs(route, name)[String(MASTER_ID)];
    if (purpose === "commit") {
      if (!master && name !== undefined && brokerData(route, name)?.brokerAddrs[String(MASTER_ID)]) throw noHttpAddress(topic, name, route);
      if (!master) throw new SkiffClientError("MASTER_NOT_AVAILABLE", `topic ${topic}: the route has no master for broker ${name ?? "(none)"}; offsets are committed to masters only`);
      return { address: master, brokerId: MASTER_ID, key };
    }
    const wanted = purpose === "pull" ? (this.suggested.get(key) ?? MASTER_ID) : MASTER_ID;
    const found = name === undefined ? undefined : addressFor(route, name, wanted);
    if (!found && name !== undefined && Object.keys(brokerData(route, name)?.brokerAddrs ?? {}).length > 0) throw noHttpAddress(topic, name, route);
    if (!found) throw new SkiffClientError("NO_ROUTE", `topic ${topic}: the route has no broker for queue ${queueId}`);
    return { ...found, key };
  }
}
