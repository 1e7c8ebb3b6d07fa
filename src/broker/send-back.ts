/**
 * The retry path of a consumer group (spec §8.2, §8.3): a message a consumer gives back
 * (CONSUMER_SEND_MSG_BACK) is copied to `%RETRY%<group>`, to be delivered again after a delay,
 * or to `%DLQ%<group>` once it was retried often enough. Both copies go through the one send path
 * (SendService: role, topic and permission rules, the store), never around it.
 *
 * `sendBack`, as RocketMQ 4.9's broker does it:
 * 1. the subscription group is found or auto-created (else SUBSCRIPTION_GROUP_NOT_EXIST); with
 *    `retryQueueNums` ≤ 0 the message is dropped (answered as done); `%RETRY%<group>` is created;
 * 2. the record at the commit-log offset is read (none: MESSAGE_NOT_FOUND, "look message by offset
 *    failed");
 * 3. `RETRY_TOPIC` := its topic unless set; `WAIT` := false (nobody waits for a copy's replication);
 * 4. the limit is the consumer's `maxReconsumeTimes` if it sent one, else the group's `retryMaxTimes`;
 *    `reconsumeTimes ≥ limit` or `delayLevel < 0` → `%DLQ%<group>` queue 0, `DELAY=0`; otherwise
 *    `%RETRY%<group>` (a random one of its queues) with `DELAY` = `delayLevel` if > 0, else
 *    3 + reconsumeTimes (clamped to the highest level), so the store parks it in SCHEDULE_TOPIC_XXXX;
 * 5. `ORIGIN_MESSAGE_ID` := the original's offsetMsgId unless set; the copy keeps body, flag,
 *    sysFlag, born host and born timestamp, has `reconsumeTimes + 1` and this broker's store host.
 *
 * Properties are laid out as a 4.9 broker writes them (java-hash-map-order.ts: the decoded map,
 * then RETRY_TOPIC, WAIT, DELAY, ORIGIN_MESSAGE_ID and, for a delayed copy, REAL_TOPIC and
 * REAL_QID), so a copy's bytes match RocketMQ's but for times and hosts.
 *
 * The limit is the one rule of retry-topics.ts (`isDeadLetter`), which SendService applies to a
 * producer's send to a retry topic too (SEND_MESSAGE_V2 with `j` and `l`, §8.3).
 */
import { SkiffError } from "../core/errors.ts";
import type { HostAddress } from "../codec/host-address.ts";
import { inJavaHashMapOrder } from "../codec/java-hash-map-order.ts";
import { encodeOffsetMsgId } from "../codec/message-id.ts";
import { decodeProperties, MessageConst } from "../codec/properties.ts";
import type { Metadata } from "../metadata/metadata.ts";
import type { SubscriptionGroupConfig } from "../metadata/subscription-groups.ts";
import type { MessageStore } from "../store/message-store.ts";
import { DLQ_QUEUE_NUMS, dlqTopicOf, ensureGroupTopic, isDeadLetter, retryTopicOf } from "./retry-topics.ts";
import type { SendService } from "./send-service.ts";
import { readMessageAt } from "./stored-message.ts";

/** RocketMQ's first retry waits level 3 (10 s by default), the next one level 4, and so on. */
export const FIRST_RETRY_DELAY_LEVEL = 3;

export interface SendBackDeps {
  readonly metadata: Metadata;
  readonly store: MessageStore;
  readonly send: SendService;
  /** This broker's address as stored in records (`brokerIP1:listenPort`). */
  readonly storeHost: () => HostAddress;
  /** [0, 1); picks the retry queue. Default Math.random. */
  readonly random?: () => number;
}

export interface SendBackRequest {
  /** Commit-log offset of the record given back (the consumer's MessageExt.commitLogOffset). */
  readonly physicalOffset: number;
  readonly group: string;
  /** 0: the broker chooses; < 0: straight to the dead-letter queue; > 0: that delay level. */
  readonly delayLevel: number;
  /** The consumer's limit; absent: the group's retryMaxTimes. */
  readonly maxReconsumeTimes?: number;
}

