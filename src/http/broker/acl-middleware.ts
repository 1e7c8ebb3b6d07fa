/**
 * With `aclEnable=true`, Skiff's HTTP API answers only requests that carry an account of the ACL
 * file as HTTP Basic credentials (`Authorization: Basic base64(accessKey:secretKey)`, `curl -u`),
 * with the same permissions as over remoting (acl-policy.ts):
 *
 * | request                                                   | needs                          |
 * |-----------------------------------------------------------|--------------------------------|
 * | GET /healthz, /readyz, /health                            | nothing (probes)               |
 * | POST /topics/:topic/messages                              | topic PUB                      |
 * | GET /topics/:topic/queues/:q/messages (?group=…)          | topic SUB (and the group SUB)  |
 * | GET /topics/:topic/queues/:q/offset, /messages?topic=…    | topic SUB                      |
 * | GET, PUT /consumer-offsets/:group/:topic/:q               | group SUB, topic SUB           |
 * | GET /sync/*, GET /ha/log (a slave's pulls), any other change | an admin account            |
 * | any other GET (status, stats, metrics, dashboard)         | an account                     |
 *
 * No credentials or wrong ones: 401 UNAUTHENTICATED with `WWW-Authenticate: Basic` (a browser
 * asks for them, so the dashboard works); an account without the permission: 403 NO_PERMISSION.
 * The secret travels with each request: use the API on a trusted network or behind TLS.
 */
import type { MiddlewareHandler } from "hono";
import { Perm } from "../../acl/permission.ts";
import { RETRY_PREFIX } from "../../acl/plain-acl-file.ts";
import type { AclPolicy } from "../../acl/acl-policy.ts";
import { parseBasicAuthorization } from "../../codec/basic-credentials.ts";
import { errorResponse } from "../errors.ts";

const OPEN = new Set(["/healthz", "/readyz", "/health"]);

export function aclMiddleware(acl: { readonly policy: () => AclPolicy; refused(protocol: "http"): void }): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    if (c.req.method === "GET" && OPEN.has(url.pathname)) return next();
    const { adminFor, needed } = httpAccess(c.req.method, url);
    const decision = acl.policy().decideHttp(parseBasicAuthorization(c.req.header("authorization")), adminFor, needed);
    if (decision.allowed) return next();
    acl.refused("http");
    if (!decision.authenticated) {
      c.header("www-authenticate", 'Basic realm="skiff", charset="UTF-8"');
      return errorResponse(c, 401, "UNAUTHENTICATED", `${decision.reason}: this broker has aclEnable=true; send an account of its ACL file as HTTP Basic credentials (curl -u accessKey:secretKey)`);
    }
    return errorResponse(c, 403, "NO_PERMISSION", decision.reason);
  };
}

/** What an HTTP request needs (the header's table). */
export function httpAccess(method: string, url: URL): { adminFor: string | null; needed: Map<string, number> } {
  const needed = new Map<string, number>();
  const parts = url.pathname.split("/").filter(Boolean).map((p) => decodeURIComponent(p));
  const need = (resource: string | null | undefined, perm: number) => void (resource && needed.set(resource, (needed.get(resource) ?? 0) | perm));
  const admin = { adminFor: `${method} ${url.pathname}`, needed };
  if (parts[0] === "topics" && parts.length === 3 && parts[2] === "messages" && method === "POST") {
    need(parts[1], Perm.PUB);
    return { adminFor: null, needed };
  }
  if (parts[0] === "topics" && parts.length === 5 && parts[2] === "queues" && (parts[4] === "messages" || parts[4] === "offset") && method === "GET") {
    need(parts[1], Perm.SUB);
    const group = url.searchParams.get("group");
    if (group) need(RETRY_PREFIX + group, Perm.SUB);
    return { adminFor: null, needed };
  }
  if (parts[0] === "consumer-offsets" && parts.length === 4 && (method === "GET" || method === "PUT")) {
    need(RETRY_PREFIX + parts[1], Perm.SUB);
    need(parts[2], Perm.SUB);
    return { adminFor: null, needed };
  }
  if (method !== "GET" || parts[0] === "sync" || (parts[0] === "ha" && parts[1] === "log")) return admin;
  if (parts[0] === "messages") need(url.searchParams.get("topic"), Perm.SUB);
  return { adminFor: null, needed };
}
