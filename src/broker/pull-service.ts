/**
 * A pull, as RocketMQ's PullMessageProcessor answers it, for every front (HTTP and remoting):
 *
 * - the consumer group is found or auto-created (subscription group config; SUBSCRIPTION_GROUP_NOT_EXIST
 *   without auto-create), and must have `consumeEnable` (NO_PERMISSION);
 * - the topic must exist (TOPIC_NOT_EXIST), be readable, and the queue be below its readQueueNums
 *   (a slave also serves topics it holds messages of but has no config for yet);
 * - `commitOffset` (RocketMQ's COMMIT_OFFSET flag): stored as the group's offset, on a master only;
 * - nothing new (NO_NEW_MSG) and `waitMs` > 0 → the pull parks until a message arrives in its
 *   queue or the time runs out, then reads again;
 * - `suggestWhichBrokerId` (RocketMQ 4.9): with `slaveReadEnable`, a pull lagging further behind
 *   the commit-log end than `accessMessageInMemoryMaxRatio`% of memory is told to read from
 *   the group's `whichBrokerWhenConsumeSlowly` (1), otherwise from the group's `brokerId` (0);
 *   without `slaveReadEnable`, always 0 (the master);
 * - `tags` filters as a RocketMQ subscription does: by the consume queue's tagsCode first (no
 *   commit-log read for other tags), then by the exact tag (hash collisions);
 * - `pullStatus` is the client's view, RocketMQ's response code for the store status (spec §6.2):
 *
 * | store status                                  | pullStatus (response code)                  |
 * |-----------------------------------------------|---------------------------------------------|
 * | FOUND                                         | FOUND (0)                                   |
 * | NO_MATCHED_MESSAGE, MESSAGE_WAS_REMOVING      | NO_MATCHED_MSG (20)                         |
 * | OFFSET_OVERFLOW_ONE, OFFSET_FOUND_NULL        | NO_NEW_MSG (19)                             |
 * | NO_MESSAGE_IN_QUEUE, NO_MATCHED_LOGIC_QUEUE   | NO_NEW_MSG at offset 0, else OFFSET_ILLEGAL |
 * | OFFSET_TOO_SMALL, OFFSET_OVERFLOW_BADLY       | OFFSET_ILLEGAL (21): restart at nextBeginOffset |
 *
 * On a slave the store's offset corrections are not applied (RocketMQ's `offsetCheckInSlave`
 * false): nextBeginOffset stays the requested offset, and OFFSET_ILLEGAL becomes NO_MATCHED_MSG
 * with the group's `brokerId` suggested, which sends the consumer back to the master.
 *
 * An optional `PullObserver` (the broker's metrics) hears of every pull: when it parks and wakes,
 * and how it ended (its pullStatus and message count, or the error code that refused it).
 */
import type { PullStatus } from "../contract/broker-http.ts";
import { SkiffError } from "../core/errors.ts";
import type { BrokerConfig } from "../config/broker-config.ts";
import type { Metadata } from "../metadata/metadata.ts";
import { Perm } from "../metadata/topic-config.ts";
import type { GetMessageResult, GetMessageStatus } from "../store/get-message.ts";
import { tagsCode } from "../codec/java-hash.ts";
import { decodeMessageRecord } from "../codec/message-record-decode.ts";
import { decodeProperties, MessageConst } from "../codec/properties.ts";
import type { MessageStore } from "../store/message-store.ts";
import type { AdminService } from "./admin-service.ts";
import type { LongPollHub } from "./long-poll.ts";

export interface PullRequest {
  readonly topic: string;
  readonly queueId: number;
  readonly offset: number;
  readonly max: number;
  readonly group?: string;
  readonly waitMs: number;
  /** Only messages with one of these tags (RocketMQ's `TagA || TagB`); all when absent. */
  readonly tags?: readonly string[];
  /** The consumer's committed offset, stored for `group` before reading (master only). */
  readonly commitOffset?: number;
  /** Aborts a parked pull (its client went away): the pull then resolves without waiting. */
  readonly signal?: AbortSignal;
}

