/**
 * The ACL file, loaded at start and reloaded when it changes, as RocketMQ's AclFileWatchService
 * does (it compares modification times every 5 s). A file that does not load at start stops the
 * server (the caller reports it); a change that does not load keeps the policy in force and logs
 * why, once per change, so a half-saved edit never opens a door. `current` is read per request.
 */
import type { Clock, FileSystem, TimerHandle } from "../core/platform.ts";
import { utf8Decode } from "../core/bytes.ts";
import { SkiffError } from "../core/errors.ts";
import type { Logger } from "../core/log.ts";
import { AclPolicy } from "./acl-policy.ts";
import { parsePlainAcl } from "./plain-acl-file.ts";

/** RocketMQ's `AclFileWatchService.WATCH_INTERVAL`. */
export const ACL_WATCH_INTERVAL_MS = 5_000;

export class AclFileWatch {
  private readonly fs: FileSystem;
  private readonly path: string;
  private readonly log: Logger;
  private policy: AclPolicy;
  private stamp: string;
  private timer: TimerHandle | null = null;
  private checking = false;

  private constructor(fs: FileSystem, path: string, log: Logger, policy: AclPolicy, stamp: string) {
    this.fs = fs;
    this.path = path;
    this.log = log;
    this.policy = policy;
    this.stamp = stamp;
  }

  /** Loads `path`; throws CONFIG_INVALID naming the file and the fix when it is missing or invalid. */
  static async open(fs: FileSystem, path: string, log: Logger): Promise<AclFileWatch> {
    const stat = await fs.stat(path);
    if (!stat?.isFile) throw new SkiffError("CONFIG_INVALID", `aclEnable=true but the ACL file ${path} does not exist; create it in RocketMQ's plain_acl.yml format or point plainAclFile at it`);
    let policy: AclPolicy;
    try {
      policy = new AclPolicy(parsePlainAcl(utf8Decode(await fs.readFile(path)), path));
    } catch (error) {
      throw new SkiffError("CONFIG_INVALID", (error as Error).message, { cause: error });
    }
    log.info(`ACL on: ${policy.acl.accounts.size} account(s) from ${path}`, { file: path, accounts: policy.acl.accounts.size });
    return new AclFileWatch(fs, path, log, policy, `${stat.mtimeMs}/${stat.size}`);
  }

  get current(): AclPolicy {
    return this.policy;
  }

  /** Checks the file every `intervalMs` from now on. */
  watch(clock: Clock, intervalMs = ACL_WATCH_INTERVAL_MS): void {
    if (this.timer) return;
    this.timer = clock.setInterval(() => void this.check(), intervalMs);
  }

  /** Reloads the file if it changed since the last look; resolves when done (tests call it directly). */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const stat = await this.fs.stat(this.path).catch(() => null);
      const stamp = stat ? `${stat.mtimeMs}/${stat.size}` : "missing";
      if (stamp === this.stamp) return;
      this.stamp = stamp;
      if (!stat) {
        this.log.error(`ACL file ${this.path} is gone; the accounts loaded before stay in force until it is back`, { file: this.path });
        return;
      }
      const next = new AclPolicy(parsePlainAcl(utf8Decode(await this.fs.readFile(this.path)), this.path));
      this.policy = next;
      this.log.info(`ACL reloaded: ${next.acl.accounts.size} account(s) from ${this.path}`, { file: this.path, accounts: next.acl.accounts.size });
    } catch (error) {
      this.log.error(`ACL file not reloaded, the accounts loaded before stay in force: ${(error as Error).message}`, { file: this.path });
    } finally {
      this.checking = false;
    }
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }
}
