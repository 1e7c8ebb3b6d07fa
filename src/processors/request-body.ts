/**
 * A request's JSON body (HEART_BEAT's HeartbeatData, LOCK_BATCH_MQ's LockBatchRequestBody, a
 * Java broker's RegisterBrokerBody…) read with fastjson's rules (`src/codec/fastjson.ts`: strict
 * JSON plus unquoted integer keys) and checked against a zod schema. A body that is not UTF-8, not
 * JSON or not of the shape is `REMOTING_BODY_INVALID` — answered SYSTEM_ERROR with the reason, as a
 * Java server answers the exception its decoder throws.
 */
import type { z } from "zod";
import { describeIssues } from "../core/checked.ts";
import { SkiffError } from "../core/errors.ts";
import { parseFastjson } from "../codec/fastjson.ts";
import type { RemotingCommand } from "../remoting/remoting-command.ts";

export function jsonBody<Schema extends z.ZodType>(schema: Schema, request: RemotingCommand, what: string): z.output<Schema> {
  let value: unknown;
  try {
    value = parseFastjson(new TextDecoder("utf-8", { fatal: true }).decode(request.body));
  } catch (error) {
    throw new SkiffError("REMOTING_BODY_INVALID", `the body of request code ${request.code} is not a ${what}: ${(error as Error).message}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new SkiffError("REMOTING_BODY_INVALID", `the body of request code ${request.code} is not a ${what}: ${describeIssues(result.error.issues)}`);
  return result.data;
}
