/**
 * The name server's doors with `aclEnable=true` (Skiff's extension: RocketMQ's name server checks
 * nothing): the requests that change the route table must come from an admin account of the
 * name server's `plain_acl.yml`, signed as AclClientRPCHook signs them (a Skiff broker signs with
 * its innerClientAuthenticationCredentials), or from an address of `globalWhiteRemoteAddresses`
 * or of the account's `whiteRemoteAddress` (the way to admit Apache RocketMQ 4.9.7 brokers, which
 * register unsigned). Reads (routes, the cluster, topic lists, data versions) stay open: every
 * client needs its routes, signed or not.
 *
 * | request                                    | needs            |
 * |--------------------------------------------|------------------|
 * | REGISTER_BROKER (103), POST /brokers       | an admin account |
 * | UNREGISTER_BROKER (104), DELETE /brokers/… | an admin account |
 * | DELETE_TOPIC_IN_NAMESRV (216)              | an admin account |
 * | anything else                              | nothing          |
 *
 * A refusal is SYSTEM_ERROR with the AclException text over remoting (acl-guard.ts), 401/403 over
 * HTTP (`src/http/namesrv-acl-middleware.ts`), logged and counted.
 */
import type { AccessRequest } from "../../acl/acl-policy.ts";
import { RequestCode } from "../../remoting/codes.ts";
import type { RemotingCommand } from "../../remoting/remoting-command.ts";
import { accessRequest } from "../acl-guard.ts";

const WRITES: ReadonlyMap<number, string> = new Map([
  [RequestCode.REGISTER_BROKER, "REGISTER_BROKER"],
  [RequestCode.UNREGISTER_BROKER, "UNREGISTER_BROKER"],
  [RequestCode.DELETE_TOPIC_IN_NAMESRV, "DELETE_TOPIC_IN_NAMESRV"],
]);

/** What a name-server request needs: an admin account for the writes, nothing (null) otherwise. */
export function namesrvAccess(request: RemotingCommand, remoteIp: string): AccessRequest | null {
  const write = WRITES.get(request.code);
  if (write === undefined) return null;
  return { ...accessRequest(request, remoteIp), needed: new Map(), adminFor: `${write} on the name server` };
}
