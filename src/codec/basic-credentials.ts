/**
 * HTTP Basic credentials (RFC 7617) carrying an ACL account over Skiff's HTTP API:
 * `Authorization: Basic base64(UTF-8(accessKey ":" secretKey))`. The access key holds no `:`
 * (RocketMQ's keys are plain names); the secret may.
 */
import { utf8Decode, utf8Encode } from "../core/bytes.ts";

export interface AccountCredentials {
  readonly accessKey: string;
  readonly secretKey: string;
}

export function basicAuthorization(credentials: AccountCredentials): string {
  let binary = "";
  for (const byte of utf8Encode(`${credentials.accessKey}:${credentials.secretKey}`)) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/** The credentials of an `Authorization: Basic …` header; null when absent or unreadable. */
export function parseBasicAuthorization(header: string | undefined): AccountCredentials | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!match) return null;
  let decoded: string;
  try {
    decoded = utf8Decode(Uint8Array.from(atob(match[1]), (ch) => ch.charCodeAt(0)));
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  return colon > 0 ? { accessKey: decoded.slice(0, colon), secretKey: decoded.slice(colon + 1) } : null;
}