export interface PullResult extends GetMessageResult {
  readonly pullStatus: PullStatus;
  readonly suggestWhichBrokerId: number;
}

/** One pull as an observer follows it; `ended` is called once. */
export interface PullSpan {
  /** The pull parks (long poll); the function is called when it wakes. */
  parked(): () => void;
  ended(status: string, messages: number): void;
}

export interface PullObserver {
  pullStarted(topic: string): PullSpan;
}

export interface PullContext {
  readonly config: () => BrokerConfig;
  readonly store: MessageStore;
  readonly metadata: Metadata;
  readonly longPoll: LongPollHub;
  /** Commits (`commitOffset`) go through the offset path. */
  readonly admin: AdminService;
  readonly observer?: PullObserver;
}

/** The longest long poll a pull may ask for (`waitMs`, as documented in the README's API table). */
export const MAX_PULL_WAIT_MS = 30_000;
/**
 * The broker's HTTP idle timeout: the longest long poll plus a margin to read and answer it, so
 * no runtime closes a connection whose poll is still parked (Bun's own default is 10 s).
 */
export const HTTP_IDLE_TIMEOUT_MS = MAX_PULL_WAIT_MS + 10_000;
export const MAX_PULL_BATCH = 1024;

export class PullService {
  private readonly context: PullContext;

  constructor(context: PullContext) {
    this.context = context;
  }

  private replicatedOnly(topic: string) {
    return replicatedTopic(this.context, topic);
  }

  async pull(request: PullRequest): Promise<PullResult> {
    const span = this.context.observer?.pullStarted(request.topic);
    try {
      const result = await this.pullChecked(request, span);
      span?.ended(result.pullStatus, result.messages.length);
      return result;
    } catch (error) {
      span?.ended(error instanceof SkiffError ? error.code : "INTERNAL_ERROR", 0);
      throw error;
    }
  }

  private async pullChecked(request: PullRequest, span: PullSpan | undefined): Promise<PullResult> {
    const { metadata, store, longPoll } = this.context;
    const group = request.group ? await metadata.subscriptionGroups.findOrCreate(request.group) : undefined;
    if (request.group && !group) throw new SkiffError("SUBSCRIPTION_GROUP_NOT_EXIST", `subscription group ${request.group} does not exist`);
    if (group && !group.consumeEnable) throw new SkiffError("NO_PERMISSION", `subscription group no permission, ${group.groupName}`);
    const topicConfig = metadata.topics.get(request.topic) ?? this.replicatedOnly(request.topic);
    if (!topicConfig) throw new SkiffError("TOPIC_NOT_EXIST", `topic ${request.topic} does not exist`);
    if ((topicConfig.perm & Perm.READ) === 0) throw new SkiffError("NO_PERMISSION", `topic ${request.topic} is not readable (perm ${topicConfig.perm})`);
    if (request.queueId < 0 || request.queueId >= topicConfig.readQueueNums) {
      throw new SkiffError("BAD_REQUEST", `queueId ${request.queueId} is out of range: topic ${request.topic} has ${topicConfig.readQueueNums} read queues`);
    }
    const config = this.context.config();
    const isSlave = config.brokerRole === "SLAVE";
    if (request.group && request.commitOffset !== undefined && request.commitOffset >= 0 && !isSlave) {
      this.context.admin.commitConsumerOffset(request.group, request.topic, request.queueId, request.commitOffset);
    }
    const filter = tagFilter(request.tags);
    const read = async () => exactTags(await store.get({
      topic: request.topic, queueId: request.queueId, offset: request.offset, maxMsgNums: Math.min(request.max, MAX_PULL_BATCH), filter: filter?.byCode,
      consumerGroup: request.group,
    }), filter?.tags);
    let result = await read();
    const waitMs = Math.min(request.waitMs, MAX_PULL_WAIT_MS);
    if (waitMs > 0 && pullStatusOf(result.status, request.offset) === "NO_NEW_MSG") {
      const woke = span?.parked();
      await longPoll.wait(request.topic, request.queueId, waitMs, request.signal);
      woke?.();
      if (!request.signal?.aborted) result = await read();
    }
    let pullStatus = pullStatusOf(result.status, request.offset);
    let suggestWhichBrokerId = 0;
    if (config.slaveReadEnable) {
      const slow = group?.whichBrokerWhenConsumeSlowly ?? 1;
      suggestWhichBrokerId = result.suggestPullingFromSlave ? slow : (group?.brokerId ?? 0);
    }
    if (isSlave) {
      if (CORRECTED_BY_THE_STORE.has(result.status)) result = { ...result, nextBeginOffset: request.offset };
      if (pullStatus === "OFFSET_ILLEGAL") [pullStatus, suggestWhichBrokerId] = ["NO_MATCHED_MSG", group?.brokerId ?? 0];
    }
    return { ...result, pullStatus, suggestWhichBrokerId };
  }
}

