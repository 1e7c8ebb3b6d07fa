/**
 * A send, from checked input to RocketMQ's send status:
 *
 * 1. a slave refuses (SLAVE_CANNOT_SEND, naming its master); the broker's own system topics refuse
 *    producers (NO_PERMISSION, RocketMQ's `TopicValidator.NOT_ALLOWED_SEND_TOPIC_SET`: a message sent
 *    straight into SCHEDULE_TOPIC_XXXX would be re-delivered to whatever REAL_TOPIC it names);
 *    transactional (half) messages are refused: Skiff does not support transactions;
 * 2. a topic that does not exist is created from the producer's default topic (`TBW102` unless it
 *    names another, spec §2.3) when that topic's perm has INHERIT — TBW102 only counts while
 *    `autoCreateTopicEnable` — with min(asked, default's writeQueueNums) queues and the default's
 *    perm without INHERIT; a retry topic is created with one queue; anything else is
 *    TOPIC_NOT_EXIST with Java's remark. A topic without write permission is refused;
 * 3. a send to `%RETRY%<group>` (one message, not a batch) whose reconsume count reached the limit
 *    (the producer's `maxReconsumeTimes`, else the group's `retryMaxTimes`) goes to
 *    `%DLQ%<group>` queue 0, undelayed (retry-topics.ts);
 * 4. the queue is the one asked for (it must be below writeQueueNums) or the next in round-robin;
 * 5. the store appends (a batch lands in one queue, consecutively);
 * 6. the disk flush and, on a SYNC_MASTER for a message whose WAIT is not false, the replication
 *    wait run side by side. Statuses, as RocketMQ 4.9:
 *
 * | status              | meaning (the message is stored in every case)                       |
 * |---------------------|---------------------------------------------------------------------|
 * | SEND_OK             | flushed as flushDiskType promises (and on a slave, for SYNC_MASTER)  |
 * | FLUSH_DISK_TIMEOUT  | SYNC_FLUSH: no fsync within syncFlushTimeout                         |
 * | SLAVE_NOT_AVAILABLE | SYNC_MASTER: no slave connected, or the best one is more than        |
 * |                     | haSlaveFallbehindMax behind (answered at once, no wait)              |
 * | FLUSH_SLAVE_TIMEOUT | SYNC_MASTER: no slave acknowledged within slaveTimeout               |
 *
 * When both fail, the replication status wins (RocketMQ's order). A result is what the HTTP answer
 * carries (SendResult, contract/broker-http.ts).
 *
 * An optional `SendObserver` (the broker's metrics) hears of every send with its outcome — the
 * status, or the error code it was refused with — and of the two waits of step 6.
 */
import type { SendResult, SendStatus } from "../contract/broker-http.ts";
import { SkiffError } from "../core/errors.ts";
import type { BrokerConfig } from "../config/broker-config.ts";
import type { Metadata } from "../metadata/metadata.ts";
import { Perm, SystemTopic, type TopicConfig } from "../metadata/topic-config.ts";
import { validateTopic } from "../codec/message-limits.ts";
import { MessageConst } from "../codec/properties.ts";
import { TransactionType, transactionTypeOf } from "../codec/sys-flag.ts";
import type { MessageStore } from "../store/message-store.ts";
import type { BuiltMessage } from "./message-build.ts";
import { DLQ_QUEUE_NUMS, dlqTopicOf, groupOfRetryTopic, isDeadLetter, RETRY_QUEUE_NUMS_ON_SEND } from "./retry-topics.ts";
import type { Logger } from "../core/log.ts";
import type { Clock } from "../core/platform.ts";
import { RepeatGate } from "../core/log-repeats.ts";

/** RocketMQ 4.9's `TopicValidator.NOT_ALLOWED_SEND_TOPIC_SET`. */
const NOT_ALLOWED_SEND_TOPICS: ReadonlySet<string> = new Set([
  "SCHEDULE_TOPIC_XXXX", "RMQ_SYS_TRANS_HALF_TOPIC", "RMQ_SYS_TRANS_OP_HALF_TOPIC", "TRANS_CHECK_MAX_TIME_TOPIC", "SELF_TEST_TOPIC", "OFFSET_MOVED_EVENT",
]);

