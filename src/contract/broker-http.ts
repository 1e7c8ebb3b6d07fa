/**
 * The broker's HTTP API as it travels (DESIGN §1.3, §1.4): the JSON bodies, the send and pull
 * statuses, the pull answer's `x-rocketmq-*` headers and the binary media types. Declared once,
 * here, and imported by the server (src/http/broker, src/broker) and by the client (src/client),
 * which stays a standalone `fetch` library: this file imports nothing, and holds types plus a few
 * `as const` values the client needs at run time.
 *
 *   POST /topics/{topic}/messages   SendMessageJson | SendBatchJson | binary batch (BATCH_CONTENT_TYPE)
 *                                   → SendResult (one message) | SendBatchResult (a batch)
 *   GET  /topics/{topic}/queues/{queueId}/messages
 *                                   → PullAnswerJson, or with `Accept: RECORDS_CONTENT_TYPE` the stored
 *                                     records concatenated, the status in PULL_HEADERS
 *   GET  /messages?topic=&key=&maxNum=&begin=&end=   → KeyQueryAnswerJson (messages by KEYS word or UNIQ_KEY),
 *                                     or with `Accept: RECORDS_CONTENT_TYPE` the records, the rest in QUERY_HEADERS
 *   GET  /messages/{msgId}?topic=   → MessageJson (by offsetMsgId or UNIQ_KEY; 404 MESSAGE_NOT_FOUND),
 *                                     or with `Accept: RECORDS_CONTENT_TYPE` the one stored record
 *   GET  /topics/{topic}/queues/{queueId}/offset?timestamp=   → QueueOffsetAtJson
 *   GET/PUT /consumer-offsets/{group}/{topic}/{queueId}   ConsumerOffsetJson (-1: nothing committed)
 *   GET  /broker/status             BrokerStatusJson (RocketMQ's runtime table, as `mqadmin brokerStatus`)
 *   GET  /topics/{topic}/status     TopicStatusJson (per queue min/max offset, as `mqadmin topicStatus`)
 *   GET  /consumer-groups/{group}/progress?topic=   ConsumerProgressJson (lag per queue, as `consumerProgress`)
 *   POST /consumer-groups/{group}/reset-offset      ResetOffsetBody → ResetOffsetJson
 *   PUT  /topics/{topic}            TopicConfigBody
 *   PUT  /subscription-groups/{group}  SubscriptionGroupBody
 *   errors                          ErrorBody (error-body.ts)
 */

/** RocketMQ's batch encoding (codec/batch.ts), as a send body; `?queueId=` picks the queue. */
export const BATCH_CONTENT_TYPE = "application/x-rocketmq-batch";
/** The stored commit-log records, concatenated, as a pull answer (ask with `Accept`). */
export const RECORDS_CONTENT_TYPE = "application/x-rocketmq-messages";

/** One message as JSON: exactly one of `body` (UTF-8 text) and `bodyBase64`. */
export interface SendMessageJson {
  readonly body?: string;
  readonly bodyBase64?: string;
  readonly tags?: string;
  /** Several keys are stored joined by a space (RocketMQ's KEY_SEPARATOR). */
  readonly keys?: string | readonly string[];
  readonly properties?: Readonly<Record<string, string>>;
  /** The queue on the broker; by default the broker picks one round-robin. */
  readonly queueId?: number;
  readonly flag?: number;
  /** RocketMQ's delay level (1 = 1 s, 2 = 5 s, … as `messageDelayLevel`). */
  readonly delayLevel?: number;
  /** false: answer without waiting for the flush or the slave (RocketMQ's WAIT property). */
  readonly wait?: boolean;
}

/** A JSON batch: one queue for all, at most 1024 messages. */
export interface SendBatchJson {
  readonly messages: readonly SendMessageJson[];
}

