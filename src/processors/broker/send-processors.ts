/**
 * The broker's send processors (spec §5.1): SEND_MESSAGE (10, long header names), SEND_MESSAGE_V2
 * (310) and SEND_BATCH_MESSAGE (320, one-letter names). Each decodes the header
 * (send-message-header.ts), hands the body to the broker's one send path (`SendEntry.sendRemoting`
 * → SendService: permissions, topic validation and auto-creation, retry/DLQ, limits, flush and
 * replication waits) and answers as a RocketMQ broker:
 *
 * | send status          | code | extFields                                                     |
 * |----------------------|------|---------------------------------------------------------------|
 * | SEND_OK              | 0    | msgId (offsetMsgId; a batch: comma-joined), queueId,          |
 * | FLUSH_DISK_TIMEOUT   | 10   | queueOffset (a batch: the first), MSG_REGION=DefaultRegion,   |
 * | SLAVE_NOT_AVAILABLE  | 11   | TRACE_ON=true (the Java client reads MSG_REGION without a     |
 * | FLUSH_SLAVE_TIMEOUT  | 12   | null check); for 5.x clients also transactionId (the UNIQ_KEY) |
 *
 * A refusal is a SkiffError answered by `errorAnswer` (TOPIC_NOT_EXIST 17 with Java's remark,
 * NO_PERMISSION 16, MESSAGE_ILLEGAL 13, SERVICE_NOT_AVAILABLE 14, the rest SYSTEM_ERROR 1); a oneway
 * send (`sendOneway`) is never answered. Whether the body is a batch is the header's `batch`
 * field, as in Java. Transactions are not supported: a half message (sysFlag PREPARED or TRAN_MSG)
 * and END_TRANSACTION (37) are answered NO_PERMISSION saying so.
 * 5.x clients (version ≥ V5_0_0) get the 5.3.3 broker's answer, older ones the 4.9.7 broker's.
 */
import { SkiffError } from "../../core/errors.ts";
import type { SendResult, SendStatus } from "../../contract/broker-http.ts";
import { decodeProperties, MessageConst } from "../../codec/properties.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";
import { MQVersion, RequestCode, ResponseCode } from "../../remoting/codes.ts";
import type { RemotingAnswer, RemotingCommand } from "../../remoting/remoting-command.ts";
import type { RemotingChannel, RemotingProcessor } from "../../remoting/remoting-server.ts";
import { decodeSendMessageHeader, type SendHeaderForm } from "./send-message-header.ts";

export interface SendProcessorDeps {
  readonly runtime: BrokerRuntime;
}

/** `BrokerConfig.regionId` and `traceOn` defaults, sent with every send answer. */
const MSG_REGION = "DefaultRegion";
const TRACE_ON = "true";

const CODE_BY_STATUS: Readonly<Record<SendStatus, number>> = {
  SEND_OK: ResponseCode.SUCCESS,
  FLUSH_DISK_TIMEOUT: ResponseCode.FLUSH_DISK_TIMEOUT,
  SLAVE_NOT_AVAILABLE: ResponseCode.SLAVE_NOT_AVAILABLE,
  FLUSH_SLAVE_TIMEOUT: ResponseCode.FLUSH_SLAVE_TIMEOUT,
};

export function sendProcessors(deps: SendProcessorDeps): ReadonlyArray<readonly [number, RemotingProcessor]> {
  const send = (form: SendHeaderForm): RemotingProcessor => (request, channel) => sendMessage(deps.runtime, request, channel, form);
  return [
    [RequestCode.SEND_MESSAGE, send("v1")],
    [RequestCode.SEND_MESSAGE_V2, send("v2")],
    [RequestCode.SEND_BATCH_MESSAGE, send("v2")],
    [RequestCode.END_TRANSACTION, () => {
      throw new SkiffError("TRANSACTION_NOT_SUPPORTED", "END_TRANSACTION: transactional messages are not supported by Skiff");
    }],
  ];
}

async function sendMessage(runtime: BrokerRuntime, request: RemotingCommand, channel: RemotingChannel, form: SendHeaderForm): Promise<RemotingAnswer> {
  const header = decodeSendMessageHeader(request.extFields, form);
  const properties = header.properties ?? "";
  const results = await runtime.send.sendRemoting({
    topic: header.topic,
    batch: header.batch,
    body: request.body,
    fields: {
      properties,
      flag: header.flag,
      sysFlag: header.sysFlag,
      bornTimestamp: header.bornTimestamp,
      reconsumeTimes: header.reconsumeTimes ?? 0,
      queueId: header.queueId < 0 ? undefined : header.queueId,
    },
    options: {
      defaultTopic: header.defaultTopic,
      defaultTopicQueueNums: header.defaultTopicQueueNums,
      ...(header.maxReconsumeTimes !== undefined && request.version >= MQVersion.V3_4_9 ? { maxReconsumeTimes: header.maxReconsumeTimes } : {}),
    },
    producerAddress: channel.remoteAddress,
  });
  const transactionId = header.batch ? decodeProperties(properties).get(MessageConst.UNIQ_KEY) : results[0].msgId;
  return { code: CODE_BY_STATUS[results[0].status], extFields: answerFields(results, request.version >= MQVersion.V5_0_0 ? transactionId : undefined) };
}

function answerFields(results: readonly SendResult[], transactionId: string | undefined): Record<string, string> {
  const fields: Record<string, string> = {
    msgId: results.length === 1 ? results[0].offsetMsgId : results.map((r) => r.offsetMsgId).join(","),
    queueId: String(results[0].queueId),
    queueOffset: String(results[0].queueOffset),
  };
  if (transactionId !== undefined) fields.transactionId = transactionId;
  fields.MSG_REGION = MSG_REGION;
  fields.TRACE_ON = TRACE_ON;
  return fields;
}
