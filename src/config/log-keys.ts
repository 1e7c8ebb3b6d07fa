/**
 * The log's keys, the same on the broker and the name server (Skiff keys: RocketMQ configures its
 * logs through logback files). Formats: src/core/log-format.ts.
 */
import { LOG_LEVELS } from "../core/log.ts";
import { LOG_FORMATS } from "../core/log-format.ts";
import { oneOf } from "./fields.ts";

export const logShape = {
  logLevel: oneOf(LOG_LEVELS).default("info").describe("Skiff: the lowest level written: debug, info, warn or error."),
  logFormat: oneOf(LOG_FORMATS).default("auto").describe("Skiff: `json` (one JSON object per line: time, level, component, msg, then fields), `text` (a line for people), or `auto`: text on a terminal, json otherwise."),
};
