/**
 * The check the name server applies to what a broker's `GET /dashboard/data` answers, before the
 * answer reaches a browser: the shape of contract/dashboard.ts (a compile-time tie), strings and
 * lists with caps, unknown fields dropped. A broker of another Skiff version, or something else
 * at a registered address, is then reported as one line rather than passed through.
 */
import { z } from "zod";
import type { BrokerDashboardJson } from "../../contract/dashboard.ts";
import { DASHBOARD_GROUP_TOPICS_MAX, DASHBOARD_GROUPS_MAX, DASHBOARD_TOPICS_MAX } from "./broker-snapshot.ts";

const name = z.string().max(255);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const rate = z.number().min(0).max(Number.MAX_SAFE_INTEGER);
/** A master's slaves are its HA connections; far fewer in practice, this only caps the answer. */
const SLAVES_MAX = 256;

const snapshot = z.object({
  clusterName: name,
  brokerName: name,
  brokerId: count,
  role: z.enum(["ASYNC_MASTER", "SYNC_MASTER", "SLAVE"]),
  sampledAt: count,
  monotonicMs: z.number().min(0),
  bootTimestamp: count,
  problems: z.array(name).max(16),
  ha: z.object({
    maxPhyOffset: count,
    masterAddress: name.nullable(),
    connectedToMaster: z.boolean(),
    slaves: z.array(z.object({ address: name, ackOffset: z.number().int().min(-1), lagBytes: count })).max(SLAVES_MAX),
    divergence: z.string().max(4096).nullable(),
  }),
  traffic: z.object({ putMessages: count, putBytes: count, getMessages: count }),
  topics: z.array(z.object({ topic: name, queues: count, messages: count, maxOffsetSum: count })).max(DASHBOARD_TOPICS_MAX),
  topicsOmitted: count,
  groups: z.array(z.object({
    group: name,
    lag: count,
    consumeTps: rate,
    onlineConsumers: count,
    topics: z.array(z.object({ topic: name, lag: count, consumerOffsetSum: count })).max(DASHBOARD_GROUP_TOPICS_MAX),
    topicsOmitted: count,
  })).max(DASHBOARD_GROUPS_MAX),
  groupsOmitted: count,
});

export const brokerDashboardSchema: z.ZodType<BrokerDashboardJson> = z.object({ source: z.literal("broker"), broker: snapshot });
