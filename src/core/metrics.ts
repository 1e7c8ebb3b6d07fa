/**
 * Metrics for `GET /metrics`: counters and histograms that services update as things happen, and
 * collected metrics (gauges or counters) whose values are read from the running system when
 * scraped. `render()` turns them into Prometheus's text format (prometheus-text.ts).
 *
 * Bounded, whatever users do. Topics, groups and queues are user-controlled label values, so every
 * metric keeps at most `seriesMax` label sets (RocketMQ 5's `metricsOtelCardinalityLimit`):
 *
 * | kind                  | beyond seriesMax label sets                                          |
 * |-----------------------|----------------------------------------------------------------------|
 * | counter, histogram    | a new label set is folded into one whose user-controlled labels (the |
 * |                       | metric's `foldLabels`) read `_other`, so totals stay right;          |
 * |                       | `<prefix>metrics_series_folded_total{metric}` counts the folded updates |
 * | collected             | the `seriesMax` largest values are written (the most lagging queues, |
 * |                       | say), the rest dropped; `<prefix>metrics_series_dropped{metric}` says |
 * |                       | how many at the last scrape                                          |
 *
 * A counter or histogram without labels is written (as zeros) from the start, so `rate()` sees its
 * first update. Label values longer than `LABEL_VALUE_CHARS_MAX` are cut there. Label names are fixed per metric
 * (every update names each of them); histogram buckets are fixed upper bounds, in seconds by
 * convention.
 */
import { assert, fail } from "./errors.ts";
import { isValidLabelName, isValidMetricName, writeFamilies, type LabelPairs, type MetricFamily, type MetricType, type Sample } from "./prometheus-text.ts";

export const OTHER_LABEL_VALUE = "_other";
export const LABEL_VALUE_CHARS_MAX = 256;

/** Latency buckets in seconds: 0.5 ms to 10 s, for sends, pulls, flushes and waits. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type Labels = Readonly<Record<string, string>>;

export interface MetricOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  /** Labels whose values come from users (topic, group, queue): folded into `_other` beyond the limit. */
  readonly foldLabels?: readonly string[];
}

export interface RegistryOptions {
  /** Most label sets per metric (RocketMQ 5: metricsOtelCardinalityLimit, 50,000). */
  readonly seriesMax: number;
  /** Prefix of the registry's own metrics (`skiff_`). */
  readonly prefix: string;
}

/** Receives one collected value; a metric without labels takes `{}`. */
export type Emit = (labels: Labels, value: number) => void;

interface Series<V> {
  readonly labels: LabelPairs;
  value: V;
}

/** The label sets of one metric, capped (see the header). */
class SeriesTable<V> {
  readonly map = new Map<string, Series<V>>();
  folded = 0;
  private readonly options: MetricOptions;
  private readonly seriesMax: number;
  private readonly create: () => V;

  constructor(options: MetricOptions, seriesMax: number, create: () => V) {
    this.options = options;
    this.seriesMax = seriesMax;
    this.create = create;
  }

  get(labels: Labels): Series<V> {
    let values = labelValues(this.options, labels);
    let key = seriesKey(values);
    let series = this.map.get(key);
    if (series) return series;
    if (this.map.size >= this.seriesMax) {
      const fold = new Set(this.options.foldLabels ?? []);
      values = values.map((value, i) => (fold.has(this.options.labelNames![i]) ? OTHER_LABEL_VALUE : value));
      key = seriesKey(values);
      this.folded++;
      series = this.map.get(key);
      if (series) return series;
    }
    series = { labels: pairsOf(this.options, values), value: this.create() };
    this.map.set(key, series);
    return series;
  }
}

/**
 * A series' key: its label values joined by NUL (`JSON.stringify`, behind a NUL, for the rare
 * values that hold one, so no two label sets share a key). Was always `JSON.stringify`, ~1 % of a
 * loaded broker's CPU.
 */
function seriesKey(values: readonly string[]): string {
  for (const value of values) if (value.includes("\u0000")) return `\u0000${JSON.stringify(values)}`;
  return values.join("\u0000");
}