/** RocketMQ 4.9's SendStatus; every one means the message is stored (README "Send statuses"). */
export const SEND_STATUSES = ["SEND_OK", "FLUSH_DISK_TIMEOUT", "FLUSH_SLAVE_TIMEOUT", "SLAVE_NOT_AVAILABLE"] as const;
export type SendStatus = (typeof SEND_STATUSES)[number];

/** Which message, and where it is stored: in a send's answer and in every pulled message. */
export interface MessageLocation {
  /**
   * The message's UNIQ_KEY (what RocketMQ's SendResult calls msgId); a pulled message without one
   * (a record written by other producers) has its offsetMsgId here, as RocketMQ's clients.
   */
  readonly msgId: string;
  /** Store host + commit-log offset, as 32 hex digits. */
  readonly offsetMsgId: string;
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
}

export interface SendResult extends MessageLocation {
  /** Anything but SEND_OK still means stored. */
  readonly status: SendStatus;
}

/** The answer to a batch, JSON or binary: one result per message, in order. */
export interface SendBatchResult {
  readonly results: readonly SendResult[];
}

/** The client's view of a pull (RocketMQ's PullStatus): what to do next. */
export const PULL_STATUSES = ["FOUND", "NO_NEW_MSG", "NO_MATCHED_MSG", "OFFSET_ILLEGAL"] as const;
export type PullStatus = (typeof PULL_STATUSES)[number];

/** What every pull answer says besides its messages: JSON fields, or headers (PULL_HEADERS). */
export interface PullAnswerStatus {
  /** The store's status (RocketMQ's GetMessageStatus: FOUND, OFFSET_OVERFLOW_ONE, …). */
  readonly status: string;
  readonly pullStatus: PullStatus;
  /** Where the next pull starts (also after OFFSET_ILLEGAL: RocketMQ moves there). */
  readonly nextBeginOffset: number;
  readonly minOffset: number;
  readonly maxOffset: number;
  /** 0: pull from the master next time; 1 (or another id): from that slave (spec §6). */
  readonly suggestWhichBrokerId: number;
}

/** The headers of a raw-records pull answer: each PullAnswerStatus field, and the record count. */
export const PULL_HEADERS = {
  status: "x-rocketmq-status",
  pullStatus: "x-rocketmq-pull-status",
  nextBeginOffset: "x-rocketmq-next-begin-offset",
  minOffset: "x-rocketmq-min-offset",
  maxOffset: "x-rocketmq-max-offset",
  suggestWhichBrokerId: "x-rocketmq-suggest-which-broker-id",
  messageCount: "x-rocketmq-message-count",
} as const;

/** The headers of a raw-records key query answer (KeyQueryAnswerJson's fields, and the record count). */
export const QUERY_HEADERS = {
  indexLastUpdateTimestamp: "x-rocketmq-index-last-update-timestamp",
  indexLastUpdatePhyoffset: "x-rocketmq-index-last-update-phyoffset",
  messageCount: PULL_HEADERS.messageCount,
} as const;

/** A pulled message as both answer forms carry it, the body aside. */
export interface PulledMessageFields extends MessageLocation {
  readonly bornTimestamp: number;
  readonly storeTimestamp: number;
  readonly reconsumeTimes: number;
  readonly flag: number;
  readonly tags?: string;
  readonly keys?: string;
  /** Every stored property, the system ones (UNIQ_KEY, CLUSTER, TAGS, KEYS, …) included. */
  readonly properties: Readonly<Record<string, string>>;
}

/** A pulled message in the JSON answer. */
export interface MessageJson extends PulledMessageFields {
  readonly sysFlag: number;
  readonly bodyBase64: string;
}

export interface PullAnswerJson extends PullAnswerStatus {
  readonly messages: readonly MessageJson[];
}

/**
 * GET /messages: the messages of `topic` whose KEYS hold `key` or whose UNIQ_KEY is `key`, stored
 * in [begin, end] ms (default: any time), at most `maxNum` (1–64, default 64), oldest first, from
 * the message index; `indexLastUpdate*` are the newest index file's end (0: no hit), as in
 * RocketMQ's QUERY_MESSAGE answer.
 */