export interface SendBackResult {
  readonly topic: string;
  readonly queueId: number;
  readonly deadLetter: boolean;
  /** The copy's delay level (0 for a dead letter). */
  readonly delayLevel: number;
  readonly reconsumeTimes: number;
  /** Where the copy is stored (in SCHEDULE_TOPIC_XXXX while it waits). */
  readonly physicalOffset: number;
}

export class SendBackService {
  private readonly deps: SendBackDeps;

  constructor(deps: SendBackDeps) {
    this.deps = deps;
  }

  /** Stores the retry or dead-letter copy; null when the group has no retry queues (dropped). */
  async sendBack(request: SendBackRequest): Promise<SendBackResult | null> {
    const { metadata, send } = this.deps;
    send.checkWritable();
    const group = await this.groupConfig(request.group);
    if (group.retryQueueNums <= 0) return null;
    const retryTopic = retryTopicOf(request.group);
    await ensureGroupTopic(metadata, retryTopic, group.retryQueueNums);
    const record = await readMessageAt(this.deps.store, request.physicalOffset);
    if (!record) throw new SkiffError("MESSAGE_NOT_FOUND", `look message by offset failed, ${request.physicalOffset}`);

    const properties = decodeProperties(record.properties);
    if (!properties.has(MessageConst.RETRY_TOPIC)) properties.set(MessageConst.RETRY_TOPIC, record.topic);
    properties.set(MessageConst.WAIT, "false");
    const limit = request.maxReconsumeTimes ?? group.retryMaxTimes;
    const deadLetter = isDeadLetter(record.reconsumeTimes, limit) || request.delayLevel < 0;
    const levels = this.deps.store.options.delayLevelsMs.length;
    const delayLevel = deadLetter ? 0 : Math.min(request.delayLevel > 0 ? request.delayLevel : FIRST_RETRY_DELAY_LEVEL + record.reconsumeTimes, levels);
    const topic = deadLetter ? dlqTopicOf(request.group) : retryTopic;
    const queueId = deadLetter ? 0 : Math.floor((this.deps.random ?? Math.random)() * group.retryQueueNums) % group.retryQueueNums;
    properties.set(MessageConst.DELAY, String(delayLevel));
    if (!properties.get(MessageConst.ORIGIN_MESSAGE_ID)) properties.set(MessageConst.ORIGIN_MESSAGE_ID, encodeOffsetMsgId(record.storeHost, record.physicalOffset));
    if (delayLevel > 0) {
      // Where the store's delay rewrite puts them (message-input.ts), in a 4.9 broker's map order.
      properties.set(MessageConst.REAL_TOPIC, topic);
      properties.set(MessageConst.REAL_QID, String(queueId));
    }
    if (deadLetter) await ensureGroupTopic(metadata, topic, DLQ_QUEUE_NUMS);

    const [stored] = await send.send(topic, [{
      input: {
        flag: record.flag,
        body: (record.body ?? new Uint8Array(0)).slice(),
        properties: inJavaHashMapOrder(properties),
        sysFlag: record.sysFlag,
        bornTimestamp: record.bornTimestamp,
        bornHost: record.bornHost,
        storeHost: this.deps.storeHost(),
        reconsumeTimes: record.reconsumeTimes + 1,
        preparedTransactionOffset: 0,
      },
      queueId,
      wait: false,
      uniqueId: properties.get(MessageConst.UNIQ_KEY) ?? encodeOffsetMsgId(record.storeHost, record.physicalOffset),
    }]);
    return { topic, queueId, deadLetter, delayLevel, reconsumeTimes: record.reconsumeTimes + 1, physicalOffset: stored.commitLogOffset };
  }

  private async groupConfig(group: string): Promise<SubscriptionGroupConfig> {
    const config = await this.deps.metadata.subscriptionGroups.findOrCreate(group);
    if (!config) throw new SkiffError("SUBSCRIPTION_GROUP_NOT_EXIST", `subscription group not exist, ${group}`);
    return config;
  }
}
