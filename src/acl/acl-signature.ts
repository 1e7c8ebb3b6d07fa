/**
 * The signature of RocketMQ's `AclClientRPCHook` (4.9.7 and 5.3.3 alike): the client adds the
 * ext fields `AccessKey` (and `SecurityToken` when it has one), then signs
 *
 *   content   = UTF-8( the values of every ext field but `Signature`, in key order, joined with nothing ) ++ body
 *   Signature = Base64( HMAC-SHA1( key = UTF-8(secretKey), content ) )
 *
 * Key order is Java's `TreeMap` of strings (UTF-16 code units), which is JavaScript's default
 * string order. Every request is signed, name-server calls, heartbeats and oneways included.
 * The server recomputes the content from the fields it received; a 4.9.3-or-older client did not
 * sign the `_UNIQUE_KEY_QUERY` field that QUERY_MESSAGE carries, so it is left out of the content
 * for those (as 5.x does; 4.9.7's server always left it out and refused newer clients' queries).
 * Web Crypto, so Skiff's fetch client can sign on edge runtimes too.
 */
import { utf8Encode } from "../core/bytes.ts";

export const ACCESS_KEY_FIELD = "AccessKey";
export const SIGNATURE_FIELD = "Signature";
export const SECURITY_TOKEN_FIELD = "SecurityToken";
export const UNIQUE_KEY_QUERY_FIELD = "_UNIQUE_KEY_QUERY";
/** `MQVersion.V4_9_3`'s ordinal: clients up to it did not sign `_UNIQUE_KEY_QUERY`. */
export const LAST_VERSION_NOT_SIGNING_UNIQUE_KEY_QUERY = 399;

/** The bytes a signature covers (see the header). */
export function signedContent(extFields: Readonly<Record<string, string>>, body: Uint8Array, omit: ReadonlySet<string> = new Set()): Uint8Array {
  let text = "";
  for (const key of Object.keys(extFields).sort()) {
    if (key === SIGNATURE_FIELD || omit.has(key)) continue;
    text += extFields[key];
  }
  const head = utf8Encode(text);
  if (body.byteLength === 0) return head;
  const content = new Uint8Array(head.byteLength + body.byteLength);
  content.set(head);
  content.set(body, head.byteLength);
  return content;
}

export function hmacKey(secretKey: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", utf8Encode(secretKey) as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
}

/** Base64 of HMAC-SHA1 over `content`, as `AclSigner.calSignature` writes it (padded, no line breaks). */
export async function sign(key: CryptoKey, content: Uint8Array): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, content as Uint8Array<ArrayBuffer>));
  let binary = "";
  for (const byte of mac) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Compares two signatures in time independent of where they differ. */
export function sameSignature(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/** The ext fields of a request signed as `AclClientRPCHook` signs it (for Skiff's clients and tests). */
export async function signExtFields(
  extFields: Readonly<Record<string, string>>, body: Uint8Array, credentials: { accessKey: string; secretKey: string; securityToken?: string },
): Promise<Record<string, string>> {
  const fields: Record<string, string> = { ...extFields, [ACCESS_KEY_FIELD]: credentials.accessKey };
  if (credentials.securityToken !== undefined) fields[SECURITY_TOKEN_FIELD] = credentials.securityToken;
  fields[SIGNATURE_FIELD] = await sign(await hmacKey(credentials.secretKey), signedContent(fields, body));
  return fields;
}
