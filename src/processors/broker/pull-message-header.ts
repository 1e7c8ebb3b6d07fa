/**
 * The request header of PULL_MESSAGE (11) and LITE_PULL_MESSAGE (361), `PullMessageRequestHeader`
 * (spec §5.8); every value travels as a string.
 *
 * | field                | type   | req | meaning                                                   |
 * |----------------------|--------|-----|-----------------------------------------------------------|
 * | consumerGroup        | String | !   |                                                           |
 * | topic                | String | !   | a topic or `%RETRY%<group>`                               |
 * | queueId              | int    | !   |                                                           |
 * | queueOffset          | long   | !   | the logical offset to read from                           |
 * | maxMsgNums           | int    | !   | 32 push, 10 lite                                          |
 * | sysFlag              | int    | !   | `PullSysFlag` bits below                                  |
 * | commitOffset         | long   | !   | the consumer's committed offset (with COMMIT_OFFSET)      |
 * | suspendTimeoutMillis | long   | !   | how long the broker may hold the pull (15000 / 20000)     |
 * | subscription         | String | ?   | `*` or `TagA || TagB` (with SUBSCRIPTION)                 |
 * | subVersion           | long   | !   | version of the heartbeat subscription (0 from lite)       |
 * | expressionType       | String | ?   | `TAG` (or `SQL92`)                                        |
 * | bname                | String | ?   | broker name; ignored                                      |
 * | maxMsgBytes          | int    | ?   | 5.x; ignored (the store's transfer limits apply)          |
 *
 * | PullSysFlag   | bit  |                                                     |
 * |---------------|------|-----------------------------------------------------|
 * | COMMIT_OFFSET | 0x1  | store `commitOffset` for the group                  |
 * | SUSPEND       | 0x2  | the broker may hold the pull until a message arrives |
 * | SUBSCRIPTION  | 0x4  | the filter is `subscription`, not the heartbeat's    |
 * | CLASS_FILTER  | 0x8  | (filter servers; unused)                            |
 * | LITE_PULL     | 0x10 | a lite pull consumer (5.x sends it as code 361)      |
 */
import { RequestHeader } from "../../remoting/request-header.ts";

export const PullSysFlag = { COMMIT_OFFSET: 0x1, SUSPEND: 0x2, SUBSCRIPTION: 0x4, CLASS_FILTER: 0x8, LITE_PULL: 0x10 } as const;

export interface PullMessageHeader {
  readonly consumerGroup: string;
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly maxMsgNums: number;
  readonly sysFlag: number;
  readonly commitOffset: number;
  readonly suspendTimeoutMillis: number;
  readonly subscription?: string;
  readonly subVersion: number;
  readonly expressionType?: string;
  readonly bname?: string;
  readonly maxMsgBytes?: number;
}

const OPTIONAL_STRINGS = ["subscription", "expressionType", "bname"] as const;

export function decodePullMessageHeader(extFields: Readonly<Record<string, string>> | undefined): PullMessageHeader {
  const header = new RequestHeader(extFields);
  const out: Record<string, string | number> = {
    consumerGroup: header.string("consumerGroup"),
    topic: header.string("topic"),
    queueId: header.int("queueId"),
    queueOffset: header.long("queueOffset"),
    maxMsgNums: header.int("maxMsgNums"),
    sysFlag: header.int("sysFlag"),
    commitOffset: header.long("commitOffset"),
    suspendTimeoutMillis: header.long("suspendTimeoutMillis"),
    subVersion: header.long("subVersion"),
  };
  for (const field of OPTIONAL_STRINGS) {
    const value = header.optionalString(field);
    if (value !== undefined) out[field] = value;
  }
  const maxMsgBytes = header.optionalInt("maxMsgBytes");
  if (maxMsgBytes !== undefined) out.maxMsgBytes = maxMsgBytes;
  return out as unknown as PullMessageHeader;
}

/** The extFields a consumer sends for `header`. */
export function encodePullMessageHeader(header: PullMessageHeader): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, value] of Object.entries(header)) if (value !== undefined) out[field] = String(value);
  return out;
}
