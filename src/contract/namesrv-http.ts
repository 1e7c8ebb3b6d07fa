/**
 * The name server's HTTP API as it travels (DESIGN §1.7): what brokers register and get back, the
 * topic routes clients read, the cluster view. Declared once, here, and imported by the name server
 * (route table, app), the broker's registration clients (HTTP and remoting) and the client
 * (src/client/route.ts); types only, and MASTER_ID. Shapes follow RocketMQ's `RegisterBrokerBody`,
 * `RegisterBrokerResult` and `TopicRouteData` (spec §7 and §9), in JSON with string map keys:
 *
 *   register  {"clusterName":"DefaultCluster","brokerName":"broker-a","brokerId":1,
 *              "brokerAddr":"127.0.0.1:11911","haServerAddr":"127.0.0.1:11912","httpAddr":"127.0.0.1:11913",
 *              "topicConfig":{"dataVersion":{"counter":3,"timestamp":1700000000000},
 *                             "topicConfigTable":{"TopicTest":{"readQueueNums":4,"writeQueueNums":4,"perm":6,"topicSysFlag":0}}}}
 *   result    {"masterAddr":"127.0.0.1:10911","haServerAddr":"127.0.0.1:10912","masterHttpAddr":"127.0.0.1:10913"}
 *             (nulls for a master; masterHttpAddr null for a master that registered no httpAddr)
 *   route     {"brokerDatas":[{"cluster":"DefaultCluster","brokerName":"broker-a","brokerAddrs":{"0":"…","1":"…"},
 *                              "brokerHttpAddrs":{"0":"…","1":"…"}}],
 *              "queueDatas":[{"brokerName":"broker-a","readQueueNums":4,"writeQueueNums":4,"perm":6,"topicSysFlag":0}]}
 *
 * Three addresses per broker: `brokerAddr` (`brokerIP1:listenPort`, RocketMQ's remoting: what
 * RocketMQ clients dial), `haServerAddr` (`brokerIP2:haListenPort`, where slaves connect for the
 * commit log) and, for a Skiff broker, `httpAddr` (`brokerIP1:httpListenPort`, Skiff's HTTP API:
 * what Skiff's fetch client and a Skiff slave's metadata sync dial). A RocketMQ broker has no httpAddr.
 *
 *   POST /brokers → RegisterBrokerResult · GET /routes/{topic} → TopicRouteData · GET /cluster → ClusterInfo
 */

/** RocketMQ's `MixAll.MASTER_ID`. */
export const MASTER_ID = 0;

export interface DataVersionJson {
  readonly counter: number;
  readonly timestamp: number;
  readonly stateVersion?: number;
}

/** The fields of a broker's `TopicConfig` that the name server keeps (others are ignored). */
export interface TopicQueueConfig {
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  readonly perm: number;
  readonly topicSysFlag?: number;
}

export interface TopicConfigWrapper {
  readonly dataVersion: DataVersionJson;
  readonly topicConfigTable: Readonly<Record<string, TopicQueueConfig>>;
}

export interface BrokerKey {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerId: number;
}

export interface BrokerRegistration extends BrokerKey {
  /** `brokerIP1:listenPort`, the broker's remoting address (RocketMQ clients dial it). */
  readonly brokerAddr: string;
  /** `brokerIP2:haListenPort`, where slaves connect for the commit log. */
  readonly haServerAddr: string;
  /** `brokerIP1:httpListenPort`, Skiff's HTTP API; absent for a broker without one. */
  readonly httpAddr?: string;
  readonly topicConfig: TopicConfigWrapper;
}

/** For a slave whose master is registered and live: the master's addresses; nulls otherwise. */
export interface RegisterBrokerResult {
  /** The master's remoting address (`brokerAddr`). */
  readonly masterAddr: string | null;
  readonly haServerAddr: string | null;
  /** The master's HTTP API (`httpAddr`); null when unknown (also absent from a RocketMQ name server's answer). */
  readonly masterHttpAddr?: string | null;
}

export interface BrokerData {
  readonly cluster: string;
  readonly brokerName: string;
  /** brokerId (as a decimal string) → remoting `host:port`. */
  readonly brokerAddrs: Readonly<Record<string, string>>;
  /** brokerId → HTTP `host:port`, for the brokers that registered one (Skiff's); absent from RocketMQ's routes. */
  readonly brokerHttpAddrs?: Readonly<Record<string, string>>;
}

export interface QueueData {
  readonly brokerName: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  readonly perm: number;
  readonly topicSysFlag: number;
}

export interface TopicRouteData {
  readonly brokerDatas: readonly BrokerData[];
  readonly queueDatas: readonly QueueData[];
}

/** One registered broker as `cluster()`, expiry and unregistration report it. */
export interface BrokerInfo extends BrokerKey {
  readonly brokerAddr: string;
  readonly haServerAddr: string;
  readonly httpAddr?: string;
  /** Wall-clock milliseconds of the last registration. */
  readonly lastUpdateTimestamp: number;
  readonly dataVersion: DataVersionJson;
}

export interface ClusterInfo {
  readonly clusters: {
    readonly clusterName: string;
    readonly brokerGroups: { readonly brokerName: string; readonly brokers: BrokerInfo[] }[];
  }[];
  readonly brokerCount: number;
  readonly topicCount: number;
}