/** What a SYNC_MASTER waits on (the HA master service provides it). */
export interface ReplicationGate {
  isSlaveOk(masterPutWhere: number): boolean;
  /** The largest offset any slave acked (for the log line of a send that did not replicate). */
  readonly push2SlaveMaxOffset: number;
  readonly connectionCount: number;
  waitForReplication(endOffset: number, timeoutMs: number): Promise<"PUT_OK" | "FLUSH_SLAVE_TIMEOUT">;
}

/** What a producer may say about a send beside its messages (RocketMQ's send header). */
export interface SendOptions {
  /** The topic a new topic is created from (`defaultTopic`); default TBW102. */
  readonly defaultTopic?: string;
  /** Queues the producer asks a new topic to have (`defaultTopicQueueNums`); default the broker's. */
  readonly defaultTopicQueueNums?: number;
  /** The producer's limit for a retry-topic send; default the group's retryMaxTimes. */
  readonly maxReconsumeTimes?: number;
  /** The producer sent a batch (possibly of one message). */
  readonly batch?: boolean;
}

/** Java's remark for a send to a topic that does not exist and cannot be created. */
export function topicNotExistRemark(topic: string): string {
  return `topic[${topic}] not exist, apply first please!\nSee http://rocketmq.apache.org/docs/faq/ for further details.`;
}

/** Hears of sends as they happen (the broker's metrics); each function it returns is called once. */
export interface SendObserver {
  /** A send of `messages` to `topic` begins; the function is given its status, or the error code that refused it. */
  sendStarted(topic: string, messages: number): (status: string) => void;
  /** A wait of step 6 begins: for the flush policy (`flush`), or for a slave's ack (`slave`). */
  waitStarted(what: "flush" | "slave"): () => void;
}

export interface SendContext {
  readonly config: () => BrokerConfig;
  readonly store: MessageStore;
  readonly metadata: Metadata;
  readonly replication: () => ReplicationGate | null;
  readonly masterAddress: () => string | null;
  readonly observer?: SendObserver;
  /** Sends that are stored but not replicated or flushed in time, with why (rate-limited). */
  readonly log?: Logger;
  readonly clock?: Pick<Clock, "monotonicMs">;
}

/** A status other than SEND_OK is logged at most this often per status, with a count of the rest. */
export const SEND_STATUS_LOG_INTERVAL_MS = 10_000;

export class SendService {
  private readonly context: SendContext;
  private readonly roundRobin = new Map<string, number>();
  private readonly statusLog: RepeatGate | null;

  constructor(context: SendContext) {
    this.context = context;
    this.statusLog = context.log && context.clock ? new RepeatGate(context.clock, SEND_STATUS_LOG_INTERVAL_MS) : null;
  }

  async send(topic: string, built: readonly BuiltMessage[], options: SendOptions = {}): Promise<SendResult[]> {
    const done = this.context.observer?.sendStarted(topic, built.length);
    try {
      const results = await this.sendChecked(topic, built, options);
      done?.(results[0]?.status ?? "SEND_OK");
      return results;
    } catch (error) {
      done?.(error instanceof SkiffError ? error.code : "INTERNAL_ERROR");
      throw error;
    }
  }

