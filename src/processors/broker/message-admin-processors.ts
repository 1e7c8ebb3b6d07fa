/**
 * Finding messages for the admin tools (spec §5.12, §12.3): `queryMsgById` with an offset message
 * id (the id holds the store host and the physical offset: the tool dials that address and asks
 * for the record there), and `queryMsgByKey` / `queryMsgByUniqueKey` / 5.x `queryMsgById` with a
 * unique key (QUERY_MESSAGE, answered from the message index).
 *
 * | code                  | header                                                   | answer                                 |
 * |-----------------------|----------------------------------------------------------|----------------------------------------|
 * | 33 VIEW_MESSAGE_BY_ID | offset! (physical); 5.x topic (not needed)               | 0 + the stored record, byte for byte; 1 `can not find message by the offset, <o>` |
 * | 12 QUERY_MESSAGE      | topic!, key!, maxNum!, beginTimestamp!, endTimestamp!, `_UNIQUE_KEY_QUERY` | 22 `can not find message, maybe time range not correct`, `indexLastUpdateTimestamp` / `indexLastUpdatePhyoffset` 0 |
 *
 * QUERY_MESSAGE: Skiff does not write the message index yet (issue 12 builds `index/`), so every
 * query gets what a Java broker answers when its index holds no match (spec §11.3, captured in
 * `v4.9.7-retention/…-query-deleted-key-02-broker.txt`): 22 with both index fields 0. This is the
 * documented answer of an empty index, not a stand-in: no message is claimed or hidden.
 */
import { RequestCode, ResponseCode } from "../../remoting/codes.ts";
import { RequestHeader } from "../../remoting/request-header.ts";
import type { RemotingProcessor } from "../../remoting/remoting-server.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";

export function messageAdminProcessors(runtime: BrokerRuntime): ReadonlyArray<readonly [number, RemotingProcessor]> {
  const viewMessageById: RemotingProcessor = async (request) => {
    const offset = new RequestHeader(request.extFields).long("offset");
    const record = await runtime.store.readMessageAt(offset);
    if (!record) return { code: ResponseCode.SYSTEM_ERROR, remark: `can not find message by the offset, ${offset}` };
    return { code: ResponseCode.SUCCESS, body: record };
  };

  const queryMessage: RemotingProcessor = (request) => {
    const h = new RequestHeader(request.extFields);
    h.string("topic");
    h.string("key");
    h.int("maxNum");
    h.long("beginTimestamp");
    h.long("endTimestamp");
    // Issue 12 (the message index) answers from index/; until then the index is empty.
    return {
      code: ResponseCode.QUERY_NOT_FOUND,
      remark: "can not find message, maybe time range not correct",
      extFields: { indexLastUpdateTimestamp: "0", indexLastUpdatePhyoffset: "0" },
    };
  };

  return [
    [RequestCode.VIEW_MESSAGE_BY_ID, viewMessageById],
    [RequestCode.QUERY_MESSAGE, queryMessage],
  ];
}
