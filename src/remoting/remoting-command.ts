/**
 * Apache RocketMQ's remoting frame (`RemotingCommand`, `NettyDecoder`; spec §9), big-endian:
 *
 * | offset | field                | type  | notes                                                    |
 * |--------|----------------------|-------|----------------------------------------------------------|
 * | 0      | length               | i32   | 4 + headerLength + bodyLength (not counting itself)      |
 * | 4      | serializeType/hdrLen | i32   | high byte: 0 JSON, 1 ROCKETMQ (binary); low 24 bits: len |
 * | 8      | header               | n     | JSON object, or the binary layout below                  |
 * | 8 + n  | body                 | rest  | request/response body (JSON text for the calls we make)  |
 *
 * JSON header (fastjson of RemotingCommand): `code`, `language` (enum name), `version` (MQVersion
 * ordinal), `opaque` (request id, echoed in the answer), `flag` (bit 0 response, bit 1 oneway),
 * `remark`, `extFields` (string map: the custom header's fields), `serializeTypeCurrentRPC`.
 * Binary header (ROCKETMQ): i16 code, i8 language, i16 version, i32 opaque, i32 flag,
 * i32 remarkLen + remark, i32 extLen + entries (i16 keyLen + key, i32 valueLen + value).
 *
 * Skiff writes JSON headers (fields in fastjson's alphabetical order, so a decoded Java frame
 * re-encodes to the same bytes); `RemotingFrameDecoder` reads both (5.x servers answer in their own
 * configured type). Frames above 16 MiB (RocketMQ's `frameMaxLength`) are refused.
 */
import { SkiffError, assert } from "../core/errors.ts";
import { utf8Decode, utf8Length, viewOf, writeUtf8 } from "../core/bytes.ts";
import { setOwn } from "../core/own-property.ts";

export const FRAME_MAX_BYTES = 16 * 1024 * 1024;
export const SERIALIZE_JSON = 0;
export const SERIALIZE_ROCKETMQ = 1;
export const FLAG_RESPONSE = 1;
export const FLAG_ONEWAY = 2;
/** MQVersion.Version.V4_9_8's ordinal: what Skiff says it speaks. */
export const SKIFF_REMOTING_VERSION = 409;
/** MQVersion's name of SKIFF_REMOTING_VERSION: what Skiff says it is in runtime info. */
export const SKIFF_REMOTING_VERSION_DESC = "V4_9_8";

const LANGUAGES = ["JAVA", "CPP", "DOTNET", "PYTHON", "DELPHI", "ERLANG", "RUBY", "OTHER", "HTTP", "GO", "PHP", "OMS", "RUST", "NODE_JS"];

