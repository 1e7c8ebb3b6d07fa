/**
 * Finding messages for the admin tools (spec §5.12, §12.3): `queryMsgById` with an offset message
 * id (the id holds the store host and the physical offset: the tool dials that address and asks
 * for the record there), and `queryMsgByKey` / `queryMsgByUniqueKey` / 5.x `queryMsgById` with a
 * unique key (QUERY_MESSAGE, answered from the message index).
 *
 * | code                  | header                                                   | answer                                 |
 * |-----------------------|----------------------------------------------------------|----------------------------------------|
 * | 33 VIEW_MESSAGE_BY_ID | offset! (physical); 5.x topic (not needed)               | 0 + the stored record, byte for byte; 1 `can not find message by the offset, <o>` |
 * | 12 QUERY_MESSAGE      | topic!, key!, maxNum!, beginTimestamp!, endTimestamp!, `_UNIQUE_KEY_QUERY` | 0 + the matching stored records concatenated, `indexLastUpdateTimestamp` / `indexLastUpdatePhyoffset`; 22 `can not find message, maybe time range not correct` (both fields 0 when the index had no hit) |
 *
 * QUERY_MESSAGE is answered from the message index (src/store/index-service.ts) by
 * `store.queryMessages`; `_UNIQUE_KEY_QUERY=true` sets maxNum to `defaultQueryMaxNum` (32), as a
 * Java broker does; the store caps it at 64. Hash collisions are answered too: the admin client
 * keeps only records whose KEYS or UNIQ_KEY match (spec §12.3).
 */
import { RequestCode, ResponseCode } from "../../remoting/codes.ts";
import { RequestHeader } from "../../remoting/request-header.ts";
import type { RemotingProcessor } from "../../remoting/remoting-server.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";
import { concatBytes } from "../../core/bytes.ts";

/** The extField a unique-key query carries (MixAll.UNIQUE_MSG_QUERY_FLAG), and the maxNum it gets. */
const UNIQUE_KEY_QUERY = "_UNIQUE_KEY_QUERY";
const DEFAULT_QUERY_MAX_NUM = 32;

export function messageAdminProcessors(runtime: BrokerRuntime): ReadonlyArray<readonly [number, RemotingProcessor]> {
  const viewMessageById: RemotingProcessor = async (request) => {
    const offset = new RequestHeader(request.extFields).long("offset");
    const record = await runtime.store.readMessageAt(offset);
    if (!record) return { code: ResponseCode.SYSTEM_ERROR, remark: `can not find message by the offset, ${offset}` };
    return { code: ResponseCode.SUCCESS, body: record };
  };

  const queryMessage: RemotingProcessor = async (request) => {
    const h = new RequestHeader(request.extFields);
    const topic = h.string("topic");
    const key = h.string("key");
    const maxNum = request.extFields?.[UNIQUE_KEY_QUERY] === "true" ? DEFAULT_QUERY_MAX_NUM : h.int("maxNum");
    const found = await runtime.store.queryMessages(topic, key, maxNum, h.long("beginTimestamp"), h.long("endTimestamp"));
    const extFields = {
      indexLastUpdateTimestamp: String(found.indexLastUpdateTimestamp),
      indexLastUpdatePhyoffset: String(found.indexLastUpdatePhyoffset),
    };
    if (found.records.length === 0) {
      return { code: ResponseCode.QUERY_NOT_FOUND, remark: "can not find message, maybe time range not correct", extFields };
    }
    return { code: ResponseCode.SUCCESS, extFields, body: concatBytes(found.records) };
  };

  return [
    [RequestCode.VIEW_MESSAGE_BY_ID, viewMessageById],
    [RequestCode.QUERY_MESSAGE, queryMessage],
  ];
}
