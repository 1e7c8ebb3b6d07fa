/**
 * A Java `.properties` reader (what RocketMQ's `-c broker.conf` is), as `java.util.Properties.load`
 * reads it: `key=value`, `key: value` or `key value`; `#` and `!` comment lines; backslash line
 * continuations (the next line's leading whitespace dropped); escapes `\t \n \r \f \\ \uXXXX`, and
 * `\` before any other character stands for that character (`\=`, `\:`, `\ `, `\#`).
 * One difference: trailing whitespace of a value is trimmed (Java keeps it, and then RocketMQ's
 * `Integer.parseInt("10911 ")` fails); an escaped trailing space (`\ `) stays.
 */
import { SkiffError } from "../core/errors.ts";
import { setOwn } from "../core/own-property.ts";

const WHITESPACE = new Set([" ", "\t", "\f"]);
const SIMPLE_ESCAPES: Record<string, string> = { t: "\t", n: "\n", r: "\r", f: "\f" };

interface LogicalLine {
  readonly text: string;
  readonly lineNumber: number;
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length && WHITESPACE.has(text[i])) i++;
  return i;
}

/** True if the character at `index` is preceded by an odd number of backslashes. */
function isEscaped(text: string, index: number): boolean {
  let count = 0;
  for (let i = index - 1; i >= 0 && text[i] === "\\"; i--) count++;
  return count % 2 === 1;
}

function logicalLines(text: string): LogicalLine[] {
  const natural = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  const lines: LogicalLine[] = [];
  for (let i = 0; i < natural.length; i++) {
    const lineNumber = i + 1;
    const start = skipWhitespace(natural[i], 0);
    let line = natural[i].slice(start);
    if (line.length === 0 || line[0] === "#" || line[0] === "!") continue;
    while (line.endsWith("\\") && !isEscaped(line, line.length - 1)) {
      line = line.slice(0, -1);
      if (++i >= natural.length) break;
      line += natural[i].slice(skipWhitespace(natural[i], 0));
    }
    lines.push({ text: line, lineNumber });
  }
  return lines;
}

function unescape(raw: string, where: string): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== "\\" || i === raw.length - 1) {
      if (raw[i] !== "\\") out += raw[i];
      continue;
    }
    const next = raw[++i];
    if (next === "u") {
      const hex = raw.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new SkiffError("CONFIG_INVALID", `${where}: malformed \\uXXXX escape "\\u${hex}"`);
      }
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += SIMPLE_ESCAPES[next] ?? next;
    }
  }
  return out;
}

/** The key ends at the first unescaped `=`, `:` or whitespace; one `=` or `:` may follow spaces. */
function splitKeyValue(line: string): { key: string; value: string } {
  let end = 0;
  while (end < line.length) {
    const c = line[end];
    if ((c === "=" || c === ":" || WHITESPACE.has(c)) && !isEscaped(line, end)) break;
    end++;
  }
  let valueStart = skipWhitespace(line, end);
  if (valueStart < line.length && (line[valueStart] === "=" || line[valueStart] === ":")) {
    valueStart = skipWhitespace(line, valueStart + 1);
  }
  let valueEnd = line.length;
  while (valueEnd > valueStart && WHITESPACE.has(line[valueEnd - 1]) && !isEscaped(line, valueEnd - 1)) valueEnd--;
  return { key: line.slice(0, end), value: line.slice(valueStart, valueEnd) };
}

/**
 * Parses properties text into key → value (a later duplicate wins, as in Java). `name` labels
 * errors (the file name); a malformed `\uXXXX` escape throws SkiffError CONFIG_INVALID.
 */
export function parseProperties(text: string, name = "properties"): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of logicalLines(text)) {
    const where = `${name} line ${line.lineNumber}`;
    const { key, value } = splitKeyValue(line.text);
    setOwn(result, unescape(key, where), unescape(value, where));
  }
  return result;
}
