/**
 * Topic routes from the name server (DESIGN §1.7, `GET /routes/{topic}`), cached per topic, and the
 * choices the Java client makes from them (spec §6.3, `MQClientInstance`):
 *
 *   {"brokerDatas":[{"cluster":"DefaultCluster","brokerName":"broker-a","brokerAddrs":{"0":"…","1":"…"},
 *                    "brokerHttpAddrs":{"0":"…","1":"…"}}],
 *    "queueDatas":[{"brokerName":"broker-a","readQueueNums":4,"writeQueueNums":4,"perm":6,"topicSysFlag":0}]}
 *
 * (the shapes: contract/namesrv-http.ts; the client checks the fields it uses, not topicSysFlag).
 * - Name servers (`"host:port;host:port"`) are asked one after another, starting with the one that
 *   answered last; a 4xx answer (TOPIC_NOT_EXIST) is final, a failure moves on to the next.
 * - A route is kept for `routeTtlMs` (RocketMQ polls every 30 s) or until `invalidate`.
 * - The client speaks HTTP, so it dials `brokerHttpAddrs` (`brokerAddrs` is RocketMQ's remoting);
 *   a broker that registered no HTTP address (an Apache RocketMQ broker) is skipped, and when it
 *   is the only choice the request fails with NO_HTTP_ADDRESS naming it.
 * - Sends go to the master (`brokerHttpAddrs["0"]`) of a broker name with write permission and write
 *   queues; pulls go to the asked broker id's address, else the master's, else any address.
 */
import { MASTER_ID, type BrokerData, type QueueData, type TopicRouteData } from "../contract/namesrv-http.ts";
import { SkiffClientError } from "./errors.ts";
import { badResponse, type HttpClient, type Unchecked } from "./http.ts";

/** RocketMQ's `Perm` bits. */
export const PERM_READ = 4;
export const PERM_WRITE = 2;
export const DEFAULT_ROUTE_TTL_MS = 30_000;

/** `"host:port;host:port"` → addresses; a malformed list is refused with RocketMQ's example. */
export function parseNamesrvAddresses(text: string): string[] {
  const addresses = text.split(";").map((part) => part.trim()).filter((part) => part.length > 0);
  if (addresses.length === 0 || addresses.some((a) => !/^(\[[0-9a-fA-F:.]+\]|[^\s:\[\]]+):\d{1,5}$/.test(a))) {
    throw new SkiffClientError("BAD_REQUEST", `The Name Server Address[${text}] illegal, please set it as follows, "127.0.0.1:9876;192.168.0.1:9876"`);
  }
  return addresses;
}

export class RouteCache {
  private readonly http: HttpClient;
  private readonly addresses: readonly string[];
  private readonly ttlMs: number;
  private readonly routes = new Map<string, { route: TopicRouteData; fetchedAt: number }>();
  private preferred = 0;

  constructor(http: HttpClient, namesrv: string, ttlMs = DEFAULT_ROUTE_TTL_MS) {
    this.http = http;
    this.addresses = parseNamesrvAddresses(namesrv);
    this.ttlMs = ttlMs;
  }

  /**
   * The topic's route. With `fallbackTopic`, a topic the name servers do not know gets that topic's
   * route instead, kept under its own name for the same time (RocketMQ's TBW102 fallback).
   */
  async get(topic: string, fallbackTopic?: string): Promise<TopicRouteData> {
    const cached = this.routes.get(topic);
    if (cached && Date.now() - cached.fetchedAt < this.ttlMs) return cached.route;
    let route: TopicRouteData;
    try {
      route = await this.fetchRoute(topic);
    } catch (error) {
      if (fallbackTopic === undefined || !(error instanceof SkiffClientError) || error.code !== "TOPIC_NOT_EXIST") throw error;
      route = await this.fetchRoute(fallbackTopic).catch(() => Promise.reject(error));
    }
    this.routes.set(topic, { route, fetchedAt: Date.now() });
    return route;
  }

  /** Forgets the topic's route: the next `get` asks a name server again. */
  invalidate(topic: string): void {
    this.routes.delete(topic);
  }

  private async fetchRoute(topic: string): Promise<TopicRouteData> {
    let last: unknown;
    for (let i = 0; i < this.addresses.length; i++) {
      const index = (this.preferred + i) % this.addresses.length;
      try {
        const exchange = await this.http.request(this.addresses[index], `/routes/${encodeURIComponent(topic)}`);
        const route = checkRoute(await exchange.json(), exchange.what, exchange.response.status);
        this.preferred = index;
        return route;
      } catch (error) {
        if (error instanceof SkiffClientError && !error.retriable) throw error;
        last = error;
      }
    }
    throw last;
  }
}

