/**
 * A consumer's subscription to one topic, as its heartbeat declares it (RocketMQ's
 * `SubscriptionData`), and the filter rule the broker applies to it: Skiff filters by tag only.
 *
 * | field           | meaning                                                                    |
 * |-----------------|----------------------------------------------------------------------------|
 * | topic           | the subscribed topic (`%RETRY%<group>` too, for push consumers)            |
 * | subString       | the expression: `*`, or `TagA || TagB`                                     |
 * | expressionType  | `TAG` (also when absent or empty), or `SQL92` (not supported by Skiff)     |
 * | tagsSet/codeSet | the tags of a TAG expression and their Java `String.hashCode`s             |
 * | subVersion      | the client's version of the subscription (ms timestamp); newer replaces     |
 * | classFilterMode | the client's class-filter flag (echoed, not used)                           |
 *
 * The broker does not trust a client's tag sets: `tagSubscription` derives them from the
 * expression as the Java client's `FilterAPI.buildSubscriptionData` does (split on `||`, trim,
 * drop empties; `*` or nothing = every message), so the pull filter and the expression agree.
 */
import { SkiffError } from "../core/errors.ts";
import { javaStringHash } from "../codec/java-hash.ts";

export const ExpressionType = { TAG: "TAG", SQL92: "SQL92" } as const;
export const SUBSCRIBE_ALL = "*";

export interface SubscriptionData {
  readonly topic: string;
  readonly subString: string;
  readonly expressionType: string;
  readonly tagsSet: readonly string[];
  readonly codeSet: readonly number[];
  readonly subVersion: number;
  readonly classFilterMode: boolean;
}

/** RocketMQ's `ExpressionType.isTagType`: absent, empty and `TAG` all mean a tag expression. */
export function isTagType(expressionType: string | undefined | null): boolean {
  return expressionType === undefined || expressionType === null || expressionType === "" || expressionType === ExpressionType.TAG;
}

/**
 * Refuses a filter Skiff cannot apply (RocketMQ with `enablePropertyFilter=false` answers the same
 * way): FILTER_NOT_SUPPORTED, answered SYSTEM_ERROR over remoting.
 */
export function requireTagFilter(expressionType: string | undefined | null): void {
  if (isTagType(expressionType)) return;
  throw new SkiffError("FILTER_NOT_SUPPORTED", `The broker does not support consumer to filter message by ${expressionType}: Skiff filters by TAG only`);
}

/** The tags of a TAG expression; empty for `*` (every message). */
export function tagsOf(subString: string): string[] {
  if (subString === "" || subString === SUBSCRIBE_ALL) return [];
  const tags: string[] = [];
  for (const part of subString.split("||")) {
    const tag = part.trim();
    if (tag.length > 0 && !tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

/** A subscription as the broker keeps it: for a TAG expression, the tag sets follow the expression. */
export function tagSubscription(fields: Omit<SubscriptionData, "tagsSet" | "codeSet"> & Partial<Pick<SubscriptionData, "tagsSet" | "codeSet">>): SubscriptionData {
  if (!isTagType(fields.expressionType)) return { ...fields, tagsSet: fields.tagsSet ?? [], codeSet: fields.codeSet ?? [] };
  const subString = fields.subString === "" ? SUBSCRIBE_ALL : fields.subString;
  const tagsSet = tagsOf(subString);
  return { ...fields, expressionType: ExpressionType.TAG, subString, tagsSet, codeSet: [...new Set(tagsSet.map(javaStringHash))] };
}
