/**
 * A request's custom header (`extFields`) read the way RocketMQ's header classes are decoded
 * (`RemotingCommand.decodeCommandCustomHeader`, spec §1.3): every value travels as a string; a
 * required field (`@CFNotNull`) that is missing is an error; numbers are parsed like Java's
 * `Integer.parseInt` / `Long.parseLong` (an optional sign and decimal digits, nothing else, within
 * the type's range); booleans like `Boolean.parseBoolean` ("true" in any case is true, anything else
 * false). A bad field throws `SkiffError("REMOTING_HEADER_INVALID")`, which the server answers with
 * SYSTEM_ERROR and the message as remark — as a Java server answers the exception.
 *
 * Longs beyond 2^53 (`endTimestamp` = Long.MAX_VALUE in QUERY_MESSAGE) are clamped to the nearest
 * safe integer: every such field is a bound, never an exact offset, and offsets stay below 2^53.
 */
import { SkiffError } from "../core/errors.ts";

const INTEGER = /^[+-]?\d{1,19}$/;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

export class RequestHeader {
  private readonly fields: Readonly<Record<string, string>>;

  constructor(fields: Readonly<Record<string, string>> | undefined) {
    this.fields = fields ?? {};
  }

  /** The raw value, or undefined when absent (an empty string counts as absent, as in Java's binary decoding). */
  optionalString(name: string): string | undefined {
    const value = Object.hasOwn(this.fields, name) ? this.fields[name] : undefined;
    return value === undefined || value === "" ? undefined : value;
  }

  string(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined) throw missing(name);
    return value;
  }

  int(name: string): number {
    return this.parseInt(name, this.string(name));
  }

  optionalInt(name: string): number | undefined {
    const value = this.optionalString(name);
    return value === undefined ? undefined : this.parseInt(name, value);
  }

  long(name: string): number {
    return this.parseLong(name, this.string(name));
  }

  optionalLong(name: string): number | undefined {
    const value = this.optionalString(name);
    return value === undefined ? undefined : this.parseLong(name, value);
  }

  /** `Boolean.parseBoolean`: absent or anything but "true" (any case) is false. */
  bool(name: string): boolean {
    return this.optionalString(name)?.toLowerCase() === "true";
  }

  private parseInt(name: string, text: string): number {
    const value = INTEGER.test(text) ? Number(text) : Number.NaN;
    if (!(value >= INT_MIN && value <= INT_MAX)) throw notNumber(name, text, "an int");
    return value;
  }

  private parseLong(name: string, text: string): number {
    if (!INTEGER.test(text)) throw notNumber(name, text, "a long");
    const big = BigInt(text);
    if (big > 9223372036854775807n || big < -9223372036854775808n) throw notNumber(name, text, "a long");
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
    if (big < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
    return Number(big);
  }
}

function missing(name: string): SkiffError {
  return new SkiffError("REMOTING_HEADER_INVALID", `the custom field <${name}> is null`);
}

function notNumber(name: string, text: string, type: string): SkiffError {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return new SkiffError("REMOTING_HEADER_INVALID", `the custom field <${name}> is not ${type}: "${shown}"`);
}
