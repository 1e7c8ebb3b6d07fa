/**
 * The limits a stored message must respect (RocketMQ `TopicValidator`, `MessageExtEncoder`), and the
 * stable error codes the record encoder throws (`SkiffError`, never retriable). At the RocketMQ
 * edge every one of them is answered as `MESSAGE_ILLEGAL` (response code 13), see
 * `MESSAGE_ILLEGAL_CODES`.
 *
 * | code                     | when                                                          |
 * |--------------------------|---------------------------------------------------------------|
 * | TOPIC_ILLEGAL            | topic empty or not matching ^[%|a-zA-Z0-9_-]+$                |
 * | TOPIC_TOO_LONG           | topic longer than 127 chars                                   |
 * | QUEUE_ID_ILLEGAL         | queue id not an integer in 0..65534 (QUEUE_ID_MAX)            |
 * | PROPERTIES_ILLEGAL       | a property key/value that cannot round-trip (properties.ts)   |
 * | PROPERTIES_SIZE_EXCEEDED | properties longer than 32767 UTF-8 bytes                      |
 * | BODY_SIZE_EXCEEDED       | body longer than maxBodySizeBytes (default 4 MiB)             |
 * | MESSAGE_SIZE_EXCEEDED    | a record/batch that cannot fit in one segment (the commit log) |
 *
 * Java 4.9.5+ also caps the whole record at maxMessageSize + 64 KiB; with properties <= 32767 bytes
 * and a topic <= 127 that can never trip once the body fits, so Skiff has no separate check.
 */
import { SkiffError, type ErrorCode } from "../core/errors.ts";

export const TOPIC_MAX_LENGTH = 127;
/**
 * The largest queue id of any Skiff topic: a topic has at most 65535 queues (`defaultTopicQueueNums`
 * allows 1..65535, the API 1..1024). Queue ids name directories (`consumequeue/<topic>/<queueId>`),
 * so the store refuses any other id, whoever wrote the record (the API, a master, a file on disk).
 */
export const QUEUE_ID_MAX = 65534;
export const DEFAULT_MAX_MESSAGE_SIZE_BYTES = 4 * 1024 * 1024;
/**
 * Java 4.9.5+ and 5.x cap a whole stored record at maxMessageSize + 64 KiB; Skiff caps a whole
 * stored batch the same way, so the blank record that may close a segment before it stays within
 * what a slave accepts.
 */
export const RECORD_OVERHEAD_MAX_BYTES = 64 * 1024;

export const MessageLimitCode = {
  TOPIC_ILLEGAL: "TOPIC_ILLEGAL",
  TOPIC_TOO_LONG: "TOPIC_TOO_LONG",
  QUEUE_ID_ILLEGAL: "QUEUE_ID_ILLEGAL",
  PROPERTIES_ILLEGAL: "PROPERTIES_ILLEGAL",
  PROPERTIES_SIZE_EXCEEDED: "PROPERTIES_SIZE_EXCEEDED",
  BODY_SIZE_EXCEEDED: "BODY_SIZE_EXCEEDED",
  MESSAGE_SIZE_EXCEEDED: "MESSAGE_SIZE_EXCEEDED",
} as const;

/** Codes that the broker edge maps to RocketMQ's `MESSAGE_ILLEGAL`. */
export const MESSAGE_ILLEGAL_CODES: ReadonlySet<string> = new Set(Object.values(MessageLimitCode));

const TOPIC_PATTERN = /^[%|a-zA-Z0-9_-]+$/;

/** True when `validateTopic` would accept `topic`. */
export function isLegalTopic(topic: string): boolean {
  return TOPIC_PATTERN.test(topic) && topic.length <= TOPIC_MAX_LENGTH;
}

/** Throws `TOPIC_ILLEGAL` / `TOPIC_TOO_LONG` as RocketMQ's `TopicValidator.validateTopic` would reject. */
export function validateTopic(topic: string): void {
  const problem = topicProblem(topic);
  if (problem !== null) throw new SkiffError(problem.code, problem.message);
}

/** The same rule as `validateTopic`, without throwing: null for a valid topic. */
export function topicProblem(topic: string): { code: ErrorCode; message: string } | null {
  if (!TOPIC_PATTERN.test(topic)) {
    const shown = JSON.stringify(topic.length > 200 ? `${topic.slice(0, 200)}…` : topic);
    return { code: MessageLimitCode.TOPIC_ILLEGAL, message: `topic ${shown} is empty or contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$` };
  }
  if (topic.length > TOPIC_MAX_LENGTH) {
    return { code: MessageLimitCode.TOPIC_TOO_LONG, message: `topic is ${topic.length} chars, longer than ${TOPIC_MAX_LENGTH}` };
  }
  return null;
}

/** Throws `QUEUE_ID_ILLEGAL` unless `queueId` is an integer in 0..QUEUE_ID_MAX. */
export function validateQueueId(queueId: number): void {
  const problem = queueIdProblem(queueId);
  if (problem !== null) throw new SkiffError(MessageLimitCode.QUEUE_ID_ILLEGAL, problem);
}

/** The same rule as `validateQueueId`, without throwing: null for a valid queue id. */
export function queueIdProblem(queueId: number): string | null {
  if (Number.isInteger(queueId) && queueId >= 0 && queueId <= QUEUE_ID_MAX) return null;
  return `queue id ${queueId} is outside 0..${QUEUE_ID_MAX}`;
}

/** The last topic `queuePathProblem` found valid: records come in runs of one topic (dispatch, a slave's check). */
let lastValidTopic = "";

/** A topic and queue id that may name `consumequeue/<topic>/<queueId>`: null, or why not. */
export function queuePathProblem(topic: string, queueId: number): string | null {
  if (topic !== lastValidTopic) {
    const problem = topicProblem(topic);
    if (problem !== null) return problem.message;
    lastValidTopic = topic;
  }
  return queueIdProblem(queueId);
}
