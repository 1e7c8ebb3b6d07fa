/**
 * RocketMQ's `RegisterBrokerBody`, the body of REGISTER_BROKER (103), in its two forms, read into
 * one plain shape (what the JSON form parses to) that the name server then checks:
 *
 *   {"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":0,"timestamp":…},
 *    "topicConfigTable":{"TBW102":{"order":false,"perm":7,"readQueueNums":8,"topicFilterType":"SINGLE_TAG",
 *    "topicName":"TBW102","topicSysFlag":0,"writeQueueNums":8},…}}}
 *
 * 5.x adds `stateVersion` to the data version, `attributes` to each topic and, beside the table,
 * `mappingDataVersion`, `topicQueueMappingDetailMap` and `topicQueueMappingInfoMap` (static topics).
 *
 * Compressed form (`compressedRegister=true`): a zlib stream (Java's `DeflaterOutputStream`,
 * RFC 1950) of big-endian length-prefixed parts:
 *
 * | part                  | layout                                                               |
 * |-----------------------|----------------------------------------------------------------------|
 * | data version          | i32 n, n bytes of DataVersion JSON                                   |
 * | topic count           | i32                                                                  |
 * | each topic            | i32 n, n bytes UTF-8 `name readQueueNums writeQueueNums perm filterType` (5.x: ` {attributes JSON}`) |
 * | filter servers        | i32 n, n bytes of a JSON array of strings                            |
 * | static-topic mappings | 5.x brokers only (version ≥ V5_0_0 = 413): i32 count, each i32 n + n bytes of JSON |
 *
 * The compressed form carries neither `topicSysFlag` nor `order`: they read as 0 and false, as on
 * a Java name server. A 5.3.3 broker with `compressedRegister=true` sends this form with the
 * header's `compressed` still "false" (its own name server then fails with a NullPointerException;
 * seen on the wire), so `isCompressedBody` also recognises a zlib header where the JSON form must
 * start with `{`. Decompressed bodies are bounded by `maxBytes` (a zip bomb is refused, not
 * inflated); the zlib trailer (Adler-32 of the inflated bytes, the body's last 4 bytes) must match,
 * since not every runtime's DecompressionStream notices a stream cut short; every length is
 * checked against what is left.
 */
import { SkiffError } from "../core/errors.ts";
import { concatBytes, utf8Decode, utf8Encode, viewOf } from "../core/bytes.ts";
import { parseFastjson, stringifyFastjson, type FastjsonValue } from "./fastjson.ts";

/** MQVersion.Version.V5_0_0's ordinal: brokers from here on append the static-topic mappings. */
export const VERSION_5_0_0 = 413;
const TOPIC_FILTER_TYPES = new Set(["SINGLE_TAG", "MULTI_TAG"]);

/** A compressed body: the header says so, or it starts with a zlib header (CMF 0x78, check bits valid). */
export function isCompressedBody(body: Uint8Array, compressedFlag: boolean): boolean {
  if (compressedFlag) return true;
  return body.byteLength >= 2 && body[0] === 0x78 && ((body[0] << 8) | body[1]) % 31 === 0;
}

/** Either form, read into the JSON form's shape (unchecked: the caller's schema checks it). */
export async function decodeRegisterBrokerBody(body: Uint8Array, compressed: boolean, brokerVersion: number, maxBytes: number): Promise<unknown> {
  if (!compressed) return parseJsonPart(body, "RegisterBrokerBody JSON");
  const parts = new PartReader(await inflate(body, maxBytes));
  const dataVersion = parseJsonPart(parts.bytes("the data version"), "data version JSON");
  const topicCount = parts.count("the topic count");
  const topicConfigTable: Record<string, FastjsonValue> = {};
  for (let i = 0; i < topicCount; i++) {
    const [topicName, config] = decodeTopicConfig(utf8Decode(parts.bytes(`topic config ${i + 1} of ${topicCount}`)));
    topicConfigTable[topicName] = config;
  }
  const filterServerList = parseJsonPart(parts.bytes("the filter server list"), "filter server list JSON");
  if (brokerVersion >= VERSION_5_0_0) {
    const mappings = parts.count("the static-topic mapping count");
    for (let i = 0; i < mappings; i++) parts.bytes(`static-topic mapping ${i + 1} of ${mappings}`); // Skiff has no static topics
  }
  return { filterServerList, topicConfigSerializeWrapper: { dataVersion, topicConfigTable } };
}

