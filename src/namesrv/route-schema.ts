/**
 * zod schemas for the name server's JSON: the registration body the app accepts, and the answers
 * the broker-side client accepts back. Every string and number is bounded, so a body that passes
 * can be stored as is: names up to 255 characters (RocketMQ caps topics at 127; the broker's own
 * system topics are named after its cluster and broker names, so those share one bound),
 * addresses as Java's `string2SocketAddress` reads them, queue counts up to 65535, perm 0–15.
 * Unknown fields (a topic's `order`, `topicFilterType`, `attributes`, …) are accepted and dropped.
 */
import { z } from "zod";
import { isHostPort } from "../config/fields.ts";

export const NAME_LENGTH_MAX = 255;
/** RocketMQ's `brokerId` is a long; anything past 2^31 is surely a mistake. */
export const BROKER_ID_MAX = 2_147_483_647;

const name = z.string().min(1, "must not be empty").max(NAME_LENGTH_MAX);
const address = z.string().max(NAME_LENGTH_MAX + 6).refine(isHostPort, "must be host:port, for example 127.0.0.1:10911");
const count = z.int().min(0).max(65535);

export const brokerIdSchema = z.int().min(0, "must be >= 0 (0 is the master, a slave is > 0)").max(BROKER_ID_MAX);

export const dataVersionSchema = z.object({
  counter: z.int(),
  timestamp: z.int(),
  stateVersion: z.int().optional(),
});

export const topicQueueConfigSchema = z.object({
  readQueueNums: count,
  writeQueueNums: count,
  perm: z.int().min(0).max(15),
  topicSysFlag: z.int().min(0).max(255).optional(),
});

export const registrationSchema = z.object({
  clusterName: name,
  brokerName: name,
  brokerId: brokerIdSchema,
  brokerAddr: address,
  haServerAddr: address,
  httpAddr: address.optional(),
  topicConfig: z.object({
    dataVersion: dataVersionSchema,
    topicConfigTable: z.record(name, topicQueueConfigSchema),
  }),
});

export const registerResultSchema = z.object({
  masterAddr: address.nullable(),
  haServerAddr: address.nullable(),
  masterHttpAddr: address.nullable().optional(),
});

export const routeSchema = z.object({
  brokerDatas: z.array(z.object({
    cluster: name,
    brokerName: name,
    brokerAddrs: z.record(z.string().regex(/^\d+$/), address),
    brokerHttpAddrs: z.record(z.string().regex(/^\d+$/), address).optional(),
  })),
  queueDatas: z.array(z.object({ brokerName: name, readQueueNums: count, writeQueueNums: count, perm: z.int(), topicSysFlag: z.int() })),
});

export const unregisterResultSchema = z.object({ removed: z.boolean() });

