/**
 * The store's traffic counters (RocketMQ's StoreStatsService and BrokerStats), counted where the
 * traffic passes — `MessageStore.append` and `MessageStore.get` — and read by GET_BROKER_RUNTIME_INFO
 * and GET_CONSUME_STATS. Every structure is fixed-size or capped, whatever the traffic.
 *
 * | counter                  | counted                                                            |
 * |--------------------------|--------------------------------------------------------------------|
 * | put messages / bytes     | records of every successful append (producers, retries, schedule)   |
 * | put failures             | appends the commit log refused (disk full, write failing, too big)   |
 * | put latency              | append → flush policy met (put-latency.ts)                          |
 * | get found / miss         | consumers' reads that found messages / that did not (the schedule   |
 * |                          | service's own reads are not counted, as Java's are not)              |
 * | get transferred          | messages handed out by reads                                        |
 * | get per topic@group      | messages read for a consumer group (10-s buckets, minute rate)       |
 * | daily totals             | put / transferred totals at the last two local midnights            |
 *
 * Rates (`RateWindow`, 1-s buckets, 601 of them) cover 10 s, 60 s and 600 s, as Java's `putTps`.
 * Replicated bytes (a slave's HA appends) are not puts, as in Java.
 *
 * Daily totals (BrokerStats' `msgPutTotalTodayMorning` …) need no timer: the totals only change
 * when something is counted, so the value at midnight is the value just before the first event of
 * the new day; every count and every read first rolls the day (local time of the wall clock).
 */
import type { Clock } from "../core/platform.ts";
import { javaDoubleString } from "../codec/java-double.ts";
import { PutLatency } from "./put-latency.ts";
import { RateWindow } from "./rate-window.ts";

/** Most topic@group pairs whose read rate is kept; the least recently read is dropped beyond it. */
export const GROUP_RATES_MAX = 1024;
const SECOND_BUCKETS = 601;
const GROUP_BUCKET_MS = 10_000;
const GROUP_BUCKETS = 7;
const DAY_MS = 86_400_000;

export interface DailyTotals {
  readonly yesterdayMorning: number;
  readonly todayMorning: number;
  readonly now: number;
}

export class TrafficStats {
  readonly bootTimestamp: number;
  putMessages = 0;
  putBytes = 0;
  putFailures = 0;
  getFound = 0;
  getMiss = 0;
  getTransferred = 0;
  getSlowestMs = 0;
  readonly putLatency: PutLatency;
  private readonly clock: Clock;
  private readonly rates: Record<"put" | "getFound" | "getMiss" | "getTransferred", RateWindow>;
  private readonly groupRates = new Map<string, RateWindow>();
  private day: number;
  private putMornings = { yesterday: 0, today: 0 };
  private getMornings = { yesterday: 0, today: 0 };

  constructor(clock: Clock) {
    this.clock = clock;
    this.bootTimestamp = clock.now();
    const mono = clock.monotonicMs();
    const window = () => new RateWindow(1000, SECOND_BUCKETS, mono);
    this.rates = { put: window(), getFound: window(), getMiss: window(), getTransferred: window() };
    this.putLatency = new PutLatency(mono);
    this.day = localDay(this.bootTimestamp);
  }

  countPut(messages: number, bytes: number): void {
    this.rollDay();
    this.putMessages += messages;
    this.putBytes += bytes;
    this.rates.put.add(messages, this.clock.monotonicMs());
  }

  countPutFailure(): void {
    this.putFailures++;
  }

  countPutLatency(elapsedMs: number): void {
    this.putLatency.record(elapsedMs, this.clock.monotonicMs());
  }

  /** One read: `messages` handed out (0 = a miss), `elapsedMs` spent, for `statsKey` (topic@group) when known. */
  countGet(messages: number, elapsedMs: number, statsKey?: string): void {
    this.rollDay();
    const mono = this.clock.monotonicMs();
    if (messages > 0) {
      this.getFound++;
      this.rates.getFound.add(1, mono);
    } else {
      this.getMiss++;
      this.rates.getMiss.add(1, mono);
    }
    this.getTransferred += messages;
    this.rates.getTransferred.add(messages, mono);
    this.getSlowestMs = Math.max(this.getSlowestMs, Math.round(elapsedMs));
    if (statsKey !== undefined && messages > 0) this.groupRate(statsKey, mono).add(messages, mono);
  }

  /** `"<10 s> <60 s> <600 s>"` events per second, a span without enough history left empty (Java's format). */
  tps(which: keyof TrafficStats["rates"]): string {
    const mono = this.clock.monotonicMs();
    return [10, 60, 600].map((seconds) => {
      const rate = this.rates[which].rate(seconds, mono);
      return rate === undefined ? "" : javaDoubleString(rate);
    }).join(" ");
  }

  /** Found + missed reads per second over each span (Java prints 0.0 for a span without history). */
  getTotalTps(): string {
    const mono = this.clock.monotonicMs();
    return [10, 60, 600].map((s) => javaDoubleString((this.rates.getFound.rate(s, mono) ?? 0) + (this.rates.getMiss.rate(s, mono) ?? 0))).join(" ");
  }

  /** Messages read per second for `statsKey` over the last minute (or the history there is); 0 if none. */
  groupGetTps(statsKey: string): number {
    const window = this.groupRates.get(statsKey);
    if (!window) return 0;
    const mono = this.clock.monotonicMs();
    const buckets = Math.min(6, window.completeBuckets(mono));
    return buckets === 0 ? 0 : (window.rate(buckets, mono) ?? 0);
  }

  putTotals(): DailyTotals {
    this.rollDay();
    return { yesterdayMorning: this.putMornings.yesterday, todayMorning: this.putMornings.today, now: this.putMessages };
  }

  getTotals(): DailyTotals {
    this.rollDay();
    return { yesterdayMorning: this.getMornings.yesterday, todayMorning: this.getMornings.today, now: this.getTransferred };
  }

  private groupRate(key: string, mono: number): RateWindow {
    let window = this.groupRates.get(key);
    if (window) this.groupRates.delete(key); // re-inserted below: the map's order is recency
    else {
      window = new RateWindow(GROUP_BUCKET_MS, GROUP_BUCKETS, mono);
      if (this.groupRates.size >= GROUP_RATES_MAX) this.groupRates.delete(this.groupRates.keys().next().value as string);
    }
    this.groupRates.set(key, window);
    return window;
  }

  private rollDay(): void {
    const today = localDay(this.clock.now());
    if (today <= this.day) return;
    const roll = (mornings: { yesterday: number; today: number }, total: number) =>
      today === this.day + 1 ? { yesterday: mornings.today, today: total } : { yesterday: total, today: total };
    this.putMornings = roll(this.putMornings, this.putMessages);
    this.getMornings = roll(this.getMornings, this.getTransferred);
    this.day = today;
  }
}

/** Days since the epoch in the machine's local time (Java's midnight is local). */
function localDay(wallMs: number): number {
  return Math.floor((wallMs - new Date(wallMs).getTimezoneOffset() * 60_000) / DAY_MS);
}