export interface RemotingCommand {
  readonly code: number;
  readonly language: string;
  readonly version: number;
  readonly opaque: number;
  readonly flag: number;
  readonly remark?: string;
  /** Absent when the header had none (Java's null): then none is written either. */
  readonly extFields?: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

export function isResponse(command: RemotingCommand): boolean {
  return (command.flag & FLAG_RESPONSE) !== 0;
}

/** A request with a JSON header; `language` OTHER (known to every 4.9 and 5.x server). */
export function requestCommand(code: number, opaque: number, extFields: Record<string, string> = {}, body: Uint8Array = new Uint8Array(0)): RemotingCommand {
  return { code, language: "OTHER", version: SKIFF_REMOTING_VERSION, opaque, flag: 0, extFields, body };
}

/** What a processor answers: a response code and, where the code carries them, fields and a body. */
export interface RemotingAnswer {
  readonly code: number;
  readonly remark?: string;
  /** Omitted from the frame when absent; a send response must have them (spec §5.1). */
  readonly extFields?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
}

/**
 * The response to `request`: its opaque, the response flag, a JSON header (Skiff answers in JSON
 * whatever the request's type, as 5.3.3 servers do: spec §1.5). Language JAVA, as every server the
 * stock clients were built against says.
 */
export function responseCommand(request: RemotingCommand, answer: RemotingAnswer): RemotingCommand {
  const command: Mutable<RemotingCommand> = {
    code: answer.code,
    language: "JAVA",
    version: SKIFF_REMOTING_VERSION,
    opaque: request.opaque,
    flag: FLAG_RESPONSE,
    body: answer.body ?? new Uint8Array(0),
  };
  if (answer.remark !== undefined) command.remark = answer.remark;
  if (answer.extFields !== undefined) command.extFields = answer.extFields;
  return command;
}

export function isOneway(command: RemotingCommand): boolean {
  return (command.flag & FLAG_ONEWAY) !== 0;
}

/** The frame for `command`, with a JSON header (fields in fastjson's alphabetical order). */
export function encodeRemotingCommand(command: RemotingCommand): Uint8Array {
  // The header's fields in order, absent ones left out (built up, not spread: once per answer).
  const fields: Record<string, unknown> = { code: command.code };
  if (command.extFields !== undefined) fields.extFields = command.extFields;
  fields.flag = command.flag;
  fields.language = command.language;
  fields.opaque = command.opaque;
  if (command.remark !== undefined) fields.remark = command.remark;
  fields.serializeTypeCurrentRPC = "JSON";
  fields.version = command.version;
  const header = JSON.stringify(fields);
  const headerBytes = utf8Length(header); // encoded straight into the frame, not into a buffer first
  const length = 4 + headerBytes + command.body.byteLength;
  if (length + 4 > FRAME_MAX_BYTES) throw new SkiffError("REMOTING_FRAME_TOO_LARGE", `remoting frame of ${length + 4} bytes exceeds ${FRAME_MAX_BYTES}`);
  const out = new Uint8Array(4 + length);
  const view = viewOf(out);
  view.setInt32(0, length);
  view.setInt32(4, (SERIALIZE_JSON << 24) | headerBytes);
  const written = writeUtf8(header, out, 8);
  assert(written === headerBytes, "the header encodes to the bytes measured");
  out.set(command.body, 8 + headerBytes);
  return out;
}

/** Decodes one whole frame's content (without its leading length field); the body is a view into `frame`. */
export function decodeFrameContent(frame: Uint8Array): RemotingCommand {
  if (frame.byteLength < 4) throw illegal("frame shorter than its header-length field");
  const view = viewOf(frame);
  const mark = view.getInt32(0);
  const serializeType = (mark >>> 24) & 0xff;
  const headerLength = mark & 0xffffff;
  if (4 + headerLength > frame.byteLength) throw illegal(`header length ${headerLength} exceeds the frame (${frame.byteLength} bytes)`);
  const headerBytes = frame.subarray(4, 4 + headerLength);
  const body = frame.subarray(4 + headerLength);
  if (serializeType === SERIALIZE_JSON) return decodeJsonHeader(headerBytes, body);
  if (serializeType === SERIALIZE_ROCKETMQ) return { ...decodeBinaryHeader(headerBytes), body };
  throw illegal(`unknown serialize type ${serializeType}`);
}

function decodeJsonHeader(bytes: Uint8Array, body: Uint8Array): RemotingCommand {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8Decode(bytes));
  } catch (error) {
    throw illegal(`JSON header does not parse: ${(error as Error).message.replace(/\s+/g, " ")}`); // the runtime quotes the header: keep one line
  }
  if (typeof parsed !== "object" || parsed === null) throw illegal("JSON header is not an object");
  const h = parsed as Record<string, unknown>;
  let extFields: Record<string, string> | undefined;
  if (typeof h.extFields === "object" && h.extFields !== null) extFields = stringFields(h.extFields as Record<string, unknown>);
  const num = (v: unknown) => (typeof v === "number" && Number.isInteger(v) ? v : 0);
  if (typeof h.code !== "number" || !Number.isInteger(h.code)) throw illegal("JSON header has no integer code");
  const command: Mutable<RemotingCommand> = {
    code: h.code,
    language: typeof h.language === "string" ? h.language : "JAVA",
    version: num(h.version),
    opaque: num(h.opaque),
    flag: num(h.flag),
    body,
  };
  if (typeof h.remark === "string") command.remark = h.remark;
  if (extFields !== undefined) command.extFields = extFields;
  return command;
}

/** Optional fields are set one by one where a command is built per request, not spread. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The header's extFields as strings. Java sends strings only, and then JSON.parse's own object is
 * used as it is (it holds a `"__proto__"` key as an own field, never as the prototype); anything
 * else (numbers, nested objects, nulls from other clients) is copied into strings, nulls left out.
 */
function stringFields(fields: Record<string, unknown>): Record<string, string> {
  let strings = true;
  for (const k in fields) {
    if (typeof fields[k] !== "string") {
      strings = false;
      break;
    }
  }
  if (strings && !Array.isArray(fields)) return fields as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== null && v !== undefined) setOwn(out, k, typeof v === "object" ? JSON.stringify(v) : String(v));
  return out;
}