/** Statuses whose nextBeginOffset is a correction (RocketMQ's `nextOffsetCorrection`), not applied on a slave. */
const CORRECTED_BY_THE_STORE: ReadonlySet<GetMessageStatus> = new Set([
  "NO_MESSAGE_IN_QUEUE", "NO_MATCHED_LOGIC_QUEUE", "OFFSET_TOO_SMALL", "OFFSET_OVERFLOW_BADLY", "OFFSET_FOUND_NULL",
]);

/**
 * On a slave, a topic whose messages were replicated before its config was synced (created on the
 * master less than one sync period ago, or the master died first) is still readable: its consume
 * queues say which queues exist.
 */
function replicatedTopic(context: PullContext, topic: string): { perm: number; readQueueNums: number } | undefined {
  if (context.config().brokerRole !== "SLAVE") return undefined;
  const queueIds = context.store.queueIdsOf(topic);
  if (queueIds.length === 0) return undefined;
  return { perm: Perm.READ, readQueueNums: Math.max(...queueIds) + 1 };
}

/** The client's view of a store status, for a pull at `offset` (see the table in the header). */
export function pullStatusOf(status: GetMessageStatus, offset: number): PullStatus {
  switch (status) {
    case "FOUND":
      return "FOUND";
    case "NO_MATCHED_MESSAGE":
    case "MESSAGE_WAS_REMOVING":
      return "NO_MATCHED_MSG";
    case "OFFSET_TOO_SMALL":
    case "OFFSET_OVERFLOW_BADLY":
      return "OFFSET_ILLEGAL";
    case "NO_MESSAGE_IN_QUEUE":
    case "NO_MATCHED_LOGIC_QUEUE":
      return offset === 0 ? "NO_NEW_MSG" : "OFFSET_ILLEGAL";
    case "OFFSET_OVERFLOW_ONE":
    case "OFFSET_FOUND_NULL":
      return "NO_NEW_MSG";
  }
}

/** RocketMQ's subscription expression: `*` (or nothing) for all, else `TagA || TagB`. */
export function parseSubscription(expression: string | undefined): string[] | undefined {
  if (expression === undefined) return undefined;
  const tags = expression.split("||").map((t) => t.trim()).filter((t) => t.length > 0);
  return tags.length === 0 || tags.includes("*") ? undefined : tags;
}

function tagFilter(tags: readonly string[] | undefined) {
  if (!tags) return undefined;
  const codes = new Set(tags.map((tag) => tagsCode(tag)));
  return { tags: new Set(tags), byCode: (entry: { tagsCode: number }) => codes.has(entry.tagsCode) };
}

/** Drops messages whose tag only shares the hash of a wanted one (they still count as examined). */
function exactTags(result: GetMessageResult, tags: ReadonlySet<string> | undefined): GetMessageResult {
  if (!tags || result.messages.length === 0) return result;
  const messages = result.messages.filter((m) => {
    const record = decodeMessageRecord(m.bytes, 0, { readBody: false });
    return record.kind === "message" && tags.has(decodeProperties(record.properties).get(MessageConst.TAGS) ?? "");
  });
  if (messages.length === result.messages.length) return result;
  return { ...result, messages, status: messages.length > 0 ? "FOUND" : "NO_MATCHED_MESSAGE" };
}
