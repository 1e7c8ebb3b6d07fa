/**
 * The name server's side of the dashboard: every registered broker's snapshot, fetched by the name
 * server from the broker's own `GET /dashboard/data` (its registered httpAddr), so the page talks
 * to one origin only.
 *
 * Why the name server fetches, rather than the page asking each broker with CORS: a browser page
 * may only read other origins that send CORS headers, and granting that on the brokers would open
 * every GET of every broker (messages, `/ha/log` bytes) to scripts of any site the operator visits;
 * the brokers' HTTP addresses may also be reachable from the name server but not from the
 * operator's browser (brokerIP1 on an inner network). One request per refresh, from one place, is
 * also what a page behind a single reverse-proxy route needs.
 *
 * Bounded:
 * - at most DASHBOARD_BROKERS_MAX brokers are asked per refresh (in cluster order; the others are
 *   listed with an error and counted in `brokersNotPolled`), all at once;
 * - each answer within DASHBOARD_BROKER_TIMEOUT_MS (headers and body; AbortSignal.timeout) and at
 *   most DASHBOARD_BROKER_BODY_BYTES_MAX bytes, read chunk by chunk and cancelled beyond it, then
 *   checked against the snapshot's schema (snapshot-schema.ts);
 * - refreshes asked for while one runs share it, and an answer is given again to those asked for
 *   within DASHBOARD_REUSE_MS of it: one poll in flight and at most 4 a second, however many pages
 *   are open; only that last answer is kept, so memory is ≤ brokers × body cap, once.
 */
import type { ClusterBrokerJson, ClusterDashboardJson } from "../../contract/dashboard.ts";
import type { BrokerInfo, ClusterInfo } from "../../contract/namesrv-http.ts";
import { concatBytes } from "../../core/bytes.ts";
import type { FetchLike } from "../../namesrv/namesrv-client.ts";
import { describeIssues } from "../../core/checked.ts";
import { brokerDashboardSchema } from "./snapshot-schema.ts";

export const DASHBOARD_BROKERS_MAX = 64;
export const DASHBOARD_BROKER_TIMEOUT_MS = 2000;
export const DASHBOARD_BROKER_BODY_BYTES_MAX = 512 * 1024;
export const DASHBOARD_REUSE_MS = 250;

export interface ClusterDashboardDeps {
  readonly cluster: () => ClusterInfo;
  /** Wall-clock ms (the name server's clock): `sampledAt` and each fetch's `elapsedMs`. */
  readonly now: () => number;
  readonly fetch?: FetchLike;
  readonly brokersMax?: number;
  readonly timeoutMs?: number;
  readonly bodyBytesMax?: number;
}

export class ClusterDashboard {
  private readonly deps: ClusterDashboardDeps;
  private inFlight: Promise<ClusterDashboardJson> | null = null;
  private last: { readonly atMs: number; readonly data: ClusterDashboardJson } | null = null;

  constructor(deps: ClusterDashboardDeps) {
    this.deps = deps;
  }

  /**
   * The cluster's snapshots; a call while a refresh runs gets that refresh's answer, and one within
   * DASHBOARD_REUSE_MS after it ended the same answer (a clock going backwards ends the reuse).
   */
  data(): Promise<ClusterDashboardJson> {
    if (this.inFlight) return this.inFlight;
    if (this.last) {
      const ageMs = this.deps.now() - this.last.atMs;
      if (ageMs >= 0 && ageMs < DASHBOARD_REUSE_MS) return Promise.resolve(this.last.data);
    }
    const run = this.poll();
    this.inFlight = run;
    run.then(
      (data) => {
        this.inFlight = null;
        this.last = { atMs: this.deps.now(), data };
      },
      () => (this.inFlight = null),
    );
    return run;
  }

