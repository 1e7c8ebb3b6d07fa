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
 * | PROPERTIES_ILLEGAL       | a property key/value that cannot round-trip (properties.ts)   |
 * | PROPERTIES_SIZE_EXCEEDED | properties longer than 32767 UTF-8 bytes                      |
 * | BODY_SIZE_EXCEEDED       | body longer than maxBodySizeBytes (default 4 MiB)             |
 * | MESSAGE_SIZE_EXCEEDED    | a record/batch that cannot fit in one segment (the commit log) |
 *
 * Java 4.9.5+ also caps the whole record at maxMessageSize + 64 KiB; with properties <= 32767 bytes
 * and a topic <= 127 that can never trip once the body fits, so Skiff has no separate check.
 */
import { SkiffError } from "../../core/errors.ts";

export const TOPIC_MAX_LENGTH = 127;
export const DEFAULT_MAX_MESSAGE_SIZE_BYTES = 4 * 1024 * 1024;

export const MessageLimitCode = {
  TOPIC_ILLEGAL: "TOPIC_ILLEGAL",
  TOPIC_TOO_LONG: "TOPIC_TOO_LONG",
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
  if (!TOPIC_PATTERN.test(topic)) {
    throw new SkiffError(
      MessageLimitCode.TOPIC_ILLEGAL,
      `topic ${JSON.stringify(topic)} is empty or contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$`,
    );
  }
  if (topic.length > TOPIC_MAX_LENGTH) {
    throw new SkiffError(MessageLimitCode.TOPIC_TOO_LONG, `topic is ${topic.length} chars, longer than ${TOPIC_MAX_LENGTH}`);
  }
}
