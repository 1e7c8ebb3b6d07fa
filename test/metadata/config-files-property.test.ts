/**
 * Property-based bad input for the metadata JSON (the fastjson dialect) and the four `config/*.json`
 * files (topics, consumer offsets, delay offsets, subscription groups): arbitrary, deeply nested and
 * mutated texts parse or are refused with METADATA_JSON_SYNTAX / METADATA_INVALID / METADATA_CORRUPT,
 * never another throw, and a refused slave sync writes nothing. Random values and random tables
 * round-trip through the writer and the file exactly, what a mutated file loads as survives a
 * persist-and-reload unchanged, and nothing is ever written outside the store's `config/` folder.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { MemoryFileSystem } from "../../adapters/memory/fs.ts";
import { ConsumerOffsetManager } from "../../src/metadata/consumer-offsets.ts";
import { DelayOffsetManager } from "../../src/metadata/delay-offsets.ts";
import { NumericKeyMap, parseFastjson, stringifyFastjson, type FastjsonValue } from "../../src/codec/fastjson.ts";
import { SubscriptionGroupManager } from "../../src/metadata/subscription-groups.ts";
import { TopicConfigManager, topicConfig } from "../../src/metadata/topic-config.ts";
import { subscriptionGroupConfig } from "../../src/metadata/subscription-groups.ts";
import { mutate, mutations, RUNS, valueOrRefusal, valueOrRefusalAsync } from "../support/property.ts";

const ROOT = "/store";
const SYNTAX = ["METADATA_JSON_SYNTAX"];
const INVALID = ["METADATA_JSON_SYNTAX", "METADATA_INVALID"];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Text a hostile or torn file could hold: anything, JSON, fastjson with unquoted keys, and mutations of those. */
const jsonish = fc.oneof(
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.json({ maxDepth: 4 }),
  fc.array(fc.constantFrom("{", "}", "[", "]", ",", ":", '"', "0", "-1", "1e999", "9007199254740993", "\\u12", "true", "null", " ", "\t", "a"), { maxLength: 40 }).map((a) => a.join("")),
);
const mutatedText = (text: fc.Arbitrary<string>) => fc.tuple(text, mutations).map(([t, m]) => decoder.decode(mutate(encoder.encode(t), m)));

const leaf: fc.Arbitrary<FastjsonValue> = fc.oneof(fc.constant(null), fc.boolean(), fc.maxSafeInteger(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)), fc.string({ unit: "binary", maxLength: 10 }));
const { value: fastjsonValue } = fc.letrec<{ value: FastjsonValue }>((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: "binary", maxLength: 6 }), tie("value"), { maxKeys: 4 }).map((d) => ({ ...d })),
    fc.array(fc.tuple(fc.maxSafeInteger(), tie("value")), { maxLength: 4 }).map((entries) => new NumericKeyMap(entries))),
}));

/** A value as text with object keys sorted (the writer sorts them), so two values compare regardless of key order. */
function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value instanceof NumericKeyMap ? value.toJSON() : value));
}

function sortKeys(value: unknown): unknown {
  if (value instanceof NumericKeyMap) return sortKeys(value.toJSON());
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) Object.defineProperty(out, key, { value: sortKeys((value as Record<string, unknown>)[key]), enumerable: true });
  return out;
}

describe("fastjson reader and writer, property-based", () => {
  it("parses any text (arbitrary, JSON-like, mutated) or refuses it with METADATA_JSON_SYNTAX; what parses re-parses the same", () => {
    fc.assert(fc.property(fc.oneof(jsonish, mutatedText(jsonish)), (text) => {
      const parsed = valueOrRefusal(SYNTAX, () => parseFastjson(text));
      if (parsed === undefined) return;
      const again = parseFastjson(stringifyFastjson(parsed as FastjsonValue));
      assert.equal(canonical(again), canonical(parsed));
    }), { numRuns: RUNS });
  });

  it("refuses nesting deeper than its limit with METADATA_JSON_SYNTAX, not a stack overflow", () => {
    fc.assert(fc.property(fc.integer({ min: 257, max: 20_000 }), fc.constantFrom(["[", "]"], ['{"a":', "}"], ["{0:", "}"]), (depth, [open, close]) => {
      valueOrRefusal(SYNTAX, () => parseFastjson(open.repeat(depth) + "1" + close.repeat(depth)));
      assert.throws(() => parseFastjson(open.repeat(depth) + "1" + close.repeat(depth)), { code: "METADATA_JSON_SYNTAX" });
    }), { numRuns: 30 });
  });

  it("round-trips random values, numeric-key maps included, compact and pretty, quoted or not", () => {
    fc.assert(fc.property(fastjsonValue, fc.boolean(), fc.boolean(), (value, pretty, quoteNumericKeys) => {
      const text = stringifyFastjson(value, { pretty, quoteNumericKeys });
      assert.equal(canonical(parseFastjson(text)), canonical(value));
      if (quoteNumericKeys) assert.equal(canonical(JSON.parse(text)), canonical(value), "strict JSON when keys are quoted");
    }), { numRuns: RUNS });
  });
});

