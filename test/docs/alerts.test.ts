/**
 * The example Prometheus alert rules (docs/alerts/skiff-alerts.yml) are well-formed rule groups,
 * cover replication lag, a missing slave, disk usage and consumer lag, and name only metrics a
 * Skiff broker really exports (read from a broker's own /metrics, so a renamed metric fails here).
 * Where Prometheus's `promtool` is installed (Debian's `prometheus` package), it checks the rules
 * and runs their unit tests (docs/alerts/skiff-alerts.test.yml) too.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { memoryBroker } from "../support/broker.ts";
import { scrape } from "../support/prometheus.ts";
import { parse as parseYaml } from "yaml";

type YamlValue = Record<string, unknown>;

const docPath = (name: string) => decodeURIComponent(new URL(`../../docs/alerts/${name}`, import.meta.url).pathname);
const ALERTS = docPath("skiff-alerts.yml");
const ALERT_TESTS = docPath("skiff-alerts.test.yml");
const promtool = spawnSync("promtool", ["--version"], { stdio: "ignore" }).status === 0;

interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: { readonly severity: string };
  readonly annotations: { readonly summary: string; readonly description: string };
}

/** PromQL's words that are not metric names: functions are recognised by their `(`. */
const PROMQL_WORDS = new Set(["and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"]);

/** The metric names an expression reads: identifiers outside strings, label matchers, groupings and ranges, not calls. */
function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\[[^\]]*\]/g, " ");
  const names: string[] = [];
  for (const match of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = bare.slice(match.index! + match[0].length).trimStart();
    if (after.startsWith("(") || PROMQL_WORDS.has(match[0])) continue;
    if (/^[eE]\d/.test(match[0]) && /\d$/.test(bare.slice(0, match.index))) continue; // an exponent
    names.push(match[0]);
  }
  return names;
}

function rulesOf(doc: YamlValue): Array<{ group: string; rule: Rule }> {
  assert.ok(doc && typeof doc === "object" && !Array.isArray(doc) && Array.isArray(doc.groups), "a `groups:` list at the top");
  assert.deepEqual(Object.keys(doc), ["groups"]);
  return (doc.groups as YamlValue[]).flatMap((group) => {
    assert.ok(group && typeof group === "object" && !Array.isArray(group));
    assert.deepEqual(Object.keys(group).sort(), ["name", "rules"]);
    assert.ok(typeof group.name === "string" && Array.isArray(group.rules) && group.rules.length > 0);
    return (group.rules as YamlValue[]).map((rule) => ({ group: group.name as string, rule: rule as unknown as Rule }));
  });
}

describe("docs/alerts/skiff-alerts.yml", () => {
  const rules = rulesOf(parseYaml(readFileSync(ALERTS, "utf8"), { uniqueKeys: true }));

  it("is a list of rule groups whose rules have an alert name, an expression, a severity and a summary", () => {
    const names = new Set<string>();
    for (const { rule } of rules) {
      assert.deepEqual(Object.keys(rule).filter((k) => !["alert", "expr", "for", "labels", "annotations"].includes(k)), [], rule.alert);
      assert.match(rule.alert, /^Skiff[A-Za-z0-9]+$/);
      assert.ok(!names.has(rule.alert), `${rule.alert} once`);
      names.add(rule.alert);
      assert.ok(typeof rule.expr === "string" && rule.expr.trim().length > 0, rule.alert);
      assert.equal(balanced(rule.expr), true, `${rule.alert}: brackets balance`);
      if (rule.for !== undefined) assert.match(rule.for, /^\d+[smhd]$/, `${rule.alert}: for`);
      assert.ok(["critical", "warning", "info"].includes(rule.labels.severity), `${rule.alert}: severity`);
      assert.ok(rule.annotations.summary.length > 0 && rule.annotations.description.length > 0, `${rule.alert}: annotations`);
    }
  });

  it("covers replication lag, a missing slave, disk usage and consumer lag", () => {
    const metrics = new Set(rules.flatMap(({ rule }) => metricNamesIn(rule.expr)));
    for (const name of ["skiff_ha_slave_lag_bytes", "skiff_ha_slave_lag_seconds", "skiff_ha_connections", "skiff_ha_slave_in_sync", "skiff_store_disk_used_ratio", "skiff_consumer_lag_messages"]) {
      assert.ok(metrics.has(name), `an alert on ${name}`);
    }
  });

  it("names only metrics a broker exports", async () => {
    const t = await memoryBroker();
    const exported = new Set((await scrape(t.request)).keys());
    await t.broker.stop();
    for (const { rule } of rules) {
      const names = metricNamesIn(rule.expr);
      assert.ok(names.length > 0, `${rule.alert} reads a metric`);
      for (const name of names) {
        const family = name.replace(/_(bucket|sum|count)$/, "");
        assert.ok(exported.has(name) || exported.has(family), `${rule.alert}: ${name} is not exported by a broker`);
      }
    }
  });

  it("passes promtool's check and its unit tests (when promtool is installed)", { skip: promtool ? false : "promtool is not installed" }, () => {
    for (const args of [["check", "rules", ALERTS], ["test", "rules", ALERT_TESTS]]) {
      const run = spawnSync("promtool", args, { encoding: "utf8" });
      assert.equal(run.status, 0, `promtool ${args.join(" ")}:\n${run.stdout}${run.stderr}`);
    }
  });

  it("finds metric names in PromQL, and not functions, labels, groupings, ranges or numbers", () => {
    assert.deepEqual(metricNamesIn('histogram_quantile(0.99, sum by (instance, le) (rate(a_bucket{dir="x"}[5m]))) > 1e3 and on (instance) b{role="SYNC_MASTER"}'), ["a_bucket", "b"]);
  });
});

function balanced(expr: string): boolean {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  for (const c of expr.replace(/"(?:[^"\\]|\\.)*"/g, "")) {
    if ("([{".includes(c)) stack.push(c);
    else if (c in pairs && stack.pop() !== pairs[c]) return false;
  }
  return stack.length === 0;
}
