/**
 * The HTTP side of the name server's ACL (the rule and its table: src/processors/namesrv/namesrv-acl.ts):
 * with `aclEnable=true`, `POST /brokers` and `DELETE /brokers/…` need an admin account of the name
 * server's ACL file as HTTP Basic credentials (a Skiff broker sends its
 * innerClientAuthenticationCredentials); 401 UNAUTHENTICATED without, 403 NO_PERMISSION for an
 * account that is not an admin. Reads stay open.
 */
import type { MiddlewareHandler } from "hono";
import type { AclPolicy } from "../acl/acl-policy.ts";
import { parseBasicAuthorization } from "../codec/basic-credentials.ts";
import { errorResponse } from "./errors.ts";

export function namesrvAclMiddleware(acl: { readonly policy: () => AclPolicy; refused(): void }): MiddlewareHandler {
  return async (c, next) => {
    const path = new URL(c.req.url).pathname;
    const write = (c.req.method === "POST" && path === "/brokers") || (c.req.method === "DELETE" && path.startsWith("/brokers/"));
    if (!write) return next();
    const decision = acl.policy().decideHttp(parseBasicAuthorization(c.req.header("authorization")), `${c.req.method} ${path} on the name server`, new Map());
    if (decision.allowed) return next();
    acl.refused();
    if (!decision.authenticated) {
      c.header("www-authenticate", 'Basic realm="skiff", charset="UTF-8"');
      return errorResponse(c, 401, "UNAUTHENTICATED", `${decision.reason}: this name server has aclEnable=true; a broker registers with an admin account of its ACL file (innerClientAuthenticationCredentials)`);
    }
    return errorResponse(c, 403, "NO_PERMISSION", decision.reason);
  };
}
