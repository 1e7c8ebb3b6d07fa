/**
 * RocketMQ's ACL permissions (4.9.7 `org.apache.rocketmq.acl.common.Permission`): bits, the strings
 * of `plain_acl.yml`, and the check of one needed permission against an owned one.
 *
 * | string              | bits        |
 * |---------------------|-------------|
 * | `DENY`              | 1           |
 * | (needed only) ANY   | 2           |
 * | `PUB`               | 4           |
 * | `SUB`               | 8           |
 * | `PUB|SUB`, `SUB|PUB`| 12          |
 *
 * Any other string (or none) reads as DENY, as in RocketMQ: an account without `defaultTopicPerm`
 * may touch only the topics it lists.
 */
export const Perm = { DENY: 1, ANY: 2, PUB: 4, SUB: 8 } as const;

export function parsePerm(text: string | null | undefined): number {
  switch (text?.trim().toUpperCase()) {
    case "PUB":
      return Perm.PUB;
    case "SUB":
      return Perm.SUB;
    case "PUB|SUB":
    case "SUB|PUB":
      return Perm.PUB | Perm.SUB;
    default:
      return Perm.DENY;
  }
}

/** Whether `owned` grants `needed` (DENY wins; ANY is granted by PUB or SUB). */
export function permits(needed: number, owned: number): boolean {
  if ((owned & Perm.DENY) !== 0) return false;
  if ((needed & Perm.ANY) !== 0) return (owned & (Perm.PUB | Perm.SUB)) !== 0;
  return (needed & owned) !== 0;
}

export function permName(perm: number): string {
  if ((perm & Perm.DENY) !== 0) return "DENY";
  const names = [(perm & Perm.PUB) !== 0 ? "PUB" : "", (perm & Perm.SUB) !== 0 ? "SUB" : ""].filter(Boolean);
  return names.join("|") || ((perm & Perm.ANY) !== 0 ? "ANY" : "DENY");
}