  private async poll(): Promise<ClusterDashboardJson> {
    const info = this.deps.cluster();
    const sampledAt = this.deps.now();
    const brokersMax = this.deps.brokersMax ?? DASHBOARD_BROKERS_MAX;
    let asked = 0;
    let notPolled = 0;
    const pending: Array<Promise<unknown>> = [];
    const clusters = info.clusters.map(({ clusterName, brokerGroups }) => ({
      clusterName,
      brokerGroups: brokerGroups.map(({ brokerName, brokers }) => {
        const entries: ClusterBrokerJson[] = brokers.map((broker) => ({
          brokerId: broker.brokerId, brokerAddr: broker.brokerAddr, httpAddr: broker.httpAddr ?? null,
          lastUpdateTimestamp: broker.lastUpdateTimestamp, snapshot: null, error: null, elapsedMs: null,
        }));
        brokers.forEach((broker, i) => {
          if (broker.httpAddr === undefined) {
            entries[i] = { ...entries[i], error: "registered no HTTP address (an Apache RocketMQ broker): the dashboard reads Skiff brokers" };
          } else if (asked >= brokersMax) {
            notPolled++;
            entries[i] = { ...entries[i], error: `not asked: the dashboard polls at most ${brokersMax} brokers` };
          } else {
            asked++;
            pending.push(this.ask(broker).then((answer) => (entries[i] = { ...entries[i], ...answer })));
          }
        });
        return { brokerName, brokers: entries };
      }),
    }));
    await Promise.all(pending);
    return { source: "namesrv", sampledAt, clusters, brokerCount: info.brokerCount, brokersNotPolled: notPolled };
  }

  private async ask(broker: BrokerInfo): Promise<Pick<ClusterBrokerJson, "snapshot" | "error" | "elapsedMs">> {
    const timeoutMs = this.deps.timeoutMs ?? DASHBOARD_BROKER_TIMEOUT_MS;
    const fetcher: FetchLike = this.deps.fetch ?? ((url, init) => fetch(url, init));
    const startMs = this.deps.now();
    const elapsed = () => Math.max(0, Math.round(this.deps.now() - startMs));
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetcher(`http://${broker.httpAddr}/dashboard/data`, { signal });
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => undefined);
        return { snapshot: null, error: `answered HTTP ${response.status} at /dashboard/data (a Skiff broker older than the dashboard?)`, elapsedMs: elapsed() };
      }
      const text = await readLimited(response, this.deps.bodyBytesMax ?? DASHBOARD_BROKER_BODY_BYTES_MAX, signal);
      const parsed = brokerDashboardSchema.safeParse(parseJson(text));
      if (!parsed.success) return { snapshot: null, error: `answered an unexpected shape: ${describeIssues(parsed.error.issues)}`, elapsedMs: elapsed() };
      return { snapshot: parsed.data.broker, error: null, elapsedMs: elapsed() };
    } catch (error) {
      return { snapshot: null, error: failure(error, timeoutMs), elapsedMs: elapsed() };
    }
  }
}

/**
 * The body as text, refused (and the stream cancelled) beyond `limitBytes` or once `signal` aborts:
 * the deadline holds for the body too, whatever the runtime's fetch does with the signal after the
 * headers came.
 */
async function readLimited(response: Response, limitBytes: number, signal: AbortSignal): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const onAbort = () => void reader.cancel(signal.reason).catch(() => undefined);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const text = await readAll(reader, limitBytes);
    if (signal.aborted) throw signal.reason; // a cancelled read ends the stream early
    return text;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

async function readAll(reader: ReadableStreamDefaultReader<Uint8Array>, limitBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limitBytes) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`answered more than ${limitBytes} bytes`);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(chunks.length === 1 ? chunks[0] : concatBytes(chunks));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error("answered something that is not JSON at /dashboard/data");
  }
}

function failure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return `no answer within ${timeoutMs} ms`;
  const code = e?.code ?? e?.cause?.code;
  const message = e?.cause?.message ?? e?.message ?? String(error);
  return code ? `unreachable (${code}): ${message}` : `failed: ${message}`;
}
