/**
 * Topic administration over remoting (spec §5.12): create/update (`mqadmin updateTopic`), delete
 * (`deleteTopic`) and read one topic's config (5.x `topicStatus` / `consumerProgress` ask for it
 * first). The rules — master only, system topics, attributes, persisting and re-registering with
 * the name servers — are AdminService's and the topic table's; these only read headers and answer.
 *
 * | code                       | header                                                         | answer |
 * |----------------------------|----------------------------------------------------------------|--------|
 * | 17 UPDATE_AND_CREATE_TOPIC | topic!, defaultTopic!, readQueueNums!, writeQueueNums!, perm!, topicFilterType!, topicSysFlag, order!; 5.x attributes (`+k=v,-k`), force | 0, remark `not set any response code` (both Java versions leave it) |
 * | 215 DELETE_TOPIC_IN_BROKER | topic!                                                         | 0 (also for a topic this broker does not have, as Java; on a slave, which a tool that asks every broker of a cluster reaches too, without changing anything: the deletion reaches it from its master) |
 * | 351 GET_TOPIC_CONFIG       | topic!, lo                                                     | 0 + TopicConfig JSON; 17 `No topic in this broker. topic: <t>` |
 *
 * 5.x's `force` only matters to its static-topic and batch-queue checks, which Skiff has not:
 * it is read and ignored.
 */
import { SkiffError } from "../../core/errors.ts";
import { utf8Encode } from "../../core/bytes.ts";
import { validateTopic } from "../../codec/message-limits.ts";
import { stringifyFastjson } from "../../codec/fastjson.ts";
import type { AttributeChanges } from "../../broker/admin-service.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";
import { RequestCode, ResponseCode } from "../../remoting/codes.ts";
import { RequestHeader } from "../../remoting/request-header.ts";
import type { RemotingProcessor } from "../../remoting/remoting-server.ts";
import { setOwn } from "../../core/own-property.ts";

const TOPIC_FILTER_TYPES = new Set(["SINGLE_TAG", "MULTI_TAG"]);
/** Attribute names as RocketMQ's (`queue.type`, `message.type`, `cleanup.policy`). */
const ATTRIBUTE_KEY = /^[a-zA-Z][a-zA-Z0-9._-]{0,63}$/;

export function topicAdminProcessors(runtime: BrokerRuntime): ReadonlyArray<readonly [number, RemotingProcessor]> {
  const { admin, metadata } = runtime;

  const updateAndCreateTopic: RemotingProcessor = async (request) => {
    const h = new RequestHeader(request.extFields);
    const topic = h.string("topic");
    h.string("defaultTopic");
    const topicFilterType = h.string("topicFilterType");
    if (!TOPIC_FILTER_TYPES.has(topicFilterType)) throw new SkiffError("REMOTING_HEADER_INVALID", `the custom field <topicFilterType> is not SINGLE_TAG or MULTI_TAG: "${topicFilterType.slice(0, 40)}"`);
    const fields = {
      readQueueNums: h.int("readQueueNums"),
      writeQueueNums: h.int("writeQueueNums"),
      perm: h.int("perm"),
      topicFilterType,
      topicSysFlag: h.optionalInt("topicSysFlag") ?? 0,
      order: h.string("order").toLowerCase() === "true",
    };
    h.bool("force");
    // 5.x always sends `attributes` (`""` = no change, and a new topic gets `{}`); 4.9 never does.
    const attributes = request.extFields?.attributes;
    await admin.putTopic(topic, fields, attributes === undefined ? undefined : parseAttributeChanges(attributes));
    return { code: ResponseCode.SUCCESS, remark: "not set any response code" };
  };

  const deleteTopic: RemotingProcessor = async (request) => {
    const topic = new RequestHeader(request.extFields).string("topic");
    validateTopic(topic);
    if (runtime.config().brokerRole === "SLAVE") {
      // A tool may ask every broker of a cluster (mqadmin asks masters only): the deletion reaches a slave from its master.
      runtime.log.info(`DELETE_TOPIC_IN_BROKER ${topic} on a slave: nothing to do here, the deletion comes from the master (its log and metadata sync)`);
      return { code: ResponseCode.SUCCESS };
    }
    if (metadata.topics.get(topic) || runtime.store.queueIdsOf(topic).length > 0) await admin.deleteTopic(topic);
    return { code: ResponseCode.SUCCESS };
  };

  const getTopicConfig: RemotingProcessor = (request) => {
    const topic = new RequestHeader(request.extFields).string("topic");
    const config = metadata.topics.get(topic);
    if (!config) return { code: ResponseCode.TOPIC_NOT_EXIST, remark: `No topic in this broker. topic: ${topic}` };
    return { code: ResponseCode.SUCCESS, body: utf8Encode(stringifyFastjson({ ...config, attributes: { ...config.attributes } })) };
  };

  return [
    [RequestCode.UPDATE_AND_CREATE_TOPIC, updateAndCreateTopic],
    [RequestCode.DELETE_TOPIC_IN_BROKER, deleteTopic],
    [RequestCode.GET_TOPIC_CONFIG, getTopicConfig],
  ];
}

/**
 * RocketMQ 5.x's attribute modification text (`AttributeParser.parseToMap`): comma-separated
 * `+key=value` (set) and `-key` (remove); empty = no change.
 */
export function parseAttributeChanges(text: string): AttributeChanges {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  const seen = new Set<string>();
  for (const item of text === "" ? [] : text.split(",")) {
    const match = /^([+-])([^=]*)(?:=(.*))?$/.exec(item);
    const key = match?.[2] ?? "";
    if (!match || !ATTRIBUTE_KEY.test(key) || (match[1] === "+") !== (match[3] !== undefined) || (match[3] !== undefined && match[3].length === 0)) {
      throw new SkiffError("REMOTING_HEADER_INVALID", `the custom field <attributes> has a malformed item "${item.slice(0, 80)}": expected +key=value or -key`);
    }
    if (seen.has(key)) throw new SkiffError("REMOTING_HEADER_INVALID", `the custom field <attributes> names ${key} twice`);
    seen.add(key);
    if (match[1] === "+") setOwn(set, key, match[3]);
    else remove.push(key);
  }
  return { set, remove };
}
