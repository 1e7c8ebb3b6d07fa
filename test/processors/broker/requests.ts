/**
 * Requests as the stock Java clients build them (spec §5.1, §5.8), for tests that talk to the
 * processors with their own messages: the headers come from the processors' header codecs, so a
 * test states only what it varies.
 */
import { utf8Encode } from "../../../src/core/bytes.ts";
import { encodeProperties } from "../../../src/codec/properties.ts";
import { RequestCode } from "../../../src/remoting/codes.ts";
import { FLAG_ONEWAY, type RemotingCommand } from "../../../src/remoting/remoting-command.ts";
import { encodePullMessageHeader, PullSysFlag, type PullMessageHeader } from "../../../src/processors/broker/pull-message-header.ts";
import { encodeSendMessageHeader, type SendMessageHeader } from "../../../src/processors/broker/send-message-header.ts";

let nextOpaque = 1;
export const opaque = () => nextOpaque++;

export interface SendOptions extends Partial<Omit<SendMessageHeader, "topic" | "properties">> {
  readonly properties?: Record<string, string>;
  readonly version?: number;
  readonly oneway?: boolean;
  readonly code?: number;
}

/** A SEND_MESSAGE_V2 (or, with `batch`, SEND_BATCH_MESSAGE) of a 4.9.7 producer. */
export function sendRequest(topic: string, body: string | Uint8Array, options: SendOptions = {}): RemotingCommand {
  const { properties, version, oneway, code, ...fields } = options;
  const header: SendMessageHeader = {
    producerGroup: "pg", topic, defaultTopic: "TBW102", defaultTopicQueueNums: 4, queueId: 0, sysFlag: 0, bornTimestamp: Date.now(), flag: 0,
    properties: encodeProperties({ WAIT: "true", ...properties }, { trailingSeparator: false }), reconsumeTimes: 0, unitMode: false, batch: false,
    brokerName: "broker-a", ...fields,
  };
  return {
    code: code ?? (header.batch ? RequestCode.SEND_BATCH_MESSAGE : RequestCode.SEND_MESSAGE_V2),
    language: "JAVA", version: version ?? 407, opaque: opaque(), flag: oneway ? FLAG_ONEWAY : 0,
    extFields: encodeSendMessageHeader(header, "v2"),
    body: typeof body === "string" ? utf8Encode(body) : body,
  };
}

/** A push consumer's PULL_MESSAGE (SUSPEND, 15 s hold) unless `header` says otherwise. */
export function pullRequest(topic: string, queueId: number, queueOffset: number, header: Partial<PullMessageHeader> = {}, version = 407): RemotingCommand {
  const full: PullMessageHeader = {
    consumerGroup: "cg", topic, queueId, queueOffset, maxMsgNums: 32, sysFlag: PullSysFlag.SUSPEND, commitOffset: 0,
    suspendTimeoutMillis: 15_000, subVersion: 0, expressionType: "TAG", bname: "broker-a", ...header,
  };
  return { code: RequestCode.PULL_MESSAGE, language: "JAVA", version, opaque: opaque(), flag: 0, extFields: encodePullMessageHeader(full), body: new Uint8Array(0) };
}

/** Any other request with its header fields. */
export function request(code: number, extFields: Record<string, string>, body: Uint8Array = new Uint8Array(0)): RemotingCommand {
  return { code, language: "JAVA", version: 407, opaque: opaque(), flag: 0, extFields, body };
}
