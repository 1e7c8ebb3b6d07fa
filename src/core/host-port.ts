/** The `host:port` form of a peer's address (IPv6 in brackets), used by HA, remoting and HTTP clients. */
import { SkiffError } from "./errors.ts";
import type { HostPort } from "./platform.ts";

/** `host:port` (IPv6 as `[::1]:10912`) → HostPort; SkiffError ADDRESS_ILLEGAL otherwise. */
export function parseHostPort(address: string): HostPort {
  const colon = address.lastIndexOf(":");
  let host = address.slice(0, colon).trim();
  const portText = address.slice(colon + 1).trim();
  const port = Number(portText);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (colon <= 0 || host === "" || !/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new SkiffError("ADDRESS_ILLEGAL", `address "${address}" is not host:port (e.g. 127.0.0.1:10912)`);
  }
  return { host, port };
}

export function formatHostPort(at: HostPort): string {
  return at.host.includes(":") ? `[${at.host}]:${at.port}` : `${at.host}:${at.port}`;
}
