/**
 * A strict reader of Prometheus's text format 0.0.4, for tests: it throws on anything a Prometheus
 * server would refuse or that the format's rules forbid (a family written twice, a sample before
 * its TYPE or of another family, a bad name, escape or value, a histogram whose buckets are not
 * cumulative or whose `+Inf` bucket is not its count, a duplicate series), and returns the values.
 */

export interface ParsedSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface ParsedFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly samples: ParsedSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;

export function parsePrometheusText(text: string): Map<string, ParsedFamily> {
  if (text.length > 0 && !text.endsWith("\n")) throw new Error("the text must end with a newline");
  const families = new Map<string, ParsedFamily>();
  let current: ParsedFamily | null = null;
  let pendingHelp: { name: string; help: string } | null = null;
  const seriesSeen = new Set<string>();
  text.split("\n").slice(0, -1).forEach((line, index) => {
    const where = `line ${index + 1} (${JSON.stringify(line.slice(0, 80))})`;
    if (line.startsWith("# HELP ")) {
      const [, name, help] = /^# HELP (\S+) (.*)$/.exec(line) ?? [];
      if (!name || !NAME.test(name) || families.has(name)) throw new Error(`${where}: bad or repeated HELP`);
      pendingHelp = { name, help: unescape(help, false, where) };
      return;
    }
    if (line.startsWith("# TYPE ")) {
      const [, name, type] = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line) ?? [];
      if (!name || families.has(name)) throw new Error(`${where}: bad or repeated TYPE`);
      if (pendingHelp && pendingHelp.name !== name) throw new Error(`${where}: HELP of ${pendingHelp.name} is followed by TYPE of ${name}`);
      current = { name, type, help: pendingHelp?.help ?? "", samples: [] };
      families.set(name, current);
      pendingHelp = null;
      return;
    }
    if (line.startsWith("#") || line.trim() === "") throw new Error(`${where}: Skiff writes no comments or blank lines`);
    const sample = parseSample(line, where);
    if (!current) throw new Error(`${where}: a sample before any TYPE`);
    const suffixes = current.type === "histogram" ? ["_bucket", "_sum", "_count"] : [""];
    if (!suffixes.some((suffix) => sample.name === current!.name + suffix)) throw new Error(`${where}: ${sample.name} is not a sample of ${current.name}`);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seriesSeen.has(key)) throw new Error(`${where}: series written twice`);
    seriesSeen.add(key);
    current.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return families;
}

function parseSample(line: string, where: string): ParsedSample {
  const name = NAME.exec(line)?.[0];
  if (!name) throw new Error(`${where}: bad metric name`);
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const label = LABEL.exec(rest)?.[0];
      if (!label || label.startsWith("__") || !rest.slice(label.length).startsWith('="')) throw new Error(`${where}: bad label`);
      rest = rest.slice(label.length + 2);
      let raw = "";
      while (!rest.startsWith('"')) {
        if (rest.length === 0) throw new Error(`${where}: unterminated label value`);
        if (rest.startsWith("\\")) {
          raw += rest.slice(0, 2);
          rest = rest.slice(2);
        } else {
          raw += rest[0];
          rest = rest.slice(1);
        }
      }
      if (label in labels) throw new Error(`${where}: label ${label} twice`);
      labels[label] = unescape(raw, true, where);
      rest = rest.slice(1);
      if (rest.startsWith(",")) rest = rest.slice(1);
      else if (!rest.startsWith("}")) throw new Error(`${where}: expected , or }`);
    }
    rest = rest.slice(1);
  }
  const valueText = /^ (\S+)$/.exec(rest)?.[1];
  if (valueText === undefined) throw new Error(`${where}: expected one space and a value (Skiff writes no timestamps)`);
  return { name, labels, value: parseValue(valueText, where) };
}

function parseValue(text: string, where: string): number {
  if (text === "NaN") return Number.NaN;
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`${where}: bad value ${text}`);
  return Number(text);
}

function unescape(text: string, quotes: boolean, where: string): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    if (c === '"' && quotes) return '"';
    throw new Error(`${where}: bad escape \\${c}`);
  });
}

function checkHistogram(family: ParsedFamily): void {
  const groups = new Map<string, { buckets: Array<[number, number]>; count?: number; sum?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const group = groups.get(key) ?? { buckets: [] };
    groups.set(key, group);
    if (sample.name.endsWith("_bucket")) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      group.buckets.push([parseValue(le, family.name), sample.value]);
    } else if (sample.name.endsWith("_count")) group.count = sample.value;
    else group.sum = sample.value;
  }
  for (const [key, group] of groups) {
    const bounds = group.buckets.map(([bound]) => bound);
    if (bounds.at(-1) !== Number.POSITIVE_INFINITY) throw new Error(`${family.name}${key}: no +Inf bucket last`);
    for (let i = 1; i < group.buckets.length; i++) {
      if (!(bounds[i] > bounds[i - 1]) || group.buckets[i][1] < group.buckets[i - 1][1]) throw new Error(`${family.name}${key}: buckets must ascend and be cumulative`);
    }
    if (group.count !== group.buckets.at(-1)![1] || group.sum === undefined) throw new Error(`${family.name}${key}: +Inf bucket must equal _count, and _sum be present`);
  }
}

/** The one sample of `family` whose labels include `labels`; throws when there is none or several. */
export function sampleValue(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}, sampleName = name): number {
  const family = families.get(name);
  if (!family) throw new Error(`no metric ${name}`);
  const found = family.samples.filter((s) => s.name === sampleName && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length !== 1) throw new Error(`${found.length} samples of ${sampleName} with ${JSON.stringify(labels)}`);
  return found[0].value;
}

/** GETs `/metrics` through `request` and parses it, checking the content type. */
export async function scrape(request: (path: string) => Promise<Response> | Response): Promise<Map<string, ParsedFamily>> {
  const response = await request("/metrics");
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const type = response.headers.get("content-type");
  if (type !== "text/plain; version=0.0.4; charset=utf-8") throw new Error(`/metrics content type ${type}`);
  return parsePrometheusText(await response.text());
}
