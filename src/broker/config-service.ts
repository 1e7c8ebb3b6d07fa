/**
 * The broker's configuration as the admin tools see and change it (RocketMQ's `Configuration`:
 * UPDATE_BROKER_CONFIG / GET_BROKER_CONFIG, `mqadmin updateBrokerConfig` / `getBrokerConfig`).
 *
 * An update is a set of `key=value` pairs, applied all or nothing:
 * - a key Skiff reads live (`LIVE_BROKER_KEYS`, src/config/live-keys.ts) is validated with the same
 *   rules as at start (every value of the new configuration is checked together) and applied;
 * - a key of Apache RocketMQ's that Skiff does not use (`sendMessageThreadPoolNums`, …) is kept
 *   and shown, and changes nothing (as such a line of a `broker.conf` is accepted at start);
 * - any other key is refused, naming it: a Skiff key that needs a restart, or an unknown key.
 * Every accepted update bumps the configuration's DataVersion (GET_BROKER_CONFIG's `version`).
 * Changes last until the broker stops: Skiff does not rewrite the file it was started from.
 */
import { SkiffError } from "../core/errors.ts";
import type { Clock } from "../core/platform.ts";
import { brokerShape, validateBrokerConfig, type BrokerConfig } from "../config/broker-config.ts";
import { isLiveBrokerKey } from "../config/live-keys.ts";
import { ROCKETMQ_BROKER_KEYS } from "../config/rocketmq-keys.ts";
import { DataVersion } from "../metadata/data-version.ts";
import type { Logger } from "../core/log.ts";

export interface BrokerConfigServiceDeps {
  readonly config: () => BrokerConfig;
  readonly setConfig: (next: BrokerConfig) => void;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface ConfigUpdate {
  /** Keys applied (live Skiff keys) and kept (RocketMQ keys Skiff does not use). */
  readonly applied: readonly string[];
  readonly kept: readonly string[];
}

const ORIGIN = "UPDATE_BROKER_CONFIG";

/** Keys whose values never leave the process (GET_BROKER_CONFIG shows them as REDACTED). */
export const SECRET_KEYS: ReadonlySet<string> = new Set(["haAuthSecret", "innerClientAuthenticationCredentials"]);
export const REDACTED = "<redacted>";

export class BrokerConfigService {
  readonly dataVersion: DataVersion;
  private readonly deps: BrokerConfigServiceDeps;
  /** RocketMQ keys Skiff does not use, as last set by an update. */
  private readonly unused = new Map<string, string>();

  constructor(deps: BrokerConfigServiceDeps) {
    this.deps = deps;
    this.dataVersion = DataVersion.fresh(deps.clock);
  }

  update(properties: Readonly<Record<string, string>>): ConfigUpdate {
    const live: Record<string, string> = {};
    const kept: Array<[string, string]> = [];
    const refused: string[] = [];
    for (const [key, value] of Object.entries(properties)) {
      if (Object.hasOwn(brokerShape, key)) {
        if (isLiveBrokerKey(key)) live[key] = value;
        else refused.push(`${key} cannot be changed while the broker runs (set it in the broker's configuration and restart)`);
      } else if (ROCKETMQ_BROKER_KEYS.has(key)) {
        kept.push([key, value]);
      } else {
        refused.push(`${key} is not a Skiff or Apache RocketMQ broker key`);
      }
    }
    if (refused.length > 0) throw new SkiffError("CONFIG_INVALID", `broker configuration not changed: ${refused.join("; ")}`);
    const next = this.validated(live);
    this.deps.setConfig(next);
    for (const [key, value] of kept) this.unused.set(key, value);
    this.dataVersion.nextVersion(this.deps.clock);
    const shown = [...Object.keys(live).map((k) => `${k}=${String(next[k as keyof BrokerConfig])}`), ...kept.map(([k, v]) => `${k}=${v} (not used by Skiff)`)];
    this.deps.log.info(`broker configuration updated: ${shown.length > 0 ? shown.join(", ") : "nothing"}`);
    return { applied: Object.keys(live), kept: kept.map(([k]) => k) };
  }

  /** Every key with a value, sorted: the effective configuration and the kept RocketMQ keys. */
  properties(): Array<[string, string]> {
    const entries = Object.entries(this.deps.config())
      .filter(([, value]) => value !== undefined)
      .map(([key, value]): [string, string] => [key, SECRET_KEYS.has(key) ? REDACTED : String(value)]);
    return [...entries, ...this.unused].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** The current configuration with `live` over it, checked by the start-up rules; only `live` keys change. */
  private validated(live: Readonly<Record<string, string>>): BrokerConfig {
    const current = this.deps.config();
    const values: Record<string, unknown> = { ...current };
    const origins: Record<string, string> = {};
    for (const [key, value] of Object.entries(live)) {
      values[key] = value;
      origins[key] = ORIGIN;
    }
    const checked = validateBrokerConfig({ values, origins }).config;
    const next: Record<string, unknown> = { ...current };
    for (const key of Object.keys(live)) next[key] = checked[key as keyof BrokerConfig];
    return next as BrokerConfig;
  }
}
