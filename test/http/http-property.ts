/**
 * Pieces shared by the HTTP property tests: arbitraries for hostile path segments, query values,
 * content types and bodies, and the check every answer must pass (a 2xx, or a 4xx whose body is
 * exactly `{"error":{"code","message"}}`; never a 5xx).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { mutate, mutations } from "../support/property.ts";

const encoder = new TextEncoder();

/** What `encodeURIComponent` gives, with lone surrogates (which it refuses) replaced first. */
function encodeSegment(text: string): string {
  return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, "\ufffd"));
}

/** Path segments a hostile client sends: traversal, encoded traversal, very long, unicode, control characters, bad escapes. */
export const hostileSegment = fc.oneof(
  fc.constantFrom("..", ".", "%2e%2e", "%2E%2E", "..%2f..%2fetc", "%2f", "%00", "%zz", "%", "%25", "a%20b", "%0a", "%c0%ae", "~", "*", "TopicTest%00x", "%ff%fe"),
  fc.integer({ min: 128, max: 3000 }).map((n) => "T".repeat(n)),
  fc.string({ unit: "binary", minLength: 1, maxLength: 20 }).map(encodeSegment),
  fc.string({ unit: fc.constantFrom("\u0000", "\u0001", "\u0002", "\n", "\u007f", "é", "中", "😀", "%", "|", "a", "-"), minLength: 1, maxLength: 10 }).map(encodeSegment),
);

export const queueIdText = fc.oneof(fc.integer({ min: 0, max: 20 }).map(String), fc.constantFrom("-1", "abc", "1e3", "0x1", "99999999999", "2147483648", "00", "+1", " 1", "%20", "1.5"));

export const contentType = fc.constantFrom(
  undefined, "application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/x-rocketmq-batch",
  "application/x-rocketmq-batch; v=1", "text/plain", "application/octet-stream", "multipart/form-data; boundary=x", "", ";", "application/json;;;",
);

/** Bodies of every kind: random JSON, random bytes, the valid JSON of a route mutated byte-wise. */
export function bodyFrom(valid: fc.Arbitrary<unknown>): fc.Arbitrary<Uint8Array | string | undefined> {
  return fc.oneof(
    fc.constant(undefined),
    valid.map((v) => JSON.stringify(v)),
    fc.tuple(valid, mutations).map(([v, m]) => mutate(encoder.encode(JSON.stringify(v)), m)),
    fc.json({ maxDepth: 3 }),
    fc.uint8Array({ maxLength: 200 }),
    fc.constantFrom("", "null", "[]", "{}", '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', "1e999", '"x"', "\ufeff{}", "{".repeat(5000)),
  );
}

/** The answer is a 2xx, or a 4xx in the error shape; returns the parsed JSON body if any. */
export async function checkAnswer(response: Response, what: string, method: string): Promise<unknown> {
  assert.ok(response.status < 500, `${what}: answered ${response.status}: ${await response.clone().text()}`);
  assert.ok(response.status >= 200, `${what}: answered ${response.status}`);
  const type = response.headers.get("content-type") ?? "";
  if (method === "HEAD") {
    assert.equal((await response.arrayBuffer()).byteLength, 0, `${what}: a HEAD answer has no body`);
    return undefined;
  }
  if (response.status >= 400) {
    assert.match(type, /application\/json/, `${what}: an error answer is JSON`);
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    assert.deepEqual(Object.keys(body), ["error"], `${what}: error body shape`);
    assert.deepEqual(Object.keys(body.error!).sort(), ["code", "message"], `${what}: error body shape`);
    assert.equal(typeof body.error!.code, "string");
    assert.equal(typeof body.error!.message, "string");
    return body;
  }
  if (/application\/json/.test(type)) return response.json();
  await response.arrayBuffer();
  return undefined;
}

export interface RequestSpec {
  readonly method: string;
  readonly path: string;
  readonly contentType?: string;
  readonly accept?: string;
  readonly body?: Uint8Array | string;
}

export function requestInit(spec: RequestSpec): RequestInit {
  const headers: Record<string, string> = {};
  if (spec.contentType !== undefined) headers["content-type"] = spec.contentType;
  if (spec.accept !== undefined) headers.accept = spec.accept;
  const hasBody = spec.body !== undefined && spec.method !== "GET" && spec.method !== "HEAD";
  return { method: spec.method, headers, ...(hasBody ? { body: spec.body as BodyInit } : {}) };
}

export function describeSpec(spec: RequestSpec): string {
  const body = spec.body === undefined ? "" : typeof spec.body === "string" ? spec.body.slice(0, 200) : `${spec.body.length} bytes`;
  return `${spec.method} ${spec.path.slice(0, 300)} [${spec.contentType ?? "-"}] ${body}`;
}
