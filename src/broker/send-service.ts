/**
 * A send, from checked input to RocketMQ's send status:
 *
 * 1. a slave refuses (SLAVE_CANNOT_SEND, naming its master); the broker's own system topics refuse
 *    producers (NO_PERMISSION, RocketMQ's `TopicValidator.NOT_ALLOWED_SEND_TOPIC_SET`: a message sent
 *    straight into SCHEDULE_TOPIC_XXXX would be re-delivered to whatever REAL_TOPIC it names); a
 *    topic that does not exist is created
 *    when `autoCreateTopicEnable` (with `defaultTopicQueueNums` queues), else TOPIC_NOT_EXIST; a
 *    topic without write permission is refused;
 * 2. the queue is the one asked for (it must be below writeQueueNums) or the next in round-robin;
 * 3. the store appends (a batch lands in one queue, consecutively);
 * 4. the disk flush and, on a SYNC_MASTER for a message whose WAIT is not false, the replication
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
 */
import type { SendResult, SendStatus } from "../contract/broker-http.ts";
import { SkiffError } from "../core/errors.ts";
import type { BrokerConfig } from "../config/broker-config.ts";
import type { Metadata } from "../metadata/metadata.ts";
import { Perm } from "../metadata/topic-config.ts";
import { validateTopic } from "../codec/message-limits.ts";
import type { MessageStore } from "../store/message-store.ts";
import type { BuiltMessage } from "./message-build.ts";

/** RocketMQ 4.9's `TopicValidator.NOT_ALLOWED_SEND_TOPIC_SET`. */
const NOT_ALLOWED_SEND_TOPICS: ReadonlySet<string> = new Set([
  "SCHEDULE_TOPIC_XXXX", "RMQ_SYS_TRANS_HALF_TOPIC", "RMQ_SYS_TRANS_OP_HALF_TOPIC", "TRANS_CHECK_MAX_TIME_TOPIC", "SELF_TEST_TOPIC", "OFFSET_MOVED_EVENT",
]);

/** What a SYNC_MASTER waits on (the HA master service provides it). */
export interface ReplicationGate {
  isSlaveOk(masterPutWhere: number): boolean;
  waitForReplication(endOffset: number, timeoutMs: number): Promise<"PUT_OK" | "FLUSH_SLAVE_TIMEOUT">;
}

export interface SendContext {
  readonly config: () => BrokerConfig;
  readonly store: MessageStore;
  readonly metadata: Metadata;
  readonly replication: () => ReplicationGate | null;
  readonly masterAddress: () => string | null;
}

export class SendService {
  private readonly context: SendContext;
  private readonly roundRobin = new Map<string, number>();

  constructor(context: SendContext) {
    this.context = context;
  }

  async send(topic: string, messages: readonly BuiltMessage[]): Promise<SendResult[]> {
    const config = this.context.config();
    this.checkWritable();
    validateTopic(topic);
    if (NOT_ALLOWED_SEND_TOPICS.has(topic)) throw new SkiffError("NO_PERMISSION", `Sending message to topic[${topic}] is forbidden: it is a system topic of the broker`);
    const queueId = await this.chooseQueue(topic, messages, config);
    const put = await this.context.store.append(messages.map((m) => ({ ...m.input, topic, queueId })));
    const status = await this.waitForPolicy(put.endOffset, put.durable, messages.every((m) => m.wait), config);
    return put.records.map((record, i) => ({
      status,
      msgId: messages[i].uniqueId,
      offsetMsgId: record.msgId,
      topic,
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

  private async chooseQueue(topic: string, messages: readonly BuiltMessage[], config: BrokerConfig): Promise<number> {
    let topicConfig = this.context.metadata.topics.get(topic);
    if (!topicConfig) {
      if (!config.autoCreateTopicEnable) throw new SkiffError("TOPIC_NOT_EXIST", `topic ${topic} does not exist and autoCreateTopicEnable is false`);
      topicConfig = await this.context.metadata.topics.createTopicIfAbsent(topic, config.defaultTopicQueueNums);
    }
    if ((topicConfig.perm & Perm.WRITE) === 0) throw new SkiffError("NO_PERMISSION", `topic ${topic} is not writable (perm ${topicConfig.perm})`);
    const asked = new Set(messages.map((m) => m.queueId));
    if (asked.size > 1) throw new SkiffError("BAD_REQUEST", "all messages of a batch go to one queue; they name different queueIds");
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
    let replicated: Promise<"PUT_OK" | "FLUSH_SLAVE_TIMEOUT" | "SLAVE_NOT_AVAILABLE"> = Promise.resolve("PUT_OK");
    if (config.brokerRole === "SYNC_MASTER" && wait) {
      if (!replication || !replication.isSlaveOk(endOffset)) replicated = Promise.resolve("SLAVE_NOT_AVAILABLE");
      else replicated = replication.waitForReplication(endOffset, config.slaveTimeout);
    }
    const [disk, slave] = await Promise.all([flushed, replicated]);
    if (slave !== "PUT_OK") return slave;
    return disk === "PUT_OK" ? "SEND_OK" : disk;
  }
}
