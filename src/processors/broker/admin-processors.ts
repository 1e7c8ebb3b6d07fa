/**
 * The broker's admin request codes, the ones `mqadmin` (4.9.7 and 5.3.3 tools) sends to a broker
 * (spec §3.4, §5.12), as one table for the lead to compose with the other processor tables:
 *
 * | codes              | file                             | mqadmin commands                                  |
 * |--------------------|----------------------------------|---------------------------------------------------|
 * | 17, 215, 351       | topic-admin-processors.ts        | updateTopic, deleteTopic; 5.x topicStatus, consumerProgress |
 * | 28, 202, 208, 300  | stats-processors.ts              | clusterList, brokerStatus, topicStatus, consumerProgress, queryMsgById |
 * | 33, 12             | message-admin-processors.ts      | queryMsgById, queryMsgByKey, queryMsgByUniqueKey  |
 * | 25, 26             | config-processors.ts             | updateBrokerConfig, getBrokerConfig               |
 * | 329                | retention-processors.ts          | deleteExpiredCommitLog                            |
 *
 * Not here: 29/30/31/32 (queue offsets and times) and 203 (consumer connections), which belong to
 * the client-facing tables. `subscriptions` is the broker's table of online consumers (heartbeats),
 * optional: without it, "who consumes" and consume stats go by committed offsets alone.
 */
import { AdminStats, type ConsumerSubscriptionLookup } from "../../broker/admin-stats.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";
import type { RemotingProcessor } from "../../remoting/remoting-server.ts";
import { configProcessors } from "./config-processors.ts";
import { retentionProcessors } from "./retention-processors.ts";
import { messageAdminProcessors } from "./message-admin-processors.ts";
import { statsProcessors } from "./stats-processors.ts";
import { topicAdminProcessors } from "./topic-admin-processors.ts";

export interface AdminProcessorDeps {
  readonly runtime: BrokerRuntime;
  readonly subscriptions?: ConsumerSubscriptionLookup;
}

export function adminProcessors(deps: AdminProcessorDeps): ReadonlyArray<readonly [number, RemotingProcessor]> {
  const { runtime } = deps;
  const stats = new AdminStats({ config: runtime.config, store: runtime.store, metadata: runtime.metadata, subscriptions: deps.subscriptions });
  return [
    ...topicAdminProcessors(runtime),
    ...statsProcessors(runtime, stats),
    ...messageAdminProcessors(runtime),
    ...configProcessors(runtime),
    ...retentionProcessors(runtime),
  ];
}
