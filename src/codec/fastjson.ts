/**
 * Reading and writing JSON the way fastjson 1.2 (RocketMQ's serializer) does, for the files under
 * `config/` and the bodies of the slave-sync answers.
 *
 * What fastjson writes, and what this module therefore reads and writes:
 *
 *   {                                         pretty = newline + one TAB per level
 *   	"dataVersion":{                         bean properties in alphabetical order, no space after ':'
 *   		"counter":3,
 *   		"timestamp":1700000000000
 *   	},
 *   	"offsetTable":{
 *   		"TopicTest@g1":{0:12,1:7            maps with Integer/Long keys: keys UNQUOTED, entries on
 *   		}                                   one line, the closing brace on its own line (fastjson's
 *   	}                                       MapSerializer prints a newline only before String keys)
 *   }
 *
 * Compact form (HTTP bodies): the same without any whitespace: `{"offsetTable":{"T@g":{0:12,1:7}}}`.
 *
 * Maps whose keys are beans (the admin bodies TopicStatsTable and ConsumeStats, keyed by
 * MessageQueue) are written by fastjson with the key object itself before the colon, and fastjson
 * reads that back: `{{"brokerName":"b","queueId":3,"topic":"T"}:{"maxOffset":2}}`. Such a map is an
 * `ObjectKeyMap` here, in both directions (entries in their given order; an object whose first key
 * is an object is an ObjectKeyMap, and then every key must be one).
 *
 * Why a parser of our own: `JSON.parse` rejects unquoted keys, and a regex pre-pass that quotes
 * `{0:` / `,1:` is fragile, because the same characters can occur inside string values (a topic
 * attribute `"x,{1:y"` would be rewritten), and `JSON.parse` silently rounds integers beyond 2^53.
 * This recursive-descent parser is strict JSON plus exactly one extension: an object key may be an
 * unquoted integer (`-?(0|[1-9][0-9]*)`). Quoted keys work as well. Numbers whose value is an
 * integer beyond ±(2^53-1) are rejected with an error, `1e21` included (Skiff keeps offsets as
 * safe-integer `number`s, and the writer could not write such a value back); other literals with a
 * fraction or exponent are doubles, as in Java. Duplicate keys: the last one wins.
 * Parsed objects are plain objects; numeric keys become strings ("0"), as with `JSON.parse`.
 *
 * A `JavaDouble` is written as Java prints a double (`"consumeTps":0.0`); the parser reads any
 * number as a plain number.
 *
 * Writing: plain objects are treated as beans, so their keys are sorted (UTF-16 order, like Java's
 * `String.compareTo`); for string-keyed maps (topic tables) that replaces Java's HashMap order with
 * a deterministic one. A `NumericKeyMap` is written with unquoted keys in ascending order, unless
 * `quoteNumericKeys` asks for strict JSON (for clients that use `JSON.parse`). Properties whose
 * value is `undefined` are left out (fastjson leaves out nulls by default; we write `null` if given).
 *
 * `browserCompatible` is fastjson's `SerializerFeature.BrowserCompatible` (the name server's
 * "standard JSON" for routes, with QuoteFieldNames and MapSortField): numeric keys quoted, and in
 * strings `"` `\` `/` escaped with a backslash, `\b \t \n \f \r` short, every other character
 * below U+0020 and every one from U+007F up as `\uXXXX` with upper-case hex (a pair of them for
 * characters beyond U+FFFF), as fastjson 1.2.69 and 1.2.83 write them (checked with both jars).
 */
import { SkiffError, fail } from "../core/errors.ts";
import { javaDoubleString } from "./java-double.ts";
import { setOwn } from "../core/own-property.ts";

export type FastjsonValue = null | boolean | number | string | JavaDouble | readonly FastjsonValue[] | NumericKeyMap | ObjectKeyMap | FastjsonObject;
export type FastjsonObject = { readonly [key: string]: FastjsonValue | undefined };

/** A map with Integer/Long keys (queue ids, delay levels): written with unquoted keys. */
export class NumericKeyMap {
  readonly map: ReadonlyMap<number, FastjsonValue>;

  constructor(entries: Iterable<readonly [number, FastjsonValue]>) {
    const map = new Map<number, FastjsonValue>();
    for (const [key, value] of entries) {
      if (!Number.isSafeInteger(key)) fail(`numeric map key must be a safe integer, got ${key}`);
      map.set(key, value);
    }
    this.map = map;
  }

  /** So that `JSON.stringify` (e.g. a framework's `c.json`) still gives valid JSON. */
  toJSON(): Record<string, FastjsonValue> {
    return Object.fromEntries(this.sortedEntries());
  }

  sortedEntries(): Array<[number, FastjsonValue]> {
    return [...this.map].sort((a, b) => a[0] - b[0]);
  }
}

/** A Java `double` field: written as Java prints it (`0.0`, not `0`; java-double.ts). */
export class JavaDouble {
  readonly value: number;

  constructor(value: number) {
    this.value = value;
  }
}