/** Broker names that take sends, with their masters' HTTP addresses, sorted by name. */
export function writableBrokers(route: TopicRouteData): { brokerName: string; writeQueueNums: number; address: string }[] {
  const out: { brokerName: string; writeQueueNums: number; address: string }[] = [];
  for (const queue of writableQueues(route)) {
    const address = httpAddrs(route, queue.brokerName)[String(MASTER_ID)];
    if (address) out.push({ brokerName: queue.brokerName, writeQueueNums: queue.writeQueueNums, address });
  }
  return out.sort((a, b) => (a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0));
}

/** Writable broker names whose master is in the route but without an HTTP address. */
export function writableWithoutHttp(route: TopicRouteData): string[] {
  return writableQueues(route)
    .filter((q) => brokerData(route, q.brokerName)?.brokerAddrs[String(MASTER_ID)] && !httpAddrs(route, q.brokerName)[String(MASTER_ID)])
    .map((q) => q.brokerName)
    .sort();
}

function writableQueues(route: TopicRouteData): QueueData[] {
  return route.queueDatas.filter((queue) => (queue.perm & PERM_WRITE) !== 0 && queue.writeQueueNums > 0);
}

/** brokerId → HTTP `host:port` of a broker name's brokers that registered one. */
export function httpAddrs(route: TopicRouteData, brokerName: string): Readonly<Record<string, string>> {
  return brokerData(route, brokerName)?.brokerHttpAddrs ?? {};
}

/** The error for brokers the route lists only with remoting addresses, which this client cannot dial. */
export function noHttpAddress(topic: string, brokerName: string, route: TopicRouteData): SkiffClientError {
  const remoting = Object.values(brokerData(route, brokerName)?.brokerAddrs ?? {}).join(", ");
  return new SkiffClientError("NO_HTTP_ADDRESS", `topic ${topic}: broker ${brokerName} (${remoting}) registered no HTTP address ` +
    `(brokerHttpAddrs); this client reaches Skiff brokers over their HTTP API only`);
}

/** Broker names with read permission that have `queueId`, sorted. */
export function readableBrokerNames(route: TopicRouteData, queueId: number): string[] {
  return route.queueDatas
    .filter((q) => (q.perm & PERM_READ) !== 0 && q.readQueueNums > queueId)
    .map((q) => q.brokerName)
    .sort();
}

export function brokerData(route: TopicRouteData, brokerName: string): BrokerData | undefined {
  return route.brokerDatas.find((b) => b.brokerName === brokerName);
}

/** The HTTP address of `brokerId` in the broker name, else its master's, else any (spec §6.3). */
export function addressFor(route: TopicRouteData, brokerName: string, brokerId: number): { address: string; brokerId: number } | undefined {
  const addrs = httpAddrs(route, brokerName);
  for (const id of [brokerId, MASTER_ID]) if (addrs[String(id)]) return { address: addrs[String(id)], brokerId: id };
  const [any] = Object.keys(addrs).sort((a, b) => Number(a) - Number(b));
  return any === undefined ? undefined : { address: addrs[any], brokerId: Number(any) };
}

function checkRoute(value: unknown, what: string, status: number): TopicRouteData {
  const fail = (problem: string): never => {
    throw badResponse(what, status, `not a topic route: ${problem}`);
  };
  const route = value as Unchecked<TopicRouteData>;
  if (typeof route !== "object" || route === null) return fail("not an object");
  if (!Array.isArray(route.brokerDatas) || !Array.isArray(route.queueDatas)) return fail("brokerDatas and queueDatas must be arrays");
  for (const b of route.brokerDatas as BrokerData[]) {
    if (typeof b?.brokerName !== "string" || typeof b.brokerAddrs !== "object" || b.brokerAddrs === null) fail("a broker data lacks brokerName or brokerAddrs");
    if (Object.values(b.brokerAddrs).some((a) => typeof a !== "string")) fail(`broker ${b.brokerName} has a non-string address`);
    const http: unknown = b.brokerHttpAddrs;
    if (http !== undefined && (typeof http !== "object" || http === null || Object.values(http).some((a) => typeof a !== "string"))) {
      fail(`broker ${b.brokerName} has brokerHttpAddrs that is not a map of addresses`);
    }
  }
  for (const q of route.queueDatas as QueueData[]) {
    const counts = [q?.readQueueNums, q?.writeQueueNums, q?.perm];
    if (typeof q?.brokerName !== "string" || counts.some((n) => !Number.isInteger(n))) fail("a queue data lacks brokerName, queue counts or perm");
  }
  return route as TopicRouteData;
}