function decodeBinaryHeader(bytes: Uint8Array): Omit<RemotingCommand, "body"> {
  const view = viewOf(bytes);
  let at = 0;
  // Every length read from the wire is checked before it moves `at`: a negative one is refused (Java
  // throws NegativeArraySizeException), so `at` only ever moves forward and stays within `limit`.
  const need = (n: number, limit: number, what: string) => {
    if (n < 0) throw illegal(`binary header: negative ${what} length ${n}`);
    if (at + n > limit) throw illegal(`binary header is cut short (${what})`);
  };
  need(17, bytes.byteLength, "fixed part");
  const code = view.getInt16(0);
  const language = LANGUAGES[view.getInt8(2)] ?? "OTHER";
  const version = view.getInt16(3);
  const opaque = view.getInt32(5);
  const flag = view.getInt32(9);
  const remarkLength = view.getInt32(13);
  at = 17;
  let remark: string | undefined;
  if (remarkLength > 0) {
    need(remarkLength, bytes.byteLength, "remark");
    remark = utf8Decode(bytes.subarray(at, at + remarkLength));
    at += remarkLength;
  }
  need(4, bytes.byteLength, "extFields length");
  const extLength = view.getInt32(at);
  at += 4;
  need(Math.max(0, extLength), bytes.byteLength, "extFields");
  const extEnd = at + Math.max(0, extLength);
  const extFields: Record<string, string> = {};
  while (at < extEnd) {
    need(2, extEnd, "extFields key length");
    const keyLength = view.getInt16(at);
    at += 2;
    need(keyLength, extEnd, "extFields key");
    const key = utf8Decode(bytes.subarray(at, at + keyLength));
    at += keyLength;
    need(4, extEnd, "extFields value length");
    const valueLength = view.getInt32(at);
    at += 4;
    need(valueLength, extEnd, "extFields value");
    setOwn(extFields, key, utf8Decode(bytes.subarray(at, at + valueLength)));
    at += valueLength;
  }
  return { code, language, version, opaque, flag, ...(remark === undefined ? {} : { remark }), extFields };
}

/** A frame's length field, checked: 4..16 MiB - 4. */
function frameLength(length: number): number {
  if (length < 4 || length + 4 > FRAME_MAX_BYTES) throw illegal(`frame length ${length} is outside 4..${FRAME_MAX_BYTES - 4}`);
  return length;
}

function illegal(detail: string): SkiffError {
  return new SkiffError("REMOTING_FRAME_ILLEGAL", `remoting frame: ${detail}`);
}

/**
 * Push decoder: `push(chunk)` returns the commands completed by that chunk. A frame that lies
 * whole in one chunk is decoded where it lies, and its body is a view into the chunk (no copy: a
 * `Connection`'s chunks are the reader's to keep, and the caller must not change them); a frame
 * split across chunks is gathered into a buffer of its own. It holds at most one frame
 * (`pendingBytes` < 16 MiB): a length outside 4..16 MiB-4 is refused as soon as its 4 bytes are
 * in. After a `REMOTING_FRAME_ILLEGAL` the stream has lost its framing: the decoder keeps failing
 * (close the connection), and commands completed earlier in the same chunk are not returned.
 */
export class RemotingFrameDecoder {
  private readonly lengthBytes = new Uint8Array(4);
  private lengthFilled = 0;
  private frame: Uint8Array | null = null;
  private frameFilled = 0;
  private failure: SkiffError | null = null;

  /** Bytes still needed for the length field or the frame in progress. */
  get bytesNeeded(): number {
    return this.frame === null ? 4 - this.lengthFilled : this.frame.byteLength - this.frameFilled;
  }

  /** Bytes of the incomplete length field or frame held from earlier chunks. */
  get pendingBytes(): number {
    return this.frame === null ? this.lengthFilled : 4 + this.frameFilled;
  }

  push(chunk: Uint8Array): RemotingCommand[] {
    if (this.failure !== null) throw this.failure;
    try {
      return this.decode(chunk);
    } catch (error) {
      if (error instanceof SkiffError) {
        this.failure = error;
        this.frame = null;
      }
      throw error;
    }
  }

  private decode(chunk: Uint8Array): RemotingCommand[] {
    const out: RemotingCommand[] = [];
    let i = 0;
    let view: DataView | null = null;
    while (i < chunk.byteLength) {
      if (this.frame === null && this.lengthFilled === 0 && chunk.byteLength - i >= 4) {
        // The length field lies whole in the chunk: read it there, and the frame too if it is all in.
        view ??= viewOf(chunk);
        const length = frameLength(view.getInt32(i));
        i += 4;
        if (chunk.byteLength - i >= length) {
          out.push(decodeFrameContent(chunk.subarray(i, i + length)));
          i += length;
          continue;
        }
        this.frame = new Uint8Array(length);
        this.frameFilled = 0;
      } else if (this.frame === null) {
        const take = Math.min(4 - this.lengthFilled, chunk.byteLength - i);
        this.lengthBytes.set(chunk.subarray(i, i + take), this.lengthFilled);
        this.lengthFilled += take;
        i += take;
        if (this.lengthFilled < 4) break;
        this.lengthFilled = 0;
        this.frame = new Uint8Array(frameLength(viewOf(this.lengthBytes).getInt32(0)));
        this.frameFilled = 0;
      }
      const take = Math.min(this.frame.byteLength - this.frameFilled, chunk.byteLength - i);
      this.frame.set(chunk.subarray(i, i + take), this.frameFilled);
      this.frameFilled += take;
      i += take;
      if (this.frameFilled === this.frame.byteLength) {
        const frame = this.frame;
        this.frame = null;
        out.push(decodeFrameContent(frame));
      }
    }
    return out;
  }
}