  private async sendChecked(topic: string, built: readonly BuiltMessage[], options: SendOptions): Promise<SendResult[]> {
    const config = this.context.config();
    this.checkWritable();
    validateTopic(topic);
    if (NOT_ALLOWED_SEND_TOPICS.has(topic)) throw new SkiffError("NO_PERMISSION", `Sending message to topic[${topic}] is forbidden: it is a system topic of the broker`);
    if (built.some(isTransactional)) {
      throw new SkiffError("TRANSACTION_NOT_SUPPORTED", "transactional messages (half messages, END_TRANSACTION) are not supported by Skiff; send them as normal messages");
    }
    let topicConfig = await this.topicForSend(topic, options, config);
    if ((topicConfig.perm & Perm.WRITE) === 0) throw new SkiffError("NO_PERMISSION", `topic ${topic} is not writable (perm ${topicConfig.perm})`);
    let target = topic;
    let messages = built;
    const retryGroup = groupOfRetryTopic(topic);
    if (retryGroup !== undefined) {
      if (options.batch || messages.length > 1) throw new SkiffError("MESSAGE_ILLEGAL", `batch request does not support retry group ${topic}`);
      const dlq = await this.deadLetterTopic(retryGroup, messages[0], options);
      if (dlq) {
        [target, topicConfig, messages] = [dlq.topicName, dlq, [undelayed(messages[0], 0)]];
      }
    }
    const queueId = this.chooseQueue(target, topicConfig, messages);
    const put = await this.context.store.append(messages.map((m) => ({ ...m.input, topic: target, queueId })));
    const status = await this.waitForPolicy(put.endOffset, put.durable, messages.every((m) => m.wait), config);
    return put.records.map((record, i) => ({
      status,
      msgId: messages[i].uniqueId,
      offsetMsgId: record.msgId,
      topic: target,
      queueId,
      queueOffset: record.queueOffset,
      commitLogOffset: record.physicalOffset,
    }));
  }

  /**
   * Throws SLAVE_CANNOT_SEND on a slave: what every send is refused with there, also for callers
   * that prepare a send (the send-back path) before they make it.
   */
  checkWritable(): void {
    const config = this.context.config();
    if (config.brokerRole === "SLAVE") {
      const master = this.context.masterAddress();
      throw new SkiffError("SLAVE_CANNOT_SEND", `this broker is a slave of ${config.brokerName}; send to its master${master ? ` at ${master}` : ""}`);
    }
  }

  /** The topic's config; a missing one is created from the default topic, or as a retry topic (see the header). */
  private async topicForSend(topic: string, options: SendOptions, config: BrokerConfig): Promise<TopicConfig> {
    const { topics } = this.context.metadata;
    const existing = topics.get(topic);
    if (existing) return existing;
    const defaultName = options.defaultTopic ?? SystemTopic.AUTO_CREATE;
    const defaultConfig = topics.get(defaultName);
    const inherits = defaultConfig !== undefined && (defaultConfig.perm & Perm.INHERIT) !== 0 &&
      !(defaultName === SystemTopic.AUTO_CREATE && !config.autoCreateTopicEnable);
    if (inherits) {
      const queueNums = Math.max(0, Math.min(options.defaultTopicQueueNums ?? config.defaultTopicQueueNums, defaultConfig.writeQueueNums));
      return topics.createTopicIfAbsent(topic, queueNums, { perm: defaultConfig.perm & ~Perm.INHERIT, topicFilterType: defaultConfig.topicFilterType });
    }
    if (groupOfRetryTopic(topic) !== undefined) return topics.createTopicIfAbsent(topic, RETRY_QUEUE_NUMS_ON_SEND);
    throw new SkiffError("TOPIC_NOT_EXIST", topicNotExistRemark(topic));
  }

  /** `%DLQ%<group>` (created when absent) when the message has been reconsumed too often, else undefined. */
  private async deadLetterTopic(group: string, message: BuiltMessage, options: SendOptions): Promise<TopicConfig | undefined> {
    const groupConfig = await this.context.metadata.subscriptionGroups.findOrCreate(group);
    if (!groupConfig) throw new SkiffError("SUBSCRIPTION_GROUP_NOT_EXIST", `subscription group not exist, ${group}`);
    if (!isDeadLetter(message.input.reconsumeTimes, options.maxReconsumeTimes ?? groupConfig.retryMaxTimes)) return undefined;
    return this.context.metadata.topics.createTopicIfAbsent(dlqTopicOf(group), DLQ_QUEUE_NUMS);
  }

  private chooseQueue(topic: string, topicConfig: TopicConfig, messages: readonly BuiltMessage[]): number {
    const asked = new Set(messages.map((m) => m.queueId));
    if (asked.size > 1) throw new SkiffError("BAD_REQUEST", "all messages of a batch go to one queue; they name different queueIds");
    if (topicConfig.writeQueueNums === 0) throw new SkiffError("NO_PERMISSION", `topic ${topic} has no write queues`);
    const [queueId] = asked;
    if (queueId !== undefined) {
      if (queueId >= topicConfig.writeQueueNums) {
        throw new SkiffError("BAD_REQUEST", `queueId ${queueId} is out of range: topic ${topic} has ${topicConfig.writeQueueNums} write queues`);
      }
      return queueId;
    }
    const next = this.roundRobin.get(topic) ?? 0;
    this.roundRobin.set(topic, next + 1);
    return next % topicConfig.writeQueueNums;
  }

