/**
 * The broker's side of the name server API (RocketMQ's `BrokerOuterAPI`): register with every
 * name server in parallel, each call bounded by a timeout (`registerBrokerTimeoutMills`, 6 s),
 * and report each name server's outcome; one that is down, slow or refusing never hides the
 * others' answers and never throws. `getRoute` asks the name servers one after another until one
 * knows the topic.
 *
 * `fetch` is injected: the runtime's `fetch`, or `app.request` of an in-process app in tests.
 * Failures become SkiffErrors: NAMESRV_TIMEOUT and NAMESRV_UNREACHABLE (retriable), the name
 * server's own error code for a 4xx/5xx answer (retriable when 5xx), NAMESRV_BAD_ANSWER for a body
 * that is not what the API promises.
 */
import type { z } from "zod";
import { SkiffError } from "../core/errors.ts";
import { isErrorCode } from "../core/error-codes.ts";
import { registerResultSchema, routeSchema, unregisterResultSchema } from "./route-schema.ts";
import type { BrokerKey, BrokerRegistration, RegisterBrokerResult, TopicRouteData } from "../contract/namesrv-http.ts";

/** RocketMQ's `registerBrokerTimeoutMills`. */
export const REGISTER_BROKER_TIMEOUT_MS = 6000;

/** What the client needs of `fetch`; the global `fetch` and Hono's `app.request` both fit. */
export type FetchLike = (url: string, init: RequestInit) => Response | Promise<Response>;

export interface NamesrvClientOptions {
  /** Per name server and call, for the whole exchange (answer and body). */
  readonly timeoutMs?: number;
}

export type Outcome<T> =
  | { readonly address: string; readonly ok: true; readonly value: T }
  | { readonly address: string; readonly ok: false; readonly error: SkiffError };

export function registerBroker(
  addresses: readonly string[],
  registration: BrokerRegistration,
  fetch: FetchLike,
  options: NamesrvClientOptions = {},
): Promise<Outcome<RegisterBrokerResult>[]> {
  const body = JSON.stringify(registration);
  return Promise.all(addresses.map((address) => settle(address, call(fetch, address, "POST", "/brokers", body, registerResultSchema, options))));
}

/** Resolves with `value: true` where the name server knew the broker, `false` where it did not. */
export function unregisterBroker(
  addresses: readonly string[],
  broker: BrokerKey,
  fetch: FetchLike,
  options: NamesrvClientOptions = {},
): Promise<Outcome<boolean>[]> {
  const path = `/brokers/${[broker.clusterName, broker.brokerName, String(broker.brokerId)].map(encodeURIComponent).join("/")}`;
  return Promise.all(
    addresses.map((address) => settle(address, call(fetch, address, "DELETE", path, undefined, unregisterResultSchema, options).then((r) => r.removed))),
  );
}

/**
 * The first route a name server gives; null when every name server that answered said the topic
 * is unknown. Throws NAMESRV_UNAVAILABLE (retriable) when none answered at all.
 */
export async function getRoute(
  addresses: readonly string[],
  topic: string,
  fetch: FetchLike,
  options: NamesrvClientOptions = {},
): Promise<TopicRouteData | null> {
  const problems: string[] = [];
  let unknownTopic = false;
  for (const address of addresses) {
    try {
      return await call(fetch, address, "GET", `/routes/${encodeURIComponent(topic)}`, undefined, routeSchema, options);
    } catch (error) {
      const skiff = asSkiffError(error, address);
      if (skiff.code === "TOPIC_NOT_EXIST") unknownTopic = true;
      else problems.push(skiff.message);
    }
  }
  if (unknownTopic) return null;
  throw new SkiffError("NAMESRV_UNAVAILABLE", problems.length === 0 ? "no name server address given" : `no name server answered: ${problems.join("; ")}`, { retriable: true });
}

async function call<Schema extends z.ZodType>(
  fetch: FetchLike,
  address: string,
  method: string,
  path: string,
  body: string | undefined,
  schema: Schema,
  options: NamesrvClientOptions,
): Promise<z.output<Schema>> {
  const timeoutMs = options.timeoutMs ?? REGISTER_BROKER_TIMEOUT_MS;
  const headers = body === undefined ? undefined : { "content-type": "application/json" };
  let status: number;
  let text: string;
  try {
    const response = await fetch(`http://${address}${path}`, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
    status = response.status;
    text = await response.text();
  } catch (error) {
    if (error instanceof Error && error.name === "TimeoutError") {
      throw new SkiffError("NAMESRV_TIMEOUT", `name server ${address} did not answer ${method} ${path} within ${timeoutMs} ms`, { retriable: true, cause: error });
    }
    throw new SkiffError("NAMESRV_UNREACHABLE", `name server ${address}: ${method} ${path} failed: ${String(error)}`, { retriable: true, cause: error });
  }
  const json = parseJson(text);
  if (status !== 200) throw answeredError(address, status, json);
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new SkiffError("NAMESRV_BAD_ANSWER", `name server ${address} answered ${method} ${path} with an unexpected body`, { cause: parsed.error });
  return parsed.data;
}

function answeredError(address: string, status: number, json: unknown): SkiffError {
  const error = typeof json === "object" && json !== null ? (json as { error?: { code?: unknown; message?: unknown } }).error : undefined;
  const code = isErrorCode(error?.code) ? error.code : `HTTP_${status}` as const; // a Skiff name server answers only listed codes
  const message = typeof error?.message === "string" ? error.message : `status ${status}`;
  return new SkiffError(code, `name server ${address}: ${message}`, { retriable: status >= 500 });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function asSkiffError(error: unknown, address: string): SkiffError {
  return error instanceof SkiffError ? error : new SkiffError("NAMESRV_UNREACHABLE", `name server ${address}: ${String(error)}`, { retriable: true, cause: error });
}

function settle<T>(address: string, work: Promise<T>): Promise<Outcome<T>> {
  return work.then(
    (value) => ({ address, ok: true as const, value }),
    (error: unknown) => ({ address, ok: false as const, error: asSkiffError(error, address) }),
  );
}
