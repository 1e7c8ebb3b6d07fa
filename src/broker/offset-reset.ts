/**
 * Resetting a consumer group's offsets to a point in time (`skiff admin resetOffsetByTime`, in the
 * spirit of mqadmin's and of Kafka's `--reset-offsets --to-datetime`): every readable queue of the
 * topic gets, as the group's committed offset, the first queue offset stored at or after the time
 * (queue-lookup.ts: 0 or earlier → the queue's first held message, a future time → its end).
 *
 * Only while the group is offline. A connected consumer keeps its own position in memory and
 * commits it every few seconds, which would undo the reset; RocketMQ's broker pushes the new
 * offsets to its Java consumers (RESET_CONSUMER_CLIENT_OFFSET), which Skiff does not do (yet), so
 * it refuses, as Kafka does for an active group: CONSUMER_GROUP_ONLINE names how many are
 * connected. Skiff's HTTP PullConsumer reads the committed offset when it starts consuming.
 * Master only (offsets reach slaves by metadata sync).
 */
import { SkiffError } from "../core/errors.ts";
import type { BrokerConfig } from "../config/broker-config.ts";
import type { Metadata } from "../metadata/metadata.ts";
import type { ResetOffsetJson } from "../contract/broker-http.ts";

export interface OffsetResetDeps {
  readonly config: () => BrokerConfig;
  readonly metadata: Metadata;
  readonly store: {
    searchOffsetByTimestamp(topic: string, queueId: number, timestampMs: number): Promise<number>;
  };
  /** How many consumers of the group are connected now. */
  onlineConsumers(group: string): number;
}

export async function resetOffsetsToTime(deps: OffsetResetDeps, group: string, topic: string, timestampMs: number): Promise<ResetOffsetJson> {
  if (deps.config().brokerRole === "SLAVE") {
    throw new SkiffError("NOT_MASTER", "this broker is a slave: reset offsets on its master, they reach the slave by sync");
  }
  const config = deps.metadata.topics.get(topic);
  if (!config) throw new SkiffError("TOPIC_NOT_EXIST", `topic ${topic} does not exist`);
  const online = deps.onlineConsumers(group);
  if (online > 0) {
    throw new SkiffError("CONSUMER_GROUP_ONLINE", `group ${group} has ${online} consumer(s) connected: stop them first (they would commit their own positions over the reset)`);
  }
  const offsets = deps.metadata.consumerOffsets;
  const queues = [];
  for (let queueId = 0; queueId < config.readQueueNums; queueId++) {
    const offset = await deps.store.searchOffsetByTimestamp(topic, queueId, timestampMs);
    queues.push({ queueId, previousOffset: offsets.query(group, topic, queueId), offset });
  }
  for (const { queueId, offset } of queues) offsets.commit(group, topic, queueId, offset);
  return { group, topic, queues };
}
