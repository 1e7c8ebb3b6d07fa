/**
 * RocketMQ's remote-address patterns (`RemoteAddressStrategyFactory`, 4.9.7), as written in
 * `globalWhiteRemoteAddresses` and an account's `whiteRemoteAddress`, matched against the peer's
 * IP (its port removed):
 *
 * | pattern                          | matches                                                      |
 * |----------------------------------|--------------------------------------------------------------|
 * | blank                            | nothing                                                      |
 * | `*`, `*.*.*.*`, `*:*:*:*:*:*:*:*` | every address                                                |
 * | `192.168.1.{1,2,3}`              | each listed last part after the prefix                       |
 * | `192.168.1.1,192.168.1.2`        | each listed full address (IPv6 compared expanded)            |
 * | `192.168.1.1-5`, `192.168.*.*`   | the first ranged part (`a-b` or `*`, position 2..4) in range, |
 * |                                  | the parts before it equal; later parts are not looked at      |
 * | `10.0.0.1`, `::1`                | that address (IPv6 compared expanded)                        |
 *
 * A pattern RocketMQ would refuse to load (a bad address, a range out of 0..255, a wildcard in
 * the first part) is an error here too, so a typo does not silently open or close a door.
 */

export type AddressMatcher = (ip: string) => boolean;

export function addressMatcher(pattern: string | null | undefined): AddressMatcher {
  const text = (pattern ?? "").trim();
  if (text === "") return () => false;
  if (text === "*" || text === "*.*.*.*" || text === "*:*:*:*:*:*:*:*") return () => true;
  if (text.endsWith("}")) return multipleMatcher(text);
  if (text.includes(",")) {
    const set = new Set(text.split(",").map((part) => canonical(part.trim(), pattern!)));
    return (ip) => set.has(expandIp(ip) ?? ip);
  }
  if (text.includes("*") || text.includes("-")) return rangeMatcher(text);
  const one = canonical(text, text);
  return (ip) => (expandIp(ip) ?? ip) === one;
}

/** `prefix.{a,b,c}`: the prefix followed by each listed item. */
function multipleMatcher(text: string): AddressMatcher {
  const open = text.lastIndexOf("{");
  if (open < 0) throw bad(text, "a `{` must open the list that `}` closes");
  const prefix = text.slice(0, open);
  const items = text.slice(open + 1, -1).split(",").map((item) => item.trim());
  const set = new Set(items.map((item) => canonical(prefix + item, text)));
  return (ip) => set.has(expandIp(ip) ?? ip);
}

/** The first part (of parts 2..4) given as `*` or `a-b` is a range; the parts before it are a prefix. */
function rangeMatcher(text: string): AddressMatcher {
  const v6 = text.includes(":");
  const parts = text.split(v6 ? ":" : ".");
  const max = v6 ? 0xffff : 255;
  const parse = (value: string) => (v6 ? /^[0-9a-fA-F]{1,4}$/.test(value) ? parseInt(value, 16) : NaN : /^\d{1,3}$/.test(value) ? Number(value) : NaN);
  for (let at = 1; at < parts.length; at++) {
    const part = parts[at];
    let low: number;
    let high: number;
    if (part === "*") [low, high] = [0, max];
    else if (part.includes("-")) [low, high] = part.split("-").map(parse) as [number, number];
    else continue;
    if (!(low >= 0 && high <= max && low <= high)) throw bad(text, `the range ${part} must lie within 0..${v6 ? "ffff" : 255}, low before high`);
    if (v6 && parts.slice(at + 1).some((p) => p !== "*")) throw bad(text, "in an IPv6 range, only `*` may follow the ranged part");
    const separator = v6 ? ":" : ".";
    const head = parts.slice(0, at).join(separator) + separator;
    return (ip) => {
      const address = v6 ? expandIp(ip) : ip;
      if (address === null || !address.toUpperCase().startsWith(head.toUpperCase())) return false;
      const value = parse(address.split(separator)[at]);
      return value >= low && value <= high;
    };
  }
  throw bad(text, "a wildcard or range is allowed only in the second to last part");
}

function canonical(address: string, pattern: string): string {
  const expanded = expandIp(address);
  if (expanded === null) throw bad(pattern, `${address} is not an IPv4 or IPv6 address`);
  return expanded;
}

/** IPv4 as is (validated); IPv6 with `::` expanded, 8 groups of 4 upper-case hex digits; null when neither. */
export function expandIp(ip: string): string | null {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return ip.split(".").every((p) => Number(p) <= 255) ? ip : null;
  if (!ip.includes(":") || !/^[0-9a-fA-F:]+$/.test(ip)) return null;
  const halves = ip.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  return groups.map((g) => g.toUpperCase().padStart(4, "0")).join(":");
}

function bad(pattern: string, why: string): Error {
  return new Error(`remote address pattern "${pattern}": ${why}`);
}
