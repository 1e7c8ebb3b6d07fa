/**
 * Input checked against a zod schema, for every front and service that takes outside input: a
 * failure is SkiffError BAD_REQUEST naming each problem (an HTTP front answers it with 400).
 */
import type { z } from "zod";
import { SkiffError } from "./errors.ts";

/** `"clusterName: Too small …; brokerId: must be >= 0"`, at most five problems. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 5).map((issue) => `${issue.path.map(String).join(".") || "body"}: ${issue.message}`);
  const more = issues.length - shown.length;
  return shown.join("; ") + (more > 0 ? `; and ${more} more` : "");
}

/** Validates `value`; throws SkiffError BAD_REQUEST (→ 400) naming each problem. */
export function checked<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) throw new SkiffError("BAD_REQUEST", describeIssues(result.error.issues));
  return result.data;
}

/** A UTF-8 JSON body; malformed bytes or JSON are BAD_REQUEST. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new SkiffError("BAD_REQUEST", `request body is not valid JSON: ${(error as Error).message}`);
  }
}
