/**
 * Finds stored messages the way an operator traces one (RocketMQ's `queryMessage` /
 * `viewMessage`, mqadmin `queryMsgByKey` / `queryMsgById`), over the brokers' HTTP API:
 *
 *   byKey(topic, key)   GET /messages?topic=&key=&maxNum=&begin=&end=   a KEYS word or a msgId (UNIQ_KEY)
 *   byId(msgId)         GET /messages/{msgId}?topic=                    an offsetMsgId or a msgId (UNIQ_KEY)
 *
 * Answers are asked for in the raw-records form (the stored bytes, decoded with the shared codec,
 * as pulls are). With `broker` every lookup goes to that broker. With a name server a lookup asks
 * every broker name of the topic's route (its master, else any broker that registered an HTTP
 * address: a slave holds the same records), one after another: `byKey` merges their answers,
 * oldest first, at most `maxNum`; `byId` answers the first hit. A broker that cannot be reached
 * fails the lookup (a partial answer would read as "not there").
 */
import { RECORDS_CONTENT_TYPE } from "../contract/broker-http.ts";
import { MASTER_ID } from "../contract/namesrv-http.ts";
import { SkiffClientError } from "./errors.ts";
import { HttpClient, type FetchLike } from "./http.ts";
import type { AccountCredentials } from "../codec/basic-credentials.ts";
import { decodeRecords, type PulledMessage } from "./pull-answer.ts";
import { addressFor, RouteCache } from "./route.ts";

export interface MessageFinderOptions {
  /** One broker, `host:port`… */
  readonly broker?: string;
  /** …or name servers, `host:port;host:port`. */
  readonly namesrv?: string;
  readonly fetch?: FetchLike;
  /** An ACL account (aclEnable=true on the broker), sent as HTTP Basic credentials with every request. */
  readonly credentials?: AccountCredentials;
  /** Time limit of one request in milliseconds (default 10 s). */
  readonly timeoutMs?: number;
  /** How long a topic route is reused (default 30 s). */
  readonly routeTtlMs?: number;
}

export interface KeyLookupOptions {
  /** At most this many messages (1–64, the broker's cap; default 64). */
  readonly maxNum?: number;
  /** Stored at or after this time (ms since the epoch; default: any). */
  readonly begin?: number;
  /** Stored at or before this time (default: any). */
  readonly end?: number;
}

export interface IdLookupOptions {
  /** The message's topic: needed with a name server, and it narrows a UNIQ_KEY lookup. */
  readonly topic?: string;
}

export const MAX_KEY_LOOKUP = 64;

export class MessageFinder {
  private readonly http: HttpClient;
  private readonly broker: string | undefined;
  private readonly routes: RouteCache | undefined;

  constructor(options: MessageFinderOptions) {
    this.http = new HttpClient(options);
    if (options.broker) this.broker = options.broker;
    else if (options.namesrv) this.routes = new RouteCache(this.http, options.namesrv, options.routeTtlMs);
    else throw new SkiffClientError("BAD_REQUEST", "a message finder needs broker: \"host:port\" or namesrv: \"host:port;host:port\"");
  }

  /** The messages of `topic` whose KEYS hold `key` or whose msgId is `key`, oldest first. */
  async byKey(topic: string, key: string, options: KeyLookupOptions = {}): Promise<PulledMessage[]> {
    const maxNum = options.maxNum ?? MAX_KEY_LOOKUP;
    if (!Number.isSafeInteger(maxNum) || maxNum < 1 || maxNum > MAX_KEY_LOOKUP) {
      throw new SkiffClientError("BAD_REQUEST", `maxNum must be an integer in 1..${MAX_KEY_LOOKUP}, got ${maxNum}`);
    }
    const query = new URLSearchParams({ topic, key, maxNum: String(maxNum) });
    if (options.begin !== undefined) query.set("begin", String(options.begin));
    if (options.end !== undefined) query.set("end", String(options.end));
    const found: PulledMessage[] = [];
    for (const address of await this.brokersOf(topic)) found.push(...(await this.records(address, `/messages?${query}`)));
    return found.sort((a, b) => a.storeTimestamp - b.storeTimestamp || a.commitLogOffset - b.commitLogOffset).slice(0, maxNum);
  }

  /** The message with this offsetMsgId or msgId (UNIQ_KEY), or null when no broker holds it. */
  async byId(msgId: string, options: IdLookupOptions = {}): Promise<PulledMessage | null> {
    if (this.routes && options.topic === undefined) {
      throw new SkiffClientError("BAD_REQUEST", "with a name server, byId needs the message's topic ({ topic }) to know which brokers to ask");
    }
    const query = options.topic === undefined ? "" : `?topic=${encodeURIComponent(options.topic)}`;
    const addresses = options.topic === undefined ? [this.broker as string] : await this.brokersOf(options.topic);
    for (const address of addresses) {
      try {
        const [message] = await this.records(address, `/messages/${encodeURIComponent(msgId)}${query}`);
        if (message) return message;
      } catch (error) {
        if (!(error instanceof SkiffClientError && error.code === "MESSAGE_NOT_FOUND")) throw error;
      }
    }
    return null;
  }

  private async records(address: string, path: string): Promise<PulledMessage[]> {
    const exchange = await this.http.request(address, path, { accept: RECORDS_CONTENT_TYPE });
    return decodeRecords(exchange.response.headers, await exchange.bytes(), exchange.what, exchange.response.status);
  }

  /** One HTTP address per broker name serving `topic` (its master's when it has one). */
  private async brokersOf(topic: string): Promise<string[]> {
    if (!this.routes) return [this.broker as string];
    const route = await this.routes.get(topic);
    const addresses = route.brokerDatas.map((b) => addressFor(route, b.brokerName, MASTER_ID)?.address).filter((a): a is string => a !== undefined);
    if (addresses.length === 0) throw new SkiffClientError("NO_ROUTE", `topic ${topic}: the route has no broker with an HTTP address`);
    return addresses;
  }
}
