/**
 * The name server's configuration: the same sources, precedence and errors as the broker's
 * (`sources.ts`), with its environment variables spelt `SKIFF_NAMESRV_<key>`. Keys of Apache
 * RocketMQ's `NamesrvConfig`/`NettyServerConfig` that Skiff does not use are accepted with one
 * warning; `bindAddress` (RocketMQ 5.x) is one of them: Skiff's bind address is `host`.
 */
import { z } from "zod";
import { host, integer, port } from "./fields.ts";
import { ROCKETMQ_NAMESRV_KEYS } from "./rocketmq-keys.ts";
import { namesrvEnvLayer, sourceLayers, type ConfigSources } from "./sources.ts";
import { checkFields, configInvalid, mergeLayers, type ResolvedConfig } from "./validate.ts";

const POSITIVE_MS = { min: 1, max: 2_147_483_647 };

export const namesrvShape = {
  /** Port of the name server's HTTP API (RocketMQ's default 9876). 0 picks a free port. */
  listenPort: port({ zeroPicksFreePort: true }).default(9876),
  /** Address to bind (`0.0.0.0` for every interface). */
  host: host().default("127.0.0.1"),
  /** Milliseconds after its last registration when a broker is dropped (`BROKER_CHANNEL_EXPIRED_TIME`). */
  brokerExpiryMs: integer(POSITIVE_MS).default(120_000),
  /** Milliseconds between scans for expired brokers. */
  scanIntervalMs: integer(POSITIVE_MS).default(10_000),
};

export const namesrvConfigSchema = z.object(namesrvShape);

export type NamesrvConfig = z.output<typeof namesrvConfigSchema>;

/**
 * Merges the sources (defaults < file < env `SKIFF_NAMESRV_<key>` < command line) and validates.
 * Throws SkiffError CONFIG_INVALID listing every problem.
 */
export function resolveNamesrvConfig(sources: ConfigSources): ResolvedConfig<NamesrvConfig> {
  const merged = mergeLayers(sourceLayers(sources, namesrvEnvLayer));
  const check = checkFields(namesrvShape, merged, ROCKETMQ_NAMESRV_KEYS, "name server");
  if (check.problems.length > 0) throw configInvalid("name server configuration", check.problems);
  return { config: check.values as NamesrvConfig, warnings: check.warnings, notices: [] };
}