/** A map with bean keys (MessageQueue → offsets): written `{{…key…}:value,…}` in entry order. */
export class ObjectKeyMap {
  readonly entries: ReadonlyArray<readonly [FastjsonObject, FastjsonValue]>;

  constructor(entries: Iterable<readonly [FastjsonObject, FastjsonValue]>) {
    this.entries = [...entries];
  }
}

export interface StringifyOptions {
  /** Newline + TAB indentation, as in the files Java writes. Default false (compact). */
  readonly pretty?: boolean;
  /** Write `NumericKeyMap` keys quoted (strict JSON). Default false (fastjson style). */
  readonly quoteNumericKeys?: boolean;
  /** fastjson's BrowserCompatible: ASCII-only strings, `/` escaped, numeric keys quoted. Default false. */
  readonly browserCompatible?: boolean;
}

const MAX_DEPTH = 256;

export function parseFastjson(text: string): unknown {
  const parser = new Parser(text);
  parser.skipWhitespace();
  const value = parser.value(0);
  parser.skipWhitespace();
  if (parser.pos < text.length) parser.fail("end of input after the top-level value");
  return value;
}

class Parser {
  pos = 0;
  private readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`nesting of at most ${MAX_DEPTH} levels`);
    const c = this.text[this.pos];
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') return this.string();
    if (c === "-" || isDigit(c)) return this.number(true);
    for (const [word, value] of LITERALS) if (this.text.startsWith(word, this.pos)) return (this.pos += word.length, value);
    return this.fail("a value (object, array, string, number, true, false or null)");
  }

  private object(depth: number): Record<string, unknown> | ObjectKeyMap {
    const result: Record<string, unknown> = {};
    this.pos++; // '{'
    this.skipWhitespace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return result;
    }
    if (this.text[this.pos] === "{") return this.objectKeyMap(depth);
    for (;;) {
      this.skipWhitespace();
      const c = this.text[this.pos];
      let key: string;
      if (c === '"') key = this.string();
      else if (c === "-" || isDigit(c)) key = String(this.number(false));
      else return this.fail("an object key (a string or an unquoted integer)");
      this.colon();
      setOwn(result, key, this.value(depth + 1)); // a "__proto__" key stays an ordinary property
      if (this.endOfMember("an object")) return result;
    }
  }

  /** After the '{' of a map whose keys are objects: `{…}:value` entries up to the closing '}'. */
  private objectKeyMap(depth: number): ObjectKeyMap {
    const entries: Array<[FastjsonObject, FastjsonValue]> = [];
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== "{") return this.fail("an object key (every key of this map is an object)");
      const key = this.object(depth + 1);
      if (key instanceof ObjectKeyMap) return this.fail("a key object with string keys");
      this.colon();
      entries.push([key as FastjsonObject, this.value(depth + 1) as FastjsonValue]);
      if (this.endOfMember("an object")) return new ObjectKeyMap(entries);
    }
  }

  private colon(): void {
    this.skipWhitespace();
    if (this.text[this.pos++] !== ":") this.failAt(this.pos - 1, "':' after an object key");
    this.skipWhitespace();
  }

  /** After a member: true at the closing '}' (consumed), false after a ',' (consumed). */
  private endOfMember(what: string): boolean {
    this.skipWhitespace();
    if (this.text[this.pos] === ",") return (this.pos++, false);
    if (this.text[this.pos] === "}") return (this.pos++, true);
    return this.fail(`',' or '}' in ${what}`);
  }

  private array(depth: number): unknown[] {
    const result: unknown[] = [];
    this.pos++; // '['
    this.skipWhitespace();
    if (this.text[this.pos] === "]") return (this.pos++, result);
    for (;;) {
      this.skipWhitespace();
      result.push(this.value(depth + 1));
      this.skipWhitespace();
      if (this.text[this.pos] === ",") this.pos++;
      else if (this.text[this.pos] === "]") return (this.pos++, result);
      else return this.fail("',' or ']' in an array");
    }
  }

  private string(): string {
    const start = this.pos++;
    let out = "";
    let chunkStart = this.pos;
    for (;;) {
      if (this.pos >= this.text.length) this.failAt(start, "a closing '\"' for the string starting here");
      const code = this.text.charCodeAt(this.pos);
      if (code === 0x22) break;
      if (code < 0x20) this.fail("no raw control character inside a string (escape it)");
      if (code !== 0x5c) this.pos++;
      else {
        out += this.text.slice(chunkStart, this.pos) + this.escape();
        chunkStart = this.pos;
      }
    }
    out += this.text.slice(chunkStart, this.pos);
    this.pos++; // closing quote
    return out;
  }

  private escape(): string {
    const c = this.text[this.pos + 1];
    const simple = ESCAPES[c];
    if (simple !== undefined) return (this.pos += 2, simple);
    const hex = this.text.slice(this.pos + 2, this.pos + 6);
    if (c === "u" && /^[0-9a-fA-F]{4}$/.test(hex)) return (this.pos += 6, String.fromCharCode(parseInt(hex, 16)));
    return this.fail("a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
  }

  private number(allowFraction: boolean): number {
    const pattern = allowFraction ? NUMBER : INTEGER;
    pattern.lastIndex = this.pos;
    const match = pattern.exec(this.text);
    if (!match) return this.fail(allowFraction ? "a number" : "an integer key");
    const literal = match[0];
    const value = Number(literal);
    if (!Number.isFinite(value)) this.fail(`a finite number; ${literal} overflows a double`);
    // Also a double such as 1e21: it is an integer beyond 2^53 that the writer could not write back.
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      this.fail(/[.eE]/.test(literal) ? `a number within ±(2^53-1); ${literal} is an integer too large to write back` : `an integer within ±(2^53-1); ${literal} would lose precision`);
    }
    this.pos += literal.length;
    return value;
  }

  skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.test(this.text);
    this.pos = WHITESPACE.lastIndex;
  }

  fail(expected: string): never {
    return this.failAt(this.pos, expected);
  }

  private failAt(pos: number, expected: string): never {
    const before = this.text.slice(0, pos);
    const line = before.split("\n").length;
    const column = pos - (before.lastIndexOf("\n") + 1) + 1;
    const found = pos >= this.text.length ? "end of input" : JSON.stringify(this.text.slice(pos, pos + 12));
    throw new SkiffError(
      "METADATA_JSON_SYNTAX",
      `invalid fastjson at line ${line} column ${column} (offset ${pos}): expected ${expected}, found ${found}`,
    );
  }
}