function labelValues(options: MetricOptions, labels: Labels): string[] {
  const names = options.labelNames ?? [];
  if (Object.keys(labels).length !== names.length) fail(`${options.name} takes the labels ${names.join(", ") || "(none)"}`);
  return names.map((name) => {
    const value = labels[name];
    if (typeof value !== "string") fail(`${options.name}: label ${name} is given`);
    return value.length > LABEL_VALUE_CHARS_MAX ? value.slice(0, LABEL_VALUE_CHARS_MAX) : value;
  });
}

function pairsOf(options: MetricOptions, values: readonly string[]): LabelPairs {
  return (options.labelNames ?? []).map((name, i) => [name, values[i]] as const);
}

function checkOptions(options: MetricOptions): void {
  if (!isValidMetricName(options.name)) fail(`metric name ${options.name} is valid`);
  for (const name of options.labelNames ?? []) if (!(isValidLabelName(name) && name !== "le")) fail(`label name ${name} is valid`);
  for (const name of options.foldLabels ?? []) if (!options.labelNames?.includes(name)) fail(`fold label ${name} is one of ${options.name}'s labels`);
}

export class Counter {
  readonly options: MetricOptions;
  readonly series: SeriesTable<number>;

  constructor(options: MetricOptions, seriesMax: number) {
    checkOptions(options);
    this.options = options;
    this.series = new SeriesTable(options, seriesMax, () => 0);
    if ((options.labelNames ?? []).length === 0) this.series.get({}); // written as 0 from the start
  }

  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0 && Number.isFinite(by))) fail(`${this.options.name} only goes up`);
    this.series.get(labels).value += by;
  }

  /** The current value of one label set (0 when never counted); for tests and status pages. */
  value(labels: Labels = {}): number {
    return this.series.map.get(seriesKey(labelValues(this.options, labels)))?.value ?? 0;
  }

  family(): MetricFamily {
    return { name: this.options.name, help: this.options.help, type: "counter", samples: [...this.series.map.values()].map((s) => ({ labels: s.labels, value: s.value })) };
  }
}

interface HistogramState {
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export class Histogram {
  readonly options: MetricOptions;
  readonly series: SeriesTable<HistogramState>;
  private readonly bounds: readonly number[];

  constructor(options: MetricOptions & { readonly buckets: readonly number[] }, seriesMax: number) {
    checkOptions(options);
    if (!(options.buckets.length > 0 && options.buckets.every((b, i) => Number.isFinite(b) && (i === 0 || b > options.buckets[i - 1])))) fail(`${options.name}: buckets ascend`);
    this.options = options;
    this.bounds = options.buckets;
    this.series = new SeriesTable(options, seriesMax, () => ({ counts: new Float64Array(options.buckets.length), sum: 0, count: 0 }));
    if ((options.labelNames ?? []).length === 0) this.series.get({}); // written as zeros from the start
  }

  observe(value: number, labels: Labels = {}): void {
    const state = this.series.get(labels).value;
    const bounds = this.bounds; // a loop, not findIndex: this runs per request, and the closure cost more than the search
    let at = 0;
    while (at < bounds.length && !(value <= bounds[at])) at++;
    if (at < bounds.length) state.counts[at]++;
    state.sum += value;
    state.count++;
  }

  /** Observations of one label set so far. */
  count(labels: Labels = {}): number {
    return this.series.map.get(seriesKey(labelValues(this.options, labels)))?.value.count ?? 0;
  }

  family(): MetricFamily {
    const samples: Sample[] = [];
    for (const { labels, value } of this.series.map.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += value.counts[i];
        samples.push({ suffix: "_bucket", labels: [...labels, ["le", String(bound)]], value: cumulative });
      });
      samples.push({ suffix: "_bucket", labels: [...labels, ["le", "+Inf"]], value: value.count });
      samples.push({ suffix: "_sum", labels, value: value.sum }, { suffix: "_count", labels, value: value.count });
    }
    return { name: this.options.name, help: this.options.help, type: "histogram", samples };
  }
}

interface Collected {
  readonly options: MetricOptions & { readonly type: Exclude<MetricType, "histogram"> };
  readonly collect: (emit: Emit) => void | Promise<void>;
  dropped: number;
}

