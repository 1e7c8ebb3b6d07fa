/**
 * The ACL decision for one request, in the order of RocketMQ 4.9.7's
 * `PlainPermissionManager.validate` (the reasons are its AclException texts):
 *
 * 1. the peer matches `globalWhiteRemoteAddresses` → allowed, unsigned;
 * 2. no `AccessKey` → "No accessKey is configured"; an unknown one → "No acl config for <ak>";
 * 3. the peer matches the account's `whiteRemoteAddress` → allowed, unsigned;
 * 4. the signature (acl-signature.ts) differs → "Check signature failed for accessKey=<ak>";
 * 5. PUB on the trace topic `RMQ_SYS_TRACE_TOPIC` → allowed;
 * 6. an admin request code from a non-admin account → "Need admin permission for request
 *    code=<code>, but accessKey=<ak> is not";
 * 7. an admin account without topicPerms and groupPerms → allowed; otherwise each needed resource
 *    against its listed permission, else the account's default for groups (`%RETRY%…`) or topics
 *    → "No default permission for topic:<name>" / "group:<name>".
 *
 * Admin codes are RocketMQ's five plus DELETE_EXPIRED_COMMITLOG, which deletes data and which
 * Skiff serves.
 */
import { RequestCode } from "../remoting/codes.ts";
import { hmacKey, sameSignature, sign } from "./acl-signature.ts";
import { Perm, permits } from "./permission.ts";
import { RETRY_PREFIX, type AclAccount, type PlainAcl } from "./plain-acl-file.ts";

export const ADMIN_REQUEST_CODES: ReadonlySet<number> = new Set([
  RequestCode.UPDATE_AND_CREATE_TOPIC,
  RequestCode.UPDATE_BROKER_CONFIG,
  RequestCode.DELETE_TOPIC_IN_BROKER,
  RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
  RequestCode.DELETE_SUBSCRIPTIONGROUP,
  RequestCode.DELETE_EXPIRED_COMMITLOG,
]);

const TRACE_TOPIC = "RMQ_SYS_TRACE_TOPIC";

export interface AccessRequest {
  readonly code: number;
  /** The peer's IP, without port (an IPv4-mapped IPv6 address as plain IPv4). */
  readonly remoteIp: string;
  readonly accessKey: string | undefined;
  readonly signature: string | undefined;
  /** What the signature covers (`signedContent`). */
  readonly content: Uint8Array;
  /** Resource (a topic, or `%RETRY%<group>` for a group) → permission needed (Perm bits). */
  readonly needed: ReadonlyMap<string, number>;
  /** The operation, when it needs an admin account whatever its code (the name server's writes); else `ADMIN_REQUEST_CODES` decide. */
  readonly adminFor?: string;
}

export type AccessDecision =
  | { readonly allowed: true; readonly accessKey: string | null }
  | { readonly allowed: false; readonly reason: string; readonly accessKey: string | null };

export class AclPolicy {
  readonly acl: PlainAcl;
  private readonly keys = new Map<AclAccount, Promise<CryptoKey>>();

  constructor(acl: PlainAcl) {
    this.acl = acl;
  }

  async decide(request: AccessRequest): Promise<AccessDecision> {
    if (this.acl.globalWhiteRemoteAddresses.some((matches) => matches(request.remoteIp))) return { allowed: true, accessKey: request.accessKey ?? null };
    const accessKey = request.accessKey ?? null;
    const deny = (reason: string): AccessDecision => ({ allowed: false, reason, accessKey });
    if (!request.accessKey) return deny("No accessKey is configured");
    const account = this.acl.accounts.get(request.accessKey);
    if (!account) return deny(`No acl config for ${request.accessKey}`);
    if (account.whiteRemoteAddress(request.remoteIp)) return { allowed: true, accessKey };
    const expected = await sign(await this.keyOf(account), request.content);
    if (request.signature === undefined || !sameSignature(expected, request.signature)) return deny(`Check signature failed for accessKey=${account.accessKey}`);
    const adminFor = request.adminFor ?? (ADMIN_REQUEST_CODES.has(request.code) ? `request code=${request.code}` : null);
    const refusal = this.refusal(account, adminFor, request.needed);
    return refusal === null ? { allowed: true, accessKey } : deny(refusal);
  }

  /**
   * Skiff's HTTP API under the same accounts: credentials as HTTP Basic (`accessKey:secretKey`,
   * compared in constant time; no address whitelist, HTTP has no portable peer address), then
   * the same permission rules; `adminFor` names the operation when it needs an admin account.
   */
  decideHttp(credentials: { accessKey: string; secretKey: string } | null, adminFor: string | null, needed: ReadonlyMap<string, number>): AccessDecision & { authenticated: boolean } {
    const account = credentials ? this.acl.accounts.get(credentials.accessKey) : undefined;
    if (!credentials || !account || !sameSignature(account.secretKey, credentials.secretKey)) {
      const reason = credentials ? `unknown accessKey or wrong secretKey for accessKey=${credentials.accessKey}` : "No accessKey is configured";
      return { allowed: false, authenticated: false, reason, accessKey: credentials?.accessKey ?? null };
    }
    const refusal = this.refusal(account, adminFor, needed);
    return refusal === null ? { allowed: true, authenticated: true, accessKey: account.accessKey } : { allowed: false, authenticated: true, reason: refusal, accessKey: account.accessKey };
  }

  /** Steps 5 to 7 of the header for an authenticated account: null when allowed, else why not. */
  private refusal(account: AclAccount, adminFor: string | null, needed: ReadonlyMap<string, number>): string | null {
    if (needed.get(TRACE_TOPIC) === Perm.PUB) return null;
    if (adminFor !== null && !account.admin) return `Need admin permission for ${adminFor}, but accessKey=${account.accessKey} is not`;
    if (account.admin && account.resourcePerms.size === 0) return null;
    for (const [resource, perm] of needed) {
      const isGroup = resource.startsWith(RETRY_PREFIX);
      const owned = account.resourcePerms.get(resource) ?? (isGroup ? account.defaultGroupPerm : account.defaultTopicPerm);
      if (!permits(perm, owned)) return `No default permission for ${isGroup ? `group:${resource.slice(RETRY_PREFIX.length)}` : `topic:${resource}`}`;
    }
    return null;
  }

  private keyOf(account: AclAccount): Promise<CryptoKey> {
    let key = this.keys.get(account);
    if (!key) this.keys.set(account, (key = hmacKey(account.secretKey)));
    return key;
  }
}