  private async waitForPolicy(endOffset: number, flushed: Promise<"PUT_OK" | "FLUSH_DISK_TIMEOUT">, wait: boolean, config: BrokerConfig): Promise<SendStatus> {
    const replication = this.context.replication();
    const observer = this.context.observer;
    let replicated: Promise<"PUT_OK" | "FLUSH_SLAVE_TIMEOUT" | "SLAVE_NOT_AVAILABLE"> = Promise.resolve("PUT_OK");
    if (config.brokerRole === "SYNC_MASTER" && wait) {
      if (!replication || !replication.isSlaveOk(endOffset)) replicated = Promise.resolve("SLAVE_NOT_AVAILABLE");
      else replicated = observed(replication.waitForReplication(endOffset, config.slaveTimeout), observer?.waitStarted("slave"));
    }
    const [disk, slave] = await Promise.all([observed(flushed, observer?.waitStarted("flush")), replicated]);
    if (slave !== "PUT_OK") this.logStatus(slave, endOffset, replication, config);
    if (disk !== "PUT_OK") this.logStatus(disk, endOffset, replication, config);
    if (slave !== "PUT_OK") return slave;
    return disk === "PUT_OK" ? "SEND_OK" : disk;
  }

  /** Why a stored message was not replicated or flushed in time: one line, rate-limited per status. */
  private logStatus(status: Exclude<SendStatus, "SEND_OK">, endOffset: number, replication: ReplicationGate | null, config: BrokerConfig): void {
    const { log } = this.context;
    if (!log || !this.statusLog) return;
    const acked = replication?.push2SlaveMaxOffset ?? 0;
    const short = `the best slave ack is at ${acked}, ${Math.max(0, endOffset - acked)} bytes short of this send's end ${endOffset}`;
    const why = status === "FLUSH_DISK_TIMEOUT" ? `the disk flush took longer than syncFlushTimeout (${config.syncFlushTimeout} ms)`
      : status === "FLUSH_SLAVE_TIMEOUT" ? `no slave acked it within slaveTimeout (${config.slaveTimeout} ms): ${short}`
      : !replication || replication.connectionCount === 0 ? "no slave is connected to this SYNC_MASTER"
      : `no slave is within haSlaveFallbehindMax (${config.haSlaveFallbehindMax} bytes): ${short}`;
    this.statusLog.log(log, "warn", status, `send answered ${status}, the message is stored: ${why}`, { status, endOffset, slaveAckOffset: replication ? acked : undefined });
  }
}

/** `wait`, with `ended` called when it settles either way. */
function observed<T>(wait: Promise<T>, ended: (() => void) | undefined): Promise<T> {
  return ended ? wait.finally(ended) : wait;
}

/**
 * A half message (transaction type PREPARED, or the producer's TRAN_MSG=true) or a commit/rollback
 * record — but not a consumer's delayed retry of a message that was once transactional (its
 * properties still say TRAN_MSG), which Java lets through the same way.
 */
function isTransactional(message: BuiltMessage): boolean {
  const { sysFlag, properties, reconsumeTimes } = message.input;
  const marked = transactionTypeOf(sysFlag) !== TransactionType.NOT_TYPE || properties.get(MessageConst.TRAN_MSG) === "true";
  const delayedRetry = reconsumeTimes > 0 && Number.parseInt(properties.get(MessageConst.DELAY) ?? "0", 10) > 0;
  return marked && !delayedRetry;
}

/** The message without its delay level, to queue `queueId` (a dead letter is stored at once, WAIT not kept). */
function undelayed(message: BuiltMessage, queueId: number): BuiltMessage {
  const properties = new Map(message.input.properties);
  properties.delete(MessageConst.DELAY);
  properties.delete(MessageConst.WAIT);
  return { ...message, queueId, input: { ...message.input, properties } };
}
