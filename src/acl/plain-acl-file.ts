/**
 * `plain_acl.yml`, RocketMQ 4.9.7's ACL file (`conf/plain_acl.yml`; keys of `AclConstants`):
 *
 * ```yaml
 * globalWhiteRemoteAddresses:      # peers allowed everything, unsigned (patterns: remote-address.ts)
 *   - 10.10.103.*
 * accounts:
 *   - accessKey: RocketMQ          # > 6 characters
 *     secretKey: 12345678          # > 6 characters
 *     whiteRemoteAddress:          # a peer matching it needs no signature and no permission
 *     admin: false                 # admin request codes (permission.ts) need true
 *     defaultTopicPerm: DENY       # for topics not in topicPerms (absent: DENY)
 *     defaultGroupPerm: SUB        # for groups not in groupPerms (absent: DENY)
 *     topicPerms: [topicA=DENY, topicB=PUB|SUB]
 *     groupPerms: [groupA=DENY, groupB=SUB]   # a group's resource is its retry topic %RETRY%<group>
 * dataVersion: [{counter: 1, timestamp: 0}]   # written by mqadmin's ACL commands; read, not needed
 * ```
 *
 * Parsed with the `yaml` package into `PlainAcl`; every problem RocketMQ refuses to load (a short
 * key, a duplicate access key, a permission entry without `=`, a bad address pattern) is an error
 * naming the file, the account and the fix, so a broken file never loads as a more open one.
 */
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { parsePerm } from "./permission.ts";
import { addressMatcher, type AddressMatcher } from "./remote-address.ts";

export interface AclAccount {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly admin: boolean;
  readonly whiteRemoteAddress: AddressMatcher;
  readonly defaultTopicPerm: number;
  readonly defaultGroupPerm: number;
  /** Resource name (a topic, or `%RETRY%<group>`) → permission bits. */
  readonly resourcePerms: ReadonlyMap<string, number>;
}

export interface PlainAcl {
  readonly globalWhiteRemoteAddresses: readonly AddressMatcher[];
  readonly accounts: ReadonlyMap<string, AclAccount>;
}

export const RETRY_PREFIX = "%RETRY%";
/** RocketMQ's minimum is "longer than 6". */
const KEY_MIN_LENGTH = 7;

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));
const optionalText = z.union([scalar, z.null()]).optional().transform((v) => v ?? undefined);
const accountSchema = z.object({
  accessKey: scalar,
  secretKey: scalar,
  whiteRemoteAddress: optionalText,
  admin: z.union([z.boolean(), z.string(), z.null()]).optional(),
  defaultTopicPerm: optionalText,
  defaultGroupPerm: optionalText,
  topicPerms: z.union([z.array(scalar), z.null()]).optional(),
  groupPerms: z.union([z.array(scalar), z.null()]).optional(),
}).passthrough();
const fileSchema = z.object({
  globalWhiteRemoteAddresses: z.union([z.array(scalar), z.null()]).optional(),
  accounts: z.union([z.array(accountSchema), z.null()]).optional(),
}).passthrough();

/** Parses the text of a plain_acl.yml; throws an Error whose message names `file`, what is wrong and how to fix it. */
export function parsePlainAcl(text: string, file: string): PlainAcl {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new Error(`${file} is not valid YAML (${firstLine(error)}); fix the file, RocketMQ's plain_acl.yml format is in the README's Security section`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue.path.join(".") || "the file"} ${issue.message.toLowerCase()}; expected RocketMQ's plain_acl.yml (globalWhiteRemoteAddresses, accounts)`);
  }
  const where = (what: string) => `${file}: ${what}`;
  const globalWhiteRemoteAddresses = (parsed.data.globalWhiteRemoteAddresses ?? []).map((pattern) => matcher(pattern, where("globalWhiteRemoteAddresses")));
  const accounts = new Map<string, AclAccount>();
  for (const [index, account] of (parsed.data.accounts ?? []).entries()) {
    const name = `accounts[${index}] (accessKey ${account.accessKey})`;
    if (account.accessKey.length < KEY_MIN_LENGTH || account.secretKey.length < KEY_MIN_LENGTH) {
      throw new Error(where(`${name}: accessKey and secretKey must be longer than 6 characters, as RocketMQ requires`));
    }
    if (accounts.has(account.accessKey)) throw new Error(where(`${name}: the accessKey is given twice; give each account once`));
    const resourcePerms = new Map<string, number>();
    for (const [list, prefix] of [[account.topicPerms, ""], [account.groupPerms, RETRY_PREFIX]] as const) {
      for (const entry of list ?? []) {
        const at = entry.indexOf("=");
        if (at <= 0) throw new Error(where(`${name}: the permission "${entry}" must read name=PERM (PERM one of PUB, SUB, PUB|SUB, DENY)`));
        resourcePerms.set(prefix + entry.slice(0, at).trim(), parsePerm(entry.slice(at + 1)));
      }
    }
    accounts.set(account.accessKey, {
      accessKey: account.accessKey,
      secretKey: account.secretKey,
      admin: account.admin === true || String(account.admin).toLowerCase() === "true",
      whiteRemoteAddress: matcher(account.whiteRemoteAddress, where(`${name}: whiteRemoteAddress`)),
      defaultTopicPerm: parsePerm(account.defaultTopicPerm),
      defaultGroupPerm: parsePerm(account.defaultGroupPerm),
      resourcePerms,
    });
  }
  return { globalWhiteRemoteAddresses, accounts };
}

function matcher(pattern: string | undefined, where: string): AddressMatcher {
  try {
    return addressMatcher(pattern);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}
