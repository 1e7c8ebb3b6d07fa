/**
 * Prometheus's text exposition format, version 0.0.4 (what `GET /metrics` answers, with
 * `Content-Type: text/plain; version=0.0.4; charset=utf-8`). Writing only: families in, text out.
 *
 * Skiff writes this itself rather than using prom-client: prom-client loads Node built-ins
 * (`cluster`, `http`, `zlib`, `perf_hooks`, `v8`) when imported, and `src/` speaks web standards
 * only (it must run unchanged on Bun, Deno, Node and edge runtimes); the format is small.
 *
 * | line                         | rule                                                              |
 * |------------------------------|-------------------------------------------------------------------|
 * | `# HELP <name> <text>`       | once per family, first; `\` → `\\`, newline → `\n`                |
 * | `# TYPE <name> <type>`       | `counter`, `gauge` or `histogram`, before the family's samples     |
 * | `<name>{<l>="<v>",…} <value>`| label values escape `\` → `\\`, `"` → `\"`, newline → `\n`; no `{}` without labels |
 * | histogram                    | `<name>_bucket{…,le="<bound>"}` cumulative, ascending, ending with `le="+Inf"` (= count), then `<name>_sum`, `<name>_count` |
 * | value                        | a float as Go prints it: `NaN`, `+Inf`, `-Inf`, else the shortest decimal (`0.25`, `1e+21`) |
 *
 * Names: metrics `[a-zA-Z_:][a-zA-Z0-9_:]*`, labels `[a-zA-Z_][a-zA-Z0-9_]*` not starting with
 * `__` (reserved); checked here as programmer errors. Every family's samples are written together,
 * and the text ends with a newline.
 */
import { fail } from "./errors.ts";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type MetricType = "counter" | "gauge" | "histogram";

/** Label names and values, in the order they are written. */
export type LabelPairs = ReadonlyArray<readonly [string, string]>;

export interface Sample {
  /** Added to the family's name: `_bucket`, `_sum`, `_count` for a histogram; none otherwise. */
  readonly suffix?: "_bucket" | "_sum" | "_count";
  readonly labels: LabelPairs;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isValidMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name) && !name.startsWith("__");
}

export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A sample value as Go's `strconv.FormatFloat(v, 'g', -1, 64)` reads back: `NaN`, `±Inf`, shortest decimal. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function labelsText(labels: LabelPairs): string {
  if (labels.length === 0) return "";
  return `{${labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(",")}}`;
}

/** The exposition text of `families`, in the order given. */
export function writeFamilies(families: Iterable<MetricFamily>): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const family of families) {
    if (!isValidMetricName(family.name)) fail(`metric name ${JSON.stringify(family.name)} is valid`);
    if (seen.has(family.name)) fail(`metric ${family.name} is written once`);
    seen.add(family.name);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      for (const [name] of sample.labels) if (!isValidLabelName(name)) fail(`label name ${JSON.stringify(name)} is valid`);
      lines.push(`${family.name}${sample.suffix ?? ""}${labelsText(sample.labels)} ${formatValue(sample.value)}`);
    }
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
