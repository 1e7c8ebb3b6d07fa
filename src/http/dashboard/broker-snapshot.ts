/**
 * One broker's dashboard snapshot (contract/dashboard.ts): role and replication view, traffic
 * totals, topics and consumer-group lag, read in one synchronous step from the broker's services
 * (no disk read, no await), so the figures describe one moment and cost no I/O however often the
 * page polls.
 *
 * Bounded: at most DASHBOARD_TOPICS_MAX topics and DASHBOARD_GROUPS_MAX groups (by name; the rest
 * counted in `…Omitted`), each group with at most DASHBOARD_GROUP_TOPICS_MAX topics, so the work
 * and the answer's size do not grow with the metadata (≤ 100 × 1024 queue reads for topics,
 * ≤ 100 × 16 × 1024 for lags, each an in-memory offset lookup).
 *
 * Lag follows `consumerProgress` (admin-stats.ts): per readable queue, the queue's max offset minus
 * the committed offset (0 when none), never negative.
 */
import type { BrokerSnapshotJson } from "../../contract/dashboard.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";
import { isSystemTopic } from "../../metadata/topic-config.ts";

export const DASHBOARD_TOPICS_MAX = 100;
export const DASHBOARD_GROUPS_MAX = 100;
export const DASHBOARD_GROUP_TOPICS_MAX = 16;

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function brokerSnapshot(runtime: BrokerRuntime): BrokerSnapshotJson {
  const config = runtime.config();
  const { store, metadata, clock } = runtime;
  const ha = runtime.haStatus();
  const traffic = store.traffic;

  const topicNames = metadata.topics.all().map((t) => t.topicName).filter((name) => !isSystemTopic(name, config)).sort(byText);
  const topics = topicNames.slice(0, DASHBOARD_TOPICS_MAX).map((topic) => {
    const topicConfig = metadata.topics.get(topic)!;
    const queues = Math.max(topicConfig.readQueueNums, topicConfig.writeQueueNums);
    let messages = 0;
    let maxOffsetSum = 0;
    for (let queueId = 0; queueId < queues; queueId++) {
      const max = store.maxOffsetInQueue(topic, queueId);
      maxOffsetSum += max;
      messages += Math.max(0, max - store.minOffsetInQueue(topic, queueId));
    }
    return { topic, queues, messages, maxOffsetSum };
  });

  const topicsByGroup = new Map<string, string[]>();
  for (const { topic, group } of metadata.consumerOffsets.pairs()) {
    const list = topicsByGroup.get(group) ?? [];
    if (list.length === 0) topicsByGroup.set(group, list);
    list.push(topic);
  }
  const groupNames = [...topicsByGroup.keys()].sort(byText);
  const groups = groupNames.slice(0, DASHBOARD_GROUPS_MAX).map((group) => {
    const known = topicsByGroup.get(group)!.filter((topic) => metadata.topics.get(topic) !== undefined).sort(byText);
    const groupTopics = known.slice(0, DASHBOARD_GROUP_TOPICS_MAX).map((topic) => {
      const readQueues = metadata.topics.get(topic)!.readQueueNums;
      let lag = 0;
      let consumerOffsetSum = 0;
      for (let queueId = 0; queueId < readQueues; queueId++) {
        const committed = Math.max(0, metadata.consumerOffsets.query(group, topic, queueId));
        consumerOffsetSum += committed;
        lag += Math.max(0, store.maxOffsetInQueue(topic, queueId) - committed);
      }
      return { topic, lag, consumerOffsetSum };
    });
    const consumeTps = groupTopics.reduce((sum, t) => sum + traffic.groupGetTps(`${t.topic}@${group}`), 0);
    return {
      group,
      lag: groupTopics.reduce((sum, t) => sum + t.lag, 0),
      consumeTps,
      onlineConsumers: runtime.clients.consumerIds(group).length,
      topics: groupTopics,
      topicsOmitted: known.length - groupTopics.length,
    };
  });

  return {
    clusterName: config.brokerClusterName,
    brokerName: config.brokerName,
    brokerId: config.brokerId,
    role: config.brokerRole,
    sampledAt: clock.now(),
    monotonicMs: clock.monotonicMs(),
    bootTimestamp: traffic.bootTimestamp,
    problems: store.ioProblems().map((p) => p.code),
    ha: {
      maxPhyOffset: ha.maxPhyOffset,
      masterAddress: ha.masterAddress ?? null,
      connectedToMaster: ha.connectedToMaster === true,
      slaves: ha.slaves.map(({ address, ackOffset, lagBytes }) => ({ address, ackOffset, lagBytes })),
      divergence: ha.divergence?.reason ?? null,
    },
    traffic: { putMessages: traffic.putMessages, putBytes: traffic.putBytes, getMessages: traffic.getTransferred },
    topics,
    topicsOmitted: topicNames.length - topics.length,
    groups,
    groupsOmitted: groupNames.length - groups.length,
  };
}
