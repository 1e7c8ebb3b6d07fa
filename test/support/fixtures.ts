/**
 * Loads the golden RocketMQ fixtures (`../shared/fixtures/rocketmq/`, bytes written by real 4.9.7 and
 * 5.3.3 brokers; provenance in that folder's README) and parses their `.txt` listings. Works the
 * same on Bun, Deno and Node: the path is resolved from this file's URL.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const FIXTURES = new URL("../../../shared/fixtures/rocketmq/", import.meta.url);

/** The fixture's bytes as a plain `Uint8Array` (not a Node `Buffer`). */
export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fileURLToPath(new URL(name, FIXTURES).href)));
}

export function fixtureText(name: string): string {
  return readFileSync(fileURLToPath(new URL(name, FIXTURES).href), "utf8");
}

export type PyValue = string | number | boolean | null | Uint8Array;

/** One record of a `*-record(s).txt` listing: its position in the `.bin`, its fields, its hex dump. */
export interface ListedRecord {
  readonly at: number;
  readonly logical: number;
  readonly fields: Record<string, PyValue>;
  readonly hexDump: Uint8Array;
}

export function listedRecords(name: string): ListedRecord[] {
  const records: Array<{ at: number; logical: number; fields: Record<string, PyValue>; hex: number[] }> = [];
  for (const line of fixtureText(name).split("\n")) {
    const head = /^@(\d+) \(logical (\d+)\) (\{.*\})$/.exec(line);
    if (head) {
      records.push({ at: Number(head[1]), logical: Number(head[2]), fields: parsePyDict(head[3]), hex: [] });
      continue;
    }
    const dump = /^[0-9a-f]{4}: ((?:[0-9a-f]{2} ?)+)$/.exec(line);
    if (dump && records.length > 0) records[records.length - 1].hex.push(...dump[1].trim().split(" ").map((b) => parseInt(b, 16)));
  }
  return records.map((r) => ({ at: r.at, logical: r.logical, fields: r.fields, hexDump: Uint8Array.from(r.hex) }));
}

/** The listing's `props` ("k=v;k=v[;]") as the stored properties string (0x01 / 0x02 separators). */
export function listedProperties(props: string): string {
  return props.replaceAll("=", "\u0001").replaceAll(";", "\u0002");
}

export interface ListedFrame {
  readonly at: number;
  readonly offset: number;
  readonly size: number;
}

/** The frames (`frame N @pos: offset=… size=…`) and reports of a `*-ha-frames.txt` listing. */
export function listedHaConversation(name: string): { frames: ListedFrame[]; reports: number[]; m2sBytes: number } {
  const text = fixtureText(name);
  const frames = [...text.matchAll(/^frame \d+ @(\d+): offset=(\d+) size=(\d+)/gm)].map((m) => ({
    at: Number(m[1]),
    offset: Number(m[2]),
    size: Number(m[3]),
  }));
  const reports = [...text.matchAll(/^report \d+: offset=(\d+)/gm)].map((m) => Number(m[1]));
  const m2sBytes = Number(/^bytes=(\d+) frames=/m.exec(text)![1]);
  return { frames, reports, m2sBytes };
}

/** The relay log (`*-ha-events.txt`): the size of every recv() in one direction. */
export function listedReads(name: string, direction: "s2m" | "m2s"): number[] {
  return [...fixtureText(name).matchAll(/^[\d.]+ (s2m|m2s) (\d+) \d+$/gm)].filter((m) => m[1] === direction).map((m) => Number(m[2]));
}

/** A tiny parser for the flat Python dict literals the listings use (str, bytes, int, bool, None). */
export function parsePyDict(text: string): Record<string, PyValue> {
  let i = 0;
  const out: Record<string, PyValue> = {};
  const skip = () => {
    while (text[i] === " " || text[i] === ",") i++;
  };
  const value = (): PyValue => {
    skip();
    const isBytes = text[i] === "b" && (text[i + 1] === "'" || text[i + 1] === '"');
    if (isBytes || text[i] === "'" || text[i] === '"') {
      if (isBytes) i++;
      const quote = text[i++];
      const codes: number[] = [];
      while (text[i] !== quote) {
        if (text[i] !== "\\") codes.push(text.charCodeAt(i++));
        else if (text[i + 1] === "x") (codes.push(parseInt(text.slice(i + 2, i + 4), 16)), (i += 4));
        else (codes.push(({ n: 10, t: 9, r: 13 } as Record<string, number>)[text[i + 1]] ?? text.charCodeAt(i + 1)), (i += 2));
      }
      i++;
      return isBytes ? Uint8Array.from(codes) : String.fromCharCode(...codes);
    }
    const word = /^(-?\d+|True|False|None)/.exec(text.slice(i))![1];
    i += word.length;
    return word === "True" ? true : word === "False" ? false : word === "None" ? null : Number(word);
  };
  i = 1;
  for (skip(); text[i] !== "}"; skip()) {
    const key = value() as string;
    skip();
    i++; // ':'
    out[key] = value();
  }
  return out;
}
