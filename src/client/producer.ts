/**
 * Sends messages to a Skiff broker over its HTTP API (DESIGN §1.3, §1.4): one message as JSON, a
 * batch in RocketMQ's binary batch form (one queue, consecutive offsets).
 *
 * **A status other than SEND_OK is returned, not thrown.** FLUSH_DISK_TIMEOUT, FLUSH_SLAVE_TIMEOUT
 * and SLAVE_NOT_AVAILABLE mean the message IS stored on the master but not yet as durable as the
 * broker's flush or replication policy promises; sending it again would store it twice. Only a
 * failure (SkiffClientError) means it may not be stored.
 *
 * Where messages go:
 * - `{ broker: "host:port" }`: to that broker; the broker picks the queue unless `queueId` is given.
 * - `{ namesrv: "host:port;host:port" }`: as RocketMQ's producer, the topic's route lists the
 *   writable queues of every broker name (a topic the name server does not know yet falls back to
 *   the route of `TBW102`, whose brokers create topics on first send); the producer takes the next
 *   queue round-robin (with `queueId`: a broker name that has that queue) and sends to the master
 *   (`brokerHttpAddrs["0"]`, its HTTP API) of its broker name. When that fails with a retriable error or a stale
 *   route (NOT_MASTER, SLAVE_CANNOT_SEND, TOPIC_NOT_EXIST, NO_PERMISSION), it forgets the route,
 *   asks again and retries up to `retries` times (default 2, RocketMQ's retryTimesWhenSendFailed),
 *   on another broker name when there is one. As in RocketMQ, a retry after a TIMEOUT can store a
 *   message twice (at least once).
 */
import { BATCH_CONTENT_TYPE } from "../contract/broker-http.ts";
import type { TopicRouteData } from "../contract/namesrv-http.ts";
import { SkiffClientError } from "./errors.ts";
import { HttpClient, type FetchLike } from "./http.ts";
import type { AccountCredentials } from "../codec/basic-credentials.ts";
import { batchBody, checkBatchResults, checkSendResult, messageJson, type BatchMessage, type Message, type SendResult } from "./message.ts";
import { noHttpAddress, RouteCache, writableBrokers, writableWithoutHttp } from "./route.ts";

export type ClientTarget = { readonly broker: string } | { readonly namesrv: string };

export interface ProducerOptions {
  readonly fetch?: FetchLike;
  /** An ACL account (aclEnable=true on the broker), sent as HTTP Basic credentials with every request. */
  readonly credentials?: AccountCredentials;
  /** Time limit of one request in milliseconds (default 10 s). */
  readonly timeoutMs?: number;
  /** Retries after a failed send, with a name server only (default 2). */
  readonly retries?: number;
  /** How long a topic route is reused (default 30 s). */
  readonly routeTtlMs?: number;
}

export interface SendBatchOptions {
  /** The queue for the whole batch; by default the broker (or, with a name server, the producer) picks one. */
  readonly queueId?: number;
}

/** RocketMQ's `TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC`. */
export const AUTO_CREATE_TOPIC = "TBW102";
const STALE_ROUTE_CODES: ReadonlySet<string> = new Set(["NOT_MASTER", "SLAVE_CANNOT_SEND", "TOPIC_NOT_EXIST", "NO_PERMISSION"]);

interface Destination {
  readonly address: string;
  readonly brokerName?: string;
  readonly queueId?: number;
}

export class Producer {
  private readonly http: HttpClient;
  private readonly broker: string | undefined;
  private readonly routes: RouteCache | undefined;
  private readonly retries: number;
  private readonly nextQueue = new Map<string, number>();

  constructor(target: ClientTarget, options: ProducerOptions = {}) {
    this.http = new HttpClient(options);
    if ("broker" in target && target.broker) {
      this.broker = target.broker;
    } else if ("namesrv" in target && target.namesrv) {
      this.routes = new RouteCache(this.http, target.namesrv, options.routeTtlMs);
    } else {
      throw new SkiffClientError("BAD_REQUEST", "a producer needs { broker: \"host:port\" } or { namesrv: \"host:port;host:port\" }");
    }
    this.retries = this.routes ? Math.max(0, options.retries ?? 2) : 0;
  }

  /** Sends one message (JSON form). Statuses other than SEND_OK are returned: the message is stored. */
  async send(topic: string, message: Message): Promise<SendResult> {
    const json = messageJson(message);
    return this.deliver(topic, message.queueId, async (to) => {
      const body = to.queueId === undefined ? json : { ...json, queueId: to.queueId };
      const exchange = await this.http.request(to.address, messagesPath(topic), { method: "POST", json: body });
      return checkSendResult(await exchange.json(), exchange.what, exchange.response.status, to.brokerName);
    });
  }

  /**
   * Sends a batch in RocketMQ's binary form: one queue, consecutive queue offsets, one status for
   * all (returned, not thrown, as for `send`).
   */
  async sendBatch(topic: string, messages: readonly BatchMessage[], options: SendBatchOptions = {}): Promise<SendResult[]> {
    const body = batchBody(messages);
    return this.deliver(topic, options.queueId, async (to) => {
      const query = to.queueId === undefined ? "" : `?queueId=${to.queueId}`;
      const exchange = await this.http.request(to.address, messagesPath(topic) + query, { method: "POST", body, contentType: BATCH_CONTENT_TYPE });
      return checkBatchResults(await exchange.json(), exchange.what, exchange.response.status, messages.length, to.brokerName);
    });
  }

  private async deliver<T>(topic: string, queueId: number | undefined, attempt: (to: Destination) => Promise<T>): Promise<T> {
    if (!this.routes) return attempt({ address: this.broker as string, queueId });
    let lastBrokerName: string | undefined;
    let lastError: unknown;
    for (let round = 0; round <= this.retries; round++) {
      let to: Destination | undefined;
      try {
        to = this.choose(topic, await this.routes.get(topic, AUTO_CREATE_TOPIC), queueId, lastBrokerName);
        return await attempt(to);
      } catch (error) {
        const sendFailed = to !== undefined && error instanceof SkiffClientError && STALE_ROUTE_CODES.has(error.code);
        if (!(error instanceof SkiffClientError) || !(error.retriable || sendFailed)) throw error;
        this.routes.invalidate(topic);
        lastBrokerName = to?.brokerName ?? lastBrokerName;
        lastError = error;
      }
    }
    throw lastError;
  }

  /** The next writable queue round-robin, avoiding the broker name that just failed when possible. */
  private choose(topic: string, route: TopicRouteData, queueId: number | undefined, avoid: string | undefined): Destination {
    const queues = writableBrokers(route).flatMap((b) =>
      Array.from({ length: b.writeQueueNums }, (_, id) => ({ address: b.address, brokerName: b.brokerName, queueId: id })),
    ).filter((q) => queueId === undefined || q.queueId === queueId);
    if (queues.length === 0) {
      const [remotingOnly] = writableWithoutHttp(route);
      if (remotingOnly !== undefined) throw noHttpAddress(topic, remotingOnly, route);
      throw new SkiffClientError("NO_ROUTE", `topic ${topic}: the route has no writable queue${queueId === undefined ? "" : ` ${queueId}`} with a master`);
    }
    const others = queues.filter((q) => q.brokerName !== avoid);
    const pool = others.length > 0 ? others : queues;
    const next = this.nextQueue.get(topic) ?? 0;
    this.nextQueue.set(topic, next + 1);
    return pool[next % pool.length];
  }
}

export function messagesPath(topic: string): string {
  return `/topics/${encodeURIComponent(topic)}/messages`;
}
