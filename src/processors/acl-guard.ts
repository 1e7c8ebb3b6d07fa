/**
 * RocketMQ's ACL on the broker's remoting ports (4.9.7's `PlainAccessValidator` as a server RPC
 * hook, on `listenPort` and the fast channel alike): each request's resources and permissions
 * from its code and header (the table below), then `AclPolicy.decide`. A refusal is answered as
 * 4.9.7 answers it, `SYSTEM_ERROR` with remark `org.apache.rocketmq.acl.common.AclException: <why>`,
 * and logged (rate-limited per account and reason). Codes not in the table need a valid signature
 * only, as in RocketMQ; admin codes need an admin account (acl-policy.ts).
 *
 * | request code                              | needs                                                    |
 * |-------------------------------------------|----------------------------------------------------------|
 * | SEND_MESSAGE, SEND_MESSAGE_V2, SEND_BATCH | topic PUB; a send to `%RETRY%…`: the producer group SUB   |
 * | CONSUMER_SEND_MSG_BACK                    | group SUB                                                |
 * | PULL_MESSAGE, LITE_PULL_MESSAGE           | topic SUB, group SUB                                     |
 * | QUERY_MESSAGE                             | topic SUB                                                |
 * | HEART_BEAT                                | per consumer: its group SUB, each subscribed topic SUB   |
 * | UNREGISTER_CLIENT, GET_CONSUMER_LIST_BY_GROUP | group SUB                                            |
 * | UPDATE_CONSUMER_OFFSET, QUERY_CONSUMER_OFFSET | group SUB, topic SUB                                 |
 *
 * Beyond 4.9.7 (which checks these codes for a signature only): SEND_BATCH_MESSAGE, LITE_PULL_MESSAGE
 * (5.x's lite pull) and QUERY_CONSUMER_OFFSET, so a batch cannot reach a topic a single send may
 * not; a client that works with RocketMQ's ACL needs these permissions anyway.
 */
import type { AclPolicy, AccessRequest } from "../acl/acl-policy.ts";
import { LAST_VERSION_NOT_SIGNING_UNIQUE_KEY_QUERY, ACCESS_KEY_FIELD, SIGNATURE_FIELD, signedContent, UNIQUE_KEY_QUERY_FIELD } from "../acl/acl-signature.ts";
import { Perm } from "../acl/permission.ts";
import { RETRY_PREFIX } from "../acl/plain-acl-file.ts";
import type { Clock } from "../core/platform.ts";
import type { Logger } from "../core/log.ts";
import { RepeatGate } from "../core/log-repeats.ts";
import { RequestCode, ResponseCode } from "../remoting/codes.ts";
import type { RemotingCommand } from "../remoting/remoting-command.ts";
import type { RemotingGuard } from "../remoting/remoting-server.ts";
import { decodeHeartbeatData } from "./broker/heartbeat-body.ts";

export const ACL_EXCEPTION = "org.apache.rocketmq.acl.common.AclException";
const NOTHING: ReadonlySet<string> = new Set();
const UNIQUE_KEY_QUERY: ReadonlySet<string> = new Set([UNIQUE_KEY_QUERY_FIELD]);

export interface AclGuardOptions {
  /** The policy in force (reloaded when the file changes). */
  readonly policy: () => AclPolicy;
  readonly clock: Pick<Clock, "monotonicMs">;
  readonly log: Logger;
  /** Called per refusal (a metric). */
  readonly onRefused?: (reason: string) => void;
  /** What a request needs; `null` lets it through unchecked. Default: the broker's table (`accessRequest`). */
  readonly access?: (request: RemotingCommand, remoteIp: string) => AccessRequest | null;
}

