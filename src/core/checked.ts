/**
 * Input checked against a zod schema, for every front and service that takes outside input: a
 * failure is SkiffError BAD_REQUEST naming each problem (an HTTP front answers it with 400).
 */
import type { z } from "zod";
import { SkiffError } from "./errors.ts";

/** `"offset: required; brokerId: must be at least 0"`, at most five problems, in Skiff's words. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 5).map((issue) => `${issue.path.map(String).join(".") || "body"}: ${problemOf(issue)}`);
  const more = issues.length - shown.length;
  return shown.join("; ") + (more > 0 ? `; and ${more} more` : "");
}

/**
 * One problem for a person, from zod's issue: zod's own wording ("Invalid input: expected string,
 * received undefined") is for developers. Messages set by a schema (refinements) are kept.
 */
function problemOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type": {
      const received = /received (\w+)$/.exec(issue.message)?.[1];
      if (received === "undefined") return "required";
      const named = received !== undefined && JSON_TYPES.has(received) && received !== issue.expected && !(issue.expected === "int" && received === "number");
      return `must be ${article(issue.expected)}${named ? `, not ${article(received)}` : ""}`;
    }
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => JSON.stringify(key)).join(", ")}`;
    case "too_small":
      return issue.origin === "string" ? `must be at least ${issue.minimum} characters long` : issue.origin === "array" ? `must hold at least ${issue.minimum} items` : `must be ${issue.inclusive === false ? "more than" : "at least"} ${issue.minimum}`;
    case "too_big":
      return issue.origin === "string" ? `must be at most ${issue.maximum} characters long` : issue.origin === "array" ? `must hold at most ${issue.maximum} items` : `must be ${issue.inclusive === false ? "less than" : "at most"} ${issue.maximum}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
    default:
      return issue.message;
  }
}

const JSON_TYPES = new Set(["string", "number", "boolean", "object", "array", "null"]);

function article(type: string): string {
  if (type === "null") return "null";
  return type === "int" ? "an integer" : /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
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
