/**
 * Property-based bad input for `.properties` files (RocketMQ's `broker.conf`): any text, and any
 * mutation of a valid file, parses to string keys and values or is refused with CONFIG_INVALID, and
 * a broker config built from such a file is a config or a CONFIG_INVALID, never another throw.
 * Random maps written with Java's escaping rules (as `Properties.store` does) parse back exactly.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseProperties } from "../../src/config/properties.ts";
import { resolveBrokerConfig } from "../../src/config/sources.ts";
import { mutate, mutations, RUNS, valueOrRefusal } from "../support/property.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Java's `Properties.store` escaping; every space is escaped (Skiff trims unescaped trailing whitespace). */
function escape(text: string, isKey: boolean): string {
  let out = "";
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\" || ch === "=" || ch === ":" || ch === "#" || ch === "!") out += "\\" + ch;
    else if (ch === " ") out += "\\ ";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20 || c > 0x7e) for (let i = 0; i < ch.length; i++) out += "\\u" + ch.charCodeAt(i).toString(16).padStart(4, "0");
    else out += ch;
  }
  return isKey || out.length > 0 ? out : "";
}

function store(map: Record<string, string>, separator: string): string {
  return Object.entries(map).map(([k, v]) => `${escape(k, true)}${separator}${escape(v, false)}`).join("\n");
}

const text = fc.oneof(fc.string({ unit: "binary", maxLength: 16 }), fc.string({ unit: fc.constantFrom("a", " ", "\\", "=", ":", "#", "!", "\t", "\n", "u", "0"), maxLength: 12 }));
const map = fc.dictionary(text.filter((k) => k.length > 0), text, { maxKeys: 8 }).map((d) => ({ ...d }));
const knownKeys = ["listenPort", "brokerRole", "brokerId", "flushDiskType", "mappedFileSizeCommitLog", "namesrvAddr", "storePathRootDir", "brokerClusterName", "maxMessageSize", "haListenPort", "unknownKey"];
const brokerConf = fc.array(fc.tuple(fc.constantFrom(...knownKeys), fc.oneof(text, fc.constantFrom("0", "-1", "10911", "SLAVE", "SYNC_MASTER", "ASYNC_FLUSH", "127.0.0.1:9876", "99999999999999999999", "1e3", "0x10"))), { maxLength: 8 })
  .map((rows) => rows.map(([k, v]) => `${k}=${escape(v, false)}`).join("\n"));

function parsed(source: string): Record<string, string> | undefined {
  const result = valueOrRefusal(["CONFIG_INVALID"], () => parseProperties(source, "broker.conf"));
  if (result !== undefined) for (const [k, v] of Object.entries(result)) assert.ok(typeof k === "string" && typeof v === "string");
  return result;
}

describe("properties files, property-based", () => {
  it("parses any text to string keys and values, or refuses it with CONFIG_INVALID", () => {
    const source = fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.array(text, { maxLength: 10 }).map((lines) => lines.join("\n")));
    fc.assert(fc.property(source, (s) => void parsed(s)), { numRuns: RUNS });
  });

  it("round-trips random maps written with Java's escaping, with '=', ':' or ' ' as the separator", () => {
    fc.assert(fc.property(map, fc.constantFrom("=", ":", " ", " = ", "\t:"), (m, separator) => {
      const result = parseProperties(store(m, separator));
      assert.deepEqual({ ...result }, m);
      for (const key of Object.keys(m)) assert.ok(Object.hasOwn(result, key), `key ${JSON.stringify(key)} is an own property`);
    }), { numRuns: RUNS });
  });

  it("parses mutated valid files, or refuses them with CONFIG_INVALID", () => {
    fc.assert(fc.property(map, mutations, (m, steps) => void parsed(decoder.decode(mutate(encoder.encode(store(m, "=")), steps)))), { numRuns: RUNS });
  });

  it("resolves a broker config from any broker.conf (random or mutated values of real keys) or refuses it with CONFIG_INVALID", () => {
    const source = fc.oneof(brokerConf, fc.tuple(brokerConf, mutations).map(([s, m]) => decoder.decode(mutate(encoder.encode(s), m))));
    fc.assert(fc.property(source, (fileText) => {
      const resolved = valueOrRefusal(["CONFIG_INVALID"], () => resolveBrokerConfig({ fileText, fileName: "broker.conf", env: { HOME: "/home/test" } }));
      if (resolved !== undefined) assert.ok(Number.isInteger(resolved.config.listenPort));
    }), { numRuns: RUNS });
  });
});