// --- the four files -----------------------------------------------------------------------------

interface FileKind {
  readonly file: string;
  /** Loads the manager over `fs` and renders its state as the file would hold it. */
  load(fs: MemoryFileSystem, clock: ManualClock): Promise<{ render: () => string; replace: (text: string) => Promise<unknown>; flush: () => Promise<void> }>;
}

const clusterOptions = { brokerClusterName: "DefaultCluster", brokerName: "broker-a", autoCreateTopicEnable: true, defaultTopicQueueNums: 8 };
const KINDS: Record<string, FileKind> = {
  topics: {
    file: "topics.json",
    async load(fs, clock) {
      const m = await TopicConfigManager.load(fs, clock, ROOT, clusterOptions);
      return { render: () => stringifyFastjson(m.snapshot()), replace: (t) => m.replaceFromMaster(t), flush: () => m.flush() };
    },
  },
  consumerOffsets: {
    file: "consumerOffset.json",
    async load(fs, clock) {
      const m = await ConsumerOffsetManager.load(fs, clock, ROOT);
      return { render: () => stringifyFastjson(m.snapshot()), replace: (t) => m.mergeFromMaster(t), flush: () => m.flush() };
    },
  },
  delayOffsets: {
    file: "delayOffset.json",
    async load(fs, clock) {
      const m = await DelayOffsetManager.load(fs, clock, ROOT);
      return { render: () => stringifyFastjson(m.snapshot()), replace: (t) => m.replaceFromMaster(t), flush: () => m.flush() };
    },
  },
  subscriptionGroups: {
    file: "subscriptionGroup.json",
    async load(fs, clock) {
      const m = await SubscriptionGroupManager.load(fs, clock, ROOT);
      return { render: () => stringifyFastjson(m.snapshot()), replace: (t) => m.replaceFromMaster(t), flush: () => m.flush() };
    },
  },
};

const name = fc.oneof(fc.stringMatching(/^[%|a-zA-Z0-9_-]{1,20}$/), fc.constantFrom("__proto__", "constructor", "toString", "TopicTest@g1", "a@b@c"));
const dataVersion = fc.record({ counter: fc.nat(), timestamp: fc.maxSafeNat() }).map((v) => ({ ...v }));

/** Valid file texts of each kind, written the way Java writes them (pretty fastjson). */
const validFile: Record<string, fc.Arbitrary<string>> = {
  topics: fc.tuple(dataVersion, fc.array(fc.tuple(name, fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 15 }), fc.boolean()), { maxLength: 5 }))
    .map(([dv, rows]) => file(dv, "topicConfigTable", rows.map(([n, r, w, perm, order]) => [n, topicConfig(n, { readQueueNums: r, writeQueueNums: w, perm, order }) as unknown as FastjsonValue]))),
  consumerOffsets: fc.tuple(dataVersion, fc.array(fc.tuple(name, fc.array(fc.tuple(fc.integer({ min: 0, max: 64 }), fc.maxSafeNat()), { maxLength: 4 })), { maxLength: 5 }))
    .map(([dv, rows]) => file(dv, "offsetTable", rows.map(([key, queues]) => [key, new NumericKeyMap(queues)]))),
  delayOffsets: fc.tuple(dataVersion, fc.array(fc.tuple(fc.integer({ min: 1, max: 18 }), fc.maxSafeNat()), { maxLength: 18 }))
    .map(([dv, rows]) => stringifyFastjson({ dataVersion: dv, offsetTable: new NumericKeyMap(rows) }, { pretty: true })),
  subscriptionGroups: fc.tuple(dataVersion, fc.array(fc.tuple(name, fc.integer({ min: 0, max: 64 }), fc.boolean()), { maxLength: 5 }))
    .map(([dv, rows]) => file(dv, "subscriptionGroupTable", rows.map(([n, retryQueueNums, consumeEnable]) => [n, subscriptionGroupConfig(n, { retryQueueNums, consumeEnable }) as unknown as FastjsonValue]))),
};

