/**
 * Every error code Skiff throws (`SkiffError`) or answers (`{"error":{"code"}}`), in one typed list:
 * `SkiffError`'s `code` is an `ErrorCode`, so a misspelt or unlisted code fails `tsc`, and the HTTP
 * status of each one is in one total table (`HTTP_STATUS_BY_CODE`, src/http/errors.ts).
 *
 * Two families are not listed because they carry a number from a peer (`PeerErrorCode`):
 * `REMOTING_<code>` (a RocketMQ name server's response code other than SUCCESS) and
 * `HTTP_<status>` (an error answer without Skiff's JSON error body). A test checks that every code
 * below is thrown or answered somewhere in src/.
 */

export const ErrorCode = {
  // Requests (HTTP edge)
  /** Input that fails validation: a bad field, query parameter or JSON body. */
  BAD_REQUEST: "BAD_REQUEST",
  /** A request body larger than the route's limit. */
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  /** A Content-Type the route does not accept. */
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  /** The client closed its connection before its request body was read. */
  CLIENT_CLOSED_REQUEST: "CLIENT_CLOSED_REQUEST",
  /** No route for this path. */
  NOT_FOUND: "NOT_FOUND",
  /** The path exists, for other methods (the answer's `Allow` header names them). */
  METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
  /** A bug: the details are in the log, never in the answer. */
  INTERNAL_ERROR: "INTERNAL_ERROR",

  // Messages (codecs and the send path)
  /** A message the store refuses as a whole (no input, a delayed message in a batch). */
  MESSAGE_ILLEGAL: "MESSAGE_ILLEGAL",
  /** A topic that is empty or has characters outside ^[%|a-zA-Z0-9_-]+$. */
  TOPIC_ILLEGAL: "TOPIC_ILLEGAL",
  /** A topic longer than 127 characters. */
  TOPIC_TOO_LONG: "TOPIC_TOO_LONG",
  /** A queue id outside 0..65534. */
  QUEUE_ID_ILLEGAL: "QUEUE_ID_ILLEGAL",
  /** A property key or value that cannot round-trip (empty, or holding a separator). */
  PROPERTIES_ILLEGAL: "PROPERTIES_ILLEGAL",
  /** Properties longer than 32767 UTF-8 bytes. */
  PROPERTIES_SIZE_EXCEEDED: "PROPERTIES_SIZE_EXCEEDED",
  /** A body longer than maxMessageSize. */
  BODY_SIZE_EXCEEDED: "BODY_SIZE_EXCEEDED",
  /** A record or batch larger than maxMessageSize + 64 KiB, or than a commit-log segment. */
  MESSAGE_SIZE_EXCEEDED: "MESSAGE_SIZE_EXCEEDED",
  /** A malformed RocketMQ batch body. */
  BATCH_ILLEGAL: "BATCH_ILLEGAL",
  /** A batch of more than 1024 messages. */
  BATCH_TOO_LARGE: "BATCH_TOO_LARGE",
  /** Text that is not an offsetMsgId. */
  MESSAGE_ID_ILLEGAL: "MESSAGE_ID_ILLEGAL",

  // Bytes and addresses (small codecs)
  /** A 64-bit field outside the safe-integer range. */
  INT64_UNSAFE: "INT64_UNSAFE",
  /** Hex text of odd length or with a bad digit. */
  HEX_ILLEGAL: "HEX_ILLEGAL",
  /** Text that is not "ip:port" or "[ipv6]:port" (a message's host fields). */
  HOST_ADDRESS_ILLEGAL: "HOST_ADDRESS_ILLEGAL",
  /** An address that is not host:port (configuration, peers). */
  ADDRESS_ILLEGAL: "ADDRESS_ILLEGAL",

  // Broker: topics, groups, roles
  /** An unknown topic (also the name server's answer for a topic without a route). */
  TOPIC_NOT_EXIST: "TOPIC_NOT_EXIST",
  /** An unknown subscription group. */
  SUBSCRIPTION_GROUP_NOT_EXIST: "SUBSCRIPTION_GROUP_NOT_EXIST",
  /** A topic whose perm forbids the operation, or a system topic; or an ACL account without the permission. */
  NO_PERMISSION: "NO_PERMISSION",
  /** ACL on and the request carries no valid account credentials. */
  UNAUTHENTICATED: "UNAUTHENTICATED",
  /** A change only a master accepts, asked of a slave. */
  NOT_MASTER: "NOT_MASTER",
  /** An operation only a slave accepts, asked of a master. */
  NOT_SLAVE: "NOT_SLAVE",
  /** A send to a slave. */
  SLAVE_CANNOT_SEND: "SLAVE_CANNOT_SEND",
  /** A transactional (half) message or END_TRANSACTION: Skiff does not support transactions. */
  TRANSACTION_NOT_SUPPORTED: "TRANSACTION_NOT_SUPPORTED",
  /** The broker stopped, but something could not be saved. */
  SHUTDOWN_INCOMPLETE: "SHUTDOWN_INCOMPLETE",
  /** Too many client groups, clients in a group or subscriptions for the broker's bounds (heartbeats). */
  CLIENT_LIMIT_EXCEEDED: "CLIENT_LIMIT_EXCEEDED",
  /** A subscription filter other than TAG (SQL92): Skiff filters by tag only. */
  FILTER_NOT_SUPPORTED: "FILTER_NOT_SUPPORTED",
  /** An offset reset for a group whose consumers are connected (they would commit over it). */
  CONSUMER_GROUP_ONLINE: "CONSUMER_GROUP_ONLINE",
  /** No message record starts at the given commit-log offset (send-back, view by id). */
  MESSAGE_NOT_FOUND: "MESSAGE_NOT_FOUND",

  // Configuration and metadata files
  /** A configuration key or value that is refused. */
  CONFIG_INVALID: "CONFIG_INVALID",
  /** A metadata file (and its backup) that cannot be used. */
  METADATA_CORRUPT: "METADATA_CORRUPT",
  /** A metadata value of the wrong shape. */
  METADATA_INVALID: "METADATA_INVALID",
  /** A metadata file that is not fastjson. */
  METADATA_JSON_SYNTAX: "METADATA_JSON_SYNTAX",
  /** A metadata file that could not be written (retriable). */
  METADATA_PERSIST_FAILED: "METADATA_PERSIST_FAILED",

  // Store
  /** The store is shut down (retriable: another broker may take it). */
  STORE_CLOSED: "STORE_CLOSED",
  /** The disk under the store is full (retriable: resumes by itself once space is freed). */
  STORE_DISK_FULL: "STORE_DISK_FULL",
  /** A store write failed for another reason (retriable), or a stored record is unreadable. */
  STORE_IO_FAILED: "STORE_IO_FAILED",
  /** The store directory is held by another live process. */
  STORE_LOCKED: "STORE_LOCKED",
  /** A port the server is configured to listen on is taken (start-up). */
  PORT_IN_USE: "PORT_IN_USE",
  /** A segment file that ended before its length. */
  STORE_SHORT_READ: "STORE_SHORT_READ",
  /** A segment file of the wrong length or start. */
  STORE_SEGMENT_INVALID: "STORE_SEGMENT_INVALID",
  /** The store closed without writing everything (abort is kept). */
  STORE_SHUTDOWN_INCOMPLETE: "STORE_SHUTDOWN_INCOMPLETE",
  /** A checkpoint file that is too short or holds unsafe values. */
  CHECKPOINT_ILLEGAL: "CHECKPOINT_ILLEGAL",
  /** Consume-queue bytes that are not a whole, safe 20-byte entry. */
  CONSUME_QUEUE_ENTRY_ILLEGAL: "CONSUME_QUEUE_ENTRY_ILLEGAL",
  /** A topic and queue id that cannot name a consume-queue directory. */
  QUEUE_PATH_ILLEGAL: "QUEUE_PATH_ILLEGAL",

  // Replication (HA)
  /** A slave could not connect to its master in time (retriable). */
  HA_CONNECT_TIMEOUT: "HA_CONNECT_TIMEOUT",
  /** The authenticated HA link's handshake failed (haAuthSecret missing or different on one side). */
  HA_AUTH_FAILED: "HA_AUTH_FAILED",
  /** A transfer frame with a negative size or a negative/unsafe offset. */
  HA_FRAME_ILLEGAL: "HA_FRAME_ILLEGAL",
  /** A transfer frame larger than the slave's limit. */
  HA_FRAME_TOO_LARGE: "HA_FRAME_TOO_LARGE",
  /** A slave's offset report that is negative or unsafe. */
  HA_REPORT_ILLEGAL: "HA_REPORT_ILLEGAL",
  /** Replicated bytes that do not start where the slave's log ends. */
  HA_OFFSET_MISMATCH: "HA_OFFSET_MISMATCH",
  /** A first offset an empty slave cannot start at (not a segment start). */
  HA_OFFSET_ILLEGAL: "HA_OFFSET_ILLEGAL",
  /** A replicated record that fails verification (length, magic, CRC, offset). */
  HA_RECORD_INVALID: "HA_RECORD_INVALID",
  /** A peer that does not take a write within the housekeeping interval. */
  HA_WRITE_STALLED: "HA_WRITE_STALLED",
  /** A diverged slave whose log shares no prefix with its master's. */
  HA_NO_COMMON_PREFIX: "HA_NO_COMMON_PREFIX",
  /** A slave asked to start over from its master's log when the master's HTTP API does not answer (retriable). */
  HA_MASTER_UNREACHABLE: "HA_MASTER_UNREACHABLE",
  /** `GET /ha/log` for bytes this node does not hold (answered with 416). */
  HA_RANGE_NOT_HELD: "HA_RANGE_NOT_HELD",

  // Name server
  /** A broker name registered in another cluster. */
  BROKER_NAME_CONFLICT: "BROKER_NAME_CONFLICT",
  /** A broker address registered by another broker. */
  BROKER_ADDRESS_IN_USE: "BROKER_ADDRESS_IN_USE",
  /** A broker id of a broker name that a live broker at another address holds (not silently replaced). */
  BROKER_ID_TAKEN: "BROKER_ID_TAKEN",
  /** The name server holds maxBrokers brokers already. */
  BROKER_LIMIT_EXCEEDED: "BROKER_LIMIT_EXCEEDED",
  /** A registration that would pass maxTopics. */
  TOPIC_LIMIT_EXCEEDED: "TOPIC_LIMIT_EXCEEDED",
  /** No name server answered (retriable). */
  NAMESRV_UNAVAILABLE: "NAMESRV_UNAVAILABLE",
  /** A name server that did not answer in time (retriable). */
  NAMESRV_TIMEOUT: "NAMESRV_TIMEOUT",
  /** A name server that could not be reached (retriable). */
  NAMESRV_UNREACHABLE: "NAMESRV_UNREACHABLE",
  /** A name server answer of an unexpected shape. */
  NAMESRV_BAD_ANSWER: "NAMESRV_BAD_ANSWER",

  // RocketMQ remoting client
  /** Too many requests already wait for one peer (retriable). */
  REMOTING_BUSY: "REMOTING_BUSY",
  /** A request on a closed remoting client. */
  REMOTING_CLOSED: "REMOTING_CLOSED",
  /** A peer that did not answer in time (retriable). */
  REMOTING_TIMEOUT: "REMOTING_TIMEOUT",
  /** A peer that could not be reached or closed the connection (retriable). */
  REMOTING_UNREACHABLE: "REMOTING_UNREACHABLE",
  /** A remoting frame that cannot be decoded. */
  REMOTING_FRAME_ILLEGAL: "REMOTING_FRAME_ILLEGAL",
  /** A remoting frame larger than the limit. */
  REMOTING_FRAME_TOO_LARGE: "REMOTING_FRAME_TOO_LARGE",

  // RocketMQ remoting server
  /** A request header field that is missing (required) or not of its type (a number, a boolean). */
  REMOTING_HEADER_INVALID: "REMOTING_HEADER_INVALID",
  /** A request body that is not what its request code carries (JSON of the wrong shape). */
  REMOTING_BODY_INVALID: "REMOTING_BODY_INVALID",
  /** A remoting client that did not take an answer within the write deadline: it does not read. */
  REMOTING_WRITE_STALLED: "REMOTING_WRITE_STALLED",
} as const;

export type ErrorCode = keyof typeof ErrorCode;

/** Codes that carry a peer's number: a RocketMQ response code, or an HTTP status. */
export type PeerErrorCode = `REMOTING_${number}` | `HTTP_${number}`;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ErrorCode, value);
}
