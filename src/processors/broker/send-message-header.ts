/**
 * The request header of a producer's send (`SendMessageRequestHeader` and its short-named twin
 * `SendMessageRequestHeaderV2`, spec §5.1). SEND_MESSAGE (10) carries the long names,
 * SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320) the one-letter names; every value is a string.
 *
 * | V2  | V1 name               | type    | req | meaning                                              |
 * |-----|-----------------------|---------|-----|------------------------------------------------------|
 * | a   | producerGroup         | String  | !   |                                                      |
 * | b   | topic                 | String  | !   |                                                      |
 * | c   | defaultTopic          | String  | !   | the topic a new topic is created from (`TBW102`)     |
 * | d   | defaultTopicQueueNums | int     | !   | queues asked for a new topic                         |
 * | e   | queueId               | int     | !   | < 0: the broker chooses                              |
 * | f   | sysFlag               | int     | !   | 0x1 compressed, 0x4/0x8 transaction, 0x300 5.x zlib   |
 * | g   | bornTimestamp         | long    | !   | ms                                                   |
 * | h   | flag                  | int     | !   | Message.flag                                         |
 * | i   | properties            | String  | ?   | `k\u0001v\u0002…` (a batch: the batch-level ones)   |
 * | j   | reconsumeTimes        | int     | ?   | > 0 on retry-topic sends                             |
 * | k   | unitMode              | boolean | ?   |                                                      |
 * | l   | maxReconsumeTimes     | int     | ?   | retry-topic sends                                    |
 * | m   | batch                 | boolean | ?   | true: the body is RocketMQ's batch encoding          |
 * | n   | brokerName            | String  | ?   | 5.x static topics; ignored                           |
 *
 * Missing required or malformed fields are REMOTING_HEADER_INVALID (answered SYSTEM_ERROR, as Java
 * answers its header exception), named as they travel (`a` … for V2).
 */
import { RequestHeader } from "../../remoting/request-header.ts";

export interface SendMessageHeader {
  readonly producerGroup: string;
  readonly topic: string;
  readonly defaultTopic: string;
  readonly defaultTopicQueueNums: number;
  readonly queueId: number;
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly flag: number;
  readonly properties?: string;
  readonly reconsumeTimes?: number;
  readonly unitMode: boolean;
  readonly maxReconsumeTimes?: number;
  readonly batch: boolean;
  readonly brokerName?: string;
}

export type SendHeaderForm = "v1" | "v2";

/** Field name (V1) → its V2 short name, in the table's order. */
const SHORT_NAMES: Readonly<Record<keyof SendMessageHeader, string>> = {
  producerGroup: "a", topic: "b", defaultTopic: "c", defaultTopicQueueNums: "d", queueId: "e", sysFlag: "f", bornTimestamp: "g",
  flag: "h", properties: "i", reconsumeTimes: "j", unitMode: "k", maxReconsumeTimes: "l", batch: "m", brokerName: "n",
};

export function decodeSendMessageHeader(extFields: Readonly<Record<string, string>> | undefined, form: SendHeaderForm): SendMessageHeader {
  const header = new RequestHeader(extFields);
  const name = (field: keyof SendMessageHeader) => (form === "v2" ? SHORT_NAMES[field] : field);
  const decoded: { -readonly [K in keyof SendMessageHeader]: SendMessageHeader[K] } = {
    producerGroup: header.string(name("producerGroup")),
    topic: header.string(name("topic")),
    defaultTopic: header.string(name("defaultTopic")),
    defaultTopicQueueNums: header.int(name("defaultTopicQueueNums")),
    queueId: header.int(name("queueId")),
    sysFlag: header.int(name("sysFlag")),
    bornTimestamp: header.long(name("bornTimestamp")),
    flag: header.int(name("flag")),
    unitMode: header.bool(name("unitMode")),
    batch: header.bool(name("batch")),
  };
  // Absent optional fields stay absent (set one by one, not spread: this runs once per send).
  const properties = header.optionalString(name("properties"));
  if (properties !== undefined) decoded.properties = properties;
  const reconsumeTimes = header.optionalInt(name("reconsumeTimes"));
  if (reconsumeTimes !== undefined) decoded.reconsumeTimes = reconsumeTimes;
  const maxReconsumeTimes = header.optionalInt(name("maxReconsumeTimes"));
  if (maxReconsumeTimes !== undefined) decoded.maxReconsumeTimes = maxReconsumeTimes;
  const brokerName = header.optionalString(name("brokerName"));
  if (brokerName !== undefined) decoded.brokerName = brokerName;
  return decoded;
}

/** The extFields a producer sends for `header` (absent optional fields are left out, as Java does). */
export function encodeSendMessageHeader(header: SendMessageHeader, form: SendHeaderForm): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, short] of Object.entries(SHORT_NAMES) as Array<[keyof SendMessageHeader, string]>) {
    const value = header[field];
    if (value !== undefined) out[form === "v2" ? short : field] = String(value);
  }
  return out;
}