function file(dv: FastjsonValue, tableName: string, rows: Array<[string, FastjsonValue]>): string {
  const table: Record<string, FastjsonValue> = {};
  for (const [key, value] of rows) Object.defineProperty(table, key, { value, enumerable: true, writable: true, configurable: true });
  return stringifyFastjson({ dataVersion: dv, [tableName]: table }, { pretty: true });
}

function assertNothingOutside(fs: MemoryFileSystem): void {
  for (const path of fs.paths()) {
    assert.ok(path === "/" || path === ROOT || path.startsWith(`${ROOT}/config`), `wrote outside the store's config folder: ${path}`);
  }
}

for (const [kind, spec] of Object.entries(KINDS)) {
  describe(`config/${spec.file}, property-based`, () => {
    const path = `${ROOT}/config/${spec.file}`;

    it("round-trips random valid files: loaded, persisted and loaded again to the same state", async () => {
      await fc.assert(fc.asyncProperty(validFile[kind], async (text) => {
        const fs = new MemoryFileSystem();
        await fs.mkdir(`${ROOT}/config`);
        await fs.writeFile(path, encoder.encode(text));
        const first = await spec.load(fs, new ManualClock());
        assertHolds(parseFastjson(first.render()), parseFastjson(text));
        await reloadsTheSame(fs, spec, first);
      }), { numRuns: RUNS / 3 });
    });

    it("loads arbitrary and mutated files as a state that survives persist-and-reload, or refuses with METADATA_CORRUPT", async () => {
      await fc.assert(fc.asyncProperty(fc.oneof(jsonish, mutatedText(validFile[kind]), mutatedText(jsonish)), async (text) => {
        const fs = new MemoryFileSystem();
        await fs.mkdir(`${ROOT}/config`);
        await fs.writeFile(path, encoder.encode(text));
        const loaded = await valueOrRefusalAsync(["METADATA_CORRUPT"], () => spec.load(fs, new ManualClock()));
        if (loaded !== undefined) await reloadsTheSame(fs, spec, loaded);
        assertNothingOutside(fs);
      }), { numRuns: RUNS / 3 });
    });

    it("refuses an arbitrary or mutated slave-sync body with METADATA_JSON_SYNTAX / METADATA_INVALID and writes nothing then", async () => {
      await fc.assert(fc.asyncProperty(fc.oneof(jsonish, mutatedText(validFile[kind])), async (text) => {
        const fs = new MemoryFileSystem();
        const manager = await spec.load(fs, new ManualClock());
        const before = manager.render();
        const answer = await valueOrRefusalAsync(INVALID, () => manager.replace(text));
        if (answer === undefined) {
          assert.equal(manager.render(), before, "a refused sync changes nothing");
          await manager.flush();
          assert.equal(await fs.stat(path), null, "a refused sync writes no file");
        }
        assertNothingOutside(fs);
      }), { numRuns: RUNS / 3 });
    });
  });
}

/** The loaded state holds the file: the same dataVersion, every entry of its table (system topics come on top). */
function assertHolds(state: unknown, fileValue: unknown): void {
  const s = state as Record<string, Record<string, unknown>>;
  const f = fileValue as Record<string, Record<string, unknown>>;
  assert.equal(canonical(s.dataVersion), canonical(f.dataVersion));
  for (const table of Object.keys(f).filter((k) => k !== "dataVersion")) {
    for (const key of Object.keys(f[table])) {
      assert.ok(Object.hasOwn(s[table], key), `the ${table} entry ${JSON.stringify(key)} was lost`);
      assert.equal(canonical(s[table][key]), canonical(f[table][key]), `${table}[${JSON.stringify(key)}]`);
    }
  }
}

/** Persist what `loaded` holds, load it again from the file, and find the same state. */
async function reloadsTheSame(fs: MemoryFileSystem, spec: FileKind, loaded: { render: () => string }): Promise<void> {
  const path = `${ROOT}/config/${spec.file}`;
  const state = loaded.render();
  await fs.writeFile(path, encoder.encode(stringifyFastjson(parseFastjson(state) as FastjsonValue, { pretty: true })));
  const again = await spec.load(fs, new ManualClock());
  assert.equal(again.render(), state, "what loads is what the file holds");
}