type Entry = { readonly kind: "counter"; readonly metric: Counter } | { readonly kind: "histogram"; readonly metric: Histogram } | { readonly kind: "collected"; readonly metric: Collected };

export class MetricsRegistry {
  readonly options: RegistryOptions;
  private readonly entries: Entry[] = [];
  private readonly names = new Set<string>();
  private collectErrors = 0;

  constructor(options: RegistryOptions) {
    assert(Number.isSafeInteger(options.seriesMax) && options.seriesMax >= 1, "seriesMax is a positive integer");
    this.options = options;
    for (const name of ["metrics_series_folded_total", "metrics_series_dropped", "metrics_collect_errors_total"]) this.claim(`${options.prefix}${name}`);
  }

  counter(options: MetricOptions): Counter {
    this.claim(options.name);
    const metric = new Counter(options, this.options.seriesMax);
    this.entries.push({ kind: "counter", metric });
    return metric;
  }

  histogram(options: MetricOptions & { readonly buckets?: readonly number[] }): Histogram {
    this.claim(options.name);
    const metric = new Histogram({ ...options, buckets: options.buckets ?? LATENCY_BUCKETS_SECONDS }, this.options.seriesMax);
    this.entries.push({ kind: "histogram", metric });
    return metric;
  }

  /** A metric read when scraped: `collect` emits each label set's value (it may read files). */
  collected(options: MetricOptions & { readonly type: "gauge" | "counter" }, collect: (emit: Emit) => void | Promise<void>): void {
    checkOptions(options);
    this.claim(options.name);
    this.entries.push({ kind: "collected", metric: { options, collect, dropped: 0 } });
  }

  /** Every metric in registration order, then the registry's own. A collector that throws is written without samples. */
  async render(): Promise<string> {
    const families: MetricFamily[] = [];
    for (const entry of this.entries) {
      if (entry.kind === "collected") families.push(await this.collect(entry.metric));
      else families.push(entry.metric.family());
    }
    const prefix = this.options.prefix;
    const folded = this.entries.flatMap((e) => (e.kind !== "collected" && e.metric.series.folded > 0 ? [{ labels: [["metric", e.metric.options.name]] as LabelPairs, value: e.metric.series.folded }] : []));
    const dropped = this.entries.flatMap((e) => (e.kind === "collected" && e.metric.dropped > 0 ? [{ labels: [["metric", e.metric.options.name]] as LabelPairs, value: e.metric.dropped }] : []));
    families.push(
      { name: `${prefix}metrics_series_folded_total`, type: "counter", help: `Updates folded into a label set whose user-controlled labels read ${OTHER_LABEL_VALUE}, the metric having reached ${this.options.seriesMax} label sets (metricsOtelCardinalityLimit)`, samples: folded },
      { name: `${prefix}metrics_series_dropped`, type: "gauge", help: `Label sets left out of the last scrape beyond ${this.options.seriesMax} (the smallest values)`, samples: dropped },
      { name: `${prefix}metrics_collect_errors_total`, type: "counter", help: "Scrapes in which a metric could not be read (it was written without samples)", samples: [{ labels: [], value: this.collectErrors }] },
    );
    return writeFamilies(families);
  }

  private async collect(metric: Collected): Promise<MetricFamily> {
    const { options } = metric;
    const byKey = new Map<string, Sample>(); // a label set emitted twice keeps its last value
    try {
      await metric.collect((labels, value) => {
        const values = labelValues(options, labels);
        byKey.set(JSON.stringify(values), { labels: pairsOf(options, values), value });
      });
    } catch {
      this.collectErrors++;
      byKey.clear();
    }
    const samples = [...byKey.values()];
    metric.dropped = Math.max(0, samples.length - this.options.seriesMax);
    if (metric.dropped > 0) {
      samples.sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
      samples.length = this.options.seriesMax;
    }
    return { name: options.name, help: options.help, type: options.type, samples };
  }

  private claim(name: string): void {
    if (this.names.has(name)) fail(`metric ${name} is registered once`);
    this.names.add(name);
  }
}