export function aclGuard(options: AclGuardOptions): RemotingGuard {
  const refusals = new RepeatGate(options.clock, 10_000);
  const needs = options.access ?? accessRequest;
  return async (request, channel) => {
    let access: AccessRequest | null;
    try {
      access = needs(request, remoteIp(channel.remoteAddress));
    } catch (error) {
      return refuse(`${(error as Error).message}`, null, request.code, channel.remoteAddress);
    }
    if (access === null) return null;
    const decision = await options.policy().decide(access);
    return decision.allowed ? null : refuse(decision.reason, decision.accessKey, request.code, channel.remoteAddress);
  };

  function refuse(reason: string, accessKey: string | null, code: number, peer: string) {
    options.onRefused?.(reason);
    const held = refusals.admit(`${accessKey}/${reason}`);
    if (held !== null) {
      options.log.warn(`ACL refused request code ${code} from ${peer}: ${reason}${held > 0 ? ` (and ${held} like it since the last line)` : ""}`, { code, peer, accessKey, reason });
    }
    return { code: ResponseCode.SYSTEM_ERROR, remark: `${ACL_EXCEPTION}: ${reason}` };
  }
}

/** The peer's IP from `ip:port` or `[v6]:port`; an IPv4-mapped IPv6 address as plain IPv4. */
export function remoteIp(address: string): string {
  const colon = address.lastIndexOf(":");
  let ip = colon > 0 ? address.slice(0, colon) : address;
  if (ip.startsWith("[") && ip.endsWith("]")) ip = ip.slice(1, -1);
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip)) ip = ip.slice(7);
  return ip;
}

/** What a request asks for (the header's table) and what its signature covers. */
export function accessRequest(request: RemotingCommand, ip: string): AccessRequest {
  const fields = request.extFields ?? {};
  const omit = request.version <= LAST_VERSION_NOT_SIGNING_UNIQUE_KEY_QUERY ? UNIQUE_KEY_QUERY : NOTHING;
  return {
    code: request.code,
    remoteIp: ip,
    accessKey: fields[ACCESS_KEY_FIELD],
    signature: fields[SIGNATURE_FIELD],
    content: signedContent(fields, request.body, omit),
    needed: neededResources(request, fields),
  };
}

function neededResources(request: RemotingCommand, fields: Readonly<Record<string, string>>): Map<string, number> {
  const needed = new Map<string, number>();
  const need = (resource: string | undefined, perm: number) => {
    if (resource) needed.set(resource, (needed.get(resource) ?? 0) | perm);
  };
  const group = (name: string | undefined) => (name ? RETRY_PREFIX + name : undefined);
  switch (request.code) {
    case RequestCode.SEND_MESSAGE:
    case RequestCode.SEND_MESSAGE_V2:
    case RequestCode.SEND_BATCH_MESSAGE: {
      const v2 = fields.b !== undefined;
      const topic = v2 ? fields.b : fields.topic;
      if (topic?.startsWith(RETRY_PREFIX)) need(group(v2 ? fields.a : fields.producerGroup), Perm.SUB);
      else need(topic, Perm.PUB);
      break;
    }
    case RequestCode.CONSUMER_SEND_MSG_BACK:
      need(group(fields.group), Perm.SUB);
      break;
    case RequestCode.PULL_MESSAGE:
    case RequestCode.LITE_PULL_MESSAGE:
    case RequestCode.UPDATE_CONSUMER_OFFSET:
    case RequestCode.QUERY_CONSUMER_OFFSET:
      need(fields.topic, Perm.SUB);
      need(group(fields.consumerGroup), Perm.SUB);
      break;
    case RequestCode.QUERY_MESSAGE:
      need(fields.topic, Perm.SUB);
      break;
    case RequestCode.HEART_BEAT:
      for (const consumer of decodeHeartbeatData(request).consumerDataSet) {
        need(group(consumer.groupName), Perm.SUB);
        for (const subscription of consumer.subscriptionDataSet) need(subscription.topic, Perm.SUB);
      }
      break;
    case RequestCode.UNREGISTER_CLIENT:
    case RequestCode.GET_CONSUMER_LIST_BY_GROUP:
      need(group(fields.consumerGroup), Perm.SUB);
      break;
  }
  return needed;
}
