/**
 * A slave's metadata sync from an Apache RocketMQ master (`masterProtocol=rocketmq`): the four
 * bodies of `slave-sync.ts`, asked for with RocketMQ's remoting requests on the master's listen
 * port, as a Java slave's SlaveSynchronize does (spec §5). The bodies are the same fastjson shapes
 * as Skiff's `/sync/*` routes (5.x adds fields, which the metadata readers keep or ignore).
 *
 * | sync name           | request                               |
 * |---------------------|---------------------------------------|
 * | topic-config        | GET_ALL_TOPIC_CONFIG (21)             |
 * | consumer-offsets    | GET_ALL_CONSUMER_OFFSET (43)          |
 * | delay-offset        | GET_ALL_DELAY_OFFSET (45)             |
 * | subscription-groups | GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201)|
 *
 * With `credentials` (innerClientAuthenticationCredentials, RocketMQ 5's key for a broker's own
 * calls) each request is signed as AclClientRPCHook signs it, for a master with aclEnable=true; a
 * Java 4.9.7 slave sends them unsigned and needs the master's globalWhiteRemoteAddresses instead.
 */
import { signExtFields } from "../acl/acl-signature.ts";
import { utf8Decode } from "../core/bytes.ts";
import { checkSuccess } from "../namesrv/register-broker-remoting.ts";
import type { RemotingClientPool } from "../remoting/remoting-client.ts";
import { RequestCode } from "../remoting/codes.ts";
import { REQUEST_TIMEOUT_MS, type SyncName, type SyncSource } from "./slave-sync.ts";

const CODES: Record<SyncName, number> = {
  "topic-config": RequestCode.GET_ALL_TOPIC_CONFIG,
  "consumer-offsets": RequestCode.GET_ALL_CONSUMER_OFFSET,
  "delay-offset": RequestCode.GET_ALL_DELAY_OFFSET,
  "subscription-groups": RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
};

export function remotingSyncSource(pool: RemotingClientPool, credentials?: { accessKey: string; secretKey: string }): SyncSource {
  return async (master, name) => {
    const client = pool.get(master);
    const body = new Uint8Array(0);
    const fields = credentials ? await signExtFields({}, body, credentials) : {};
    const answer = await client.invoke(CODES[name], fields, body, REQUEST_TIMEOUT_MS);
    checkSuccess(answer, master, `request code ${CODES[name]}`);
    return utf8Decode(answer.body);
  };
}