export interface KeyQueryAnswerJson {
  readonly indexLastUpdateTimestamp: number;
  readonly indexLastUpdatePhyoffset: number;
  readonly messages: readonly MessageJson[];
}

/** `POST /admin/delete-expired-commitlog`: how many retention passes now delete expired segments whatever the hour (20). */
export interface DeleteExpiredCommitLogJson {
  readonly manualPasses: number;
}

/**
 * The first queue offset whose message was stored at or after `timestamp` (ms since the epoch);
 * the queue's max offset when none was (RocketMQ's SEARCH_OFFSET_BY_TIMESTAMP).
 */
export interface QueueOffsetAtJson {
  readonly timestamp: number;
  readonly offset: number;
}

/** GET answer and PUT body of a consumer offset: the next offset to consume (-1: none committed). */
export interface ConsumerOffsetJson {
  readonly offset: number;
}

/** GET /broker/status: RocketMQ's runtime table (`mqadmin brokerStatus` keys and value formats). */
export interface BrokerStatusJson {
  readonly brokerName: string;
  readonly brokerId: number;
  readonly brokerRole: string;
  readonly table: Readonly<Record<string, string>>;
}

/** GET /topics/{topic}/status: every queue of the topic (below max(read, write) queue count). */
export interface TopicStatusJson {
  readonly topic: string;
  readonly queues: ReadonlyArray<{
    readonly queueId: number;
    readonly minOffset: number;
    readonly maxOffset: number;
    /** Store time of the queue's last message; 0 for an empty queue. */
    readonly lastUpdateTimestamp: number;
  }>;
}

/**
 * GET /consumer-groups/{group}/progress: per readable queue of each topic the group has offsets
 * for (or of `?topic=`): the queue's end, the committed offset (0 when none) and their difference.
 */
export interface ConsumerProgressJson {
  readonly group: string;
  /** Messages read by the group per second over the last minute. */
  readonly consumeTps: number;
  readonly totalLag: number;
  /** Consumers of the group connected over RocketMQ's remoting protocol (heartbeats). */
  readonly onlineConsumers: number;
  readonly queues: ReadonlyArray<{
    readonly topic: string;
    readonly queueId: number;
    readonly brokerOffset: number;
    readonly consumerOffset: number;
    readonly lag: number;
    /** Store time of the last consumed message; 0 when none. */
    readonly lastTimestamp: number;
  }>;
}

/**
 * POST /consumer-groups/{group}/reset-offset: moves the group's committed offset of every queue of
 * `topic` to the first message stored at or after `timestamp` (ms; 0: the queues' first message,
 * a time in the future: their end). Refused (409 CONSUMER_GROUP_ONLINE) while consumers of the
 * group are connected: they keep their own positions and would commit over the reset.
 */
export interface ResetOffsetBody {
  readonly topic: string;
  readonly timestamp: number;
}

export interface ResetOffsetJson {
  readonly group: string;
  readonly topic: string;
  readonly queues: ReadonlyArray<{ readonly queueId: number; readonly previousOffset: number; readonly offset: number }>;
}

/** PUT /topics/{topic}: queue counts 1–1024, `perm` RocketMQ's bits (default 6, read + write). */
export interface TopicConfigBody {
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  readonly perm?: number;
  readonly order?: boolean;
}

/** PUT /subscription-groups/{group}: the fields to change, Java's defaults for the others. */
export interface SubscriptionGroupBody {
  readonly consumeEnable?: boolean;
  readonly consumeFromMinEnable?: boolean;
  readonly consumeBroadcastEnable?: boolean;
  readonly retryQueueNums?: number;
  readonly retryMaxTimes?: number;
  readonly brokerId?: number;
  readonly whichBrokerWhenConsumeSlowly?: number;
  readonly notifyConsumerIdsChangedEnable?: boolean;
}
