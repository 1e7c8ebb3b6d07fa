/**
 * Registration with Apache RocketMQ name servers over their remoting protocol (spec §7, §9): what
 * Skiff does instead of `POST /brokers` when `namesrvProtocol=rocketmq`.
 *
 * REGISTER_BROKER (103), header fields (extFields, all strings):
 *
 * | field        | value                                                       |
 * |--------------|-------------------------------------------------------------|
 * | brokerName   | `brokerName`                                                |
 * | brokerAddr   | `brokerIP1:listenPort` (the remoting address clients dial)  |
 * | clusterName  | `brokerClusterName`                                         |
 * | haServerAddr | `brokerIP2:haListenPort` (what slaves connect to)           |
 * | brokerId     | decimal                                                     |
 * | bodyCrc32    | CRC32 of the body & 0x7FFFFFFF (`UtilAll.crc32`); checked   |
 * | compressed   | "false"                                                     |
 * | httpAddr     | `brokerIP1:httpListenPort`, when the registration has one   |
 *
 * Body: RegisterBrokerBody JSON `{"filterServerList":[],"topicConfigSerializeWrapper":{dataVersion,
 * topicConfigTable}}`. Answer: code 0 with extFields `masterAddr` and `haServerAddr` when this is a
 * slave whose master (id 0, same brokerName) is registered and live, absent otherwise.
 * `httpAddr` and `masterHttpAddr` are Skiff's extension: a Skiff name server stores the one and
 * answers the other (the master's HTTP API, when it registered one); a RocketMQ name server
 * ignores the unknown header field and never answers `masterHttpAddr` (null then).
 * UNREGISTER_BROKER (104): brokerName, brokerAddr, clusterName, brokerId; no body.
 *
 * With an ACL account (`credentials`) both requests are signed as AclClientRPCHook signs them.
 *
 * The connection stays open between registrations (see remoting-client.ts): closing it makes the
 * name server forget the broker.
 */
import { signExtFields } from "../acl/acl-signature.ts";
import { SkiffError } from "../core/errors.ts";
import { utf8Encode } from "../core/bytes.ts";
import { stringifyFastjson, type FastjsonValue } from "../codec/fastjson.ts";
import { bodyCrc } from "../codec/crc32.ts";
import type { Outcome } from "./namesrv-client.ts";
import type { BrokerRegistration, RegisterBrokerResult } from "../contract/namesrv-http.ts";
import { RequestCode, ResponseCode } from "../remoting/codes.ts";
import type { RemotingCommand } from "../remoting/remoting-command.ts";
import { DEFAULT_REMOTING_TIMEOUT_MS, type RemotingClient, type RemotingClientPool } from "../remoting/remoting-client.ts";

export function registerBrokerBody(registration: BrokerRegistration): Uint8Array {
  const body = { filterServerList: [], topicConfigSerializeWrapper: registration.topicConfig as unknown as FastjsonValue };
  return utf8Encode(stringifyFastjson(body as FastjsonValue));
}

export function registerBrokerHeader(registration: BrokerRegistration, body: Uint8Array): Record<string, string> {
  return {
    brokerName: registration.brokerName,
    brokerAddr: registration.brokerAddr,
    clusterName: registration.clusterName,
    haServerAddr: registration.haServerAddr,
    brokerId: String(registration.brokerId),
    bodyCrc32: String(bodyCrc(body)),
    compressed: "false",
    ...(registration.httpAddr === undefined ? {} : { httpAddr: registration.httpAddr }),
  };
}

/** An ACL account (innerClientAuthenticationCredentials) that signs the broker's requests, as AclClientRPCHook does. */
export type Credentials = { readonly accessKey: string; readonly secretKey: string };

async function signed(fields: Record<string, string>, body: Uint8Array, credentials: Credentials | undefined): Promise<Record<string, string>> {
  return credentials === undefined ? fields : await signExtFields(fields, body, credentials);
}

export async function registerBrokerRemoting(client: RemotingClient, registration: BrokerRegistration, timeoutMs = DEFAULT_REMOTING_TIMEOUT_MS, credentials?: Credentials): Promise<RegisterBrokerResult> {
  const body = registerBrokerBody(registration);
  const answer = await client.invoke(RequestCode.REGISTER_BROKER, await signed(registerBrokerHeader(registration, body), body, credentials), body, timeoutMs);
  checkSuccess(answer, client.address, "REGISTER_BROKER");
  const fields = answer.extFields ?? {};
  return { masterAddr: fields.masterAddr || null, haServerAddr: fields.haServerAddr || null, masterHttpAddr: fields.masterHttpAddr || null };
}

export async function unregisterBrokerRemoting(client: RemotingClient, registration: BrokerRegistration, timeoutMs = DEFAULT_REMOTING_TIMEOUT_MS, credentials?: Credentials): Promise<boolean> {
  const fields = {
    brokerName: registration.brokerName,
    brokerAddr: registration.brokerAddr,
    clusterName: registration.clusterName,
    brokerId: String(registration.brokerId),
  };
  const answer = await client.invoke(RequestCode.UNREGISTER_BROKER, await signed(fields, new Uint8Array(0), credentials), new Uint8Array(0), timeoutMs);
  checkSuccess(answer, client.address, "UNREGISTER_BROKER");
  return true;
}

/** Throws `SkiffError("REMOTING_<code>")` with the server's remark unless the answer is SUCCESS. */
export function checkSuccess(answer: RemotingCommand, address: string, what: string): void {
  if (answer.code === ResponseCode.SUCCESS) return;
  throw new SkiffError(`REMOTING_${answer.code}`, `${address} answered ${what} with code ${answer.code}: ${answer.remark ?? "(no remark)"}`, {
    retriable: answer.code === ResponseCode.SYSTEM_BUSY || answer.code === ResponseCode.SYSTEM_ERROR,
  });
}

/**
 * The broker's registration transport for RocketMQ name servers (every address in parallel),
 * signed with `credentials` when given (a Skiff name server with aclEnable=true requires it).
 */
export function remotingNamesrvTransport(pool: RemotingClientPool, credentials?: Credentials) {
  const each = <T>(addresses: readonly string[], call: (client: RemotingClient) => Promise<T>): Promise<Outcome<T>[]> =>
    Promise.all(addresses.map((address) =>
      call(pool.get(address)).then(
        (value): Outcome<T> => ({ address, ok: true, value }),
        (error: unknown): Outcome<T> => ({
          address,
          ok: false,
          error: error instanceof SkiffError ? error : new SkiffError("NAMESRV_UNREACHABLE", `name server ${address}: ${String(error)}`, { retriable: true }),
        }),
      )));
  return {
    register: (addresses: readonly string[], registration: BrokerRegistration) => each(addresses, (c) => registerBrokerRemoting(c, registration, DEFAULT_REMOTING_TIMEOUT_MS, credentials)),
    unregister: (addresses: readonly string[], registration: BrokerRegistration) => each(addresses, (c) => unregisterBrokerRemoting(c, registration, DEFAULT_REMOTING_TIMEOUT_MS, credentials)),
    close: () => pool.closeAll(),
  };
}