const LITERALS: Array<[string, unknown]> = [["true", true], ["false", false], ["null", null]];
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
// Sticky (`y`): matched at `lastIndex` in place, without slicing the rest of the text.
const WHITESPACE = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const INTEGER = /-?(?:0|[1-9][0-9]*)(?![.eE0-9])/y;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

// ---------------------------------------------------------------------------------------------

export function stringifyFastjson(value: FastjsonValue, options: StringifyOptions = {}): string {
  const parts: string[] = [];
  write(value, 0, options, parts);
  return parts.join("");
}

function write(value: FastjsonValue, depth: number, options: StringifyOptions, out: string[]): void {
  if (!(depth <= MAX_DEPTH)) fail(`fastjson nesting deeper than ${MAX_DEPTH}`);
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    out.push(typeof value === "string" ? quote(value, options) : JSON.stringify(value));
  } else if (typeof value === "number") {
    if (!Number.isFinite(value)) fail(`cannot write ${value} as JSON`);
    if (!(!Number.isInteger(value) || Number.isSafeInteger(value))) fail(`integer ${value} is beyond 2^53`);
    out.push(String(value));
  } else if (value instanceof JavaDouble) {
    if (!Number.isFinite(value.value)) fail(`cannot write ${value.value} as JSON`);
    out.push(javaDoubleString(value.value));
  } else if (value instanceof NumericKeyMap) {
    // fastjson: no newline before non-String keys, one before the closing brace if not empty.
    const q = options.quoteNumericKeys || options.browserCompatible ? '"' : "";
    const entries = value.sortedEntries();
    out.push("{");
    entries.forEach(([key, item], i) => {
      out.push(`${i > 0 ? "," : ""}${q}${key}${q}:`);
      write(item, depth + 1, options, out);
    });
    if (options.pretty && entries.length > 0) out.push(newline(depth));
    out.push("}");
  } else if (value instanceof ObjectKeyMap) {
    // Only ever written compact (remoting bodies); `pretty` indents the key beans like any bean.
    out.push("{");
    value.entries.forEach(([key, item], i) => {
      if (i > 0) out.push(",");
      write(key, depth + 1, options, out);
      out.push(":");
      write(item, depth + 1, options, out);
    });
    out.push("}");
  } else if (Array.isArray(value)) {
    writeItems("[", "]", value.map((item) => ["", item]), depth, options, out);
  } else {
    const record = value as FastjsonObject;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
    const items = keys.map((k): [string, FastjsonValue] => [`${quote(k, options)}:`, record[k] as FastjsonValue]);
    writeItems("{", "}", items, depth, options, out);
  }
}

function writeItems(open: string, close: string, items: Array<[string, FastjsonValue]>, depth: number, options: StringifyOptions, out: string[]): void {
  out.push(open);
  items.forEach(([prefix, item], i) => {
    if (i > 0) out.push(",");
    if (options.pretty) out.push(newline(depth + 1));
    out.push(prefix);
    write(item, depth + 1, options, out);
  });
  if (options.pretty && items.length > 0) out.push(newline(depth));
  out.push(close);
}

const BROWSER_ESCAPED = /["\\/\u0000-\u001f\u007f-\uffff]/g;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r" };

function quote(text: string, options: StringifyOptions): string {
  if (!options.browserCompatible) return JSON.stringify(text);
  const escaped = text.replace(BROWSER_ESCAPED, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
  return `"${escaped}"`;
}

function newline(depth: number): string {
  return "\n" + "\t".repeat(depth);
}