/** `TopicConfig.encode()`'s text: `name read write perm filterType[ attributesJson]`. */
function decodeTopicConfig(text: string): [string, FastjsonValue] {
  const fields = text.split(" ");
  const [topicName, read, write, perm, topicFilterType] = fields;
  const numbers = [read, write, perm].map((field) => (field !== undefined && /^[+-]?\d{1,10}$/.test(field) ? Number(field) : Number.NaN));
  if (fields.length < 5 || !topicName || numbers.some((n) => !Number.isSafeInteger(n)) || !TOPIC_FILTER_TYPES.has(topicFilterType)) {
    throw invalid(`topic config "${text.slice(0, 80)}" is not "name readQueueNums writeQueueNums perm SINGLE_TAG|MULTI_TAG"`);
  }
  const [readQueueNums, writeQueueNums, permValue] = numbers;
  return [topicName, { topicName, readQueueNums, writeQueueNums, perm: permValue, topicFilterType, topicSysFlag: 0, order: false }];
}

/** The compressed form of `body` (the JSON form's shape), as a Java broker writes it; for tests and tools. */
export async function encodeCompressedRegisterBrokerBody(
  body: { readonly filterServerList: readonly string[]; readonly topicConfigSerializeWrapper: { readonly dataVersion: FastjsonValue; readonly topicConfigTable: Readonly<Record<string, { readonly readQueueNums: number; readonly writeQueueNums: number; readonly perm: number }>> } },
  brokerVersion: number,
): Promise<Uint8Array> {
  const { dataVersion, topicConfigTable } = body.topicConfigSerializeWrapper;
  const parts: Uint8Array[] = [];
  const part = (bytes: Uint8Array) => parts.push(i32(bytes.byteLength), bytes);
  part(utf8Encode(stringifyFastjson(dataVersion)));
  parts.push(i32(Object.keys(topicConfigTable).length));
  for (const [name, c] of Object.entries(topicConfigTable)) {
    part(utf8Encode(`${name} ${c.readQueueNums} ${c.writeQueueNums} ${c.perm} SINGLE_TAG${brokerVersion >= VERSION_5_0_0 ? " {}" : ""}`));
  }
  part(utf8Encode(stringifyFastjson(body.filterServerList)));
  if (brokerVersion >= VERSION_5_0_0) parts.push(i32(0));
  return transform(concatBytes(parts), new CompressionStream("deflate"));
}

function i32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  viewOf(bytes).setInt32(0, value);
  return bytes;
}

/** Reads the length-prefixed parts of the inflated body, each length checked against what is left. */
class PartReader {
  private at = 0;
  private readonly data: Uint8Array;

  constructor(data: Uint8Array) {
    this.data = data;
  }

  count(what: string): number {
    if (this.data.byteLength - this.at < 4) throw invalid(`the body ends before ${what}`);
    const value = viewOf(this.data).getInt32(this.at);
    this.at += 4;
    if (value < 0 || value > this.data.byteLength - this.at) throw invalid(`${what} is ${value}, but ${this.data.byteLength - this.at} bytes are left`);
    return value;
  }

  bytes(what: string): Uint8Array {
    const length = this.count(`the length of ${what}`);
    const bytes = this.data.subarray(this.at, this.at + length);
    this.at += length;
    return bytes;
  }
}

function parseJsonPart(bytes: Uint8Array, what: string): FastjsonValue {
  try {
    return parseFastjson(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as FastjsonValue;
  } catch (error) {
    throw invalid(`its ${what} does not parse: ${(error as Error).message}`);
  }
}

async function inflate(compressed: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  let inflated: Uint8Array;
  try {
    inflated = await transform(compressed, new DecompressionStream("deflate"), maxBytes);
  } catch (error) {
    if (error instanceof SkiffError) throw error;
    throw invalid(`it is not a zlib stream: ${(error as Error).message || (error as Error).name}`);
  }
  const trailer = compressed.byteLength >= 6 ? viewOf(compressed).getUint32(compressed.byteLength - 4) : -1;
  if (trailer !== adler32(inflated)) throw invalid("it is not a whole zlib stream (its Adler-32 trailer does not match)");
  return inflated;
}

/** RFC 1950's checksum of the uncompressed bytes. */
function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length;) {
    const end = Math.min(i + 3800, bytes.length); // sums stay below 2^32 before the modulo
    for (; i < end; i++) b += a += bytes[i];
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Pipes `input` through a (de)compression stream, refusing more than `maxBytes` of output. */
async function transform(input: Uint8Array, stream: CompressionStream | DecompressionStream, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Uint8Array> {
  const source = new ReadableStream<BufferSource>({
    start(controller) {
      controller.enqueue(input as Uint8Array<ArrayBuffer>); // the platforms never hand out SharedArrayBuffer views
      controller.close();
    },
  });
  const reader = source.pipeThrough(stream).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw invalid(`it inflates to more than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return concatBytes(chunks);
}

function invalid(reason: string): SkiffError {
  return new SkiffError("REMOTING_BODY_INVALID", `the RegisterBrokerBody is invalid: ${reason}`);
}
