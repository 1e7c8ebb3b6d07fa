/**
 * Registrations for name server tests: a master (id 0) and a slave (id 1) of broker-a in
 * DefaultCluster with Skiff's default ports (remoting, HA and HTTP addresses), and a builder for
 * anything else (`registration()` has no HTTP address, as an Apache RocketMQ broker's).
 */
import type { BrokerRegistration, TopicQueueConfig } from "../../src/contract/namesrv-http.ts";

export const MASTER_ADDR = "127.0.0.1:10911";
export const MASTER_HA_ADDR = "127.0.0.1:10912";
export const SLAVE_ADDR = "127.0.0.1:11911";
export const SLAVE_HA_ADDR = "127.0.0.1:11912";
export const MASTER_HTTP_ADDR = "127.0.0.1:10913";
export const SLAVE_HTTP_ADDR = "127.0.0.1:11913";

/** The registration answers: for a master (and a slave whose master is not there), and for a slave of master(). */
export const NO_MASTER = { masterAddr: null, haServerAddr: null, masterHttpAddr: null };
export const MASTER_RESULT = { masterAddr: MASTER_ADDR, haServerAddr: MASTER_HA_ADDR, masterHttpAddr: MASTER_HTTP_ADDR };

export const TOPIC_TEST: TopicQueueConfig = { readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 };

type Overrides = Partial<Omit<BrokerRegistration, "topicConfig">> & {
  topics?: Record<string, TopicQueueConfig>;
  counter?: number;
};

export function registration(overrides: Overrides = {}): BrokerRegistration {
  const { topics = { TopicTest: TOPIC_TEST }, counter = 1, ...fields } = overrides;
  return {
    clusterName: "DefaultCluster",
    brokerName: "broker-a",
    brokerId: 0,
    brokerAddr: MASTER_ADDR,
    haServerAddr: MASTER_HA_ADDR,
    ...fields,
    topicConfig: { dataVersion: { counter, timestamp: 1_700_000_000_000 }, topicConfigTable: topics },
  };
}

export function master(overrides: Overrides = {}): BrokerRegistration {
  return registration({ httpAddr: MASTER_HTTP_ADDR, ...overrides });
}

export function slave(overrides: Overrides = {}): BrokerRegistration {
  return registration({ brokerId: 1, brokerAddr: SLAVE_ADDR, haServerAddr: SLAVE_HA_ADDR, httpAddr: SLAVE_HTTP_ADDR, ...overrides });
}
